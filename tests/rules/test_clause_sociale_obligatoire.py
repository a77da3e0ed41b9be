"""clause-sociale-obligatoire: au-delà des seuils européens, pour une consultation lancée à compter du
22 août 2026 (loi « Climat et résilience », art. 35), chaque lot porte une condition d'exécution sociale,
est réservé ou constitue un marché d'insertion (conseil), ou consigne une dérogation d'un cas prévu par la
loi ; les marchés de défense ou de sécurité ne sont pas concernés."""

from __future__ import annotations

import pytest

from clausegen.errors import ProfileError

from .helpers import BASE, assert_finding, findings, load, only, variant, with_lots

RULE = "clause-sociale-obligatoire"
NNBSP = "\u202f"  # thousands separator
CRITERION = ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n")
PROCEDURE = "  procedure: procedure_adaptee\n"
# lots[1].base_legale of BASE: line 29, value at column 18
LOT1_BASE = (29, 18)


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


def criterion_only(amount, *, nature="services", buyer="etat", date="2026-12-15", extra=()):
    """A single lot scored on an insertion criterion (weighted), without execution condition."""
    return market(amount, nature=nature, buyer=buyer, base="art52", date=date, extra=[CRITERION, *extra])


def epa(date="2026-12-15", *extra):
    """An établissement public administratif de l'État buying 180 000 € HT of services, its only lot scored
    on insertion without condition."""
    return criterion_only(180000, buyer="etablissement_public_etat", date=date, extra=extra)


def assert_error(found, lot=1, position=LOT1_BASE):
    f = only(found, RULE)
    assert_finding(f, rule=RULE, severity="erreur", line=position[0], column=position[1],
                   phrase=f"Le lot {lot} ne porte pas de condition d'exécution sociale")
    assert f.field == f"lots[{lot}].base_legale"
    assert "la condition est obligatoire pour chacun" in f.message
    return f


# -- cas de référence : EPA, 180 000 € de services, critère seul ------------------------------------------


def test_epa_services_180000_critere_seul_erreur():
    f = assert_error(findings(epa(), RULE))
    assert f"180{NNBSP}000\u00a0€ HT, tous lots" in f.message
    assert f"140{NNBSP}000\u00a0€ HT" in f.message and "autorités publiques centrales" in f.message
    assert "15\u00a0décembre 2026" in f.message
    assert "un critère d'attribution seul ne suffit pas" in f.message
    assert "lien_objet_insuffisant" in f.message and "restriction_concurrence" in f.message  # the admitted cases
    assert "L.\u00a02112-2-1" in f.reference and "Climat et résilience" in f.reference and "à confirmer" not in f.reference


def test_epa_publie_le_20_aout_2026_rien():
    assert findings(epa("2026-08-20"), RULE) == []


def test_epa_marche_de_defense_ou_de_securite_rien():
    assert findings(epa("2026-12-15", (PROCEDURE, PROCEDURE + "  defense_securite: true\n")), RULE) == []
    # defense_securite: false keeps the obligation (the added line moves the lot down: base_legale line 30)
    assert_error(findings(epa("2026-12-15", (PROCEDURE, PROCEDURE + "  defense_securite: false\n")), RULE), position=(30, 18))


def test_entree_en_vigueur_le_22_aout_2026():
    f = assert_error(findings(epa("2026-08-22"), RULE))
    assert "22\u00a0août 2026" in f.message
    assert findings(epa("2026-08-21"), RULE) == []


def test_consultation_de_2021_sous_l_ancien_regime_rien():
    text = criterion_only(500000, date="2021-06-01")
    assert load(text).marche.date_publication.isoformat() == "2021-06-01"  # still loads
    assert findings(text, RULE) == []


# -- lot par lot ------------------------------------------------------------------------------------------

TWO_LOTS = """\
- numero: 1
  intitule: Entretien des locaux
  base_legale: condition_execution
  montant_ht: 150000
  part_main_oeuvre: 60 %
- numero: 2
  intitule: Espaces verts
  base_legale: art52
  montant_ht: 150000
  critere:
    ponderation: 10 %
"""
COLLECTIVITE_SERVICES = variant(BASE, ("type: etat", "type: collectivite"), ("nature: travaux", "nature: services"))


def test_deux_lots_de_collectivite_seul_le_lot_sans_condition_est_signale():
    # 2 × 150 000 € = 300 000 € ≥ 216 000 € ; lot 2 starts line 32, « base_legale » line 34, value at column 18
    f = assert_error(findings(with_lots(TWO_LOTS, COLLECTIVITE_SERVICES), RULE), lot=2, position=(34, 18))
    assert f"300{NNBSP}000\u00a0€ HT, tous lots" in f.message
    assert f"216{NNBSP}000\u00a0€ HT" in f.message


def test_la_somme_des_lots_est_comparee_au_seuil():
    # 108 000 + 108 000 = 216 000 € : the threshold is reached, though each lot is far below it
    lots = TWO_LOTS.replace("montant_ht: 150000", "montant_ht: 108000")
    assert_error(findings(with_lots(lots, COLLECTIVITE_SERVICES), RULE), lot=2, position=(34, 18))
    # 107 999 + 108 000 = 215 999 € : under the threshold
    lots = TWO_LOTS.replace("montant_ht: 150000", "montant_ht: 107999", 1).replace("montant_ht: 150000", "montant_ht: 108000")
    assert findings(with_lots(lots, COLLECTIVITE_SERVICES), RULE) == []


def test_chaque_lot_sans_condition_a_son_erreur():
    lots = TWO_LOTS.replace("base_legale: condition_execution", "base_legale: art52\n  critere:\n    ponderation: 10 %")
    found = findings(with_lots(lots, COLLECTIVITE_SERVICES), RULE)
    assert [(f.severity, f.field, f.line) for f in found] == [("erreur", "lots[1].base_legale", 29), ("erreur", "lots[2].base_legale", 36)]


def test_condition_sur_chaque_lot_rien():
    lots = TWO_LOTS.replace("base_legale: art52", "base_legale: [art38, art52]").replace("  critere:", "  part_main_oeuvre: 60 %\n  critere:")
    assert findings(with_lots(lots, COLLECTIVITE_SERVICES), RULE) == []


# -- seuils : travaux, fournitures et services selon l'acheteur ---------------------------------------------


def test_travaux_seuil_5404000_quel_que_soit_l_acheteur():
    for buyer in ("etat", "collectivite", "entite_adjudicatrice"):
        f = assert_error(findings(criterion_only(5404000, nature="travaux", buyer=buyer), RULE))
        assert f"5{NNBSP}404{NNBSP}000\u00a0€ HT" in f.message and "marchés de travaux" in f.message
        assert findings(criterion_only(5403999, nature="travaux", buyer=buyer), RULE) == []


def test_travaux_de_la_base_au_seuil_avec_condition_rien():
    assert findings(market(5404000), RULE) == []


@pytest.mark.parametrize("nature", ["services", "fournitures"])
@pytest.mark.parametrize("buyer", ["etat", "etablissement_public_etat"])
def test_autorites_centrales_seuil_140000(buyer, nature):
    assert_error(findings(criterion_only(140000, nature=nature, buyer=buyer), RULE))
    assert findings(criterion_only(139999, nature=nature, buyer=buyer), RULE) == []


def test_epic_de_l_etat_seuil_216000():
    # an EPIC is not a central authority: 180 000 € is under its threshold
    assert findings(criterion_only(180000, buyer="epic_etat"), RULE) == []
    f = assert_error(findings(criterion_only(216000, buyer="epic_etat"), RULE))
    assert f"216{NNBSP}000\u00a0€ HT" in f.message and "autres pouvoirs adjudicateurs" in f.message


@pytest.mark.parametrize("buyer", ["collectivite", "etablissement_public_local", "bailleur_social", "etablissement_sante", "autre"])
def test_autres_pouvoirs_adjudicateurs_seuil_216000(buyer):
    assert findings(criterion_only(215999, buyer=buyer), RULE) == []
    assert_error(findings(criterion_only(216000, buyer=buyer), RULE))


def test_entite_adjudicatrice_seuil_432000():
    assert findings(criterion_only(431999, buyer="entite_adjudicatrice"), RULE) == []
    f = assert_error(findings(criterion_only(432000, buyer="entite_adjudicatrice"), RULE))
    assert f"432{NNBSP}000\u00a0€ HT" in f.message


# -- valeur estimée : somme des lots, accords-cadres à leur maximum -------------------------------------------


def framework(maximum, minimum=100000, amount="    montant_ht: 100000\n"):
    block = "    accord_cadre:\n" + (f"      minimum_ht: {minimum}\n" if minimum is not None else "") + f"      maximum_ht: {maximum}\n"
    return criterion_only(100000, extra=[("    montant_ht: 100000\n", amount + block)])


def test_accord_cadre_compte_a_son_maximum():
    f = assert_error(findings(framework(140000), RULE))
    assert f"140{NNBSP}000\u00a0€ HT, tous lots" in f.message  # the maximum, not the 100 000 € amount
    assert findings(framework(139999), RULE) == []


def test_accord_cadre_sans_montant_ni_minimum_compte_a_son_maximum():
    assert_error(findings(framework(600000, minimum=None, amount=""), RULE))


# -- valeur ou seuil inconnus : avertissement ------------------------------------------------------------------


def test_seuil_inconnu_apres_2027_avertissement_sur_la_date():
    f = only(findings(criterion_only(180000, date="2028-03-01"), RULE))
    # line 10 « date_publication: 2028-03-01 », value at column 21
    assert_finding(f, rule=RULE, severity="avertissement", line=10, column=21, phrase="ne connaît aucun seuil européen")
    assert "1er\u00a0mars 2028" in f.message and "31\u00a0décembre 2027" in f.message
    assert f.field == "marche.date_publication"


def test_seuil_inconnu_meme_avec_des_conditions_partout():
    # the threshold cannot be checked, whatever the lots
    assert only(findings(market(850000, date="2028-03-01"), RULE)).severity == "avertissement"


def test_seuil_inconnu_marche_de_defense_rien():
    text = criterion_only(180000, date="2028-03-01", extra=[(PROCEDURE, PROCEDURE + "  defense_securite: true\n")])
    assert findings(text, RULE) == []


def test_aucun_montant_avertissement_sur_les_lots():
    text = market(180000, nature="services", extra=[("    montant_ht: 180000\n    part_main_oeuvre: 40 %\n", "    heures: 400\n    justification: convenu\n")])
    f = only(findings(text, RULE))
    # « lots » points at the first item of the lot list (line 27, column 3)
    assert_finding(f, rule=RULE, severity="avertissement", line=27, column=3, phrase="Aucun lot n'a de montant")
    assert f"140{NNBSP}000\u00a0€ HT" in f.message and f.field == "lots"


def test_aucun_montant_avant_le_22_aout_2026_rien():
    text = market(180000, nature="services", date="2026-08-21",
                  extra=[("    montant_ht: 180000\n    part_main_oeuvre: 40 %\n", "    heures: 400\n    justification: convenu\n")])
    assert findings(text, RULE) == []


# -- lots réservés et marchés d'insertion : admis, sous réserve (conseil) -----------------------------------


@pytest.mark.parametrize("base", ["reserve_siae", "art36-2", "reserve_ea_esat"])
def test_lot_reserve_conseil(base):
    f = only(findings(market(180000, nature="services", base=base), RULE))
    assert_finding(f, rule=RULE, severity="conseil", line=29, column=18, phrase="Le lot 1 n'a pas de condition d'exécution sociale mais est réservé")
    assert "ce qu'aucun texte ne dit expressément" in f.message


def test_reservation_ess_seuil_des_services_sociaux_750000():
    # an ESS reservation is for social and other specific services: their threshold (the registry's reading)
    assert findings(market(749999, nature="services", base="reserve_ess"), RULE) == []
    f = only(findings(market(750000, nature="services", base="reserve_ess"), RULE))
    assert (f.severity, f.line, f.column) == ("conseil", 29, 18)
    assert "Le lot 1 n'a pas de condition d'exécution sociale mais est réservé" in f.message


def test_lot_reserve_sous_le_seuil_rien():
    assert findings(market(139999, nature="services", base="reserve_siae"), RULE) == []


def test_lot_reserve_avec_condition_rien():
    assert findings(market(180000, nature="services", base="[reserve_siae, art38]"), RULE) == []


def insertion(amount, buyer="collectivite"):
    return market(amount, nature="services", buyer=buyer, base="marche_insertion")


@pytest.mark.parametrize("buyer", ["collectivite", "etat"])
def test_marche_d_insertion_seuil_des_services_sociaux_750000(buyer):
    # 749 999 € is above the ordinary services thresholds (140 000 / 216 000 €), under 750 000 €
    assert findings(insertion(749999, buyer), RULE) == []
    f = only(findings(insertion(750000, buyer), RULE))
    assert (f.severity, f.line, f.column) == ("conseil", 29, 18)
    assert "constitue un marché d'insertion" in f.message


def test_marche_d_insertion_entite_adjudicatrice_seuil_1000000():
    assert findings(insertion(999999, "entite_adjudicatrice"), RULE) == []
    assert only(findings(insertion(1000000, "entite_adjudicatrice"), RULE)).severity == "conseil"


def test_marche_en_partie_d_insertion_garde_le_seuil_ordinaire():
    lots = """\
    - numero: 1
      intitule: Insertion par l'entretien des espaces verts
      base_legale: marche_insertion
      montant_ht: 150000
    - numero: 2
      intitule: Nettoyage
      base_legale: art52
      montant_ht: 70000
      critere:
        ponderation: 10 %
    """
    # 220 000 € ≥ 216 000 € (services of a collectivité), far under 750 000 €
    found = findings(with_lots(lots, COLLECTIVITE_SERVICES), RULE)
    assert [(f.severity, f.field) for f in found] == [("conseil", "lots[1].base_legale"), ("erreur", "lots[2].base_legale")]
    assert f"216{NNBSP}000\u00a0€ HT" in found[1].message


# -- dérogations : liste fermée de cas --------------------------------------------------------------------------


def lot_derogation(case, motif="offre limitée à un seul fournisseur", amount=180000):
    return (f"    montant_ht: {amount}\n", f"    montant_ht: {amount}\n    derogation_clause_sociale:\n      cas: {case}\n      motif: {motif}\n")


def market_derogation(case, motif="offre limitée à un seul fournisseur"):
    return (PROCEDURE, PROCEDURE + f"  derogation_clause_sociale: {{cas: {case}, motif: {motif}}}\n")


GENERAL_CASES = ["solution_immediatement_disponible", "lien_objet_insuffisant", "restriction_concurrence"]


@pytest.mark.parametrize("case", GENERAL_CASES)
def test_derogation_du_lot_d_un_cas_de_la_loi_rien(case):
    assert findings(criterion_only(180000, extra=[lot_derogation(case)]), RULE) == []


@pytest.mark.parametrize("case", GENERAL_CASES)
def test_derogation_du_marche_d_un_cas_de_la_loi_rien(case):
    assert findings(criterion_only(180000, extra=[market_derogation(case)]), RULE) == []


def test_derogation_travaux_de_moins_de_six_mois_invoquee_pour_des_services():
    f = only(findings(criterion_only(180000, extra=[lot_derogation("travaux_moins_de_six_mois")]), RULE))
    # line 31 « derogation_clause_sociale: », its block starts line 32, column 7
    assert (f.line, f.column, f.field) == (32, 7, "lots[1].derogation_clause_sociale")
    assert "La dérogation invoquée (cas 4°" in f.message and "ne s'applique pas à ce marché" in f.message
    assert "services, 24 mois" in f.message and "solution_immediatement_disponible" in f.message


def test_derogation_du_marche_travaux_de_moins_de_six_mois_pour_des_services():
    f = only(findings(criterion_only(180000, extra=[market_derogation("travaux_moins_de_six_mois")]), RULE))
    # line 12 « derogation_clause_sociale: {cas: …} », the flow mapping at column 30
    assert (f.line, f.column, f.field) == (12, 30, "marche.derogation_clause_sociale")


@pytest.mark.parametrize("months, found", [(5, False), (6, True), (24, True)])
def test_derogation_travaux_de_moins_de_six_mois_selon_la_duree(months, found):
    text = criterion_only(6000000, nature="travaux", extra=[lot_derogation("travaux_moins_de_six_mois", amount=6000000),
                                                           ("duree_mois: 24", f"duree_mois: {months}")])
    result = findings(text, RULE)
    assert bool(result) is found, result
    if found:
        assert f"travaux, {months} mois" in only(result).message


def test_derogation_du_lot_l_emporte_sur_celle_du_marche():
    lots = TWO_LOTS.replace("base_legale: condition_execution", "base_legale: art52").replace(
        "  montant_ht: 150000\n  part_main_oeuvre: 60 %\n",
        "  montant_ht: 150000\n  derogation_clause_sociale: {cas: lien_objet_insuffisant, motif: fourniture de papier}\n",
    )
    text = with_lots(lots, variant(COLLECTIVITE_SERVICES, market_derogation("travaux_moins_de_six_mois")))
    # lot 1 has its own case of the law; lot 2 relies on the market's, which does not apply to services
    f = only(findings(text, RULE))
    assert f.field == "marche.derogation_clause_sociale"
    assert "ne s'applique pas à ce marché" in f.message


def test_derogation_sous_le_seuil_rien():
    assert findings(criterion_only(139999, extra=[lot_derogation("solution_immediatement_disponible", amount=139999)]), RULE) == []


def test_derogation_avec_une_condition_rien():
    text = market(180000, nature="services", extra=[lot_derogation("solution_immediatement_disponible")])
    assert findings(text, RULE) == []


def test_derogation_en_texte_libre_refusee_par_le_chargeur():
    text = variant(epa(), (PROCEDURE, PROCEDURE + "  derogation_clause_sociale: marché de défense et de sécurité\n"))
    with pytest.raises(ProfileError) as caught:
        load(text)
    message = str(caught.value)
    assert "marche.derogation_clause_sociale" in message
    for case in ("lien_objet_insuffisant", "restriction_concurrence", "solution_immediatement_disponible"):
        assert case in message


def test_derogation_d_un_cas_inconnu_refusee_par_le_chargeur():
    with pytest.raises(ProfileError, match="derogation_clause_sociale"):
        load(criterion_only(180000, extra=[lot_derogation("urgence_imperieuse")]))


def test_derogation_sans_motif_refusee_par_le_chargeur():
    with pytest.raises(ProfileError, match="motif"):
        load(criterion_only(180000, extra=[(PROCEDURE, PROCEDURE + "  derogation_clause_sociale: {cas: restriction_concurrence}\n")]))


# -- critère et condition combinés ------------------------------------------------------------------------------


def test_critere_et_condition_combines_rien():
    assert findings(market(6000000, base="[art38, art52]", extra=[CRITERION]), RULE) == []


def test_base_rien():
    assert findings(BASE, RULE) == []
