"""publics-hors-instruction: chaque public de ``execution.publics`` est une catégorie de la fiche 1 ; une
catégorie fondée sur le lieu de résidence est une discrimination (erreur)."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "publics-hors-instruction"
AFTER = "  periodicite_suivi: trimestrielle\n"


def publics(block: str) -> str:
    return variant(BASE, (AFTER, AFTER + block))


def test_public_inconnu_dans_une_liste_en_bloc():
    f = only(findings(publics("  publics:\n    - deld\n    - habitants_commune\n"), RULE))
    # line 24 « - habitants_commune », the item at column 7
    assert_finding(f, rule=RULE, severity="erreur", line=24, column=7, phrase="« habitants_commune » n'est pas un public éligible du registre")
    assert "deld" in f.message and "fiche 1" in f.reference
    assert f.field == "execution.publics[2]"
    # residence-based categories are discriminatory; only the QPV priority is lawful
    assert "lieu de résidence serait discriminatoire" in f.message
    assert "« execution.priorite_qpv »" in f.message
    assert "L.\u00a01132-1" in f.reference


def test_public_inconnu_dans_une_liste_en_ligne():
    f = only(findings(publics("  publics: [deld, habitants_commune]\n"), RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=22, column=19, phrase="habitants_commune")


def test_chaque_public_inconnu_est_signale():
    found = findings(publics("  publics:\n    - residents_commune\n    - jeunes\n    - femmes\n"), RULE)
    assert [(f.severity, f.line, f.column) for f in found] == [("erreur", 23, 7), ("erreur", 25, 7)]
    assert "residents_commune" in found[0].message and "femmes" in found[1].message


def test_publics_du_registre_rien():
    block = "  publics:\n" + "".join(
        f"    - {code}\n"
        for code in ("deld", "minima_sociaux", "travailleurs_handicapes", "jeunes", "seniors", "sous_main_de_justice", "refugies", "salaries_siae")
    )
    assert findings(publics(block), RULE) == []


def test_publics_omis_rien():
    assert findings(BASE, RULE) == []
