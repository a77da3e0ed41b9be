"""clause-sociale-obligatoire: condition d'exécution sociale obligatoire au-delà des seuils européens
(loi « Climat et résilience », art. 35, consultations lancées à compter du 21 août 2026)."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant, with_lots

RULE = "clause-sociale-obligatoire"


def market(amount=850000, *, nature="travaux", buyer="etat", base="condition_execution", date="2026-12-15", extra=()):
    """BASE with the market's nature, buyer type, lot amount, lot basis and publication date replaced."""
    return variant(
        BASE,
        ("type: etat", f"type: {buyer}"),
        ("nature: travaux", f"nature: {nature}"),
        ("date_publication: 2026-12-15", f"date_publication: {date}"),
        ("base_legale: condition_execution", f"base_legale: {base}"),
        ("montant_ht: 850000", f"montant_ht: {amount}"),
        *extra,
    )


def assert_error(found, phrase="Aucun lot ne porte de condition d'exécution sociale"):
    f = only(found, RULE)
    # « lots » points at the first item of the lot list (line 22, column 3 of BASE).
    assert_finding(f, rule=RULE, severity="erreur", line=22, column=3, phrase=phrase)
    assert "obligatoire" in f.message
    return f


# -- seuil des travaux : 5 404 000 € HT ----------------------------------------------------------------


def test_travaux_au_seuil_sans_condition_est_une_erreur():
    f = assert_error(findings(market(5404000, base="reserve_siae"), RULE))
    assert "5\u202f404\u202f000" in f.message  # the threshold is quoted
    assert "marchés de travaux" in f.message
    assert "15\u00a0décembre 2026" in f.message
    assert "Climat et résilience" in f.reference


def test_travaux_sous_le_seuil_rien():
    assert findings(market(5403999, base="reserve_siae"), RULE) == []


def test_travaux_au_seuil_avec_condition_rien():
    assert findings(market(5404000), RULE) == []


def test_seuil_des_travaux_ne_depend_pas_de_l_acheteur():
    # 300 000 € dépasserait le seuil « fournitures et services » d'une collectivité, pas celui des travaux
    assert findings(market(300000, buyer="collectivite", base="reserve_siae"), RULE) == []
    assert_error(findings(market(5404000, buyer="collectivite", base="reserve_siae"), RULE))


def test_valeur_estimee_additionne_les_lots():
    lots = """\
    - numero: 1
      intitule: Gros œuvre
      base_legale: reserve_siae
      montant_ht: 2702000
    - numero: 2
      intitule: Second œuvre
      base_legale: art52
      montant_ht: 2702000
      critere:
        ponderation: 10 %
    """
    assert_error(findings(with_lots(lots), RULE))
    assert findings(with_lots(lots.replace("2702000", "2701999", 1)), RULE) == []


def test_une_condition_sur_un_seul_lot_suffit():
    lots = """\
    - numero: 1
      intitule: Gros œuvre
      base_legale: reserve_siae
      montant_ht: 5000000
    - numero: 2
      intitule: Second œuvre
      base_legale: condition_execution
      montant_ht: 850000
      part_main_oeuvre: 40 %
    """
    assert findings(with_lots(lots), RULE) == []


# -- seuils des fournitures et services : État 140 000, collectivité 216 000 -------------------------------


@pytest.mark.parametrize("nature", ["services", "fournitures"])
def test_etat_fournitures_services_seuil_140000(nature):
    f = assert_error(findings(market(140000, nature=nature, base="reserve_siae"), RULE))
    assert "140\u202f000" in f.message
    assert "autorités publiques centrales" in f.message
    assert findings(market(139999, nature=nature, base="reserve_siae"), RULE) == []


@pytest.mark.parametrize("buyer", ["collectivite", "etablissement_public_local", "bailleur_social"])
def test_collectivite_fournitures_services_seuil_216000(buyer):
    assert findings(market(215999, nature="services", buyer=buyer, base="reserve_siae"), RULE) == []
    f = assert_error(findings(market(216000, nature="services", buyer=buyer, base="reserve_siae"), RULE))
    assert "216\u202f000" in f.message


def test_collectivite_entre_les_deux_seuils_rien():
    # 150 000 € : au-dessus du seuil de l'État, en dessous de celui des collectivités
    assert findings(market(150000, nature="services", buyer="collectivite", base="reserve_siae"), RULE) == []
    assert_error(findings(market(150000, nature="services", buyer="etat", base="reserve_siae"), RULE))


def test_entite_adjudicatrice_seuil_432000():
    assert findings(market(431999, nature="services", buyer="entite_adjudicatrice", base="reserve_siae"), RULE) == []
    assert_error(findings(market(432000, nature="services", buyer="entite_adjudicatrice", base="reserve_siae"), RULE))


# -- date de lancement : 21 août 2026 ---------------------------------------------------------------------


def test_consultation_lancee_avant_le_21_aout_2026_rien():
    assert findings(market(6000000, base="reserve_siae", date="2026-08-20"), RULE) == []


def test_consultation_lancee_le_21_aout_2026_erreur():
    f = assert_error(findings(market(6000000, base="reserve_siae", date="2026-08-21"), RULE))
    assert "21\u00a0août 2026" in f.message


def test_consultation_lancee_apres_le_21_aout_2026_erreur():
    assert_error(findings(market(6000000, base="reserve_siae", date="2027-03-01"), RULE))


# -- accords-cadres : comptés à leur maximum --------------------------------------------------------------


def framework(maximum, minimum=100000):
    return market(
        500000,
        base="reserve_siae",
        extra=[("    montant_ht: 500000\n", f"    montant_ht: 500000\n    accord_cadre:\n      minimum_ht: {minimum}\n      maximum_ht: {maximum}\n")],
    )


def test_accord_cadre_compte_a_son_maximum():
    f = assert_error(findings(framework(5404000), RULE))
    assert "5\u202f404\u202f000,00" in f.message  # the estimated value is the maximum, not the 500 000 € amount


def test_accord_cadre_maximum_sous_le_seuil_rien():
    assert findings(framework(5403999), RULE) == []


def test_accord_cadre_sans_montant_compte_a_son_maximum():
    text = market(
        100000,
        base="reserve_siae",
        extra=[("    montant_ht: 100000\n", "    accord_cadre:\n      minimum_ht: 100000\n      maximum_ht: 6000000\n")],
    )
    assert_error(findings(text, RULE))


# -- un critère d'attribution seul ne suffit pas ; dérogation -----------------------------------------------


def test_lots_notes_sur_un_critere_seul_restent_une_erreur():
    text = market(
        6000000,
        base="art52",
        extra=[("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n")],
    )
    f = assert_error(findings(text, RULE))
    assert "un critère d'attribution seul ne suffit pas" in f.message


def test_critere_et_condition_combines_rien():
    text = market(
        6000000,
        base="[art38, art52]",
        extra=[("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n")],
    )
    assert findings(text, RULE) == []


DEROGATION = ("  date_publication: 2026-12-15\n", "  date_publication: 2026-12-15\n  derogation_clause_sociale: marché de défense et de sécurité\n")


def test_derogation_donne_un_avertissement_sur_la_derogation():
    text = variant(market(6000000, base="reserve_siae"), DEROGATION)
    f = only(findings(text, RULE), RULE)
    # line 11 « derogation_clause_sociale: marché… », the value starts at column 30
    assert_finding(f, rule=RULE, severity="avertissement", line=11, column=30, phrase="la dérogation invoquée")
    assert "« marché de défense et de sécurité »" in f.message


def test_derogation_sous_le_seuil_rien():
    assert findings(variant(market(850000, base="reserve_siae"), DEROGATION), RULE) == []


def test_derogation_avec_une_condition_rien():
    assert findings(variant(market(6000000), DEROGATION), RULE) == []


# -- marchés d'insertion : seuil des services sociaux et spécifiques (750 000 €) ---------------------------


def insertion(amount, buyer="collectivite"):
    return market(amount, nature="services", buyer=buyer, base="marche_insertion")


def test_marche_d_insertion_sous_750000_rien_meme_au_dessus_du_seuil_des_services():
    assert findings(insertion(749999), RULE) == []
    assert findings(insertion(749999, buyer="etat"), RULE) == []


def test_marche_d_insertion_a_750000_erreur():
    f = assert_error(findings(insertion(750000), RULE))
    assert "services sociaux et autres services spécifiques" in f.message
    assert "750\u202f000" in f.message


def test_marche_en_partie_d_insertion_garde_le_seuil_ordinaire():
    lots = """\
    - numero: 1
      intitule: Insertion par l'entretien des espaces verts
      base_legale: marche_insertion
      montant_ht: 150000
    - numero: 2
      intitule: Nettoyage
      base_legale: reserve_siae
      montant_ht: 70000
    """
    text = with_lots(lots, variant(BASE, ("type: etat", "type: collectivite"), ("nature: travaux", "nature: services")))
    f = assert_error(findings(text, RULE))
    assert "216\u202f000" in f.message
