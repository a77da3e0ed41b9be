"""The rule catalogue (``clausegen.review.rules``): every rule is well formed, documented and tested."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen.law.registry import load_registry
from clausegen.review.finding import SEVERITIES
from clausegen.review.rules import BY_ID, RULES, get, title

from .helpers import BASE, all_findings, load

HEADINGS = ("Ce que vérifie la règle", "Pourquoi", "Exemple signalé", "À la place", "Référence")
KEBAB = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
HERE = Path(__file__).resolve().parent
EXPECTED_IDS = {
    "clause-sociale-obligatoire", "critere-sans-ponderation", "ponderation-inhabituelle", "critere-sans-condition",
    "sous-criteres-total", "lot-reserve-avec-heures", "reservation-inadaptee", "heures-sous-un-parcours",
    "heures-superieures-main-oeuvre", "taux-hors-pratique", "heures-sans-justification", "facilitateur-absent",
    "priorite-qpv-absente", "publics-hors-instruction", "apprentissage-sans-eligibilite", "accord-cadre-sans-minimum",
    "documents-divergents", "critere-environnemental", "reservation-ess-trop-longue", "a-completer",
    "condition-environnementale", "marche-insertion-critere", "marche-insertion-condition", "base-impossible",
    "heures-sous-une-semaine", "accord-cadre-trop-long", "reservation-ess-services",
}


def rule_id(rule) -> str:
    return rule.ID


def test_le_catalogue_contient_les_regles_attendues():
    assert {r.ID for r in RULES} == EXPECTED_IDS


def test_identifiants_uniques():
    ids = [r.ID for r in RULES]
    assert len(ids) == len(set(ids))
    assert set(BY_ID) == set(ids)


def test_get_regle_inconnue():
    with pytest.raises(KeyError, match="règle inconnue"):
        get("regle-qui-n-existe-pas")


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_identifiant_en_kebab_case(rule):
    assert KEBAB.match(rule.ID), rule.ID


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_gravite_connue(rule):
    assert rule.SEVERITY in ("erreur", "avertissement", "conseil")
    assert rule.SEVERITY in SEVERITIES


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_documentation_a_cinq_rubriques(rule):
    doc = rule.__doc__ or ""
    positions = []
    for heading in HEADINGS:
        match = re.search(rf"^\s*{re.escape(heading)}\s*:", doc, re.MULTILINE)
        assert match, f"{rule.ID} : rubrique « {heading} » absente de la documentation"
        positions.append(match.start())
    assert positions == sorted(positions), f"{rule.ID} : rubriques dans le désordre"
    assert title(rule).strip(), f"{rule.ID} : pas de titre (première ligne de la documentation)"
    assert title(rule).strip() not in HEADINGS


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_reference_non_vide(rule):
    reference = rule.reference(load_registry())
    assert isinstance(reference, str) and reference.strip()


@pytest.mark.parametrize("rule", RULES, ids=rule_id)
def test_regle_couverte_par_un_module_de_test(rule):
    own = Path(__file__).name
    covering = [p.name for p in sorted(HERE.glob("test_*.py")) if p.name != own and f'"{rule.ID}"' in p.read_text(encoding="utf-8")]
    assert covering, f"aucun module tests/rules/test_*.py ne teste « {rule.ID} »"
    assert f"test_{rule.ID.replace('-', '_')}.py" in covering, f"{rule.ID} : module dédié absent (couvert par {covering})"


def test_le_profil_de_base_est_valide_et_ne_declenche_aucune_regle():
    profile = load(BASE)
    assert profile.acheteur.type == "etat" and profile.marche.nature == "travaux"
    assert profile.facilitateur is not None
    # a market launched on 15 December 2026 that declares no environmental consideration gets the two reminders
    assert sorted(f.rule for f in all_findings(BASE)) == ["condition-environnementale", "critere-environnemental"]
    declared = BASE.replace("  procedure: procedure_adaptee\n", "  procedure: procedure_adaptee\n  considerations_environnementales: [clause, critere]\n")
    assert all_findings(declared) == []


def test_le_profil_de_base_porte_744_heures():
    from clausegen.calc import compute_hours

    hours = compute_hours(load(BASE))
    assert hours.total_heures == 744
    assert [(r.lot.numero, r.heures, r.methode) for r in hours.lots] == [(1, 744, "formule")]
