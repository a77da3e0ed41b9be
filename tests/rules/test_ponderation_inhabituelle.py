"""ponderation-inhabituelle: la pondération du critère d'insertion reste entre 5 et 15 % (usage)."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "ponderation-inhabituelle"


def weighted(weight) -> str:
    return variant(
        BASE,
        ("base_legale: condition_execution", "base_legale: [art38, art52]"),
        ("    part_main_oeuvre: 40 %\n", f"    part_main_oeuvre: 40 %\n    critere:\n      ponderation: {weight}\n"),
    )


def test_ponderation_de_40_pour_cent_est_un_conseil():
    f = only(findings(weighted("40 %"), RULE))
    # line 33 « ponderation: 40 % », value at column 20
    assert_finding(f, rule=RULE, severity="conseil", line=33, column=20, phrase="sort de la fourchette usuelle")
    assert "40\u00a0%" in f.message and "5\u00a0% à 15\u00a0%" in f.message
    assert "non réglementaire" in f.reference


@pytest.mark.parametrize("weight", ["4 %", "4,9 %", "15,5 %", "16 %", 0.02])
def test_hors_fourchette(weight):
    f = only(findings(weighted(weight), RULE))
    assert (f.severity, f.line, f.column) == ("conseil", 33, 20)


@pytest.mark.parametrize("weight", ["5 %", "10 %", "15 %", 0.15, 0.05])
def test_dans_la_fourchette_bornes_comprises(weight):
    assert findings(weighted(weight), RULE) == []


def test_sans_critere_rien():
    assert findings(BASE, RULE) == []
