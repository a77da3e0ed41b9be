"""Critère d'attribution relatif à l'insertion : pondération, fourchette, combinaison, sous-critères."""

from __future__ import annotations


from ... import fmt
from ...profile.values import parse_rate


def formalised(profile, law) -> tuple[bool, bool]:
    """``(formalised, stated)``: whether the procedure is formalised, and whether the profile says so
    (``marche.procedure``) or it is inferred from the estimated value and the EU threshold."""
    if profile.marche.procedure is not None:
        return profile.marche.procedure != "procedure_adaptee", True
    if profile.lots and all("marche_insertion" in lot.bases for lot in profile.lots):
        return False, False  # R2123-1 3°: a procédure adaptée whatever the value
    from .clause_sociale_obligatoire import threshold_category

    fact = law.threshold_or_none(threshold_category(profile, law), profile.reference_date)
    value = profile.valeur_estimee_ht
    if fact is None or value is None:
        return True, False  # unknown: the stricter reading
    return value >= fact.value, False


class WithoutWeighting:
    """Critère d'insertion sans pondération.

    Ce que vérifie la règle : un lot noté sur un critère d'insertion indique sa pondération. Erreur en
    procédure formalisée (la pondération y est obligatoire), avertissement en procédure adaptée (annoncer
    la pondération ou l'ordre d'importance des critères reste la pratique sûre).
    Pourquoi : en procédure formalisée, les critères sont pondérés et la pondération est publiée.
    Exemple signalé : `base_legale: [art38, art52]` sans `critere: {ponderation: …}`.
    À la place : `critere: {ponderation: 10 %}`.
    Référence : article R. 2152-12 du code de la commande publique (procédures formalisées).
    """

    ID = "critere-sans-ponderation"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return law.cite("R2152-12")

    @staticmethod
    def check(review, report) -> None:
        lots = [lot for lot in review.profile.lots if "critere_attribution" in lot.bases and (lot.critere is None or lot.critere.ponderation is None)]
        if not lots:
            return
        is_formalised, stated = formalised(review.profile, review.law)
        for lot in lots:
            path = f"{lot.path}.base_legale" if lot.critere is None else f"{lot.path}.critere"
            example = "Indiquez-la, par exemple « critere: {ponderation: 10 %} »."
            if is_formalised:
                how = "en procédure formalisée" if stated else "en procédure formalisée (déduite du montant : « marche.procedure » n'est pas indiqué)"
                report(path, f"Le lot {lot.numero} est noté sur un critère d'insertion sans pondération, obligatoire {how}. {example}")
            else:
                report(
                    path,
                    f"Le lot {lot.numero} est noté sur un critère d'insertion sans pondération. En procédure adaptée, annoncez au moins "
                    f"la pondération ou l'ordre d'importance des critères. {example}",
                    severity="avertissement",
                    reference="pratique de la procédure adaptée (transparence des critères) ; " + review.law.cite("L2152-7"),
                )


class EnvironmentalCriterion:
    """Critère environnemental obligatoire à côté du critère d'insertion.

    Ce que vérifie la règle : pour une consultation lancée à compter du 22 août 2026 dont un lot est noté
    sur l'insertion, rappelle qu'au moins un critère d'attribution doit porter sur les caractéristiques
    environnementales de l'offre.
    Pourquoi : depuis l'article 35 de la loi « Climat et résilience », un critère environnemental est
    obligatoire ; le critère d'insertion ne peut pas être le seul critère autre que le prix.
    Exemple signalé : un lot `[art38, art52]` publié le 15 décembre 2026.
    À la place : prévoir dans le règlement de la consultation un critère environnemental (ou un coût du
    cycle de vie intégrant l'environnement).
    Référence : article L. 2152-7 du code de la commande publique, modifié par l'article 35 de la loi n° 2021-1104.
    """

    ID = "critere-environnemental"
    SEVERITY = "conseil"

    @staticmethod
    def reference(law) -> str:
        return law.cite("L2152-7") + " ; " + law.rule("clause_sociale_obligatoire")["text"]

    @staticmethod
    def check(review, report) -> None:
        profile = review.profile
        if profile.marche.defense_securite or profile.reference_date < review.law.rule_start("critere_environnemental"):
            return
        lots = [lot for lot in profile.lots if "critere_attribution" in lot.bases]
        if lots:
            numbers = fmt.liste([str(lot.numero) for lot in lots])
            report(
                f"{lots[0].path}.base_legale",
                f"{'Les lots' if len(lots) > 1 else 'Le lot'} {numbers} {'sont notés' if len(lots) > 1 else 'est noté'} sur l'insertion : depuis le 22 août 2026, "
                "au moins un critère d'attribution doit aussi prendre en compte les caractéristiques environnementales de l'offre. "
                "Vérifiez que le règlement de la consultation en prévoit un ; le critère d'insertion ne peut pas être le seul critère autre que le prix.",
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
            if lot.derogation_clause_sociale or review.profile.marche.derogation_clause_sociale:
                continue  # the buyer recorded why the lot bears no execution condition
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


RULES = (WithoutWeighting, UnusualWeighting, WithoutCondition, SubCriteriaTotal, EnvironmentalCriterion)
