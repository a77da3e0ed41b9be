"""taux-hors-pratique: le taux d'insertion d'un lot reste dans la fourchette usuelle (5 à 20 %)."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "taux-hors-pratique"


def rate(value) -> str:
    return variant(BASE, ("taux_insertion: 7 %", f"taux_insertion: {value}"))


def test_taux_de_2_pour_cent_du_bloc_calcul():
    f = only(findings(rate("2 %"), RULE))
    # line 18 « taux_insertion: 2 % » of the calcul block, value at column 19
    assert_finding(f, rule=RULE, severity="avertissement", line=18, column=19, phrase="sort de la fourchette usuelle")
    assert "(2\u00a0%)" in f.message and "5\u00a0% à 20\u00a0%" in f.message
    assert "non réglementaire" in f.reference


def test_taux_du_lot_pointe_le_lot():
    text = variant(BASE, ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    taux_insertion: 25 %\n"))
    f = only(findings(text, RULE))
    # line 32 « taux_insertion: 25 % » of lot 1, value at column 21
    assert_finding(f, rule=RULE, severity="avertissement", line=32, column=21, phrase="(25\u00a0%)")


@pytest.mark.parametrize("value", ["4,9 %", "20,5 %", "35 %", 0.01])
def test_hors_fourchette(value):
    assert only(findings(rate(value), RULE)).line == 18


@pytest.mark.parametrize("value", ["5 %", "20 %", "10 %", 0.05, 0.2])
def test_dans_la_fourchette_bornes_comprises(value):
    assert findings(rate(value), RULE) == []


def test_volume_impose_non_concerne():
    text = variant(rate("2 %"), ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    heures: 744\n    justification: convenu\n"))
    assert findings(text, RULE) == []


def test_lot_reserve_non_concerne():
    assert findings(variant(rate("2 %"), ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []


def test_taux_du_lot_remplace_celui_du_bloc_calcul():
    text = variant(rate("2 %"), ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    taux_insertion: 7 %\n"))
    assert findings(text, RULE) == []
