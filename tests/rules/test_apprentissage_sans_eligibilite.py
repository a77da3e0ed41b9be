"""apprentissage-sans-eligibilite: ``execution.apprentissage`` ne vaut pas ``sans_condition``."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "apprentissage-sans-eligibilite"
AFTER = "  periodicite_suivi: trimestrielle\n"


def test_sans_condition_erreur():
    f = only(findings(variant(BASE, (AFTER, AFTER + "  apprentissage: sans_condition\n")), RULE))
    # line 21 « apprentissage: sans_condition », value at column 18
    assert_finding(f, rule=RULE, severity="erreur", line=21, column=18, phrase="remplacez « sans_condition » par « eligibles_uniquement »")
    assert "fiche 1, 1" in f.reference


@pytest.mark.parametrize("value", ["eligibles_uniquement", "exclu"])
def test_autres_valeurs_rien(value):
    assert findings(variant(BASE, (AFTER, AFTER + f"  apprentissage: {value}\n")), RULE) == []


def test_valeur_par_defaut_rien():
    assert findings(BASE, RULE) == []
