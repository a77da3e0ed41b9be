"""publics-hors-instruction: chaque public de ``execution.publics`` est une catégorie de la fiche 1."""

from __future__ import annotations

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "publics-hors-instruction"
AFTER = "  periodicite_suivi: trimestrielle\n"


def publics(block: str) -> str:
    return variant(BASE, (AFTER, AFTER + block))


def test_public_inconnu_dans_une_liste_en_bloc():
    f = only(findings(publics("  publics:\n    - deld\n    - habitants_commune\n"), RULE))
    # line 23 « - habitants_commune », the item at column 7
    assert_finding(f, rule=RULE, severity="avertissement", line=23, column=7, phrase="« habitants_commune » n'est pas un public de l'instruction")
    assert "deld" in f.message and "fiche 1" in f.reference
    assert f.field == "execution.publics[2]"


def test_public_inconnu_dans_une_liste_en_ligne():
    f = only(findings(publics("  publics: [deld, habitants_commune]\n"), RULE))
    assert_finding(f, rule=RULE, severity="avertissement", line=21, column=19, phrase="habitants_commune")


def test_chaque_public_inconnu_est_signale():
    found = findings(publics("  publics:\n    - residents_commune\n    - jeunes\n    - femmes\n"), RULE)
    assert [(f.line, f.column) for f in found] == [(22, 7), (24, 7)]
    assert "residents_commune" in found[0].message and "femmes" in found[1].message


def test_publics_du_registre_rien():
    block = "  publics:\n" + "".join(
        f"    - {code}\n"
        for code in ("deld", "minima_sociaux", "travailleurs_handicapes", "jeunes", "seniors", "sous_main_de_justice", "refugies", "salaries_siae")
    )
    assert findings(publics(block), RULE) == []


def test_publics_omis_rien():
    assert findings(BASE, RULE) == []
