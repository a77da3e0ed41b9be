"""critere-sans-ponderation: un lot noté sur un critère d'insertion indique sa pondération ; erreur en
procédure formalisée (déclarée, ou déduite du montant quand « marche.procedure » manque), avertissement en
procédure adaptée."""

from __future__ import annotations

import pytest

from .helpers import BASE, LOT1, assert_finding, findings, only, variant, with_lots

RULE = "critere-sans-ponderation"
COMBINED = ("base_legale: condition_execution", "base_legale: [art38, art52]")
MAPA = "  procedure: procedure_adaptee\n"  # BASE's procedure


def procedure(name: str | None, text: str = BASE) -> str:
    """``text`` with its procedure replaced by ``name`` (removed when None)."""
    return variant(text, (MAPA, "" if name is None else f"  procedure: {name}\n"))


def with_criterion(block: str, base=COMBINED, text: str = BASE) -> str:
    return variant(text, base, ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n" + block))


# -- procédure adaptée (BASE) : avertissement ------------------------------------------------------------


def test_procedure_adaptee_critere_sans_bloc_critere_avertissement_sur_la_base_legale():
    f = only(findings(variant(BASE, COMBINED), RULE))
    # line 29 « base_legale: [art38, art52] », value at column 18
    assert_finding(f, rule=RULE, severity="avertissement", line=29, column=18, phrase="En procédure adaptée, annoncez au moins")
    assert "Le lot 1" in f.message and "« critere: {ponderation: 10 %} »" in f.message
    assert "pratique de la procédure adaptée" in f.reference and "L.\u00a02152-7" in f.reference


def test_procedure_adaptee_bloc_critere_sans_ponderation_pointe_le_bloc():
    text = with_criterion("    critere:\n      sous_criteres:\n        - libelle: Tutorat\n          points: 100\n")
    f = only(findings(text, RULE))
    # line 32 « critere: », its block starts line 33 column 7
    assert_finding(f, rule=RULE, severity="avertissement", line=33, column=7, phrase="critère d'insertion sans pondération")


# -- procédure formalisée déclarée : erreur ---------------------------------------------------------------


def test_appel_d_offres_ouvert_erreur():
    f = only(findings(procedure("appel_offres_ouvert", variant(BASE, COMBINED)), RULE))
    # « procedure » keeps its line: the lot is unchanged (base_legale line 29, column 18)
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="sans pondération, obligatoire en procédure formalisée.")
    assert "déduite du montant" not in f.message
    assert "R.\u00a02152-12" in f.reference


@pytest.mark.parametrize("name", ["appel_offres_restreint", "procedure_avec_negociation", "dialogue_competitif"])
def test_autres_procedures_formalisees_erreur(name):
    assert only(findings(procedure(name, variant(BASE, COMBINED)), RULE)).severity == "erreur"


def test_appel_d_offres_bloc_critere_sans_ponderation_erreur_sur_le_bloc():
    text = with_criterion("    critere:\n      sous_criteres:\n        - libelle: Tutorat\n          points: 100\n", text=procedure("appel_offres_ouvert"))
    f = only(findings(text, RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=33, column=7, phrase="critère d'insertion sans pondération")


def test_critere_seul_sans_ponderation_en_appel_d_offres_erreur():
    text = procedure("appel_offres_ouvert", variant(BASE, ("base_legale: condition_execution", "base_legale: critere_attribution")))
    f = only(findings(text, RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="sans pondération")


# -- procédure non indiquée : déduite du montant et du seuil européen --------------------------------------


def test_sans_procedure_sous_le_seuil_avertissement():
    # 850 000 € de travaux < 5 404 000 € : procédure adaptée possible
    f = only(findings(procedure(None, variant(BASE, COMBINED)), RULE))
    # « procedure » removed: the lot moves up one line (base_legale line 28)
    assert_finding(f, rule=RULE, severity="avertissement", line=28, column=18, phrase="En procédure adaptée")


def test_sans_procedure_au_seuil_erreur_deduite_du_montant():
    text = procedure(None, variant(BASE, COMBINED, ("montant_ht: 850000", "montant_ht: 5404000")))
    f = only(findings(text, RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=28, column=18, phrase="déduite du montant : « marche.procedure » n'est pas indiqué")
    assert "R.\u00a02152-12" in f.reference


def test_sans_procedure_juste_sous_le_seuil_avertissement():
    text = procedure(None, variant(BASE, COMBINED, ("montant_ht: 850000", "montant_ht: 5403999")))
    assert only(findings(text, RULE)).severity == "avertissement"


def test_sans_procedure_seuil_inconnu_erreur():
    # no EU threshold is known after 31 December 2027: the stricter reading
    text = procedure(None, variant(BASE, COMBINED, ("date_publication: 2026-12-15", "date_publication: 2028-03-01")))
    f = only(findings(text, RULE))
    assert (f.severity, f.line, f.column) == ("erreur", 28, 18)
    assert "déduite du montant" in f.message


def test_sans_procedure_sans_montant_erreur():
    text = procedure(None, variant(
        BASE, COMBINED,
        ("    montant_ht: 850000\n    part_main_oeuvre: 40 %\n", "    heures: 500\n    justification: convenu avec le facilitateur\n"),
    ))
    assert only(findings(text, RULE)).severity == "erreur"


def test_procedure_adaptee_declaree_l_emporte_sur_le_montant():
    # a MAPA stated by the buyer stays a warning even above the threshold (the buyer's statement is trusted)
    text = variant(BASE, COMBINED, ("montant_ht: 850000", "montant_ht: 5404000"))
    assert only(findings(text, RULE)).severity == "avertissement"


# -- pas de constat ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["procedure_adaptee", "appel_offres_ouvert", None])
def test_critere_pondere_rien(name):
    assert findings(procedure(name, with_criterion("    critere:\n      ponderation: 10 %\n")), RULE) == []


def test_condition_seule_rien():
    assert findings(BASE, RULE) == []
    assert findings(procedure("appel_offres_ouvert"), RULE) == []


def test_second_lot_signale_a_sa_ligne():
    lots = LOT1 + "- numero: 2\n  intitule: Second œuvre\n  base_legale: [art38, art52]\n  montant_ht: 300000\n  part_main_oeuvre: 50 %\n"
    f = only(findings(with_lots(lots, procedure("appel_offres_ouvert")), RULE))
    # lot 2 starts line 32; « base_legale » is line 34, value at column 18
    assert_finding(f, rule=RULE, severity="erreur", line=34, column=18, phrase="Le lot 2")
