"""Blanks « [À COMPLÉTER PAR L'ACHETEUR : …] »: the documents hold exactly the blanks the clause plan
predicts, and the review reports each of them (rule ``a-completer``), for every example and edge profile."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import BASE, write_profile

from clausegen import compute_hours, load_profile
from clausegen.plan import build_plan
from clausegen.plan.blanks import KINDS, MARKER, markers
from clausegen.docx.extract import docx_text
from clausegen.render.pack import render_documents
from clausegen.review.run import review_profile

ROOT = Path(__file__).resolve().parents[1]
MARK = re.compile(r"\[À COMPLÉTER PAR L'ACHETEUR\u00a0: ([^\]]+)\]")
LABEL_TO_KEY = {kind.label: key for key, kind in KINDS.items()}

BARE = BASE  # no execution block, no procedure, no facilitator: every execution blank
EDGES = {
    "sans-execution": BARE,
    "critere-sans-ponderation": BASE.replace("    base_legale: condition_execution\n", "    base_legale: [art38, art52]\n"),
    "heures-imposees": BASE.replace("    montant_ht: 850000\n", "    montant_ht: 850000\n    heures: 500\n"),
    "reserve-seul": BASE.replace("    base_legale: condition_execution\n", "    base_legale: reserve_siae\n"),
    "insertion": BASE.replace("  nature: travaux\n", "  nature: services\n").replace("    base_legale: condition_execution\n", "    base_legale: marche_insertion\n"),
}


def _cases():
    for path in sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "tests" / "data" / "derogations.yaml"]:
        yield pytest.param(path, None, id=path.stem)
    for name, text in EDGES.items():
        yield pytest.param(None, text, id=name)


def _found_in_documents(files: dict[str, bytes]) -> set[tuple[str, str]]:
    found = set()
    for name, data in files.items():
        for label in MARK.findall(docx_text(data)):
            assert label in LABEL_TO_KEY, f"{name}: blank « {label} » is not in the blanks table"
            found.add((LABEL_TO_KEY[label], name.removesuffix(".docx")))
    return found


@pytest.mark.parametrize(("path", "text"), list(_cases()))
def test_documents_hold_exactly_the_predicted_blanks_and_check_reports_them(tmp_path, path, text):
    profile = load_profile(path or write_profile(tmp_path, text))
    predicted = {(b.kind.key, doc) for b in list(build_plan(profile).blanks) for doc in b.documents}
    assert _found_in_documents(render_documents(profile)) == predicted
    findings = review_profile(profile)
    for blank in list(build_plan(profile).blanks):
        if blank.kind.rule:  # the rule that owns this gap reports it, at a position inside the lot
            assert any(f.rule == blank.kind.rule and f.field.startswith(blank.field.split(".")[0] + ".") for f in findings), blank
        else:
            assert any(f.rule == "a-completer" and f.field == blank.field and blank.text in f.message for f in findings), blank


def test_a_bare_profile_reports_every_execution_blank_with_its_field(tmp_path):
    profile = load_profile(write_profile(tmp_path, BARE))
    fields = {f.field for f in review_profile(profile) if f.rule == "a-completer"}
    assert fields == {
        "marche.procedure",
        "execution.plan_action_jours",
        "execution.periodicite_suivi",
        "execution.delai_justificatifs_jours",
        "execution.penalite_par_heure",
        "execution.penalite_retard_jour",
        "execution.plafond_penalites",
    }


def test_a_complete_profile_has_no_blank(tmp_path):
    text = BASE.replace("  date_publication: 2026-12-15\n", "  date_publication: 2026-12-15\n  procedure: procedure_adaptee\n") + (
        "execution:\n  penalite_par_heure: 50\n  penalite_retard_jour: 100\n  plafond_penalites: 10 %\n"
        "  periodicite_suivi: trimestrielle\n  delai_justificatifs_jours: 10\n  plan_action_jours: 30\n"
    )
    profile = load_profile(write_profile(tmp_path, text))
    assert list(build_plan(profile).blanks) == []
    assert not _found_in_documents(render_documents(profile))


def test_markers_use_a_non_breaking_space_before_the_colon():
    for text in markers().values():
        assert text.startswith(MARKER.split("{")[0]) and "\u00a0:" in text
