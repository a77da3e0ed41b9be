"""Accords-cadres : minimum portant les heures fermes, durée maximale."""

from __future__ import annotations

from ... import fmt


class FrameworkWithoutMinimum:
    """Accord-cadre à heures sans montant minimum.

    Ce que vérifie la règle : un accord-cadre portant une condition d'exécution indique `minimum_ht`.
    Pourquoi : les heures fermes sont calculées sur le minimum ; sans lui, aucune heure n'est due tant que
    les commandes ne dépassent pas zéro, et le suivi repose sur le seul ratio.
    Exemple signalé : `accord_cadre: {maximum_ht: 400000}`.
    À la place : `accord_cadre: {minimum_ht: 100000, maximum_ht: 400000}`.
    Référence : choix documenté de clausegen (registre, convention accords-cadres).
    """

    ID = "accord-cadre-sans-minimum"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return "convention de calcul de clausegen pour les accords-cadres (heures fermes sur le minimum)"

    @staticmethod
    def check(review, report) -> None:
        for r in review.hours.lots:
            if r.accord_cadre is not None and r.accord_cadre.minimum_ht is None and r.lot.heures is None:
                report(f"{r.lot.path}.accord_cadre", f"L'accord-cadre du lot {r.lot.numero} n'a pas de minimum : aucune heure ferme n'est due, "
                                                     "seul le ratio par tranche commandée s'applique. Fixez « minimum_ht » si possible.")


class FrameworkTooLong:
    """Accord-cadre d'une durée supérieure au maximum légal.

    Ce que vérifie la règle : la durée totale d'un marché dont un lot est un accord-cadre, reconductions
    comprises, ne dépasse pas quatre ans (48 mois) pour un pouvoir adjudicateur, huit ans (96 mois) pour une
    entité adjudicatrice.
    Pourquoi : l'article L. 2125-1 (1°) fixe ces durées, sauf dans des cas exceptionnels dûment justifiés,
    notamment par l'objet de l'accord-cadre ; les heures d'insertion réparties sur une durée illégale
    tomberaient avec elle.
    Exemple signalé : un accord-cadre d'un an reconductible quatre fois (60 mois) passé par une commune.
    À la place : réduire le nombre de reconductions, ou justifier le cas exceptionnel dans les documents de
    la consultation.
    Référence : article L. 2125-1 du code de la commande publique.
    """

    ID = "accord-cadre-trop-long"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.cite(law.rule("accord_cadre_duree")["article"]["value"])

    @staticmethod
    def check(review, report) -> None:
        profile, law = review.profile, review.law
        framework = [lot for lot in profile.lots if lot.accord_cadre is not None]
        if not framework:
            return
        authority = law.is_contracting_authority(profile.acheteur.type)
        limit = law.rule("accord_cadre_duree")["max_mois"]["pouvoir_adjudicateur" if authority else "entite_adjudicatrice"]
        months = profile.marche.duree_mois
        if months <= limit:
            return
        who = "un pouvoir adjudicateur" if authority else "une entité adjudicatrice"
        lots = fmt.liste([str(lot.numero) for lot in framework])
        subject = "L'accord-cadre" if len(profile.lots) == 1 else (f"Les accords-cadres des lots {lots}" if len(framework) > 1 else f"L'accord-cadre du lot {lots}")
        report(
            "marche.reconduction" if profile.marche.reconduction is not None else "marche.duree_mois",
            f"{subject} dure {months} mois, reconductions comprises, au-delà des {limit} mois que permet la loi pour {who} : "
            "réduisez la durée ou le nombre de reconductions, ou justifiez dans les documents de la consultation le cas "
            "exceptionnel, notamment tiré de l'objet de l'accord-cadre, qui permet de la dépasser.",
        )


RULES = (FrameworkWithoutMinimum, FrameworkTooLong)
