"""critere-environnemental: pour une consultation lancée à compter du 21 août 2026, tout marché rappelle qu'un
critère d'attribution environnemental est obligatoire, sauf s'il le déclare (un seul conseil, sur le marché) ;
les lots d'un marché d'insertion le reçoivent dans leur grille ; les marchés de défense ne sont pas concernés."""

from __future__ import annotations

import pytest

from .helpers import BASE, LOT1, assert_finding, findings, only, variant, with_lots

RULE = "critere-environnemental"
CRITERION = ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n")
DATE = "date_publication: 2026-12-15"
# « marche: » is line 5 of BASE: a finding on the market points at its first key, line 6, column 3
MARKET = (6, 3)


def scored(base: str = "[art38, art52]", *extra) -> str:
    return variant(BASE, ("base_legale: condition_execution", f"base_legale: {base}"), CRITERION, *extra)


def declared(text: str, values: str) -> str:
    return variant(text, (f"  {DATE}\n", f"  {DATE}\n  considerations_environnementales: {values}\n"))


def test_tout_marche_conseil_sur_le_marche():
    f = only(findings(BASE, RULE))
    assert_finding(f, rule=RULE, severity="conseil", line=MARKET[0], column=MARKET[1],
                   phrase="au moins un critère d'attribution prend en compte les caractéristiques environnementales")
    assert f.message.startswith("Le marché : depuis le 21\u00a0août 2026") or f.message.startswith("Le marché : depuis le 21 août 2026")
    assert "ne peut pas être le seul critère autre que le prix" in f.message
    assert "L.\u00a02152-7" in f.reference and "R.\u00a02152-7" in f.reference


@pytest.mark.parametrize("base", ["[art38, art52]", "art52", "critere_attribution", "[art36-2, art52]", "art36-2"])
def test_quelle_que_soit_la_base_un_conseil(base):
    f = only(findings(scored(base), RULE))
    assert (f.severity, f.line, f.column) == ("conseil", *MARKET)


def test_critere_declare_rien():
    assert findings(declared(scored(), "[critere]"), RULE) == []
    assert findings(declared(BASE, "[clause, critere]"), RULE) == []


def test_seule_la_clause_declaree_pointe_la_declaration():
    f = only(findings(declared(BASE, "[clause]"), RULE))
    assert f.field == "marche.considerations_environnementales"


def test_plusieurs_lots_nommes_dans_un_seul_conseil():
    lots = (
        LOT1
        + "- numero: 2\n  intitule: Second œuvre\n  base_legale: [art38, art52]\n  montant_ht: 300000\n  part_main_oeuvre: 50 %\n"
        + "  critere:\n    ponderation: 10 %\n"
        + "- numero: 3\n  intitule: Lots techniques\n  base_legale: condition_execution\n  montant_ht: 200000\n  part_main_oeuvre: 30 %\n"
    )
    f = only(findings(with_lots(lots), RULE))
    assert f.message.startswith("Les lots 1, 2 et 3 :")


def test_les_lots_de_marche_d_insertion_recoivent_le_critere_dans_leur_grille():
    text = variant(BASE, ("nature: travaux", "nature: services"), ("base_legale: condition_execution", "base_legale: marche_insertion"))
    assert findings(text, RULE) == []


# -- date de lancement : 21 août 2026 (décret n° 2022-767, article 10) ---------------------------------------


@pytest.mark.parametrize("date", ["2026-08-21", "2027-06-30", "2028-03-01"])
def test_a_compter_du_21_aout_2026_conseil(date):
    assert only(findings(scored("[art38, art52]", (DATE, f"date_publication: {date}")), RULE)).severity == "conseil"


@pytest.mark.parametrize("date", ["2026-08-20", "2024-03-01"])
def test_avant_le_21_aout_2026_rien(date):
    assert findings(scored("[art38, art52]", (DATE, f"date_publication: {date}")), RULE) == []


# -- hors champ ----------------------------------------------------------------------------------------------


def test_marche_de_defense_ou_de_securite_rien():
    text = scored("[art38, art52]", (f"  {DATE}\n", f"  {DATE}\n  defense_securite: true\n"))
    assert findings(text, RULE) == []
    # defense_securite: false changes nothing
    assert only(findings(scored("[art38, art52]", (f"  {DATE}\n", f"  {DATE}\n  defense_securite: false\n")), RULE)).line == MARKET[0]
