"""Combinaisons de bases juridiques qu'un lot ne peut pas porter telles quelles : fusionnées par le plan dans
leur seule lecture licite (avertissement), ou refusées (erreur : `clausegen render` ne publie rien)."""

from __future__ import annotations

from .reserve import report_plan_issues


class InsertionWithCriterion:
    """Marché d'insertion noté aussi sur un critère d'insertion.

    Ce que vérifie la règle : un lot `marche_insertion` ne porte pas en plus `critere_attribution`.
    Pourquoi : un marché d'insertion est jugé sur le projet d'insertion (article R. 2123-7) ; un critère
    d'insertion en plus donnerait deux grilles de notation contradictoires. Le plan n'en garde qu'une : la
    pondération et les sous-critères du profil deviennent ceux du projet d'insertion.
    Exemple signalé : `base_legale: [art28, art52]` avec `critere: {ponderation: 40 %}`.
    À la place : `base_legale: art28` et `critere: {ponderation: 40 %}` pour le poids du projet d'insertion.
    Référence : article R. 2123-7 du code de la commande publique.
    """

    ID = "marche-insertion-critere"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.cite("R2123-7")

    @classmethod
    def check(cls, review, report) -> None:
        report_plan_issues(cls, review, report)


class InsertionWithCondition:
    """Marché d'insertion portant aussi une condition d'exécution.

    Ce que vérifie la règle : un lot `marche_insertion` ne porte pas en plus `condition_execution`.
    Pourquoi : l'insertion est l'objet même du marché d'insertion ; il n'a pas de condition d'exécution
    distincte. Le plan lit le volume calculé comme le volume minimal de travail des personnes en parcours.
    Exemple signalé : `base_legale: [art28, art38]`.
    À la place : `base_legale: art28`, et `heures` pour fixer le volume de travail.
    Référence : article R. 2123-1 du code de la commande publique.
    """

    ID = "marche-insertion-condition"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.cite("R2123-1")

    @classmethod
    def check(cls, review, report) -> None:
        report_plan_issues(cls, review, report)


class ImpossibleBasis:
    """Base juridique sans lecture licite.

    Ce que vérifie la règle : un lot ne cumule pas la réservation aux entreprises de l'ESS avec une autre
    réservation, et seul un pouvoir adjudicateur réserve un marché aux entreprises de l'ESS.
    Pourquoi : le code ne prévoit que le cumul des réservations des articles L. 2113-12 et L. 2113-13
    (article L. 2113-14), et réserve l'article L. 2113-15 aux pouvoirs adjudicateurs. Aucune pièce n'est
    publiée : `clausegen render` refuse le profil.
    Exemple signalé : `base_legale: [art37, art36-2]`, ou `art37` pour une entité adjudicatrice.
    À la place : une seule réservation, adaptée à l'acheteur.
    Référence : articles L. 2113-14 et L. 2113-15 du code de la commande publique.
    """

    ID = "base-impossible"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return law.cite("L2113-14", "L2113-15")

    @classmethod
    def check(cls, review, report) -> None:
        report_plan_issues(cls, review, report)


RULES = (InsertionWithCriterion, InsertionWithCondition, ImpossibleBasis)
