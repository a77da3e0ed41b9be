"""Critère d'attribution relatif à l'insertion : pondération, fourchette, combinaison, sous-critères."""

from __future__ import annotations


from ... import fmt
from ...plan.award import formalised
from ...profile.values import parse_rate


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
        lots = [p.lot for p in review.plan.lots if p.award is not None and not p.award.exhaustive and p.award.insertion.weight is None]
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
    """Critère environnemental obligatoire.

    Ce que vérifie la règle : pour une consultation lancée à compter du 21 août 2026, rappelle qu'au moins un
    critère d'attribution doit porter sur les caractéristiques environnementales de l'offre, sauf si le profil
    déclare un critère environnemental (`considerations_environnementales: [critere]`). Un marché d'insertion
    le reçoit dans sa grille, dont le RC fixe la liste complète : seule sa pondération reste à fixer.
    Pourquoi : depuis l'article 35 de la loi « Climat et résilience » et le décret n° 2022-767, un critère
    environnemental est obligatoire, y compris en procédure adaptée et dans les marchés d'insertion ; le
    critère d'insertion ne peut pas être le seul critère autre que le prix.
    Exemple signalé : un lot `[art38, art52]` publié le 15 décembre 2026 sans critère environnemental déclaré.
    À la place : prévoir dans le règlement de la consultation un critère environnemental (ou un coût du cycle
    de vie intégrant l'environnement), et le déclarer dans le profil.
    Référence : articles L. 2152-7 et R. 2152-7 (2°) du code de la commande publique.
    """

    ID = "critere-environnemental"
    SEVERITY = "conseil"

    @staticmethod
    def reference(law) -> str:
        return law.cite(*law.rule("critere_environnemental")["articles"])

    @staticmethod
    def check(review, report) -> None:
        plan = review.plan
        if not plan.environment.get("critere"):
            return
        declared = "critere" in review.profile.marche.donnees.considerations_environnementales
        if declared:
            return
        ordinary = [p for p in plan.lots if not p.insertion]
        if not ordinary:
            return
        where = "Le marché" if len(plan.lots) == 1 else ("Les lots " + fmt.liste([str(p.numero) for p in ordinary]) if len(ordinary) > 1 else f"Le lot {ordinary[0].numero}")
        report(
            "marche.considerations_environnementales" if review.profile.marche.donnees.considerations_environnementales else "marche",
            f"{where} : depuis le 21 août 2026, au moins un critère d'attribution prend en compte les caractéristiques "
            "environnementales de l'offre. Vérifiez que votre règlement de la consultation en prévoit un (le critère d'insertion ne "
            "peut pas être le seul critère autre que le prix), puis déclarez-le : « considerations_environnementales: [critere] ».",
        )


class EnvironmentalCondition:
    """Condition d'exécution environnementale obligatoire.

    Ce que vérifie la règle : pour une consultation lancée à compter du 22 août 2026, rappelle que les
    conditions d'exécution prennent en compte des considérations relatives à l'environnement, sauf si le
    profil déclare une clause environnementale (`considerations_environnementales: [clause]`).
    Pourquoi : l'article L. 2112-2, dans sa rédaction issue de l'article 35 de la loi n° 2021-1104, rend cette
    condition obligatoire pour tout marché ; la clause sociale ne la remplace pas.
    Exemple signalé : un marché publié le 15 décembre 2026 sans clause environnementale déclarée.
    À la place : une condition d'exécution environnementale dans le CCAP, déclarée dans le profil.
    Référence : article L. 2112-2 du code de la commande publique.
    """

    ID = "condition-environnementale"
    SEVERITY = "conseil"

    @staticmethod
    def reference(law) -> str:
        return law.cite(law.rule("condition_environnementale")["article"]["value"])

    @staticmethod
    def check(review, report) -> None:
        if not review.plan.environment.get("condition"):
            return
        donnees = review.profile.marche.donnees
        if "clause" in donnees.considerations_environnementales:
            return
        report(
            "marche.considerations_environnementales" if donnees.considerations_environnementales else "marche",
            "Depuis le 22 août 2026, les conditions d'exécution de tout marché prennent en compte des considérations relatives à "
            "l'environnement : vérifiez que votre CCAP en comporte une (la clause sociale ne la remplace pas), puis déclarez-la : "
            "« considerations_environnementales: [clause] ».",
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
        for p in review.plan.lots:
            lot = p.lot
            if lot.derogation_clause_sociale or review.profile.marche.derogation_clause_sociale:
                continue  # the buyer recorded why the lot bears no execution condition
            if p.regime == "critere":
                report(
                    f"{lot.path}.base_legale",
                    f"Le lot {lot.numero} est noté sur l'insertion sans condition d'exécution : aucun volume minimal d'heures ne sera dû. "
                    "Combinez les deux bases : « base_legale: [art38, art52] ».",
                )


class SubCriteriaTotal:
    """Sous-critères dont les points ne totalisent pas 100.

    Ce que vérifie la règle : les points des sous-critères d'un lot font 100.
    Pourquoi : le règlement de la consultation ramène la note du critère sur 100 (somme des points obtenus,
    divisée par le total des points et multipliée par 100) : un total différent de 100 reste exact, mais le
    poids réel de chaque sous-critère n'est plus celui qu'annoncent ses points, ce qui nuit à la lisibilité de
    la méthode de notation que les candidats doivent connaître.
    Exemple signalé : trois sous-critères de 40, 40 et 30 points.
    À la place : des points qui totalisent 100.
    Référence : principe de transparence des procédures (article L. 3 du code de la commande publique).
    """

    ID = "sous-criteres-total"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.cite("L3")

    @staticmethod
    def check(review, report) -> None:
        for p in review.plan.lots:
            grid = p.award
            for criterion in (grid.criteria if grid else ()):
                if not criterion.subcriteria:
                    continue
                total = sum(points for _, points in criterion.subcriteria)
                if total != 100:
                    report(
                        f"{p.path}.critere.sous_criteres",
                        f"Les sous-critères du lot {p.numero} totalisent {total} points au lieu de 100 : le règlement de la "
                        f"consultation ramène la note sur 100 (somme des points divisée par {total}, multipliée par 100), si bien que le "
                        "poids réel de chaque sous-critère diffère de ses points. Ramenez le total à 100 pour une notation lisible.",
                    )


RULES = (WithoutWeighting, UnusualWeighting, WithoutCondition, SubCriteriaTotal, EnvironmentalCriterion, EnvironmentalCondition)
