"""Guards of prepare-once (issue 20): they count work, never time, so a change that makes every pack
prepare its templates again, compute its hours again, parse a data file again or take docxtpl's whole
pipeline fails here whatever the machine's speed."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from clausegen.docx import engine
from clausegen.profile.load import load_profile
from clausegen.render.batch import _render_one, render_batch
from clausegen.render.pack import render_documents, render_pack

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
NAMES = ["travaux-qpv", "nettoyage-accord-cadre", "marche-insertion", "services-critere-seul"]


# -- counters --------------------------------------------------------------------------------------------


@pytest.fixture
def preparations(monkeypatch):
    """Names of the templates prepared (``engine.prepare``'s work, not its cached answers: each preparation
    makes one ``PreparedTemplate``), in a process whose cache of prepared templates starts empty."""
    engine.prepare.cache_clear()
    seen: list[str] = []
    original = engine.PreparedTemplate

    def counted(name, *args, **kwargs):
        seen.append(name)
        return original(name, *args, **kwargs)

    monkeypatch.setattr(engine, "PreparedTemplate", counted)
    yield seen
    engine.prepare.cache_clear()


def _count_calls(monkeypatch, module_name: str, function: str) -> list:
    """Patches ``function`` of ``module_name`` wherever a clausegen module bound it; returns the list of
    the first argument of each call."""
    module = sys.modules[module_name]
    original = getattr(module, function)
    calls: list = []

    def counted(*args, **kwargs):
        calls.append(args[0] if args else None)
        return original(*args, **kwargs)

    for name, other in list(sys.modules.items()):
        if (name == "clausegen" or name.startswith("clausegen.")) and getattr(other, function, None) is original:
            monkeypatch.setattr(other, function, counted)
    return calls


@pytest.fixture
def hours(monkeypatch):
    import clausegen.calc  # noqa: F401

    return _count_calls(monkeypatch, "clausegen.calc", "compute_hours")


@pytest.fixture
def contexts(monkeypatch):
    import clausegen.render.context  # noqa: F401

    return _count_calls(monkeypatch, "clausegen.render.context", "build_context")


@pytest.fixture
def docxtpl_pipelines(monkeypatch):
    calls: list[str] = []
    original = engine._render_with_docxtpl

    def counted(prepared, *args, **kwargs):
        calls.append(prepared.name)
        return original(prepared, *args, **kwargs)

    monkeypatch.setattr(engine, "_render_with_docxtpl", counted)
    return calls


@pytest.fixture
def yaml_texts(monkeypatch):
    """Every text ruamel.yaml is asked to read (load, compose, parse, scan…), whatever the caller."""
    from ruamel.yaml.main import YAML

    texts: list[str] = []
    for method in ("load", "load_all", "compose", "compose_all", "parse", "scan"):
        original = getattr(YAML, method)

        def counted(self, stream, *args, _original=original, **kwargs):
            texts.append(stream if isinstance(stream, str) else getattr(stream, "name", repr(stream)))
            return _original(self, stream, *args, **kwargs)

        monkeypatch.setattr(YAML, method, counted)
    return texts


def _profiles(tmp_path: Path, names=NAMES) -> Path:
    folder = tmp_path / "profils"
    folder.mkdir()
    for name in names:
        shutil.copy(PROFILES / f"{name}.yaml", folder)
    return folder


def _forget_loaded_data() -> None:
    """A new process, as far as the data loaded once per process goes: code lists, registry, schema."""
    from clausegen.law.codelists import load_codelists
    from clausegen.law.registry import load_registry
    from clausegen.profile import build, schema, validate

    for cached in (load_codelists, load_registry, schema.profile_schema, validate._fast_validator, build.publication_range):
        cached.cache_clear()


# -- one template preparation per process -----------------------------------------------------------------


def test_un_pack_prepare_chaque_modele_une_fois(preparations):
    profile = load_profile(PROFILES / "travaux-qpv.yaml")
    files = render_documents(profile)
    assert len(files) == 7
    assert sorted(preparations) == sorted(f"{name[:-5]}.docx" for name in files)
    render_documents(profile)
    render_documents(load_profile(PROFILES / "nettoyage-accord-cadre.yaml"))
    assert len(preparations) == 7, preparations  # the second and third packs reuse the prepared templates


def test_un_processus_de_rendu_par_lot_prepare_une_fois_pour_tous_les_dossiers(tmp_path, preparations):
    """What a batch worker runs, pack after pack: the templates are prepared for the first one only."""
    jobs = [(str(PROFILES / f"{n}.yaml"), load_profile(PROFILES / f"{n}.yaml"), tmp_path / n, [], False, None, False) for n in NAMES]
    for job in jobs:
        source, error, count = _render_one(job)
        assert error is None and count > 0, (source, error)
    assert len(preparations) == 7, preparations
    assert len(set(preparations)) == 7


def test_un_lot_en_un_processus_prepare_une_fois(tmp_path, preparations):
    result = render_batch([_profiles(tmp_path)], tmp_path / "out", jobs=1)
    assert not result.failures and len(result.produced) == len(NAMES)
    assert len(preparations) == 7, preparations


# -- one hours computation and one context per pack --------------------------------------------------------


def test_render_pack_calcule_les_heures_une_fois(tmp_path, hours, contexts):
    profile = load_profile(PROFILES / "nettoyage-accord-cadre.yaml")
    written = render_pack(profile, tmp_path / "dce")
    assert written
    assert hours == [profile] and contexts == [profile]


@pytest.mark.parametrize("jobs", [1, 2])
def test_un_lot_calcule_les_heures_une_fois_par_dossier(tmp_path, hours, contexts, jobs):
    result = render_batch([_profiles(tmp_path)], tmp_path / "out", jobs=jobs)
    assert not result.failures and len(result.produced) == len(NAMES)
    if jobs == 1:  # in worker processes the counters of this process see nothing, hence jobs=1 counts
        assert sorted(p.marche.reference for p in hours) == sorted(load_profile(PROFILES / f"{n}.yaml").marche.reference for n in NAMES)
        assert len(contexts) == len(NAMES)
    else:
        assert hours == [] and contexts == []  # nothing computed in the main process: the workers do it


def test_la_commande_render_calcule_les_heures_une_fois(tmp_path, hours, contexts):
    from click.testing import CliRunner

    from clausegen.cli import cli

    result = CliRunner().invoke(cli, ["render", str(PROFILES / "travaux-qpv.yaml"), "-o", str(tmp_path / "dce")])
    assert result.exit_code == 0, result.output
    assert len(hours) == 1 and len(contexts) == 1


# -- no YAML parsed at render time but the profile ---------------------------------------------------------


def test_aucun_yaml_lu_au_rendu_sauf_le_profil(tmp_path, yaml_texts):
    path = PROFILES / "travaux-qpv.yaml"
    render_documents(load_profile(path))  # fills the cache (a first run may parse the shipped data once)
    _forget_loaded_data()
    yaml_texts.clear()
    profile = load_profile(path)
    render_pack(profile, tmp_path / "dce")
    text = path.read_text(encoding="utf-8")
    others = [t[:80] for t in yaml_texts if t != text]
    assert others == []
    assert yaml_texts == [text]


def test_aucun_yaml_lu_par_un_lot_sauf_les_profils(tmp_path, yaml_texts):
    folder = _profiles(tmp_path)
    render_batch([folder], tmp_path / "chaud", jobs=1)
    _forget_loaded_data()
    yaml_texts.clear()
    result = render_batch([folder], tmp_path / "out", jobs=1)
    assert not result.failures
    profiles = sorted(p.read_text(encoding="utf-8") for p in folder.glob("*.yaml"))
    assert sorted(yaml_texts) == profiles


# -- the built-in templates never take docxtpl's pipeline --------------------------------------------------


def test_le_pipeline_docxtpl_est_compte(docxtpl_pipelines, tmp_path):
    """The counter above sees a template that truly needs docxtpl (its rich-text tag ``{{r …}}``)."""
    from docx import Document
    path = tmp_path / "riche.docx"
    document = Document()
    document.add_paragraph("Objet : {{r objet }}")
    document.save(path)
    data = path.read_bytes()
    from docxtpl import RichText

    out = engine.render_docx("riche.docx", data, {"objet": RichText("Nettoyage")}, _PROPS)
    assert docxtpl_pipelines == ["riche.docx"]
    assert b"Nettoyage" in _document_xml(out)


# -- docxtpl's tags seen before patch_xml rewrites them ----------------------------------------------------


@pytest.mark.parametrize(
    "xml",
    [
        '<w:r><w:t>{{r </w:t></w:r><w:r><w:t>objet }}</w:t></w:r>',  # a rich-text tag Word split over two runs
        '<w:tc><w:p><w:r><w:t>{% vm %}</w:t></w:r></w:p></w:tc>',
        '<w:r><w:t>{%</w:t></w:r><w:r><w:t>tc for c in cols %}</w:t></w:r>',
    ],
)
def test_balises_docxtpl_coupees_sur_plusieurs_runs(xml):
    assert engine.needs_docxtpl(xml)


def test_une_variable_r_coupee_nest_pas_une_balise_docxtpl():
    assert not engine.needs_docxtpl('<w:r><w:t>{{ r</w:t></w:r><w:r><w:t> }}</w:t></w:r>')


_PROPS = {"title": "t", "subject": "s", "author": "a", "comments": "c", "date": __import__("datetime").datetime(2026, 1, 1)}


def _document_xml(data: bytes) -> bytes:
    import io
    import zipfile

    return zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")


@pytest.mark.parametrize("tag", ["{{ r }}", "{{ r.x }}"])
def test_une_variable_r_ne_prend_pas_le_pipeline_docxtpl(tag, docxtpl_pipelines, tmp_path):
    from docx import Document

    path = tmp_path / "variable.docx"
    document = Document()
    document.add_paragraph(f"Valeur : {tag}")
    document.save(path)
    out = engine.render_docx("variable.docx", path.read_bytes(), {"r": {"x": "quarante"} if "." in tag else "quarante"}, _PROPS)
    assert docxtpl_pipelines == []
    assert "Valeur\u00a0: quarante" in _document_xml(out).decode("utf-8")  # typography applied: the engine's path


# -- parsed data kept in the cache -------------------------------------------------------------------------


def test_donnees_analysees_une_fois_puis_lues_dans_le_cache():
    """In the tests' own cache folder (conftest), never the user's."""
    import datetime
    from decimal import Decimal

    from clausegen import cache

    value = {"date": datetime.date(2026, 8, 1), "taux": Decimal("0.07"), "liste": ["a", "b"]}
    computed: list[int] = []

    def compute():
        computed.append(1)
        return value

    assert cache.cached_data("essai-1", "source", compute) == value
    assert cache.cached_data("essai-1", "source", compute) == value
    assert computed == [1]  # the second answer came from the cache
    [entry] = [p for p in (cache.cache_dir()).glob("essai-1-*.bin")]
    entry.write_bytes(entry.read_bytes()[:-3])  # truncated: computed again, never a wrong answer
    assert cache.cached_data("essai-1", "source", compute) == value
    assert computed == [1, 1]
    assert cache.cached_data("essai-1", "autre source", compute) == value  # another content, another entry
    assert computed == [1, 1, 1]


def test_un_lot_en_parallele_prepare_les_modeles_avant_ses_processus(tmp_path, preparations):
    """With several workers, the templates are prepared once in the batch's own process, before the (forked)
    workers start: they inherit them instead of preparing them each."""
    result = render_batch([PROFILES / f"{n}.yaml" for n in NAMES], tmp_path / "lot", jobs=2)
    assert not result.failures and len(result.produced) == len(NAMES)
    assert sorted(preparations) == sorted(p.name for p in (ROOT / "templates" / "orme").glob("*.docx"))


def test_preparer_les_modeles_deux_fois_ne_les_prepare_qu_une_fois(preparations):
    from clausegen.render.pack import prepare_templates

    prepare_templates()
    prepare_templates()
    assert len(preparations) == 7 and len(set(preparations)) == 7


def test_une_preparation_prend_une_empreinte_par_modele(preparations, monkeypatch):
    """Each template's bytes are hashed once per preparation: for the cache of its parts and for the
    question « is it a built-in template ? » alike."""
    from clausegen.render.pack import prepare_templates

    digests = _count_calls(monkeypatch, "clausegen.cache", "digest")
    prepare_templates()
    assert len(preparations) == 7
    hashed = [data for data in digests if isinstance(data, bytes) and data.startswith(b"PK")]
    assert len(hashed) == 7 and len(set(hashed)) == 7
