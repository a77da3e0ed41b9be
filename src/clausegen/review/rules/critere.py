"""Critère d'attribution relatif à l'insertion : pondération, fourchette, combinaison, sous-critères."""

from __future__ import annotations


from ... import fmt
from ...profile.values import parse_rate


class WithoutWeighting:
    """Critère d'insertion sans pondération.

    Ce que vérifie la règle : un lot noté sur un critère d'insertion indique sa pondération.
    Pourquoi : en procédure formalisée, les critères sont pondérés et la pondération est publiée.
    Exemple signalé : `base_legale: [art38, art52]` sans `critere: {ponderation: …}`.
    À la place : `critere: {ponderation: 10 %}`.
    Référence : article R. 2152-12 du code de la commande publique.
    """

    ID = "critere-sans-ponderation"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return law.cite("R2152-12")

    @staticmethod
    def check(review, report) -> None:
        for lot in review.profile.lots:
            if "critere_attribution" in lot.bases and (lot.critere is None or lot.critere.ponderation is None):
                report(
                    f"{lot.path}.base_legale" if lot.critere is None else f"{lot.path}.critere",
                    f"Le lot {lot.numero} est noté sur un critère d'insertion sans pondération. "
                    "Indiquez-la, par exemple « critere: {ponderation: 10 %} ».",
                )


class UnusualWeighting:
    """Pondération du critère d'insertion hors de la fourchette usuelle.

    Ce que vérifie la règle : la pondération reste entre 5 et 15 % (usage des facilitateurs, registre).
    Pourquoi : trop faible, elle n'incite pas ; trop forte, elle peut être jugée disproportionnée.
    Exemple signalé : `ponderation: 40 %`.
    À la place : une pondération entre 5 et 15 %, justifiée par l'objet du marché.
    Référence : pratique des facilitateurs, non réglementaire.
    """

    ID = "ponderation-inhabituelle"
    SEVERITY = "conseil"

    @staticmethod
    def reference(law) -> str:
        return "usage des facilitateurs, pondération usuelle de 5 à 15 % (pratique, non réglementaire)"

    @staticmethod
    def check(review, report) -> None:
        low, high = (parse_rate(v) for v in review.law.practice("ponderation_fourchette").value)
        for lot in review.profile.lots:
            weight = lot.critere.ponderation if lot.critere else None
            if weight is not None and not (low <= weight <= high):
                report(
                    f"{lot.path}.critere.ponderation",
                    f"La pondération du critère d'insertion du lot {lot.numero} ({fmt.taux(weight)}) sort de la fourchette usuelle "
                    f"({fmt.taux(low)} à {fmt.taux(high)}) : vérifiez qu'elle reste proportionnée à l'objet du marché.",
                )


class WithoutCondition:
    """Critère d'insertion sans condition d'exécution.

    Ce que vérifie la règle : un lot noté sur l'insertion porte aussi la condition d'exécution.
    Pourquoi : l'instruction de 2019 (fiche 2, 3.c) combine le critère avec la condition d'exécution ;
    sans elle, aucun volume minimal d'heures n'est dû par le titulaire.
    Exemple signalé : `base_legale: art52`.
    À la place : `base_legale: [art38, art52]`.
    Référence : instruction de 2019, fiche 2, 3.c ; article L. 2112-2 du code de la commande publique.
    """

    ID = "critere-sans-condition"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 2, 3.c") + " ; " + law.cite("L2112-2")

    @staticmethod
    def check(review, report) -> None:
        for lot in review.profile.lots:
            if "critere_attribution" in lot.bases and "condition_execution" not in lot.bases:
                report(
                    f"{lot.path}.base_legale",
                    f"Le lot {lot.numero} est noté sur l'insertion sans condition d'exécution : aucun volume minimal d'heures ne sera dû. "
                    "Combinez les deux bases : « base_legale: [art38, art52] ».",
                )


class SubCriteriaTotal:
    """Sous-critères dont les points ne totalisent pas 100.

    Ce que vérifie la règle : les points des sous-critères d'un lot font 100.
    Pourquoi : la méthode de notation publiée doit être cohérente et vérifiable.
    Exemple signalé : trois sous-critères de 40, 40 et 30 points.
    À la place : des points qui totalisent 100.
    Référence : article R. 2152-12 du code de la commande publique.
    """

    ID = "sous-criteres-total"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.cite("R2152-12")

    @staticmethod
    def check(review, report) -> None:
        for lot in review.profile.lots:
            if lot.critere and lot.critere.sous_criteres:
                total = sum(s.points for s in lot.critere.sous_criteres)
                if total != 100:
                    report(
                        f"{lot.path}.critere.sous_criteres",
                        f"Les sous-critères du lot {lot.numero} totalisent {total} points au lieu de 100 : la notation publiée serait incohérente.",
                    )


RULES = (WithoutWeighting, UnusualWeighting, WithoutCondition, SubCriteriaTotal)
