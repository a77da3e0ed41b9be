"""a-completer: chaque mention « [À COMPLÉTER PAR L'ACHETEUR : …] » que contiendrait le dossier produit
est signalée à la clé du profil qui la remplit, avec les documents qui l'impriment (avertissement ;
conseil quand seule la fiche de caractérisation, document interne, l'imprime). Remplace les anciennes
règles penalite-absente et periodicite-absente."""

from __future__ import annotations

import pytest

from .helpers import BASE, LOT1, assert_finding, findings, only, variant, with_lots, without

RULE = "a-completer"
MARKER = "[À COMPLÉTER PAR L'ACHETEUR\u00a0: {}]"  # non-breaking space before the colon
EXECUTION_KEYS = {
    "plan_action_jours": "  plan_action_jours: 30\n",
    "periodicite_suivi": "  periodicite_suivi: trimestrielle\n",
    "delai_justificatifs_jours": "  delai_justificatifs_jours: 10\n",
    "penalite_par_heure": "  penalite_par_heure: 50\n",
    "penalite_retard_jour": "  penalite_retard_jour: 100\n",
    "plafond_penalites": "  plafond_penalites: 10 %\n",
}
NO_PROCEDURE = ("  procedure: procedure_adaptee\n", "")
RESERVED = ("base_legale: condition_execution", "base_legale: art36-2")
HOURS = "    part_main_oeuvre: 40 %\n"


# -- modalités d'exécution (CCAP et fiche de caractérisation) ---------------------------------------------


def test_sans_penalite_par_heure_avertissement_sur_le_bloc_execution():
    f = only(findings(variant(BASE, (EXECUTION_KEYS["penalite_par_heure"], "")), RULE))
    # the key is absent: the execution block (line 19), whose first key is line 20, column 3
    assert_finding(f, rule=RULE, severity="avertissement", line=20, column=3, phrase="[À COMPLÉTER PAR L'ACHETEUR")
    assert f.field == "execution.penalite_par_heure"
    assert f.message.startswith("Le CCAP et la fiche de caractérisation contiendront la mention")
    assert MARKER.format("montant de la pénalité par heure d'insertion non réalisée, en euros HT") in f.message
    assert "Indiquez « execution.penalite_par_heure »" in f.message
    assert "choix de l'acheteur" in f.reference


@pytest.mark.parametrize("key", EXECUTION_KEYS)
def test_chaque_modalite_manquante_avertissement(key):
    f = only(findings(variant(BASE, (EXECUTION_KEYS[key], "")), RULE))
    assert (f.severity, f.line, f.column, f.field) == ("avertissement", 20, 3, f"execution.{key}")
    assert f.message.startswith("Le CCAP et la fiche de caractérisation contiendront")
    assert f"« execution.{key} »" in f.message


def test_sans_bloc_execution_six_avertissements_en_tete_du_profil():
    found = findings(without(BASE, "execution"), RULE)
    assert sorted(f.field for f in found) == sorted(f"execution.{key}" for key in EXECUTION_KEYS)
    for f in found:
        assert_finding(f, rule=RULE, severity="avertissement", line=1, column=1, phrase="[À COMPLÉTER PAR L'ACHETEUR")


def test_sans_periodicite_mention_de_la_periodicite():
    f = only(findings(variant(BASE, (EXECUTION_KEYS["periodicite_suivi"], "")), RULE))
    assert MARKER.format("périodicité des états de suivi") in f.message
    assert "mensuelle, trimestrielle, semestrielle ou annuelle" in f.message


def test_accord_cadre_sans_minimum_porte_les_modalites():
    # no firm hour, but a ratio per tranche ordered: the CCAP still writes the execution articles
    text = variant(without(BASE, "execution"), ("    montant_ht: 850000\n", "    accord_cadre:\n      maximum_ht: 400000\n"))
    assert len(findings(text, RULE)) == len(EXECUTION_KEYS)


def test_critere_seul_porte_les_modalites():
    # a lot scored on insertion makes the CCAP write the commitments of the tender
    text = variant(without(BASE, "execution"), ("base_legale: condition_execution", "base_legale: art52"),
                   (HOURS, HOURS + "    critere:\n      ponderation: 10 %\n"))
    assert sorted(f.field for f in findings(text, RULE)) == sorted(f"execution.{key}" for key in EXECUTION_KEYS)


def test_lot_reserve_seul_aucune_modalite():
    assert findings(variant(BASE, RESERVED), RULE) == []
    assert findings(variant(without(BASE, "execution"), RESERVED), RULE) == []


# -- procédure (avis et fiche de caractérisation) ------------------------------------------------------------


def test_sans_procedure_avertissement_sur_le_bloc_marche():
    f = only(findings(variant(BASE, NO_PROCEDURE), RULE))
    # the key is absent: the marche block (line 5), whose first key is line 6, column 3
    assert_finding(f, rule=RULE, severity="avertissement", line=6, column=3, phrase=MARKER.format("procédure de passation"))
    assert f.field == "marche.procedure"
    assert f.message.startswith("L'avis et la fiche de caractérisation contiendront")


def test_sans_procedure_meme_sans_heures():
    f = only(findings(variant(without(BASE, "execution"), RESERVED, NO_PROCEDURE), RULE))
    assert f.field == "marche.procedure"


# -- lots : pondération, justification, marché d'insertion -------------------------------------------------


def test_heures_imposees_sans_justification_relevent_de_leur_propre_regle():
    # the blank is printed in the fiche, but heures-sans-justification owns this gap: no double finding
    text = variant(BASE, (HOURS, HOURS + "    heures: 700\n"))
    assert findings(text, RULE) == []
    assert [f.field for f in findings(text, "heures-sans-justification")] == ["lots[1].heures"]


def test_heures_imposees_justifiees_rien():
    assert findings(variant(BASE, (HOURS, HOURS + "    heures: 700\n    justification: convenu avec le facilitateur\n")), RULE) == []


def test_critere_sans_ponderation_releve_de_critere_sans_ponderation():
    # avis, RC and fiche print the blank; critere-sans-ponderation owns this gap: no double finding
    text = variant(BASE, ("base_legale: condition_execution", "base_legale: [art38, art52]"))
    assert findings(text, RULE) == []
    assert [f.field for f in findings(text, "critere-sans-ponderation")] == ["lots[1].base_legale"]


def test_critere_pondere_rien():
    text = variant(BASE, ("base_legale: condition_execution", "base_legale: [art38, art52]"), (HOURS, HOURS + "    critere:\n      ponderation: 10 %\n"))
    assert findings(text, RULE) == []


def test_marche_d_insertion_ponderation_du_rc():
    text = variant(BASE, ("nature: travaux", "nature: services"), ("base_legale: condition_execution", "base_legale: art28"))
    f = only(findings(text, RULE))
    label = "pondération des critères de jugement du marché d'insertion"
    assert_finding(f, rule=RULE, severity="avertissement", line=27, column=5, phrase=MARKER.format(label))
    assert f.field == "lots[1]"
    assert f.message.startswith("Le règlement de la consultation contiendra")


def test_second_lot_signale_a_sa_ligne():
    lots = LOT1 + "- numero: 2\n  intitule: Second œuvre\n  base_legale: [art38, art52]\n  montant_ht: 300000\n  part_main_oeuvre: 40 %\n  critere: {ponderation: 10 %}\n"
    text = with_lots(lots).replace("  plafond_penalites: 10 %\n", "")
    f = only(findings(text, RULE))
    assert f.field == "execution.plafond_penalites" and f.severity == "avertissement"


def test_profil_complet_rien():
    assert findings(BASE, RULE) == []
