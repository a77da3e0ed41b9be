"""The bundle of prepared entries shipped with the built-in templates (issue 20, ``docx.prepared``): up to
date with its sources, and enough for a first pack with an empty cache to compile, patch and parse nothing."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import jinja2
import pytest

from clausegen import cache
from clausegen.docx import container, engine, known, prepared, ziputil
from clausegen.law.codelists import load_codelists
from clausegen.law.registry import load_registry
from clausegen.profile.load import load_profile
from clausegen.render.pack import render_documents
from clausegen.render.templates import builtin_template_dir

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles" / "travaux-qpv.yaml"


def _fresh_process_state():
    for cached in (cache.cache_dir, engine.prepare, engine.jinja_env):
        cached.cache_clear()


@pytest.fixture
def empty_cache(tmp_path, monkeypatch):
    """A cache folder that starts empty, as in a first run after installation."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "vide"))
    _fresh_process_state()
    yield tmp_path / "vide"
    monkeypatch.undo()
    _fresh_process_state()
    cache._bundles.cache_clear()


def _counter(monkeypatch, owner, name) -> list:
    calls = []
    original = getattr(owner, name)

    def counted(*args, **kwargs):
        calls.append(args[1] if owner is jinja2.Environment and len(args) > 1 else name)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)
    return calls


def test_le_paquet_est_a_jour_de_ses_sources():
    """What ``python templates/build.py`` would write now is what is committed (and shipped)."""
    spec = importlib.util.spec_from_file_location("template_build_bundle", ROOT / "templates" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    assert build.bundle(builtin_template_dir(), check=True) == [], "lancez python templates/build.py"


def test_le_paquet_contient_les_modeles_integres():
    entries = prepared.read(builtin_template_dir())
    names = sorted(p.name for p in builtin_template_dir().glob("*.docx"))
    assert len(names) == 7
    for name in names:
        data = (builtin_template_dir() / name).read_bytes()
        assert entries[known.checked_entry_name(data)] == b"1"
    # what prepare reads from each template file (its parts checked, patched, deflated), then the compiled
    # code of each templated part
    assert sum(k.startswith(engine._PARTS_KIND + "-") for k in entries) == 7
    assert sum(k.startswith("jinja-") for k in entries) >= 7


def test_premier_dossier_cache_vide_ne_compile_ni_ne_verifie_rien(empty_cache, monkeypatch):
    compiled = _counter(monkeypatch, jinja2.Environment, "compile")
    patched = _counter(monkeypatch, engine, "_patch")
    opened = _counter(monkeypatch, container, "read_docx")
    deflated = _counter(monkeypatch, ziputil, "deflate")
    parsed = _counter(monkeypatch, container, "xml_problem")
    rendered = _counter(monkeypatch, container, "check_xml")
    documents = render_documents(load_profile(PROFILE))
    assert len(documents) == 7
    assert compiled == [] and patched == [] and opened == []
    # only the rendered parts are deflated: one document.xml (and headers, footers) and one core.xml each
    assert len(deflated) == len(rendered) + 7
    # the built-in templates are known well-formed: only the rendered parts are parsed (check_xml), not the
    # parts of the templates (read_docx)
    assert rendered and len(parsed) == len(rendered)


def test_les_donnees_viennent_du_paquet_avant_tout_modele(empty_cache):
    """The registry, the code lists and the schema, loaded before any template is asked for, come from the
    bundle too: a first pack writes nothing into an empty cache folder."""
    for cached in (load_codelists, load_registry):
        cached.cache_clear()
    assert len(render_documents(load_profile(PROFILE))) == 7
    assert not [p.name for p in empty_cache.rglob("*.bin")]


def test_le_paquet_ne_change_pas_les_documents(empty_cache, monkeypatch):
    with_bundle = render_documents(load_profile(PROFILE))
    monkeypatch.setenv("CLAUSEGEN_NO_CACHE", "1")
    monkeypatch.setattr(cache, "_SHIPPED", [])
    _fresh_process_state()
    compiled = _counter(monkeypatch, jinja2.Environment, "compile")
    computed = render_documents(load_profile(PROFILE))
    assert compiled  # this time everything was computed
    assert computed == with_bundle


def test_un_paquet_abime_est_ignore(tmp_path, monkeypatch, empty_cache):
    damaged = tmp_path / "abime"
    damaged.mkdir()
    (damaged / prepared.BUNDLE).write_bytes(b"pas un paquet")
    monkeypatch.setattr(cache, "_SHIPPED", [damaged / prepared.BUNDLE])  # in place of the built-in one
    monkeypatch.setattr(cache, "ship", lambda path: None)
    monkeypatch.setattr(cache, "_default_bundle", lambda: None)
    cache._bundles.cache_clear()
    assert cache.shipped("patched-5-x.bin") is None and cache._bundles() == {}
    compiled = _counter(monkeypatch, jinja2.Environment, "compile")
    assert len(render_documents(load_profile(PROFILE))) == 7
    assert compiled  # computed, as without a bundle


def test_le_paquet_est_lu_une_fois_par_processus(monkeypatch):
    """The bundle beside the built-in templates is found before they are asked for (the data files need it),
    then shipped again when they are: it is read once, not twice (about 10 ms of every command)."""
    import clausegen.render.templates as templates

    name = next(iter(prepared.read(ROOT / "templates" / "orme")))
    reads = []
    original = cache.read_bundle
    monkeypatch.setattr(cache, "read_bundle", lambda path: reads.append(path) or original(path))
    monkeypatch.setattr(cache, "_SHIPPED", [])
    cache._bundles.cache_clear()
    templates.builtin_template_dir.cache_clear()
    try:
        assert cache.shipped(name) is not None  # the data files: the default bundle
        templates.builtin_template_dir()  # the templates: the same bundle, shipped
        assert cache.shipped(name) is not None
        assert len(reads) == 1
    finally:
        templates.builtin_template_dir.cache_clear()
        cache._bundles.cache_clear()


@pytest.mark.parametrize("damage", ["octet", "tronque"])
def test_un_paquet_dont_un_octet_change_ou_tronque_est_ignore(tmp_path, damage):
    """The bundle's CRC-32 and length catch a damaged or truncated file: none of its entries is used."""
    path = tmp_path / prepared.BUNDLE
    cache.write_bundle(path, {"a.bin": b"contenu " * 100, "b.bin": b"autre"})
    assert cache.read_bundle(path) == {"a.bin": b"contenu " * 100, "b.bin": b"autre"}
    blob = bytearray(path.read_bytes())
    if damage == "octet":
        blob[len(blob) // 2] ^= 0x01
    else:
        del blob[-3:]
    path.write_bytes(bytes(blob))
    assert cache.read_bundle(path) == {}
