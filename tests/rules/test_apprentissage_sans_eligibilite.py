"""apprentissage-sans-eligibilite: ``execution.apprentissage`` ne vaut pas ``sans_condition`` ; erreur pour
l'État et ses établissements publics (liés par l'instruction de 2019), avertissement pour les autres."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "apprentissage-sans-eligibilite"
AFTER = "  periodicite_suivi: trimestrielle\n"
UNCONDITIONAL = (AFTER, AFTER + "  apprentissage: sans_condition\n")


def buyer(kind: str, *extra) -> str:
    return variant(BASE, ("type: etat", f"type: {kind}"), *extra)


def test_sans_condition_erreur():
    f = only(findings(variant(BASE, UNCONDITIONAL), RULE))
    # line 22 « apprentissage: sans_condition », value at column 18
    assert_finding(f, rule=RULE, severity="erreur", line=22, column=18, phrase="remplacez « sans_condition » par « eligibles_uniquement »")
    assert "s'impose aux acheteurs de l'État" in f.message
    assert "fiche 1, 1" in f.reference


@pytest.mark.parametrize("kind", ["etat", "etablissement_public_etat", "epic_etat"])
def test_acheteurs_de_l_etat_erreur(kind):
    f = only(findings(buyer(kind, UNCONDITIONAL), RULE))
    assert (f.severity, f.line, f.column) == ("erreur", 22, 18)


@pytest.mark.parametrize("kind", ["collectivite", "etablissement_public_local", "bailleur_social", "entite_adjudicatrice"])
def test_autres_acheteurs_avertissement(kind):
    f = only(findings(buyer(kind, UNCONDITIONAL), RULE))
    assert_finding(f, rule=RULE, severity="avertissement", line=22, column=18, phrase="remplacez « sans_condition » par « eligibles_uniquement »")
    assert "recommandation de l'instruction de 2019" in f.message
    assert "s'impose" not in f.message


@pytest.mark.parametrize("value", ["eligibles_uniquement", "exclu"])
def test_autres_valeurs_rien(value):
    assert findings(variant(BASE, (AFTER, AFTER + f"  apprentissage: {value}\n")), RULE) == []
    assert findings(buyer("collectivite", (AFTER, AFTER + f"  apprentissage: {value}\n")), RULE) == []


def test_sans_heures_rien():
    assert findings(variant(BASE, UNCONDITIONAL, ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []


def test_valeur_par_defaut_rien():
    assert findings(BASE, RULE) == []
