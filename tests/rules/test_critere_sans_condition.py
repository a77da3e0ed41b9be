"""critere-sans-condition: un lot noté sur l'insertion porte aussi la condition d'exécution."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "critere-sans-condition"
CRITERION = ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n")


@pytest.mark.parametrize("base", ["art52", "critere_attribution", "art-52", "l2152-7", "[art52]"])
def test_critere_seul_avertissement(base):
    f = only(findings(variant(BASE, ("base_legale: condition_execution", f"base_legale: {base}"), CRITERION), RULE))
    assert_finding(f, rule=RULE, severity="avertissement", line=29, column=18, phrase="sans condition d'exécution")
    assert "[art38, art52]" in f.message
    assert "fiche 2, 3.c" in f.reference


def test_critere_et_condition_rien():
    assert findings(variant(BASE, ("base_legale: condition_execution", "base_legale: [art38, art52]"), CRITERION), RULE) == []


def test_critere_d_un_lot_reserve_rien():
    # the reservation is the lot's insertion action: no hours are due in a reserved lot, and its criterion
    # compares the reserved structures' projects (the plan reads it as « lot réservé » with a criterion)
    text = variant(BASE, ("base_legale: condition_execution", "base_legale: [art36-2, art52]"), CRITERION)
    assert findings(text, RULE) == []


def test_condition_seule_rien():
    assert findings(BASE, RULE) == []


def test_regression_alias_article_du_code_ecrit_comme_dans_le_registre_refuse_par_le_chargeur():
    """Regression (fixed; src/clausegen/profile/schema.py, pas la règle) : le registre déclare les alias « L2152-7 »,
    « L2112-2 », « art36-II »… et ``canonical_basis`` les résout sans tenir compte de la casse, mais
    l'énumération du schéma ne contient que leurs formes en minuscules (``alias_names()``) : un profil qui
    écrit « base_legale: L2152-7 » (forme du code de la commande publique) est refusé, avec la suggestion
    « l2152-7 ». Attendu : accepté, et la règle signale le critère sans condition."""
    text = variant(BASE, ("base_legale: condition_execution", "base_legale: L2152-7"), CRITERION)
    f = only(findings(text, RULE))
    assert f.severity == "avertissement"
