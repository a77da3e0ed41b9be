"""heures-sous-un-parcours: un lot à heures porte au moins un parcours (300 heures) quand sa
main-d'œuvre le permet au taux haut de la fourchette (20 %)."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "heures-sous-un-parcours"


def amount(value) -> str:
    return variant(BASE, ("montant_ht: 850000", f"montant_ht: {value}"))


def test_175_heures_sur_2500_heures_de_main_d_oeuvre_conseil():
    # 200 000 × 40 % ÷ 32 = 2 500 h de main-d'œuvre ; × 7 % = 175 h ; × 20 % = 500 h ≥ 300
    f = only(findings(amount(200000), RULE))
    # « lots[1] » points at the first key of the lot (line 27, column 5)
    assert_finding(f, rule=RULE, severity="conseil", line=27, column=5, phrase="moins qu'un parcours de 300\u00a0heures")
    assert "175\u00a0heures" in f.message and "2\u202f500\u00a0heures de main-d'œuvre" in f.message
    assert "fiche 2, 3.a" in f.reference


def test_limite_main_d_oeuvre_permettant_tout_juste_un_parcours():
    # 120 000 € → 1 500 h de main-d'œuvre ; × 20 % = 300 h : un parcours est possible (105 h imposées)
    f = only(findings(amount(120000), RULE))
    assert "105\u00a0heures" in f.message


def test_main_d_oeuvre_trop_faible_pour_un_parcours_rien():
    # 119 999 € → 1 499,99 h ; × 20 % < 300 h
    assert findings(amount(119999), RULE) == []


def test_un_parcours_tout_juste_rien():
    # 342 857 × 40 % ÷ 32 × 7 % = 299,99… → 300 heures
    assert findings(amount(342857), RULE) == []


def test_volume_impose_sous_un_parcours_conseil():
    text = variant(BASE, ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    heures: 200\n    justification: convenu avec le facilitateur\n"))
    f = only(findings(text, RULE))
    assert (f.severity, f.line, f.column) == ("conseil", 27, 5)
    assert "200\u00a0heures" in f.message


def test_lot_sans_heures_rien():
    assert findings(variant(amount(200000), ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []


def test_base_rien():
    assert findings(BASE, RULE) == []
