"""penalite-absente: un marché portant des heures fixe ``execution.penalite_par_heure``."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, only, variant, without

RULE = "penalite-absente"
NO_PENALTY = variant(BASE, ("  penalite_par_heure: 50\n", ""))


def test_sans_penalite_avertissement_sur_le_bloc_execution():
    f = only(findings(NO_PENALTY, RULE))
    # the execution block (line 18) starts line 19, column 3
    assert_finding(f, rule=RULE, severity="avertissement", line=19, column=3, phrase="Aucune pénalité par heure d'insertion non réalisée")
    assert "execution.penalite_par_heure" in f.message
    assert "choix de l'acheteur" in f.reference


def test_sans_bloc_execution_avertissement_en_tete_du_profil():
    f = only(findings(without(BASE, "execution"), RULE))
    assert (f.severity, f.line, f.column) == ("avertissement", 1, 1)


def test_heures_imposees_sans_penalite_avertissement():
    text = variant(NO_PENALTY, ("base_legale: condition_execution", "base_legale: art28"), ("nature: travaux", "nature: services"),
                   ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    heures: 1200\n    justification: objet du marché\n"))
    assert only(findings(text, RULE)).line == 19


def test_accord_cadre_sans_minimum_avertissement():
    text = variant(NO_PENALTY, ("    montant_ht: 850000\n", "    accord_cadre:\n      maximum_ht: 400000\n"))
    assert only(findings(text, RULE)).severity == "avertissement"


def test_penalite_fixee_rien():
    assert findings(BASE, RULE) == []


def test_sans_heures_rien():
    assert findings(variant(NO_PENALTY, ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []
    assert findings(variant(without(BASE, "execution"), ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []
