"""Lots réservés et marchés d'insertion : combinaisons, nature et durée, telles que le plan les décide.

Ces règles ne décident rien : le plan de la clause (``clausegen.plan.regime``) a déjà lu chaque lot, fusionné
une combinaison dans sa seule lecture licite ou l'a refusée ; chaque règle rapporte le constat du plan qui
porte son identifiant, à la ligne du profil qu'il désigne.
"""

from __future__ import annotations


def report_plan_issues(rule, review, report) -> None:
    """Report the plan's issues that carry ``rule.ID``, at their path, with their severity and reference."""
    for issue in review.plan.issues:
        if issue.rule == rule.ID:
            report(issue.path, issue.message, severity=issue.severity, reference=issue.reference)


class ReservedWithHours:
    """Lot réservé portant une obligation d'heures.

    Ce que vérifie la règle : un lot réservé (EA/ESAT, SIAE, ESS) ne porte pas d'obligation d'heures ; s'il
    en porte, les pièces le publient comme une réservation assortie d'une condition d'exécution (sa seule
    lecture licite), et la règle le signale.
    Pourquoi : la réservation réalise déjà l'objectif d'insertion ; imposer des heures en plus fait double
    emploi et peut décourager les structures visées.
    Exemple signalé : `base_legale: [art36-2, art38]` ou un lot réservé avec `heures: 500`.
    À la place : la réservation seule (`base_legale: art36-2`).
    Référence : articles L. 2113-12 et L. 2113-13 du code de la commande publique.
    """

    ID = "lot-reserve-avec-heures"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.cite("L2113-12", "L2113-13")

    @classmethod
    def check(cls, review, report) -> None:
        report_plan_issues(cls, review, report)


class ReservationNature:
    """Réservation ou marché d'insertion incompatible avec la nature du marché.

    Ce que vérifie la règle : la réservation aux entreprises de l'ESS ne vise que des services, et un
    marché d'insertion et de qualification est un marché de services. Sans lecture licite, aucune pièce
    n'est publiée : `clausegen render` refuse le profil.
    Pourquoi : l'article L. 2113-15 ne vise que certains services sociaux, de santé ou culturels ; le 3° de
    l'article R. 2123-1 vise les services sociaux et spécifiques.
    Exemple signalé : `nature: travaux` avec un lot `reserve_ess` ou `art28`.
    À la place : une réservation SIAE ou EA/ESAT, ou une condition d'exécution.
    Référence : articles L. 2113-15 et R. 2123-1 du code de la commande publique.
    """

    ID = "reservation-inadaptee"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return law.cite("L2113-15") + " ; " + law.cite("R2123-1")

    @classmethod
    def check(cls, review, report) -> None:
        report_plan_issues(cls, review, report)


class EssTooLong:
    """Marché réservé aux entreprises de l'ESS d'une durée supérieure à trois ans.

    Ce que vérifie la règle : un marché dont un lot est réservé aux entreprises de l'économie sociale et
    solidaire (L2113-15) dure au plus 36 mois, reconductions comprises ; sinon aucune pièce n'est publiée.
    Pourquoi : la durée de ces marchés réservés est limitée à trois ans.
    Exemple signalé : `base_legale: art37` et `duree_mois: 48`.
    À la place : une durée de 36 mois au plus, ou une autre base juridique.
    Référence : articles L. 2113-15 et L. 2113-16 du code de la commande publique.
    """

    ID = "reservation-ess-trop-longue"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return law.cite("L2113-15", "L2113-16")

    @classmethod
    def check(cls, review, report) -> None:
        report_plan_issues(cls, review, report)


class EssServices:
    """Réservation aux entreprises de l'ESS pour des services hors de la liste annexée au code.

    Ce que vérifie la règle : un lot réservé aux entreprises de l'économie sociale et solidaire (L2113-15)
    porte sur des services de santé, sociaux ou culturels de la liste annexée au code, reconnus à leur code
    CPV (ceux de l'article 77 de la directive 2014/24/UE, que reprend la règle BR-BT-00262-0200 du SDK
    eForms) ; un profil sans code CPV, ou avec un autre code, est signalé.
    Pourquoi : hors de cette liste la réservation est irrégulière, et l'avis européen qui la déclare est
    refusé par les contrôles du SDK eForms.
    Exemple signalé : `base_legale: reserve_ess` avec `cpv: 90910000-9` (nettoyage).
    À la place : le code CPV principal des services (par exemple `85312110-3`), ou une réservation aux SIAE.
    Référence : article L. 2113-15 du code de la commande publique.
    """

    ID = "reservation-ess-services"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.cite("L2113-15")

    @classmethod
    def check(cls, review, report) -> None:
        report_plan_issues(cls, review, report)


RULES = (ReservedWithHours, ReservationNature, EssTooLong, EssServices)
