"""accord-cadre-trop-long: un accord-cadre ne dure pas plus de 48 mois (pouvoir adjudicateur) ou 96 mois
(entité adjudicatrice), reconductions comprises, sauf cas exceptionnel justifié (avertissement)."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "accord-cadre-trop-long"
AMOUNT = "    montant_ht: 850000\n"
FRAMEWORK = "    accord_cadre:\n      minimum_ht: 400000\n      maximum_ht: 850000\n"


def framework(months: int, *extra) -> str:
    return variant(BASE, (AMOUNT, FRAMEWORK), ("duree_mois: 24", f"duree_mois: {months}"), *extra)


def test_60_mois_pour_un_pouvoir_adjudicateur_avertissement():
    f = only(findings(framework(60), RULE))
    # line 9 « duree_mois: 60 », value at column 15
    assert_finding(f, rule=RULE, severity="avertissement", line=9, column=15, phrase="au-delà des 48 mois que permet la loi pour un pouvoir adjudicateur")
    assert f.message.startswith("L'accord-cadre dure 60 mois")
    assert "L.\u00a02125-1" in f.reference


@pytest.mark.parametrize("months", [12, 48])
def test_48_mois_au_plus_rien(months):
    assert findings(framework(months), RULE) == []


def test_entite_adjudicatrice_96_mois():
    ea = ("type: etat", "type: entite_adjudicatrice")
    assert findings(framework(96, ea), RULE) == []
    assert "pour une entité adjudicatrice" in only(findings(framework(97, ea), RULE)).message


def test_reconduction_pointee():
    renewal = ("  procedure: procedure_adaptee\n",
               "  procedure: procedure_adaptee\n  reconduction:\n    periode_initiale_mois: 12\n    nombre: 4\n    periode_mois: 12\n")
    text = framework(60, renewal).replace("maximum_ht: 850000\n", "maximum_ht: 850000\n      minimum_porte_sur: periode\n")
    f = only(findings(text, RULE))
    assert f.field == "marche.reconduction"


def test_marche_ordinaire_rien():
    assert findings(variant(BASE, ("duree_mois: 24", "duree_mois: 60")), RULE) == []
