"""Every class of error the profile loader reports: position (line:column), field path, French message,
suggestion; and the promise that one ``ProfileError`` lists every problem of the file at once.

Positions refer to ``BASE`` (see the numbered listing in conftest.py)::

     1 version: 1                          11 calcul:
     2 acheteur:                           12   cout_horaire: 32
     3   nom: Préfecture de la Gironde     13   taux_insertion: 7 %
     4   type: etat                        14 lots:
     5 marche:                             15   - numero: 1
     6   reference: "2026-TRX-014"         16     intitule: Gros œuvre
     7   objet: Réhabilitation de la cité… 17     base_legale: condition_execution
     8   nature: travaux                   18     montant_ht: 850000
     9   duree_mois: 24                    19     part_main_oeuvre: 40 %
    10   date_publication: 2026-12-15
"""

from __future__ import annotations

import pytest
from conftest import BASE, write_profile

from clausegen.errors import ClausegenError, Issue, ProfileError
from clausegen.profile.load import load_profile

LOT_END = "    part_main_oeuvre: 40 %\n"


def issues_of(tmp_path, text: str, name: str = "profil.yaml") -> list[Issue]:
    path = write_profile(tmp_path, text, name)
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    error = info.value
    assert error.issues, "a ProfileError must carry at least one Issue"
    assert all(i.file == str(path) for i in error.issues)
    assert str(error) == "\n".join(i.format() for i in error.issues)
    return error.issues


def only_issue(tmp_path, text: str) -> Issue:
    found = issues_of(tmp_path, text)
    assert len(found) == 1, "\n".join(i.format() for i in found)
    return found[0]


def at(issue: Issue) -> tuple[int, int]:
    return issue.line, issue.column


def edit(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


# --------------------------------------------------------------------------------------------------
# The base profile and the aliases are accepted
# --------------------------------------------------------------------------------------------------


def test_base_profile_is_valid(tmp_path):
    profile = load_profile(write_profile(tmp_path, BASE))
    assert profile.marche.nature == "travaux"
    assert profile.acheteur.type == "etat"
    assert [lot.bases for lot in profile.lots] == [("condition_execution",)]
    assert profile.where("lots[1].montant_ht").endswith(":18:17")


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("art38", ("condition_execution",)),
        ("art52", ("critere_attribution",)),
        ("art28", ("marche_insertion",)),
        ("art36-1", ("reserve_ea_esat",)),
        ("art36-2", ("reserve_siae",)),
        ("[art38, art52]", ("condition_execution", "critere_attribution")),
        ("[condition_execution, critere_attribution]", ("condition_execution", "critere_attribution")),
        ("[art36-1, art36-2]", ("reserve_ea_esat", "reserve_siae")),
        ("reserve_ess", ("reserve_ess",)),
    ],
)
def test_legal_basis_aliases_are_accepted(tmp_path, typed, canonical):
    text = edit("base_legale: condition_execution", f"base_legale: {typed}")
    profile = load_profile(write_profile(tmp_path, text))
    assert profile.lots[0].bases == canonical


def test_legal_basis_alias_L2112_2_is_accepted(tmp_path):
    """Regression (fixed): the CCP article « L2112-2 », listed as an alias of condition_execution in registry.yaml, is
    refused: the schema's enum is built from ``alias_names()``, which are lower-cased (« l2112-2 »), and
    the enum comparison is case-sensitive. Same for « art36-I », « L2113-12 », « R2123-1 »…"""
    text = edit("base_legale: condition_execution", "base_legale: L2112-2")
    profile = load_profile(write_profile(tmp_path, text))
    assert profile.lots[0].bases == ("condition_execution",)
    assert profile.lots[0].bases_saisies == ("L2112-2",)


# --------------------------------------------------------------------------------------------------
# File-level errors
# --------------------------------------------------------------------------------------------------


def test_missing_file(tmp_path):
    path = tmp_path / "absent.yaml"
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    (issue,) = info.value.issues
    assert (issue.file, issue.line, issue.column, issue.field) == (str(path), 1, 1, "")
    assert issue.message == "fichier introuvable."
    assert issue.suggestion == "Vérifiez le chemin du profil."
    assert str(info.value) == f"{path}:1:1: fichier introuvable. Vérifiez le chemin du profil."
    assert isinstance(info.value, ClausegenError) and info.value.exit_code == 2


def test_directory_instead_of_file(tmp_path):
    with pytest.raises(ProfileError) as info:
        load_profile(tmp_path)
    (issue,) = info.value.issues
    assert at(issue) == (1, 1)
    assert "c'est un dossier" in issue.message
    assert issue.expected == "un fichier .yaml"


@pytest.mark.parametrize("text", ["", "\n\n", "# un commentaire seulement\n"])
def test_empty_file(tmp_path, text):
    issue = only_issue(tmp_path, text)
    assert at(issue) == (1, 1)
    assert issue.message == "le profil est vide."
    assert "version: 1" in issue.expected


def test_file_not_utf8(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes(BASE.encode("latin-1", errors="replace"))
    with pytest.raises(ProfileError) as info:
        load_profile(path)
    (issue,) = info.value.issues
    assert "n'est pas encodé en UTF-8" in issue.message
    assert "UTF-8" in issue.suggestion


@pytest.mark.parametrize("text", ["- version: 1\n- lots: []\n", "bonjour\n", "42\n"])
def test_profile_must_be_a_mapping(tmp_path, text):
    issue = only_issue(tmp_path, text)
    assert at(issue) == (1, 1)
    assert "le profil doit être un bloc de clés" in issue.message


# --------------------------------------------------------------------------------------------------
# YAML syntax
# --------------------------------------------------------------------------------------------------


def test_yaml_bad_indentation(tmp_path):
    issue = only_issue(tmp_path, edit("  objet: Réhab", "   objet: Réhab"))
    assert at(issue) == (7, 4)
    assert issue.field == ""
    assert issue.message.startswith("syntaxe YAML invalide")
    assert issue.suggestion == "Vérifiez l'indentation, les deux-points et les guillemets de cette ligne."


def test_yaml_missing_colon_message(tmp_path):
    issue = only_issue(tmp_path, edit("  objet: Réhab", "  objet Réhab"))
    assert issue.message == "syntaxe YAML invalide : « : » attendu après la clé."
    assert "deux-points" in issue.suggestion


def test_yaml_missing_colon_points_at_the_line_of_the_key(tmp_path):
    """Regression (fixed): the colon is missing on line 7 (« objet Réhabilitation… »), but the issue points at 8:3
    (« nature: travaux », the next key). ruamel's ``context_mark`` (« while scanning a simple key »)
    holds the right place; load.py prefers ``problem_mark``."""
    issue = only_issue(tmp_path, edit("  objet: Réhab", "  objet Réhab"))
    assert at(issue) == (7, 3)


def test_yaml_stray_colon_in_value(tmp_path):
    issue = only_issue(tmp_path, edit("  objet: Réhabilitation de la cité administrative", "  objet: Lot 1: gros œuvre"))
    assert at(issue) == (7, 15)
    assert "deux-points inattendu" in issue.message
    assert "guillemets" in issue.message


def test_yaml_duplicate_key(tmp_path):
    issue = only_issue(tmp_path, edit("  nature: travaux\n", "  nature: travaux\n  nature: services\n"))
    assert at(issue) == (9, 3)  # the second « nature »
    assert "en double" in issue.message
    assert "nature" in issue.message or issue.field.endswith("nature")


def test_yaml_tab_indentation(tmp_path):
    issue = only_issue(tmp_path, edit("  objet: Réhab", "\tobjet: Réhab"))
    assert at(issue) == (7, 1)
    assert issue.message == "syntaxe YAML invalide : tabulation interdite, indentez avec des espaces."


def test_yaml_undefined_alias(tmp_path):
    issue = only_issue(tmp_path, edit("  cout_horaire: 32", "  cout_horaire: *cout"))
    assert at(issue) == (12, 17)
    assert issue.message == "syntaxe YAML invalide : alias non défini."


# --------------------------------------------------------------------------------------------------
# Structure (schema)
# --------------------------------------------------------------------------------------------------


def test_missing_required_field(tmp_path):
    issue = only_issue(tmp_path, edit("  objet: Réhabilitation de la cité administrative\n", ""))
    assert at(issue) == (5, 1)  # the « marche » key
    assert issue.field == "marche.objet"
    assert issue.message == "champ obligatoire « objet » manquant."
    assert issue.expected == "Objet du marché."


def test_missing_required_field_with_look_alike_key(tmp_path):
    issues = issues_of(tmp_path, edit("  objet: Réhab", "  objett: Réhab"))
    by_field = {i.field: i for i in issues}
    assert set(by_field) == {"marche.objet", "marche.objett"}
    assert by_field["marche.objet"].suggestion == "Une clé ressemble à « objett » ?"
    assert at(by_field["marche.objett"]) == (7, 3)
    assert by_field["marche.objett"].suggestion == "Vouliez-vous dire « objet » ?"


def test_missing_required_top_level_block(tmp_path):
    text = BASE.split("lots:")[0]
    issue = only_issue(tmp_path, text)
    assert issue.field == "lots"
    assert at(issue) == (1, 1)
    assert issue.message == "champ obligatoire « lots » manquant."


def test_unknown_key_with_suggestion(tmp_path):
    issue = only_issue(tmp_path, edit("montant_ht:", "montant_h:"))
    assert at(issue) == (18, 5)  # the key itself
    assert issue.field == "lots[1].montant_h"
    assert issue.message == "clé inconnue « montant_h »."
    assert "« montant_ht »" in issue.expected
    assert issue.suggestion == "Vouliez-vous dire « montant_ht » ?"


def test_unknown_top_level_key_with_suggestion(tmp_path):
    issue = only_issue(tmp_path, BASE + "faciliteur:\n  nom: Jeanne Martin\n")
    assert at(issue) == (20, 1)
    assert issue.field == "faciliteur"
    assert issue.suggestion == "Vouliez-vous dire « facilitateur » ?"


def test_unknown_legal_basis_with_suggestion(tmp_path):
    issue = only_issue(tmp_path, edit("base_legale: condition_execution", "base_legale: condition_execusion"))
    assert at(issue) == (17, 18)
    assert issue.field == "lots[1].base_legale"
    assert issue.message == "base juridique « condition_execusion » inconnue."
    assert issue.suggestion == "Vouliez-vous dire « condition_execution » ?"


def test_unknown_legal_basis_article_number(tmp_path):
    issue = only_issue(tmp_path, edit("base_legale: condition_execution", "base_legale: art39"))
    assert at(issue) == (17, 18)
    assert issue.field == "lots[1].base_legale"
    assert issue.message == "base juridique « art39 » inconnue."
    assert issue.suggestion.startswith("Vouliez-vous dire « art")


def test_unknown_legal_basis_inside_a_list(tmp_path):
    """Regression (fixed): in a list of bases, an unknown item is reported on the whole list with the Python repr of
    the list (« ['art38', 'art39'] » n'est pas une valeur admise.), with no suggestion, instead of on
    the item (lots[1].base_legale[2]). ``_leaf_errors`` computes ``wanted = "array"`` but never uses it."""
    issue = only_issue(tmp_path, edit("base_legale: condition_execution", "base_legale: [art38, art39]"))
    assert "['art38'" not in issue.message
    assert issue.field == "lots[1].base_legale[2]"
    assert "« art39 »" in issue.message
    assert issue.suggestion and issue.suggestion.startswith("Vouliez-vous dire")


def test_bad_enum_value(tmp_path):
    issue = only_issue(tmp_path, edit("nature: travaux", "nature: travau"))
    assert at(issue) == (8, 11)
    assert issue.field == "marche.nature"
    assert issue.message == "« travau » n'est pas une valeur admise."
    assert issue.expected == "« travaux », « fournitures » ou « services »"
    assert issue.suggestion == "Vouliez-vous dire « travaux » ?"


def test_bad_buyer_type(tmp_path):
    issue = only_issue(tmp_path, edit("type: etat", "type: collectivité"))
    assert at(issue) == (4, 9)
    assert issue.field == "acheteur.type"
    assert issue.suggestion == "Vouliez-vous dire « collectivite » ?"


def test_wrong_type_integer(tmp_path):
    issue = only_issue(tmp_path, edit("duree_mois: 24", 'duree_mois: "trente"'))
    assert at(issue) == (9, 15)
    assert issue.field == "marche.duree_mois"
    assert issue.message == "« trente » n'est pas du type attendu."
    assert issue.expected == "un nombre entier"
    assert issue.suggestion == "Écrivez un nombre entier sans guillemets ni unité."


def test_wrong_type_boolean(tmp_path):
    issue = only_issue(tmp_path, edit("  duree_mois: 24\n", "  duree_mois: 24\n  qpv: oui\n"))
    assert at(issue) == (10, 8)
    assert issue.field == "marche.qpv"
    assert issue.message == "« oui » n'est pas du type attendu."
    assert issue.expected == "true ou false"
    assert issue.suggestion == "Écrivez true (oui) ou false (non), sans guillemets."


def test_out_of_range_integer(tmp_path):
    issue = only_issue(tmp_path, edit("duree_mois: 24", "duree_mois: 0"))
    assert at(issue) == (9, 15)
    assert issue.message == "« 0 » est trop petit."
    issue = only_issue(tmp_path, edit("duree_mois: 24", "duree_mois: 601"))
    assert issue.message == "« 601 » est trop grand."
    assert "Vérifiez l'unité" in issue.suggestion


def test_wrong_version(tmp_path):
    issue = only_issue(tmp_path, edit("version: 1", "version: 2"))
    assert at(issue) == (1, 10)
    assert issue.field == "version"
    assert issue.expected == "« 1 »"


def test_empty_lot_list(tmp_path):
    issue = only_issue(tmp_path, BASE.split("lots:")[0] + "lots: []\n")
    assert at(issue) == (14, 7)
    assert issue.message == "la liste est vide."


def test_cpv_pattern(tmp_path):
    issue = only_issue(tmp_path, edit("  duree_mois: 24\n", '  duree_mois: 24\n  cpv: "4545300"\n'))
    assert at(issue) == (10, 8)
    assert issue.field == "marche.cpv"
    assert issue.message == "« 4545300 » n'a pas la forme attendue."
    assert "45453000-7" in issue.expected


def test_email_pattern(tmp_path):
    issue = only_issue(tmp_path, BASE + "facilitateur:\n  nom: Jeanne Martin\n  courriel: jeanne.martin.exemple.fr\n")
    assert at(issue) == (22, 13)
    assert issue.field == "facilitateur.courriel"
    assert issue.message == "« jeanne.martin.exemple.fr » n'a pas la forme attendue."
    assert "prenom.nom@exemple.fr" in issue.expected


# --------------------------------------------------------------------------------------------------
# Values (rates, amounts, dates, identifiers, text)
# --------------------------------------------------------------------------------------------------


def test_bare_rate_above_one_suggests_percent(tmp_path):
    issue = only_issue(tmp_path, edit("taux_insertion: 7 %", "taux_insertion: 7"))
    assert at(issue) == (13, 19)
    assert issue.field == "calcul.taux_insertion"
    assert "« 7 » n'est pas un taux" in issue.message
    assert issue.suggestion == "Vouliez-vous dire « 7 % » ?"


def test_rate_above_hundred_percent(tmp_path):
    issue = only_issue(tmp_path, edit("taux_insertion: 7 %", "taux_insertion: 120 %"))
    assert at(issue) == (13, 19)
    assert issue.field == "calcul.taux_insertion"
    assert issue.message == "« 120 % » dépasse 100 %."


def test_lot_rate_not_a_rate(tmp_path):
    issue = only_issue(tmp_path, edit("part_main_oeuvre: 40 %", "part_main_oeuvre: quarante"))
    assert at(issue) == (19, 23)
    assert issue.field == "lots[1].part_main_oeuvre"
    assert issue.message == "« quarante » n'est pas un taux."


@pytest.mark.parametrize("amount", ["0", "-5", "-850000", '"0 €"'])
def test_zero_or_negative_amount(tmp_path, amount):
    issue = only_issue(tmp_path, edit("montant_ht: 850000", f"montant_ht: {amount}"))
    assert at(issue) == (18, 17)
    assert issue.field == "lots[1].montant_ht"
    assert "doit être strictement positif" in issue.message
    assert issue.expected == "un montant supérieur à 0 € HT"


def test_absurd_amount(tmp_path):
    issue = only_issue(tmp_path, edit("montant_ht: 850000", "montant_ht: 850000000000"))
    assert at(issue) == (18, 17)
    assert "« 850000000000 » est invraisemblable (plus de 100\u00a0000\u00a0000\u00a0000 € HT)" in issue.message
    assert issue.suggestion == "Vérifiez le nombre de zéros."


def test_absurd_hourly_cost(tmp_path):
    issue = only_issue(tmp_path, edit("cout_horaire: 32", "cout_horaire: 3200"))
    assert at(issue) == (12, 17)
    assert issue.field == "calcul.cout_horaire"
    assert "plus de 500 € HT de l'heure" in issue.message
    assert issue.suggestion == "Vérifiez le nombre de zéros."


def test_amount_not_parseable(tmp_path):
    issue = only_issue(tmp_path, edit("montant_ht: 850000", "montant_ht: environ 850 k€"))
    assert at(issue) == (18, 17)
    assert issue.message == "« environ 850 k€ » n'est pas un montant."
    assert "1 250 000,50 €" in issue.expected


def test_duplicate_lot_numbers(tmp_path):
    second = "  - numero: 1\n    intitule: Charpente\n    base_legale: art38\n    montant_ht: 300000\n    part_main_oeuvre: 30 %\n"
    issue = only_issue(tmp_path, BASE + second)
    assert at(issue) == (20, 13)
    assert issue.field == "lots[2].numero"
    assert issue.message == "le numéro de lot 1 est déjà utilisé par lots[1]."
    assert issue.suggestion == "Renumérotez l'un des deux lots."


def test_hour_bearing_lot_without_amount(tmp_path):
    issue = only_issue(tmp_path, edit("    montant_ht: 850000\n", ""))
    assert at(issue) == (15, 5)
    assert issue.field == "lots[1]"
    assert issue.message == "lot soumis à une condition d'exécution sans montant."
    assert "accord_cadre" in issue.expected
    assert "heures" in issue.suggestion


def test_lot_without_obligation_needs_no_amount(tmp_path):
    text = edit("    montant_ht: 850000\n", "", edit("base_legale: condition_execution", "base_legale: art36-2"))
    assert load_profile(write_profile(tmp_path, text)).lots[0].montant_ht is None


def test_missing_calculation_input(tmp_path):
    issue = only_issue(tmp_path, edit("  taux_insertion: 7 %\n", ""))
    assert at(issue) == (14, 5)
    assert issue.field == "lots[1]"
    assert issue.message == "le taux d'insertion manque pour calculer les heures de ce lot."
    assert "« taux_insertion » dans le lot ou dans le bloc « calcul »" == issue.expected
    assert "aucune valeur n'est supposée par défaut" in issue.suggestion


def test_every_missing_calculation_input_is_reported(tmp_path):
    text = edit("calcul:\n  cout_horaire: 32\n  taux_insertion: 7 %\n", "", edit(LOT_END, ""))
    issues = issues_of(tmp_path, text)
    assert [i.message for i in issues] == [
        "la part de main-d'œuvre manque pour calculer les heures de ce lot.",
        "le coût horaire manque pour calculer les heures de ce lot.",
        "le taux d'insertion manque pour calculer les heures de ce lot.",
    ]
    assert {at(i) for i in issues} == {(12, 5)}


def test_framework_minimum_above_maximum(tmp_path):
    text = edit("    montant_ht: 850000\n", "    accord_cadre:\n      minimum_ht: 500000\n      maximum_ht: 100000\n")
    issue = only_issue(tmp_path, text)
    assert at(issue) == (19, 19)
    assert issue.field == "lots[1].accord_cadre.minimum_ht"
    assert issue.message == "le minimum dépasse le maximum de l'accord-cadre."
    assert issue.suggestion == "Vérifiez l'ordre des deux montants."


@pytest.mark.parametrize("date", ['"15/12/2026"', '"2026-02-30"', "le 15 décembre"])
def test_invalid_date(tmp_path, date):
    issue = only_issue(tmp_path, edit("date_publication: 2026-12-15", f"date_publication: {date}"))
    assert at(issue) == (10, 21)
    assert issue.field == "marche.date_publication"
    assert "n'est pas une date" in issue.message
    assert issue.expected == "une date au format AAAA-MM-JJ, comme 2026-12-15"


def test_invalid_unquoted_date(tmp_path):
    """Regression (fixed): an unquoted impossible date (« date_publication: 2026-02-30 ») makes ruamel's timestamp
    constructor raise a bare ``ValueError: day is out of range for month``, which escapes load_profile
    (the CLI would show a Python traceback instead of fichier:ligne:colonne)."""
    issue = only_issue(tmp_path, edit("date_publication: 2026-12-15", "date_publication: 2026-02-30"))
    assert at(issue) == (10, 21)
    assert issue.field == "marche.date_publication"


def test_control_character_in_string(tmp_path):
    issue = only_issue(tmp_path, edit("  objet: Réhabilitation de la cité administrative", '  objet: "Réhabilitation\\x07 de la cité"'))
    assert at(issue) == (7, 10)
    assert issue.field == "marche.objet"
    assert "caractère de contrôle invisible (U+0007)" in issue.message
    assert issue.suggestion == "Supprimez ce caractère ou retapez le texte."


def test_raw_control_character_in_file(tmp_path):
    """Regression (fixed): a raw control character typed in the file (not the escaped « \\x07 » form) is reported at
    1:1 with ruamel's English text (« YAML illisible : unacceptable character #x0001: control
    characters are not allowed in "<unicode string>", position 308 »): ``ReaderError`` is not a
    ``MarkedYAMLError``, so neither its position nor the French translation is used."""
    issue = only_issue(tmp_path, edit("Gros œuvre", "Gros\x01œuvre"))
    assert issue.line == 16
    assert "caractère de contrôle invisible" in issue.message


def test_bad_siret_key(tmp_path):
    issue = only_issue(tmp_path, BASE + '    titulaire:\n      nom: Bâtir SA\n      siret: "732 829 320 00075"\n')
    assert at(issue) == (22, 14)
    assert issue.field == "lots[1].titulaire.siret"
    assert issue.message == "« 732 829 320 00075 » : la clé de contrôle du SIRET est fausse."
    assert issue.suggestion == "Recopiez-le depuis l'avis de situation SIRENE."


def test_siret_wrong_length(tmp_path):
    issue = only_issue(tmp_path, BASE + "    titulaire:\n      nom: Bâtir SA\n      siret: 7328293200007\n")
    assert issue.field == "lots[1].titulaire.siret"
    assert "n'est pas un SIRET" in issue.message


def test_justification_without_hours(tmp_path):
    issue = only_issue(tmp_path, BASE + "    justification: Chantier école\n")
    assert at(issue) == (20, 20)
    assert issue.field == "lots[1].justification"
    assert issue.message == "une justification est donnée sans volume d'heures imposé."
    assert "« heures »" in issue.expected


def test_explicit_hours_need_no_calculation_inputs(tmp_path):
    text = edit("calcul:\n  cout_horaire: 32\n  taux_insertion: 7 %\n", "", edit(LOT_END, "    heures: 500\n    justification: Chantier école\n"))
    profile = load_profile(write_profile(tmp_path, text))
    assert profile.lots[0].heures == 500


# --------------------------------------------------------------------------------------------------
# All errors at once
# --------------------------------------------------------------------------------------------------


def test_three_distinct_errors_give_three_issues(tmp_path):
    text = edit("nature: travaux", "nature: travau")
    text = edit("taux_insertion: 7 %", "taux_insertion: 7", text)
    text = edit("montant_ht: 850000", "montant_ht: -850000", text)
    issues = issues_of(tmp_path, text)
    assert [(i.line, i.column, i.field) for i in issues] == [
        (8, 11, "marche.nature"),
        (13, 19, "calcul.taux_insertion"),
        (18, 17, "lots[1].montant_ht"),
    ]


def test_many_errors_across_the_file_are_all_reported_in_order(tmp_path):
    text = edit("type: etat", "type: etta")
    text = edit("duree_mois: 24", 'duree_mois: "trente"', text)
    text = edit("cout_horaire: 32", "cout_horair: 32", text)
    text = edit("    base_legale: condition_execution\n", "    base_legale: condition_execusion\n", text)
    text = edit("montant_ht: 850000", "montant_ht: beaucoup", text)
    text += "facilitateur:\n  nom: Jeanne Martin\n  courriel: jeanne.martin\n"
    issues = issues_of(tmp_path, text)
    assert [(i.line, i.column, i.field) for i in issues] == [
        (4, 9, "acheteur.type"),
        (9, 15, "marche.duree_mois"),
        (12, 3, "calcul.cout_horair"),
        (17, 18, "lots[1].base_legale"),
        (18, 17, "lots[1].montant_ht"),
        (22, 13, "facilitateur.courriel"),
    ]


def test_one_bad_value_gives_one_message(tmp_path):
    # a refused value must not also be reported as missing (« le taux d'insertion manque… »)
    for old, new in (("taux_insertion: 7 %", "taux_insertion: 7"), ("cout_horaire: 32", "cout_horaire: 600"), ("montant_ht: 850000", "montant_ht: 0")):
        issues = issues_of(tmp_path, edit(old, new))
        assert len(issues) == 1, [i.format() for i in issues]


def test_errors_in_two_lots_are_all_reported(tmp_path):
    second = "  - numero: 2\n    intitule: Charpente\n    base_legale: art38\n    montant_ht: 0\n    part_main_oeuvre: 140 %\n"
    text = edit("part_main_oeuvre: 40 %", "part_main_oeuvre: 7", BASE) + second
    issues = issues_of(tmp_path, text)
    assert [(i.line, i.field) for i in issues] == [
        (19, "lots[1].part_main_oeuvre"),
        (23, "lots[2].montant_ht"),
        (24, "lots[2].part_main_oeuvre"),
    ]


def test_unknown_key_in_a_lot_does_not_hide_the_lot_other_errors(tmp_path):
    """Regression (fixed): a schema error at the level of a lot (unknown key, missing required key) puts the whole
    ``lots[1]`` path in the « refused » set, so every value error of that lot is silently skipped:
    here the rate « 7 » is not reported until the typo is fixed (2 issues expected, 1 given)."""
    text = edit(LOT_END, LOT_END + "    metier: [maçon]\n    taux_insertion: 7\n")
    issues = issues_of(tmp_path, text)
    assert {i.field for i in issues} == {"lots[1].metier", "lots[1].taux_insertion"}


# --------------------------------------------------------------------------------------------------
# Robustness: the loader raises ProfileError, never another exception
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("addition", "field"),
    [
        ("    metiers: 5\n", "lots[1].metiers"),
        ("    critere:\n      sous_criteres: 5\n", "lots[1].critere.sous_criteres"),
    ],
    ids=["metiers-scalaire", "sous_criteres-scalaire"],
)
def test_scalar_instead_of_list_is_a_profile_error(tmp_path, addition, field):
    """Regression (fixed): the schema refuses these, but build_profile runs ``tuple(raw.get("metiers") or ())`` and
    ``for s in crit.get("sous_criteres", [])`` on the raw value before the issues are raised, so a
    bare ``TypeError: 'int' object is not iterable`` escapes instead of the ProfileError."""
    issue = only_issue(tmp_path, edit(LOT_END, LOT_END + addition))
    assert issue.field == field
    assert issue.message == "« 5 » n'est pas du type attendu."


@pytest.mark.parametrize(
    "text",
    [
        BASE.split("lots:")[0] + "lots: [5]\n",
        BASE.split("lots:")[0] + "lots: abc\n",
        edit("acheteur:\n  nom: Préfecture de la Gironde\n  type: etat\n", "acheteur: 3\n"),
        edit("calcul:\n", "calcul:\n  arrondi:\n    pas: x\n    mode: 5\n"),
        edit("numero: 1", "numero: '1'"),
        edit(LOT_END, LOT_END + "    heures: true\n"),
        edit("montant_ht: 850000", "montant_ht: .nan"),
        edit("montant_ht: 850000", "montant_ht: .inf"),
        edit("  nature: travaux", "  ~: travaux\n  nature: travaux"),
        BASE + "execution:\n  publics: 5\n  apprentissage: [1]\n",
    ],
)
def test_odd_values_give_profile_errors(tmp_path, text):
    assert issues_of(tmp_path, text)


def test_issue_format_and_dict():
    issue = Issue("p.yaml", 8, 11, "marche.nature", "« travau » n'est pas une valeur admise.", "« travaux »", "Vouliez-vous dire « travaux » ?")
    assert issue.format() == "p.yaml:8:11: marche.nature : « travau » n'est pas une valeur admise. Attendu : « travaux ». Vouliez-vous dire « travaux » ?"
    assert issue.as_dict()["ligne"] == 8 and issue.as_dict()["colonne"] == 11
    assert Issue("p.yaml", 1, 1, "", "fichier introuvable.").format() == "p.yaml:1:1: fichier introuvable."
