"""The document pack: every example profile renders, figures agree, text snapshots, determinism, safety."""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path

import pytest
from docx import Document

from clausegen import OutputError, RenderError, compute_hours, load_profile
from clausegen.render.templates import builtin_template_dir
from clausegen.docx.extract import docx_text
from clausegen.plan.documents import DOCUMENT_NAMES
from clausegen.render.pack import render_documents, render_pack, skipped_documents

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))
SNAPSHOTS = ROOT / "tests" / "snapshots"
HOSTILE = ROOT / "tests" / "data" / "hostile.yaml"
UPDATE = os.environ.get("CLAUSEGEN_UPDATE_SNAPSHOTS") == "1"
NBSP = "\u00a0"
HOURS_DOCUMENTS = ("avis", "rc", "ccap", "annexe-ae", "fiche-caracterisation")


@pytest.fixture(scope="module")
def packs():
    """Every example profile rendered once: {stem: (profile, hours, {name: bytes})}."""
    out = {}
    for path in PROFILES:
        profile = load_profile(path)
        out[path.stem] = (profile, compute_hours(profile), render_documents(profile))
    return out


def test_example_profiles_exist():
    assert len(PROFILES) >= 4


def test_builtin_templates_are_shipped():
    folder = builtin_template_dir()
    assert sorted(p.stem for p in folder.glob("*.docx")) == sorted(DOCUMENT_NAMES)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_every_document_is_a_valid_docx(path, packs):
    profile, _, files = packs[path.stem]
    skipped = skipped_documents(profile)
    assert sorted(files) == sorted(f"{n}.docx" for n in DOCUMENT_NAMES if n not in skipped)
    for name, data in files.items():
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            assert z.testzip() is None
            assert z.namelist()[0] == "[Content_Types].xml"
        document = Document(io.BytesIO(data))
        text = docx_text(data)
        assert "{{" not in text and "{%" not in text, f"{name}: unrendered tag"
        assert "None" not in text.split(), f"{name}: a None value was printed"
        assert document.core_properties.author == load_profile(path).acheteur.nom


def _hours_in(text: str) -> set[int]:
    return {int(m.replace("\u202f", "").replace(NBSP, "").replace(" ", "")) for m in re.findall(r"(?<![\d,\u202f])(\d[\d\u202f]*)\u00a0heures?\b", text)}


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_one_figure_everywhere(path, packs):
    """Each lot's hours appear in the avis, RC, CCAP, annexe and fiche, and no other hours figure is invented."""
    profile, hours, files = packs[path.stem]
    texts = {name: docx_text(files[f"{name}.docx"]) for name in DOCUMENT_NAMES if f"{name}.docx" in files}
    known = {hours.total_heures, int(hours.parcours_heures), int(hours.etp_heures), int(hours.heures_par_an)}
    for r in hours.lots:
        if r.heures is None:
            continue
        known |= {r.heures, int(r.heures_par_an)}
        if r.heures == 0:  # accord-cadre without minimum: the text says « aucune heure ferme »
            continue
        if r.accord_cadre:
            known |= {r.accord_cadre.heures_fermes} | ({r.accord_cadre.heures_max} if r.accord_cadre.heures_max else set())
        if r.heures_estimees:
            known.add(r.heures_estimees)
        figure = f"{r.heures:,}".replace(",", "\u202f") + f"{NBSP}heure"
        for name in HOURS_DOCUMENTS:
            if name in texts:
                assert figure in texts[name], f"{name}: lot {r.numero} should show {r.heures} heures"
    from clausegen.calc import alternatives

    known |= {p.heures for r in hours.lots for p in r.periodes}
    for name in ("avis", "rc", "ccap", "annexe-ae"):
        if name not in texts:
            continue
        stray = _hours_in(texts[name]) - known
        assert not stray, f"{name}: hours figures not from the calculator: {sorted(stray)}"
    alt = {h for r in hours.lots for _, h in alternatives(r, profile, ["0.05", "0.07", "0.10"])}
    stray = _hours_in(texts["fiche-caracterisation"]) - known - alt
    assert not stray, f"fiche: hours figures not from the calculator: {sorted(stray)}"


def _snapshot_cases():
    return [(p, n) for p in PROFILES for n in DOCUMENT_NAMES if n not in skipped_documents(load_profile(p))]


def test_snapshots_of_documents_not_produced_are_gone():
    for path in PROFILES:
        for name in skipped_documents(load_profile(path)):
            assert not (SNAPSHOTS / path.stem / f"{name}.txt").exists(), f"{path.stem}/{name}.txt: stale snapshot"


@pytest.mark.parametrize("path,name", _snapshot_cases(), ids=lambda v: v.stem if isinstance(v, Path) else v)
def test_text_snapshot(path, name, packs):
    """The text of every generated document is kept under tests/snapshots: a wording change is a visible diff.

    Regenerate with ``CLAUSEGEN_UPDATE_SNAPSHOTS=1 python -m pytest tests/test_render.py`` and review the diff.
    """
    text = docx_text(packs[path.stem][2][f"{name}.docx"])
    target = SNAPSHOTS / path.stem / f"{name}.txt"
    if UPDATE:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    assert target.exists(), f"missing snapshot {target}; run with CLAUSEGEN_UPDATE_SNAPSHOTS=1"
    assert text == target.read_text(encoding="utf-8"), f"{target} differs: review and regenerate"


def test_byte_identical_output(tmp_path):
    profile = load_profile(PROFILES[0])
    first = render_documents(profile)
    second = render_documents(load_profile(PROFILES[0]))
    assert first == second
    render_pack(profile, tmp_path / "a")
    render_pack(profile, tmp_path / "b")
    for name in first:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes() == first[name]


def test_hostile_text_appears_literally():
    """Markup, quotes, Jinja syntax, emoji and RTL text in a profile come out as typed, never interpreted."""
    profile = load_profile(HOSTILE)
    files = render_documents(profile)
    # the typographic pass makes the spaces before « : ; ! ? » no-break: compare with ordinary spaces
    texts = {name: docx_text(data).replace("\u00a0", " ").replace("\u202f", " ") for name, data in files.items()}
    everything = "".join(texts.values())
    for name, text in texts.items():
        header = text.splitlines()[0]
        assert profile.marche.reference in header and profile.marche.objet[:30] in header, name
        assert len(header) <= len("[en-tête] ") + 90, name  # one line: the object is cut with « … »
    for value in (profile.acheteur.nom, profile.facilitateur.structure, *(lot.intitule for lot in profile.lots)):
        assert value in everything, value
    for lot in profile.lots:
        assert lot.intitule in texts["ccap.docx"] or lot.intitule in texts["avis.docx"]
    assert "{{ 7*7 }}" in profile.marche.objet and "49" not in texts["ccap.docx"].splitlines()[0]


def test_documents_that_do_not_apply_are_not_produced_and_naming_one_is_explained():
    insertion = load_profile(ROOT / "profiles" / "marche-insertion.yaml")
    assert "annexe-ae" in skipped_documents(insertion)
    with pytest.raises(OutputError, match="sans objet.*annexe-ae.docx"):
        render_documents(insertion, ["annexe-ae"])
    reserved_only = load_profile(ROOT / "profiles" / "services-ess.yaml")
    assert set(skipped_documents(reserved_only)) == {"memoire", "annexe-ae", "suivi"}
    condition_only = load_profile(ROOT / "profiles" / "services-sans-facilitateur.yaml")
    assert set(skipped_documents(condition_only)) == {"memoire"}
    assert "memoire.docx" not in render_documents(condition_only)


def test_existing_file_is_an_error_and_nothing_is_written(tmp_path):
    profile = load_profile(PROFILES[0])
    out = tmp_path / "dce"
    out.mkdir()
    (out / "ccap.docx").write_bytes(b"mine")
    with pytest.raises(OutputError, match="--force"):
        render_pack(profile, out)
    assert sorted(p.name for p in out.iterdir()) == ["ccap.docx"]
    assert (out / "ccap.docx").read_bytes() == b"mine"
    render_pack(profile, out, force=True)
    assert (out / "ccap.docx").read_bytes() != b"mine"
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def _custom_template(folder: Path, name: str, body: str) -> None:
    """A copy of the built-in template with one paragraph's text replaced by ``body``."""
    document = Document(str(builtin_template_dir() / f"{name}.docx"))
    document.add_paragraph(body)
    folder.mkdir(parents=True, exist_ok=True)
    document.save(str(folder / f"{name}.docx"))


@pytest.mark.parametrize(
    "body,message",
    [
        ("{{ marche.refrence }}", "inconnu"),
        ("{{ ''.__class__.__mro__ }}", "interdite|inconnu"),
        ("{{ lots.append(1) }}", "interdite|inconnu"),
        ("{% if %}", "balise"),
    ],
)
def test_broken_custom_template_fails_cleanly_and_writes_nothing(tmp_path, body, message):
    templates = tmp_path / "modeles"
    _custom_template(templates, "ccap", body)
    out = tmp_path / "dce"
    with pytest.raises(RenderError, match=message) as info:
        render_pack(load_profile(PROFILES[0]), out, templates=templates)
    assert "ccap.docx" in str(info.value)
    assert not out.exists()


def test_custom_template_falls_back_to_builtin(tmp_path):
    templates = tmp_path / "modeles"
    _custom_template(templates, "rc", "Mention maison : {{ marche.reference }}")
    profile = load_profile(PROFILES[0])
    files = render_documents(profile, templates=templates)
    assert f"Mention maison\u00a0: {profile.marche.reference}" in docx_text(files["rc.docx"])
    assert files["ccap.docx"] == render_documents(profile, ["ccap"])["ccap.docx"]


def test_documents_option_selects_and_rejects(tmp_path):
    profile = load_profile(PROFILES[0])
    assert sorted(render_documents(profile, ["ccap", "rc"])) == ["ccap.docx", "rc.docx"]
    with pytest.raises(OutputError, match="document inconnu"):
        render_documents(profile, ["cap"])
