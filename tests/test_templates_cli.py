"""Buyer's own templates: the glossary, ``clausegen templates export / vars / lint``, rendering with them."""

from __future__ import annotations

import json
import re
import zipfile
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from docx import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from clausegen import RenderError, load_profile
from clausegen.cli import cli
from clausegen.cli.templates import templates
from clausegen.render.context import build_context
from clausegen.render.templates import builtin_template_dir
from clausegen.docx.extract import docx_text
from clausegen.render.filters import FILTERS
from clausegen.docx.lint_jinja import ERROR, WARNING
from clausegen.render.templates import lint_templates
from clausegen.render.glossary import load_glossary
from clausegen.plan.documents import DOCUMENT_NAMES
from clausegen.render.pack import render_documents

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "tests" / "data" / "derogations.yaml"]
TYPES = {"texte", "nombre", "montant", "taux", "date", "booléen", "liste", "bloc", "fonction"}


@pytest.fixture(scope="module")
def runner_cli():
    group = click.Group(commands={"templates": templates})  # the lead registers it in cli.py
    runner = CliRunner()
    return lambda *args: runner.invoke(group, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def exported(tmp_path_factory, runner_cli):
    folder = tmp_path_factory.mktemp("orme") / "modeles"
    result = runner_cli("templates", "export", str(folder))
    assert result.exit_code == 0, result.output
    return folder


def _doc(folder: Path, name: str, *paragraphs) -> Path:
    """A .docx whose paragraphs are texts, or lists of (text, bold) runs."""
    document = Document()
    for paragraph in paragraphs:
        p = document.add_paragraph()
        for text, bold in ([(paragraph, False)] if isinstance(paragraph, str) else paragraph):
            p.add_run(text).bold = bold
    folder.mkdir(parents=True, exist_ok=True)
    document.save(str(folder / name))
    return folder / name


# ---------------------------------------------------------------------------------------------------
# Glossary
# ---------------------------------------------------------------------------------------------------


def _context_paths(value, prefix: str, out: set) -> set:
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path)
            _context_paths(item, path, out)
    elif isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                _context_paths(item, prefix + "[]", out)
    return out


def test_glossary_covers_exactly_the_context_of_every_example_profile():
    glossary = load_glossary()
    seen = set()
    for path in PROFILES:
        paths = {glossary.canonical(p) for p in _context_paths(build_context(load_profile(path)), "", set())}
        missing = paths - set(glossary.variables)
        assert not missing, f"{path.name} : clés du contexte absentes du glossaire : {sorted(missing)}"
        seen |= paths
    added = {n for n, v in glossary.variables.items() if v.get("ajoute_au_rendu")}
    assert added == {"document", "document.nom", "document.titre"}
    assert set(glossary.variables) - added == seen, f"entrées du glossaire hors contexte : {sorted(set(glossary.variables) - added - seen)}"


def test_glossary_entries_are_complete():
    glossary = load_glossary()
    for name, entry in glossary.variables.items():
        assert entry["type"] in TYPES, name
        assert entry["description"].strip() and str(entry["exemple"]).strip(), name
    assert set(glossary.filters) == set(FILTERS)
    assert all(f["description"] and f["usage"] and f["exemple"] for f in glossary.filters.values())
    assert set(glossary.required) <= set(DOCUMENT_NAMES)
    for rules in glossary.required.values():
        for rule in rules:
            assert rule["gravite"] in (ERROR, WARNING)
            assert all(glossary.canonical(r) in glossary.variables for r in rule["references"])


def test_glossary_types_match_the_values():
    glossary = load_glossary()
    context = build_context(load_profile(ROOT / "profiles" / "travaux-qpv.yaml"))
    assert glossary.variables["lots[].heures"]["type"] == "nombre" and context["lots"][0]["heures"] == 744
    assert glossary.variables["lots[].montant_ht"]["type"] == "montant" and isinstance(context["lots"][0]["montant_ht"], Decimal)
    assert glossary.variables["lots[].taux_insertion"]["type"] == "taux"
    assert glossary.variables["marche.date_publication"]["type"] == "date"
    assert glossary.variables["lots_heures"]["elements"] == "lots[]"
    assert glossary.variables["facilitateur"].get("facultatif") is True


# ---------------------------------------------------------------------------------------------------
# export / vars
# ---------------------------------------------------------------------------------------------------


def test_export_writes_the_builtin_templates_and_refuses_to_overwrite(exported, runner_cli):
    assert sorted(p.name for p in exported.iterdir()) == sorted(f"{n}.docx" for n in DOCUMENT_NAMES)
    assert (exported / "ccap.docx").read_bytes() == (builtin_template_dir() / "ccap.docx").read_bytes()
    (exported / "rc.docx").write_bytes(b"mine")
    try:
        result = runner_cli("templates", "export", str(exported))
        assert result.exit_code == 2 and "--force" in result.output and "Rien n'a été écrit" in result.output
        assert (exported / "rc.docx").read_bytes() == b"mine"
        result = runner_cli("templates", "export", str(exported), "--documents", "rc", "--force")
        assert result.exit_code == 0 and "1 modèle(s) écrit(s)" in result.output and "templates lint" in result.output
    finally:
        (exported / "rc.docx").write_bytes((builtin_template_dir() / "rc.docx").read_bytes())


def test_vars_lists_every_glossary_entry(runner_cli):
    glossary = load_glossary()
    result = runner_cli("templates", "vars")
    assert result.exit_code == 0
    names = {line.split()[0] for line in result.output.splitlines() if line and not line.startswith(" ")}
    assert set(glossary.variables) <= names
    assert set(glossary.filters) <= names
    assert "Variables (" in result.output and "description" in result.output and "exemple" in result.output
    data = json.loads(runner_cli("templates", "vars", "--format", "json").output)
    assert [v["nom"] for v in data["variables"]] == list(glossary.variables)
    assert {f["nom"] for f in data["filtres"]} == set(FILTERS)


# ---------------------------------------------------------------------------------------------------
# lint
# ---------------------------------------------------------------------------------------------------


def test_builtin_templates_lint_without_error(exported, runner_cli):
    result = runner_cli("templates", "lint", str(exported))
    assert result.exit_code == 0, result.output
    assert "7 modèle(s) vérifié(s) : 0 erreur" in result.output
    assert not [p for p in lint_templates(builtin_template_dir()) if p.severity == ERROR]


def test_unknown_attribute_is_reported_with_its_paragraph(tmp_path, runner_cli):
    _doc(tmp_path, "avis.docx", "Avis", "Référence : {{ marche.refrence }}")
    result = runner_cli("templates", "lint", str(tmp_path))
    assert result.exit_code == 1
    assert "avis.docx:§2: erreur: attribut inconnu « marche.refrence »" in result.output
    assert "Vouliez-vous dire « marche.reference » ?" in result.output
    assert "paragraphe « Référence : {{ marche.refrence }} »" in result.output


def test_unknown_variables_attributes_and_filters(tmp_path):
    _doc(
        tmp_path, "avis.docx",
        "{{ marche_ref }}",
        "{% for lot in lots_heures|rejectattr('insertion') %}{{ lot.heurs|heures }}{% endfor %}",
        "{{ lots|map(attribute='numero')|liste }} {{ lots|selectattr('critere')|map(attribute='numbero')|list }}",
        "{{ total.heures|heure }} {{ droit.condition_execution.citation.startswith('a') }} {{ marche.objet.lenght }}",
        "{% set x = lots_critere|first %}{{ x.ponderation|taux }} {{ x.ponderaton }} {{ facilitateur.nom if facilitateur }}",
    )
    problems = lint_templates(tmp_path)
    assert [p.paragraph for p in problems] == [1, 2, 3, 4, 4, 5]  # by paragraph
    assert all(p.severity == ERROR and p.file == "avis.docx" for p in problems)
    messages = [p.message for p in problems]
    assert messages[0].startswith("variable inconnue « marche_ref »")
    assert messages[1].startswith("attribut inconnu « lot.heurs »") and "Vouliez-vous dire « lot.heures » ?" in messages[1]
    assert messages[2].startswith("attribut inconnu « numbero » dans « lots|selectattr|map(…) »") and "« numero »" in messages[2]
    assert messages[3].startswith("filtre inconnu « heure »") and "« heures »" in messages[3]
    assert messages[4].startswith("« marche.objet.lenght »")
    assert messages[5].startswith("attribut inconnu « x.ponderaton »")
    # citation.startswith(…), map(attribute='numero'), x.ponderation and « … if facilitateur » are fine


def test_loop_variable_outside_its_loop_and_header_paragraphs(tmp_path):
    document = Document()
    document.sections[0].header.paragraphs[0].text = "{{ marche.refernce }}"
    for text in ("{% for lot in lots %}{{ lot.numero }}{% set vu = lot.heures %}{{ vu }}{% endfor %}", "{{ lot.numero }} {{ vu }}"):
        document.add_paragraph(text)
    document.save(str(tmp_path / "avis.docx"))
    problems = [p.format().split(" — ")[0] for p in lint_templates(tmp_path)]
    assert problems == [
        "avis.docx:§2: erreur: variable inconnue « lot » : absente du glossaire (voir clausegen templates vars). Vouliez-vous dire « lots » ?",
        "avis.docx:§2: erreur: variable inconnue « vu » : absente du glossaire (voir clausegen templates vars).",
        "avis.docx:en-tête:§1: erreur: attribut inconnu « marche.refernce » : « refernce » n'est pas une clé de « marche » "
        "(voir clausegen templates vars). Vouliez-vous dire « marche.reference » ?",
    ]


def test_unclosed_if_is_an_error_at_its_paragraph(tmp_path, runner_cli):
    _doc(tmp_path, "avis.docx", "Titre", "{%p if facilitateur %}", "Facilitateur : {{ facilitateur.nom }}", "Fin")
    result = runner_cli("templates", "lint", str(tmp_path))
    assert result.exit_code == 1
    assert "avis.docx:§2: erreur: le bloc « {%p if facilitateur %} » n'est jamais fermé" in result.output


def test_blocks_closed_at_another_level_or_twice(tmp_path):
    _doc(tmp_path, "avis.docx", "{%p if marche.qpv %}", "Texte {% endif %}", "{% endfor %}")
    problems = lint_templates(tmp_path)
    assert [(p.paragraph, p.severity) for p in problems] == [(2, ERROR), (3, ERROR)]
    assert "même niveau" in problems[0].message and "ne ferme aucun bloc" in problems[1].message


def test_tag_split_across_runs_with_different_formatting(tmp_path, runner_cli):
    _doc(tmp_path, "avis.docx", "Titre", [("Référence : {{ marche.", True), ("reference }} fin", False)])
    result = runner_cli("templates", "lint", str(tmp_path))
    assert "avis.docx:§2: avertissement: la balise « {{ marche.reference }} » mélange plusieurs mises en forme" in result.output
    assert result.exit_code == 0  # docxtpl glues it back; only the formatting is lost


def test_tab_inside_a_tag_is_reported_but_not_one_before_it(tmp_path):
    path = _doc(tmp_path, "avis.docx", [("{{ marche.", False), ("reference }}", False)], [("{{ marche.", False), ("reference }}", False)])
    document = Document(str(path))
    document.paragraphs[0].runs[0]._r.insert(0, OxmlElement("w:tab"))  # before the tag: kept
    document.paragraphs[1].runs[0]._r.append(OxmlElement("w:tab"))  # inside the tag: lost
    document.save(str(path))
    problems = lint_templates(tmp_path)
    assert [(p.paragraph, p.severity) for p in problems] == [(2, WARNING)]
    assert "tabulation" in problems[0].message


def test_tag_split_by_a_hyperlink_cannot_be_repaired(tmp_path):
    path = _doc(tmp_path, "avis.docx", [("Voir {{ marche.", False)])
    document = Document(str(path))
    paragraph = document.paragraphs[0]
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), "x")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "reference }}"
    run.append(text)
    link.append(run)
    paragraph._p.append(link)
    document.save(str(path))
    problems = lint_templates(tmp_path)
    assert any(p.paragraph == 1 and p.severity == ERROR and "ne peut pas la recoller" in p.message for p in problems)


def test_tag_cut_by_a_paragraph_break(tmp_path):
    _doc(tmp_path, "avis.docx", "Référence : {{ marche.", "reference }}")
    problems = lint_templates(tmp_path)
    assert [(p.paragraph, p.severity) for p in problems][:1] == [(1, ERROR)]
    assert "jamais fermée dans ce paragraphe" in problems[0].message


def test_paragraph_tag_with_other_text_and_row_tag_outside_a_table(tmp_path):
    _doc(tmp_path, "avis.docx", "Texte perdu {%p if marche.qpv %}", "{%p endif %}", "{%tr for lot in lots %}", "{%tr endfor %}")
    problems = lint_templates(tmp_path)
    assert problems[0].paragraph == 1 and problems[0].severity == WARNING and "disparaîtra" in problems[0].message
    assert [p.paragraph for p in problems if "n'est pas dans une ligne" in p.message] == [3, 4]


def test_missing_required_sections_and_unknown_file_name(tmp_path):
    _doc(tmp_path, "ccap.docx", "Article X", "{% for lot in lots %}{{ lot.intitule }}{% endfor %}")
    _doc(tmp_path, "CCAP-maison.docx", "{{ marche.objet }}")
    messages = {(p.file, p.severity, p.paragraph): p.message for p in lint_templates(tmp_path)}
    assert "volume d'heures" in messages[("ccap.docx", ERROR, None)]
    assert "penalite_par_heure" in messages[("ccap.docx", WARNING, None)]
    assert "n'utilisera pas" in messages[("CCAP-maison.docx", WARNING, None)]
    _doc(tmp_path, "ccap.docx", "{% for lot in lots_heures %}{{ lot.heures|heures }} {{ execution.penalite_par_heure|montant }}{% endfor %}")
    assert not [p for p in lint_templates(tmp_path) if p.file == "ccap.docx"]


def test_syntax_error_is_reported_in_french(tmp_path):
    _doc(tmp_path, "avis.docx", "Titre", "Réf. {{ marche.reference reference }}")
    [problem] = lint_templates(tmp_path)
    assert (problem.paragraph, problem.severity) == (2, ERROR)
    assert problem.message == "balise mal formée : « reference » inattendu, « }} » attendu."


def test_quotes_saved_as_entities_are_reported_when_the_engine_refuses_them(tmp_path):
    """LibreOffice writes ' as &apos; inside w:t; docxtpl's clean-up does not convert it back."""
    path = _doc(tmp_path, "ccap.docx", "Article X", "{% for lot in lots_heures %}{{ lot.heures|heures }} {{ execution.penalite_par_heure|montant }}{% endfor %}",
                "{{ lots|map(attribute='numero')|liste('ou') }}")
    with zipfile.ZipFile(path) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    parts["word/document.xml"] = re.sub(rb"(<w:t(?: [^>]*)?>)([^<]*)", lambda m: m.group(1) + m.group(2).replace(b"'", b"&apos;"), parts["word/document.xml"])
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    try:
        render_documents(load_profile(ROOT / "profiles" / "travaux-qpv.yaml"), ["ccap"], templates=tmp_path)
        engine_reads_them = True
    except RenderError:
        engine_reads_them = False
    problems = lint_templates(tmp_path)
    if engine_reads_them:
        assert not problems
    else:
        [problem] = problems
        assert (problem.paragraph, problem.severity) == (3, ERROR)
        assert "1 paragraphe(s) (§3)" in problem.message and "« &apos; »" in problem.message and "LibreOffice" in problem.message


def test_forbidden_attribute_is_reported(tmp_path):
    _doc(tmp_path, "avis.docx", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    assert any(p.severity == ERROR and "__class__" in p.message for p in lint_templates(tmp_path))


def test_lint_exit_codes(tmp_path, runner_cli):
    assert runner_cli("templates", "lint", str(tmp_path / "absent")).exit_code == 2
    result = runner_cli("templates", "lint", str(tmp_path))
    assert result.exit_code == 0 and "Aucun modèle .docx" in result.output
    (tmp_path / "rc.docx").write_bytes(b"pas un docx")
    result = runner_cli("templates", "lint", str(tmp_path))
    assert result.exit_code == 1 and "rc.docx: erreur: fichier illisible" in result.output


# ---------------------------------------------------------------------------------------------------
# render --modeles
# ---------------------------------------------------------------------------------------------------


def test_render_uses_an_exported_and_edited_template(tmp_path, exported):
    folder = tmp_path / "modeles"
    folder.mkdir()
    document = Document(str(exported / "ccap.docx"))
    document.add_paragraph("Clause propre à l'acheteur pour {{ marche.reference }} : {{ total.heures|heures }}.")
    document.save(str(folder / "ccap.docx"))
    assert not [p for p in lint_templates(folder) if p.severity == ERROR]
    profile = load_profile(ROOT / "profiles" / "travaux-qpv.yaml")
    files = render_documents(profile, ["ccap", "rc"], templates=folder)
    assert "Clause propre à l'acheteur pour PREF80-2027-TX-003\u00a0: 1\u202f752\u00a0heures." in docx_text(files["ccap.docx"])
    assert files["rc.docx"] == render_documents(profile, ["rc"])["rc.docx"]  # not provided: built-in


def test_render_refuses_a_template_reaching_python_internals(tmp_path):
    _doc(tmp_path, "ccap.docx", "{{ ''.__class__.__mro__[1].__subclasses__() }}")
    profile = load_profile(ROOT / "profiles" / "travaux-qpv.yaml")
    with pytest.raises(RenderError) as info:
        render_documents(profile, ["ccap"], templates=tmp_path)
    assert info.value.template == "ccap.docx"
    assert "ccap.docx" in str(info.value) and "interdite" in str(info.value)


def test_templates_group_plugs_into_the_main_cli():
    runner = CliRunner()
    added = "templates" not in cli.commands
    cli.add_command(templates)
    try:
        result = runner.invoke(cli, ["templates", "--help"])
    finally:
        if added:
            cli.commands.pop("templates", None)
    assert result.exit_code == 0 and "export" in result.output and "lint" in result.output and "vars" in result.output
