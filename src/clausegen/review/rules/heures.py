"""Volume d'heures : un parcours au moins quand c'est possible, pas plus que la main-d'œuvre, taux usuel."""

from __future__ import annotations

from ... import fmt
from ...calc import formula
from ...profile.values import parse_rate


def _labour_hours(r, profile):
    """Hours of labour on the amount the obligation rests on (the minimum of an accord-cadre), or None."""
    lot = r.lot
    amount = lot.accord_cadre.minimum_ht if lot.accord_cadre else lot.montant_ht
    share = lot.part_main_oeuvre if lot.part_main_oeuvre is not None else profile.calcul.part_main_oeuvre
    cost = lot.cout_horaire if lot.cout_horaire is not None else profile.calcul.cout_horaire
    if amount is None or share is None or cost is None:
        return None
    return formula(amount, share, cost, 1)


class BelowOneParcours:
    """Volume inférieur à un parcours alors que le marché pourrait en porter un.

    Ce que vérifie la règle : un lot à heures porte au moins la durée de référence d'un parcours
    (300 heures, environ 8 semaines) lorsque ses heures de main-d'œuvre le permettent au taux haut de la
    fourchette usuelle.
    Pourquoi : l'instruction de 2019 privilégie des contrats d'au moins 8 semaines, plus propices à un
    accès durable à l'emploi.
    Exemple signalé : 180 heures sur un lot qui compte 4 000 heures de main-d'œuvre.
    À la place : relever le taux d'insertion, regrouper des lots ou prévoir la mutualisation.
    Référence : instruction de 2019, fiche 2, 3.a.
    """

    ID = "heures-sous-un-parcours"
    SEVERITY = "conseil"

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 2, 3.a")

    @staticmethod
    def check(review, report) -> None:
        parcours = review.hours.parcours_heures
        high = parse_rate(review.law.practice("taux_insertion_fourchette").value[1])
        for r in review.hours.lots:
            if not r.heures or r.heures >= parcours or r.heures < UnderOneWeek.WEEK:
                continue  # under one week of work: « heures-sous-une-semaine » says it
            labour = _labour_hours(r, review.profile)
            if labour is not None and labour * high >= parcours:
                report(
                    f"{r.lot.path}",
                    f"Le lot {r.lot.numero} porte {fmt.heures(r.heures)}, moins qu'un parcours de {fmt.heures(parcours)}, "
                    f"alors que ses {fmt.heures(int(labour))} de main-d'œuvre en permettraient un : envisagez un taux plus élevé ou la mutualisation.",
                )


class AboveLabour:
    """Heures d'insertion supérieures aux heures de main-d'œuvre du lot.

    Ce que vérifie la règle : le volume d'heures d'un lot ne dépasse pas ses heures de main-d'œuvre
    (montant × part de main-d'œuvre ÷ coût horaire).
    Pourquoi : plus d'heures d'insertion que d'heures de travail, c'est une obligation inexécutable.
    Exemple signalé : `heures: 5000` sur un lot de 200 000 € HT à 40 % de main-d'œuvre et 32 € de l'heure
    (2 500 heures de main-d'œuvre).
    À la place : un volume calculé par la formule, ou justifié et cohérent avec la main-d'œuvre.
    Référence : formule de calcul des heures, pratique des facilitateurs (aucun texte ne la fixe).
    """

    ID = "heures-superieures-main-oeuvre"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return "formule de calcul des heures d'insertion, pratique des facilitateurs (aucun texte ne la fixe)"

    @staticmethod
    def check(review, report) -> None:
        for r in review.hours.lots:
            labour = _labour_hours(r, review.profile)
            if r.heures and labour is not None and r.heures > labour:
                report(
                    f"{r.lot.path}.heures" if r.lot.heures is not None else f"{r.lot.path}",
                    f"Le lot {r.lot.numero} impose {fmt.heures(r.heures)} alors qu'il ne compte que {fmt.heures(int(labour))} de main-d'œuvre "
                    "(montant × part de main-d'œuvre ÷ coût horaire) : l'obligation serait inexécutable, revoyez le volume ou les données.",
                )


class UnusualRate:
    """Taux d'insertion hors de la pratique des facilitateurs.

    Ce que vérifie la règle : le taux d'insertion d'un lot reste dans la fourchette usuelle (5 à 20 %).
    Pourquoi : un taux très bas rend la clause symbolique, un taux très haut la rend inexécutable.
    Exemple signalé : `taux_insertion: 2 %` ou `35 %`.
    À la place : un taux entre 5 et 20 %, calibré avec le facilitateur.
    Référence : pratique des facilitateurs (registre, fourchette de 5 à 20 %).
    """

    ID = "taux-hors-pratique"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return "pratique des facilitateurs, taux d'insertion de 5 à 20 % (non réglementaire)"

    @staticmethod
    def check(review, report) -> None:
        low, high = (parse_rate(v) for v in review.law.practice("taux_insertion_fourchette").value)
        for r in review.hours.lots:
            if r.methode != "formule":
                continue
            for i in r.inputs:
                if i.name == "taux_insertion" and not (low <= i.value <= high):
                    path = f"{r.lot.path}.taux_insertion" if r.lot.taux_insertion is not None else "calcul.taux_insertion"
                    report(
                        path,
                        f"Le taux d'insertion du lot {r.lot.numero} ({fmt.taux(i.value)}) sort de la fourchette usuelle "
                        f"({fmt.taux(low)} à {fmt.taux(high)}) : calibrez-le avec le facilitateur.",
                    )


class ImposedWithoutJustification:
    """Volume d'heures imposé sans justification.

    Ce que vérifie la règle : un lot dont le profil impose `heures` donne aussi `justification`.
    Pourquoi : la fiche de caractérisation doit expliquer un volume qui ne sort pas de la formule.
    Exemple signalé : `heures: 1200` seul.
    À la place : `heures: 1200` et `justification: « volume convenu avec le facilitateur… »`.
    Référence : instruction de 2019, fiche 3, 3.c (fiche de caractérisation du marché).
    """

    ID = "heures-sans-justification"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 3, 3.c (fiche de caractérisation du marché)")

    @staticmethod
    def check(review, report) -> None:
        for lot in review.profile.lots:
            if lot.heures is not None and not lot.justification:
                report(f"{lot.path}.heures", f"Le lot {lot.numero} impose {fmt.heures(lot.heures)} sans « justification » : expliquez ce volume.")


class UnderOneWeek:
    """Volume inférieur à une semaine de travail.

    Ce que vérifie la règle : un lot qui porte des heures d'insertion en porte au moins 35, une semaine de
    travail à temps plein.
    Pourquoi : en deçà, la clause ne permet aucun parcours (l'instruction de 2019 vise des contrats d'au moins
    8 semaines) et coûte au titulaire et au facilitateur un suivi sans effet pour les personnes.
    Exemple signalé : 28 heures sur un lot de 40 000 € HT.
    À la place : retirer la clause de ce lot (en consignant, au-delà du seuil européen, la dérogation qui le
    permet), regrouper ses heures avec celles d'un autre lot ou prévoir la mutualisation entre marchés.
    Référence : instruction de 2019, fiche 2, 3.a.
    """

    ID = "heures-sous-une-semaine"
    SEVERITY = "conseil"
    WEEK = 35

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 2, 3.a")

    @classmethod
    def check(cls, review, report) -> None:
        for r in review.hours.lots:
            if r.heures and r.heures < cls.WEEK:
                report(
                    f"{r.lot.path}.heures" if r.lot.heures is not None else f"{r.lot.path}",
                    f"Le lot {r.lot.numero} ne porte que {fmt.heures(r.heures)}, moins d'une semaine de travail ({fmt.heures(cls.WEEK)}) : "
                    "aucun parcours n'est possible. Retirez la clause de ce lot, regroupez ses heures avec celles d'un autre lot "
                    "ou prévoyez la mutualisation entre marchés (« execution: {mutualisation: true} »).",
                )


RULES = (BelowOneParcours, UnderOneWeek, AboveLabour, UnusualRate, ImposedWithoutJustification)
