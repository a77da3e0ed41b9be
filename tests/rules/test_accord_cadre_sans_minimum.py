"""accord-cadre-sans-minimum: un accord-cadre portant une condition d'exécution indique ``minimum_ht``."""

from __future__ import annotations

import pytest

from clausegen.errors import ProfileError

from .helpers import BASE, assert_finding, findings, load, only, variant

RULE = "accord-cadre-sans-minimum"
AMOUNT = "    montant_ht: 850000\n"


def framework(block: str, *extra) -> str:
    return variant(BASE, (AMOUNT, "    accord_cadre:\n" + block), *extra)


def test_maximum_seul_avertissement():
    f = only(findings(framework("      maximum_ht: 400000\n"), RULE))
    # line 30 « accord_cadre: », its block starts line 31, column 7
    assert_finding(f, rule=RULE, severity="avertissement", line=31, column=7, phrase="n'a pas de minimum")
    assert "Fixez « minimum_ht »" in f.message
    assert f.reference


def test_maximum_seul_avec_montant_estime_avertissement():
    f = only(findings(variant(BASE, (AMOUNT, AMOUNT + "    accord_cadre:\n      maximum_ht: 1200000\n")), RULE))
    assert (f.line, f.column) == (32, 7)


def test_minimum_fixe_rien():
    assert findings(framework("      minimum_ht: 100000\n      maximum_ht: 400000\n"), RULE) == []
    assert findings(framework("      minimum_ht: 400000\n      maximum_ht: 400000\n"), RULE) == []


def test_accord_cadre_sans_maximum_refuse_par_le_chargeur():
    # the maximum is required since 2022 (R2162-4): the rule never sees an accord-cadre without it
    with pytest.raises(ProfileError) as caught:
        load(framework("      minimum_ht: 100000\n"))
    assert "lots[1].accord_cadre.maximum_ht" in str(caught.value)
    assert "maximum_ht" in str(caught.value) and "obligatoire" in str(caught.value)


def test_lot_reserve_rien():
    assert findings(framework("      maximum_ht: 400000\n", ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []


def test_heures_imposees_rien():
    text = framework("      maximum_ht: 400000\n", ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    heures: 300\n    justification: convenu\n"))
    assert findings(text, RULE) == []


def test_marche_ordinaire_rien():
    assert findings(BASE, RULE) == []
