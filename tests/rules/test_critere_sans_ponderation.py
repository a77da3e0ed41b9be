"""critere-sans-ponderation: un lot noté sur un critère d'insertion indique sa pondération."""

from __future__ import annotations

from .helpers import BASE, LOT1, assert_finding, findings, only, variant, with_lots

RULE = "critere-sans-ponderation"
COMBINED = ("base_legale: condition_execution", "base_legale: [art38, art52]")


def with_criterion(block: str, base=COMBINED) -> str:
    return variant(BASE, base, ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n" + block))


def test_critere_sans_bloc_critere_pointe_la_base_legale():
    f = only(findings(variant(BASE, COMBINED), RULE))
    # line 24 « base_legale: [art38, art52] », value at column 18
    assert_finding(f, rule=RULE, severity="erreur", line=24, column=18, phrase="sans pondération")
    assert "Le lot 1" in f.message
    assert "R.\u00a02152-12" in f.reference


def test_bloc_critere_sans_ponderation_pointe_le_bloc():
    text = with_criterion("    critere:\n      sous_criteres:\n        - libelle: Tutorat\n          points: 100\n")
    f = only(findings(text, RULE))
    # line 27 « critere: », its block starts line 28 column 7
    assert_finding(f, rule=RULE, severity="erreur", line=28, column=7, phrase="critère d'insertion sans pondération")


def test_critere_seul_sans_ponderation_erreur():
    f = only(findings(variant(BASE, ("base_legale: condition_execution", "base_legale: critere_attribution")), RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=24, column=18, phrase="sans pondération")


def test_critere_pondere_rien():
    assert findings(with_criterion("    critere:\n      ponderation: 10 %\n"), RULE) == []


def test_condition_seule_rien():
    assert findings(BASE, RULE) == []


def test_second_lot_signale_a_sa_ligne():
    lots = LOT1 + "- numero: 2\n  intitule: Second œuvre\n  base_legale: [art38, art52]\n  montant_ht: 300000\n  part_main_oeuvre: 50 %\n"
    f = only(findings(with_lots(lots), RULE))
    # lot 2 starts line 27; « base_legale » is line 29, value at column 18
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="Le lot 2")
