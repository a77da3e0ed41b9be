"""marche-insertion-condition: un marché d'insertion n'a pas de condition d'exécution distincte ; le plan lit le
volume calculé comme le volume minimal de travail des personnes en parcours (avertissement)."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, load, only, variant

RULE = "marche-insertion-condition"
SERVICES = ("nature: travaux", "nature: services")


def insertion(base: str) -> str:
    return variant(BASE, SERVICES, ("base_legale: condition_execution", f"base_legale: {base}"))


def test_marche_d_insertion_et_condition_avertissement():
    f = only(findings(insertion("[art28, art38]"), RULE))
    assert_finding(f, rule=RULE, severity="avertissement", line=29, column=18, phrase="il n'a pas de condition d'exécution distincte")
    assert "volume minimal de travail confié aux personnes en parcours" in f.message
    assert "R.\u00a02123-1" in f.reference


def test_le_plan_lit_un_marche_d_insertion_sans_condition():
    from clausegen.plan.build import build_plan

    (lot,) = build_plan(load(insertion("[art28, art38]"))).lots
    assert lot.regime == "insertion" and not lot.condition and lot.insertion
    assert lot.terms.binds  # the 744 hours bind as the minimum volume of work


def test_marche_d_insertion_seul_rien():
    assert findings(insertion("art28"), RULE) == []


def test_condition_seule_rien():
    assert findings(BASE, RULE) == []
