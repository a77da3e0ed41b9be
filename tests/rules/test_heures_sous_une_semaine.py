"""heures-sous-une-semaine: un lot qui porte moins de 35 heures (une semaine de travail) reçoit un conseil :
retirer la clause, regrouper ou mutualiser."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "heures-sous-une-semaine"
HOURS = "    part_main_oeuvre: 40 %\n"


def imposed(hours: int) -> str:
    return variant(BASE, (HOURS, HOURS + f"    heures: {hours}\n    justification: volume convenu\n"))


def test_28_heures_imposees_conseil_sur_les_heures():
    f = only(findings(imposed(28), RULE))
    # line 32 « heures: 28 », value at column 13
    assert_finding(f, rule=RULE, severity="conseil", line=32, column=13, phrase="moins d'une semaine de travail (35\u00a0heures)")
    assert "ne porte que 28\u00a0heures" in f.message and "mutualisation" in f.message


def test_heures_calculees_sous_35_conseil_sur_le_lot():
    # 20 000 € × 40 % ÷ 32 € × 7 % = 17,5 → 18 heures
    f = only(findings(variant(BASE, ("montant_ht: 850000", "montant_ht: 20000")), RULE))
    assert (f.line, f.field) == (27, "lots[1]")
    assert "18\u00a0heures" in f.message


@pytest.mark.parametrize("hours", [35, 300, 744])
def test_une_semaine_ou_plus_rien(hours):
    assert findings(imposed(hours), RULE) == []


def test_pas_de_double_conseil_avec_heures_sous_un_parcours():
    assert findings(imposed(28), "heures-sous-un-parcours") == []
