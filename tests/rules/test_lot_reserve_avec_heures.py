"""lot-reserve-avec-heures: un lot réservé (EA/ESAT, SIAE, ESS) ne porte pas d'obligation d'heures."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "lot-reserve-avec-heures"


def based(base: str, *extra) -> str:
    return variant(BASE, ("base_legale: condition_execution", f"base_legale: {base}"), *extra)


@pytest.mark.parametrize("base", ["[art36-2, art38]", "[art36-1, condition_execution]", "[reserve_siae, reserve_ea_esat, art38]"])
def test_reservation_et_condition_avertissement_sur_la_base(base):
    f = only(findings(based(base), RULE))
    assert_finding(f, rule=RULE, severity="avertissement", line=29, column=18, phrase="est réservé et porte aussi une obligation d'heures d'insertion")
    assert "L.\u00a02113-12" in f.reference and "L.\u00a02113-13" in f.reference


def test_reservation_avec_heures_imposees_pointe_les_heures():
    text = based("art36-2", ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    heures: 500\n    justification: convenu avec le PLIE\n"))
    f = only(findings(text, RULE))
    # line 32 « heures: 500 », value at column 13
    assert_finding(f, rule=RULE, severity="avertissement", line=32, column=13, phrase="retirez la condition d'exécution ou le volume imposé")


def test_reservation_et_accord_cadre_sans_minimum_avertissement():
    # a reserved lot with a condition on an accord-cadre: 0 firm hours, but still an obligation (ratio)
    text = based("[art36-2, art38]", ("    montant_ht: 850000\n", "    accord_cadre:\n      maximum_ht: 400000\n"))
    assert only(findings(text, RULE)).line == 29


@pytest.mark.parametrize("base", ["art36-2", "art36-1", "[art36-1, art36-2]", "reserve_siae"])
def test_reservation_seule_rien(base):
    assert findings(based(base), RULE) == []


def test_condition_sans_reservation_rien():
    assert findings(BASE, RULE) == []
