"""critere-environnemental: à compter du 22 août 2026, un marché noté sur l'insertion rappelle qu'un
critère d'attribution environnemental est obligatoire (un seul conseil, au premier lot noté)."""

from __future__ import annotations

import pytest

from .helpers import BASE, LOT1, assert_finding, findings, only, variant, with_lots

RULE = "critere-environnemental"
CRITERION = ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n")
DATE = "date_publication: 2026-12-15"


def scored(base: str = "[art38, art52]", *extra) -> str:
    return variant(BASE, ("base_legale: condition_execution", f"base_legale: {base}"), CRITERION, *extra)


def test_critere_d_insertion_conseil_sur_la_base_legale():
    f = only(findings(scored(), RULE))
    # line 29 « base_legale: [art38, art52] », value at column 18
    assert_finding(f, rule=RULE, severity="conseil", line=29, column=18,
                   phrase="au moins un critère d'attribution doit aussi prendre en compte les caractéristiques environnementales")
    assert f.message.startswith("Le lot 1 est noté sur l'insertion")
    assert "ne peut pas être le seul critère autre que le prix" in f.message
    assert "L.\u00a02152-7" in f.reference and "Climat et résilience" in f.reference


@pytest.mark.parametrize("base", ["art52", "critere_attribution", "[art36-2, art52]"])
def test_critere_sans_condition_ou_avec_reservation_conseil(base):
    f = only(findings(scored(base), RULE))
    assert (f.severity, f.line, f.column) == ("conseil", 29, 18)


def test_un_seul_conseil_au_premier_lot_note():
    criterion = "  critere:\n    ponderation: 10 %\n"
    lots = (
        LOT1
        + "- numero: 2\n  intitule: Second œuvre\n  base_legale: [art38, art52]\n  montant_ht: 300000\n  part_main_oeuvre: 50 %\n" + criterion
        + "- numero: 3\n  intitule: Lots techniques\n  base_legale: [art38, art52]\n  montant_ht: 200000\n  part_main_oeuvre: 30 %\n" + criterion
    )
    f = only(findings(with_lots(lots), RULE))
    # lot 1 (lines 27-31) has no criterion; lot 2 starts line 32, « base_legale » line 34, value at column 18
    assert_finding(f, rule=RULE, severity="conseil", line=34, column=18, phrase="Les lots 2 et 3 sont notés sur l'insertion")


# -- date de lancement : 22 août 2026 -----------------------------------------------------------------------


@pytest.mark.parametrize("date", ["2026-08-22", "2027-06-30", "2028-03-01"])
def test_a_compter_du_22_aout_2026_conseil(date):
    assert only(findings(scored("[art38, art52]", (DATE, f"date_publication: {date}")), RULE)).severity == "conseil"


@pytest.mark.parametrize("date", ["2026-08-21", "2026-08-20", "2024-03-01"])
def test_avant_le_22_aout_2026_rien(date):
    assert findings(scored("[art38, art52]", (DATE, f"date_publication: {date}")), RULE) == []


# -- hors champ ----------------------------------------------------------------------------------------------


def test_marche_de_defense_ou_de_securite_rien():
    text = scored("[art38, art52]", (f"  {DATE}\n", f"  {DATE}\n  defense_securite: true\n"))
    assert findings(text, RULE) == []
    # defense_securite: false changes nothing
    assert only(findings(scored("[art38, art52]", (f"  {DATE}\n", f"  {DATE}\n  defense_securite: false\n")), RULE)).line == 30


def test_sans_critere_d_insertion_rien():
    assert findings(BASE, RULE) == []
    assert findings(variant(BASE, ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []
