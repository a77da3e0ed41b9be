"""marche-insertion-critere: un marché d'insertion noté aussi sur un critère d'insertion ne publie qu'une grille,
celle du projet d'insertion (R. 2123-7) ; le critère du profil en donne la pondération (avertissement)."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, load, only, variant

RULE = "marche-insertion-critere"
SERVICES = ("nature: travaux", "nature: services")
CRITERION = ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 40 %\n")


def insertion(base: str, *extra) -> str:
    return variant(BASE, SERVICES, ("base_legale: condition_execution", f"base_legale: {base}"), *extra)


def test_marche_d_insertion_et_critere_avertissement():
    f = only(findings(insertion("[art28, art52]", CRITERION), RULE))
    # line 29 « base_legale: [art28, art52] », value at column 18
    assert_finding(f, rule=RULE, severity="avertissement", line=29, column=18, phrase="Le marché est un marché d'insertion")
    assert "n'ajoute pas de seconde grille" in f.message and "projet d'insertion" in f.message
    assert "R.\u00a02123-7" in f.reference


def test_le_plan_ne_garde_qu_une_grille_ponderee_par_le_critere():
    from clausegen.plan.build import build_plan

    plan = build_plan(load(insertion("[art28, art52]", CRITERION)))
    (lot,) = plan.lots
    assert lot.regime == "insertion" and not lot.critere
    assert lot.award.exhaustive
    project = [c for c in lot.award.criteria if c.key == "projet"]
    assert len(project) == 1 and str(project[0].weight) in ("40", "40.00", "0.40", "0.4")


def test_marche_d_insertion_seul_rien():
    assert findings(insertion("art28"), RULE) == []
    assert findings(insertion("art28", CRITERION), RULE) == []


def test_critere_sans_marche_d_insertion_rien():
    assert findings(variant(BASE, ("base_legale: condition_execution", "base_legale: [art38, art52]"), CRITERION), RULE) == []
