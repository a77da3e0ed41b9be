"""facilitateur-absent: un marché portant des heures d'insertion nomme un facilitateur."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, only, variant, without

RULE = "facilitateur-absent"
NO_FACILITATOR = without(BASE, "facilitateur")


def test_sans_facilitateur_avertissement_en_tete_du_profil():
    f = only(findings(NO_FACILITATOR, RULE))
    # the finding concerns the whole profile: its first line
    assert_finding(f, rule=RULE, severity="avertissement", line=1, column=1, phrase="Aucun facilitateur de la clause sociale")
    assert "fiche 3" in f.reference and "16.1" in f.reference


def test_position_du_debut_du_profil_apres_des_commentaires():
    f = only(findings("# Profil de test\n# deuxième ligne de commentaire\n" + NO_FACILITATOR, RULE))
    assert (f.line, f.column) == (3, 1)


def test_facilitateur_nomme_rien():
    assert findings(BASE, RULE) == []


def test_facilitateur_avec_son_seul_nom_rien():
    text = variant(BASE, ("  structure: PLIE des Graves\n", ""), ("  courriel: clauses@example.org\n", ""))
    assert findings(text, RULE) == []


def test_sans_heures_pas_de_facilitateur_exige():
    assert findings(variant(NO_FACILITATOR, ("base_legale: condition_execution", "base_legale: art36-2")), RULE) == []


def test_heures_imposees_sans_facilitateur_avertissement():
    text = variant(NO_FACILITATOR, ("base_legale: condition_execution", "base_legale: art36-2"),
                   ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    heures: 400\n    justification: convenu\n"))
    assert only(findings(text, RULE)).severity == "avertissement"


def test_regression_accord_cadre_sans_minimum_sans_facilitateur_non_signale():
    """Regression (fixed; ou incohérence) : un accord-cadre sans minimum porte bien une obligation d'insertion (87,5
    heures par tranche de 100 000 € HT commandée, 350 heures au plus ici ; l'annexe à l'acte d'engagement
    l'imprime), et les règles sur les modalités d'exécution (aujourd'hui a-completer) le traitent comme un lot à heures ; mais
    facilitateur-absent teste ``any(r.heures …)`` et 0 heure ferme est faux : aucun avertissement alors que
    les documents confient le rôle du facilitateur au service acheteur. Attendu : l'avertissement."""
    text = variant(NO_FACILITATOR, ("    montant_ht: 850000\n", "    accord_cadre:\n      maximum_ht: 400000\n"))
    f = only(findings(text, RULE))
    assert (f.severity, f.line, f.column) == ("avertissement", 1, 1)
