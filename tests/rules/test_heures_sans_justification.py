"""heures-sans-justification: un lot qui impose ``heures`` donne aussi ``justification``."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "heures-sans-justification"
HOURS = "    part_main_oeuvre: 40 %\n"


def test_heures_imposees_seules_avertissement():
    f = only(findings(variant(BASE, (HOURS, HOURS + "    heures: 700\n")), RULE))
    # line 32 « heures: 700 », value at column 13
    assert_finding(f, rule=RULE, severity="avertissement", line=32, column=13, phrase="sans « justification »")
    assert "700\u00a0heures" in f.message
    assert "fiche 3, 3.c" in f.reference


def test_heures_imposees_sur_un_lot_reserve_avertissement():
    text = variant(BASE, ("base_legale: condition_execution", "base_legale: art36-2"), (HOURS, HOURS + "    heures: 300\n"))
    assert only(findings(text, RULE)).line == 32


def test_heures_justifiees_rien():
    assert findings(variant(BASE, (HOURS, HOURS + "    heures: 700\n    justification: volume convenu avec le facilitateur\n")), RULE) == []


def test_heures_calculees_rien():
    assert findings(BASE, RULE) == []
