"""Accords-cadres : minimum portant les heures fermes."""

from __future__ import annotations


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


RULES = (FrameworkWithoutMinimum,)
