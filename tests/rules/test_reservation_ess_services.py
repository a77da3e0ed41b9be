"""reservation-ess-services: un lot réservé aux entreprises de l'ESS (L2113-15) porte sur des services de la
liste annexée au code, reconnus à leur code CPV (article 77 de la directive 2014/24/UE, règle
BR-BT-00262-0200 du SDK eForms)."""

from __future__ import annotations

import pytest

from clausegen.plan.regime import social_services_cpv

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "reservation-ess-services"
SERVICES = variant(BASE, ("nature: travaux", "nature: services"))


def ess(cpv: str | None, base: str = "reserve_ess") -> str:
    text = variant(SERVICES, ("base_legale: condition_execution", f"base_legale: {base}"))
    if cpv is not None:
        # « cpv » goes right after « procedure » (line 11), so it is line 12.
        text = variant(text, ("  procedure: procedure_adaptee\n", f"  procedure: procedure_adaptee\n  cpv: {cpv}\n"))
    return text


def test_nettoyage_reserve_ess_avertissement_sur_le_cpv():
    f = only(findings(ess("90910000-9"), RULE))
    assert_finding(f, rule=RULE, severity="avertissement", line=12, column=8,
                   phrase="le code CPV 90910000-9 n'est pas l'un des 115 codes de cette liste")
    assert f.field == "marche.cpv"
    assert "BR-BT-00262-0200" in f.message and "L.\u00a02113-15" in f.reference


def test_sans_cpv_avertissement():
    f = only(findings(ess(None), RULE))
    assert "ne donne pas de code CPV" in f.message


@pytest.mark.parametrize("cpv", ["85312110-3", "85000000-9", "92500000-6", "\"80110000\""])
def test_services_de_la_liste_rien(cpv):
    assert findings(ess(cpv), RULE) == []


@pytest.mark.parametrize("base", ["reserve_siae", "reserve_ea_esat", "condition_execution"])
def test_autres_bases_rien(base):
    assert findings(ess("90910000-9", base), RULE) == []


def test_la_liste_est_celle_de_la_directive():
    codes = social_services_cpv()
    assert len(codes) == 115
    assert {"75121000", "85000000", "85312110", "98133110"} <= codes
    assert "90910000" not in codes
