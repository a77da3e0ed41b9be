"""Lots réservés et marchés d'insertion : pas d'obligation d'heures, nature compatible."""

from __future__ import annotations

from ... import fmt

RESERVED = ("reserve_ea_esat", "reserve_siae", "reserve_ess")


class ReservedWithHours:
    """Lot réservé portant une obligation d'heures.

    Ce que vérifie la règle : un lot réservé (EA/ESAT, SIAE, ESS) ne porte pas d'obligation d'heures.
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

    @staticmethod
    def check(review, report) -> None:
        for r in review.hours.lots:
            lot = r.lot
            if any(b in RESERVED for b in lot.bases) and r.heures is not None:
                report(
                    f"{lot.path}.heures" if lot.heures is not None else f"{lot.path}.base_legale",
                    f"Le lot {lot.numero} est réservé et porte pourtant une obligation d'heures d'insertion : "
                    "retirez la condition d'exécution ou le volume imposé, la réservation suffit.",
                )


class ReservationNature:
    """Réservation ou marché d'insertion incompatible avec la nature du marché.

    Ce que vérifie la règle : la réservation aux entreprises de l'ESS ne vise que des services, et un
    marché d'insertion et de qualification est un marché de services.
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

    @staticmethod
    def check(review, report) -> None:
        nature = review.profile.marche.nature
        for lot in review.profile.lots:
            for base in lot.bases:
                allowed = review.law.basis(base).get("natures")
                if base == "marche_insertion":
                    allowed = ["services"]
                if allowed and nature not in allowed:
                    label = review.law.basis(base)["label"]
                    report(
                        f"{lot.path}.base_legale",
                        f"Le lot {lot.numero} relève d'un {label}, possible seulement pour un marché de services ; "
                        f"ce marché est de {nature}. Choisissez une autre base ou corrigez « marche.nature ».",
                    )


class EssTooLong:
    """Marché réservé aux entreprises de l'ESS d'une durée supérieure à trois ans.

    Ce que vérifie la règle : un marché dont un lot est réservé aux entreprises de l'économie sociale et
    solidaire (L2113-15) dure au plus 36 mois, reconductions comprises.
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

    @staticmethod
    def check(review, report) -> None:
        limit = review.law.basis("reserve_ess")["duree_max_mois"]["value"]
        months = review.profile.marche.duree_mois
        lots = [lot for lot in review.profile.lots if "reserve_ess" in lot.bases]
        if lots and months > limit:
            report(
                "marche.duree_mois",
                f"Le marché dure {months} mois alors qu'un marché réservé aux entreprises de l'économie sociale et solidaire "
                f"(lot{'s' if len(lots) > 1 else ''} {fmt.liste([str(lot.numero) for lot in lots])}) ne peut dépasser {limit} mois, reconductions comprises. "
                "Réduisez la durée ou choisissez une autre base juridique.",
            )


RULES = (ReservedWithHours, ReservationNature, EssTooLong)
