"""reservation-inadaptee: la réservation ESS et le marché d'insertion ne visent que des services."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "reservation-inadaptee"


def market(nature: str, base: str) -> str:
    return variant(BASE, ("nature: travaux", f"nature: {nature}"), ("base_legale: condition_execution", f"base_legale: {base}"))


def test_reservation_ess_en_travaux_erreur():
    f = only(findings(market("travaux", "reserve_ess"), RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="ne permet que pour certains services sociaux, de santé ou culturels ; ce marché est de travaux")
    assert "économie sociale et solidaire" in f.message
    assert "ce marché est de travaux" in f.message
    assert "L.\u00a02113-15" in f.reference


def test_reservation_ess_en_fournitures_erreur():
    f = only(findings(market("fournitures", "art37"), RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="ce marché est de fournitures")


@pytest.mark.parametrize("nature", ["travaux", "fournitures"])
def test_marche_d_insertion_hors_services_erreur(nature):
    f = only(findings(market(nature, "art28"), RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="marché d'insertion et de qualification professionnelle")
    assert "R.\u00a02123-1" in f.reference


@pytest.mark.parametrize("base", ["reserve_ess", "marche_insertion", "art28"])
def test_services_rien(base):
    assert findings(market("services", base), RULE) == []


@pytest.mark.parametrize("base", ["reserve_siae", "reserve_ea_esat", "condition_execution"])
def test_autres_reservations_en_travaux_rien(base):
    assert findings(market("travaux", base), RULE) == []


def test_chaque_base_inadaptee_est_signalee():
    found = findings(market("travaux", "[reserve_ess, art28]"), RULE)
    assert [(f.line, f.column) for f in found] == [(29, 18), (29, 18)]
    assert {("économie sociale" in f.message) for f in found} == {True, False}
