"""periodicite-absente: un marché portant des heures fixe ``execution.periodicite_suivi``."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant, without

RULE = "periodicite-absente"
NO_PERIOD = variant(BASE, ("  periodicite_suivi: trimestrielle\n", ""))


def test_sans_periodicite_avertissement_sur_le_bloc_execution():
    f = only(findings(NO_PERIOD, RULE))
    # the execution block (line 18) starts line 19, column 3
    assert_finding(f, rule=RULE, severity="avertissement", line=19, column=3, phrase="Aucune périodicité des états de suivi")
    assert "execution.periodicite_suivi" in f.message
    assert "fiche 2, 2" in f.reference


def test_sans_bloc_execution_avertissement_en_tete_du_profil():
    f = only(findings(without(BASE, "execution"), RULE))
    assert (f.severity, f.line, f.column) == ("avertissement", 1, 1)


def test_accord_cadre_sans_minimum_avertissement():
    text = variant(NO_PERIOD, ("    montant_ht: 850000\n", "    accord_cadre:\n      maximum_ht: 400000\n"))
    assert only(findings(text, RULE)).line == 19


@pytest.mark.parametrize("period", ["mensuelle", "trimestrielle", "semestrielle", "annuelle"])
def test_periodicite_fixee_rien(period):
    assert findings(variant(BASE, ("periodicite_suivi: trimestrielle", f"periodicite_suivi: {period}")), RULE) == []


def test_sans_heures_rien():
    assert findings(variant(NO_PERIOD, ("base_legale: condition_execution", "base_legale: [art36-2]")), RULE) == []
