"""Modalités d'exécution que seul l'acheteur fixe : pénalités, périodicité, minimum d'accord-cadre."""

from __future__ import annotations


def _hour_lots(review):
    return [r for r in review.hours.lots if r.heures is not None or r.accord_cadre is not None]


class NoPenalty:
    """Aucune pénalité par heure d'insertion non réalisée.

    Ce que vérifie la règle : un marché portant des heures fixe `execution.penalite_par_heure`.
    Pourquoi : sans pénalité chiffrée, l'obligation n'a pas de sanction ; clausegen n'invente jamais ce
    montant et laisse une mention « à compléter » dans le CCAP.
    Exemple signalé : un profil sans `execution.penalite_par_heure`.
    À la place : `execution: {penalite_par_heure: 30}` (montant à décider par l'acheteur).
    Référence : choix de l'acheteur ; guide de la DAJ sur les aspects sociaux de la commande publique.
    """

    ID = "penalite-absente"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return "choix de l'acheteur (aucun montant réglementaire) ; " + law.instruction("fiche 2, 2")

    @staticmethod
    def check(review, report) -> None:
        if _hour_lots(review) and review.profile.execution.penalite_par_heure is None:
            report("execution", "Aucune pénalité par heure d'insertion non réalisée n'est fixée : le CCAP porte une mention à compléter. "
                                "Indiquez « execution.penalite_par_heure » (montant en euros HT décidé par l'acheteur).")


class NoReportingPeriod:
    """Aucune périodicité de suivi.

    Ce que vérifie la règle : un marché portant des heures fixe `execution.periodicite_suivi`.
    Pourquoi : l'acheteur doit préciser les modalités de reporting (instruction de 2019, fiche 2) ;
    clausegen ne choisit pas la périodicité à sa place.
    Exemple signalé : un profil sans `execution.periodicite_suivi`.
    À la place : `periodicite_suivi: trimestrielle` (ou mensuelle, semestrielle, annuelle).
    Référence : instruction de 2019, fiche 2, 2.
    """

    ID = "periodicite-absente"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 2, 2")

    @staticmethod
    def check(review, report) -> None:
        if _hour_lots(review) and review.profile.execution.periodicite_suivi is None:
            report("execution", "Aucune périodicité des états de suivi n'est fixée : le CCAP porte une mention à compléter. "
                                "Indiquez « execution.periodicite_suivi » (mensuelle, trimestrielle, semestrielle ou annuelle).")


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


RULES = (NoPenalty, NoReportingPeriod, FrameworkWithoutMinimum)
