"""reservation-ess-trop-longue: un marché réservé aux entreprises de l'ESS (L2113-15) dure 36 mois au
plus, reconductions comprises."""

from __future__ import annotations

import re

import pytest

from .helpers import BASE, assert_finding, findings, only, variant, with_lots

RULE = "reservation-ess-trop-longue"
SERVICES = variant(BASE, ("nature: travaux", "nature: services"))


def reserved(months: int, base: str = "reserve_ess", text: str = SERVICES) -> str:
    return variant(text, ("duree_mois: 24", f"duree_mois: {months}"), ("base_legale: condition_execution", f"base_legale: {base}"))


def test_48_mois_erreur_sur_la_duree():
    f = only(findings(reserved(48), RULE))
    # line 9 « duree_mois: 48 », value at column 15
    assert_finding(f, rule=RULE, severity="erreur", line=9, column=15, phrase="ne peut dépasser 36 mois, reconductions comprises")
    assert f.message.startswith("Le marché dure 48 mois")
    assert "(lot 1)" in f.message
    assert f.field == "marche.duree_mois"
    assert "L.\u00a02113-15" in f.reference and "L.\u00a02113-16" in f.reference


@pytest.mark.parametrize("base", ["art37", "art-37", "L2113-15", "[reserve_ess]"])
def test_alias_de_la_reservation_ess_erreur(base):
    f = only(findings(reserved(48, base), RULE))
    assert (f.severity, f.line, f.column) == ("erreur", 9, 15)


def test_37_mois_erreur():
    assert "dure 37 mois" in only(findings(reserved(37), RULE)).message


@pytest.mark.parametrize("months", [36, 24, 12, 1])
def test_36_mois_ou_moins_rien(months):
    assert findings(reserved(months), RULE) == []


@pytest.mark.parametrize("base", ["reserve_siae", "reserve_ea_esat", "marche_insertion", "condition_execution"])
def test_autres_bases_sans_limite_de_duree_rien(base):
    assert findings(reserved(48, base), RULE) == []


def test_lots_reserves_ess_cites_une_seule_fois():
    lots = """\
    - numero: 1
      intitule: Accompagnement social
      base_legale: reserve_siae
      montant_ht: 100000
    - numero: 2
      intitule: Médiation
      base_legale: art37
      montant_ht: 80000
    - numero: 3
      intitule: Restauration collective
      base_legale: reserve_ess
      montant_ht: 90000
    """
    f = only(findings(with_lots(lots, variant(SERVICES, ("duree_mois: 24", "duree_mois: 60"))), RULE))
    assert (f.line, f.column) == (9, 15)
    assert re.search(r"\(lots 2(, | et )3\)", f.message), f.message  # lot 1 (SIAE) is not cited
    assert "dure 60 mois" in f.message


def test_base_rien():
    assert findings(BASE, RULE) == []
