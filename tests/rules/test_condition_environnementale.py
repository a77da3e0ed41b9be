"""condition-environnementale: pour une consultation lancée à compter du 22 août 2026, tout marché rappelle
que ses conditions d'exécution prennent en compte l'environnement, sauf s'il déclare une clause
environnementale ; la clause sociale ne la remplace pas ; les marchés de défense ne sont pas concernés."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "condition-environnementale"
DATE = "date_publication: 2026-12-15"
MARKET = (6, 3)  # « marche: » is line 5: its first key, line 6, column 3


def declared(values: str, text: str = BASE) -> str:
    return variant(text, (f"  {DATE}\n", f"  {DATE}\n  considerations_environnementales: {values}\n"))


def test_marche_sans_clause_environnementale_conseil():
    f = only(findings(BASE, RULE))
    assert_finding(f, rule=RULE, severity="conseil", line=MARKET[0], column=MARKET[1],
                   phrase="les conditions d'exécution de tout marché prennent en compte des considérations relatives à l'environnement")
    assert "la clause sociale ne la remplace pas" in f.message
    assert "« considerations_environnementales: [clause] »" in f.message
    assert f.reference.startswith("article L.\u00a02112-2 du code de la commande publique")


@pytest.mark.parametrize("values", ["[clause]", "[clause, critere]"])
def test_clause_declaree_rien(values):
    assert findings(declared(values), RULE) == []


def test_seul_le_critere_declare_pointe_la_declaration():
    f = only(findings(declared("[critere]"), RULE))
    assert f.field == "marche.considerations_environnementales" and f.line == 11


@pytest.mark.parametrize("base", ["condition_execution", "art36-2", "[art38, art52]"])
def test_quelle_que_soit_la_clause_sociale(base):
    assert only(findings(variant(BASE, ("base_legale: condition_execution", f"base_legale: {base}")), RULE)).severity == "conseil"


@pytest.mark.parametrize("date, found", [("2026-08-21", False), ("2026-08-22", True), ("2024-03-01", False), ("2028-01-10", True)])
def test_a_compter_du_22_aout_2026(date, found):
    assert bool(findings(variant(BASE, (DATE, f"date_publication: {date}")), RULE)) is found


def test_marche_de_defense_ou_de_securite_rien():
    assert findings(variant(BASE, (f"  {DATE}\n", f"  {DATE}\n  defense_securite: true\n")), RULE) == []
