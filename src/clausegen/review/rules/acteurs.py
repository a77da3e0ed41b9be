"""Acteurs et publics : facilitateur, priorité QPV, publics de la fiche 1, apprentissage."""

from __future__ import annotations


class NoFacilitator:
    """Aucun facilitateur de la clause sociale désigné.

    Ce que vérifie la règle : un marché portant des heures d'insertion nomme un facilitateur.
    Pourquoi : le DCE doit donner le contact de la personne qui accompagne le titulaire et vérifie
    l'éligibilité des publics ; sans lui, l'acheteur assume seul ce rôle.
    Exemple signalé : un profil sans bloc `facilitateur`.
    À la place : `facilitateur: {nom: …, structure: …, courriel: …}`.
    Référence : CCAG 2021 (FCS, TIC), article 16.1 ; instruction de 2019, fiche 3.
    """

    ID = "facilitateur-absent"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return "CCAG 2021 (FCS, TIC), article 16.1 ; " + law.instruction("fiche 3")

    @staticmethod
    def check(review, report) -> None:
        if review.profile.facilitateur is None and any(r.heures or r.accord_cadre for r in review.hours.lots):
            report("", "Aucun facilitateur de la clause sociale n'est désigné : ajoutez un bloc « facilitateur » (nom, structure, courriel), "
                       "sans quoi les documents confient son rôle au service acheteur.")


class QpvPriorityMissing:
    """Marché en quartier prioritaire sans priorité aux résidents.

    Ce que vérifie la règle : quand `marche.qpv` est vrai, `execution.priorite_qpv` n'est pas désactivée.
    Pourquoi : l'instruction de 2019 demande de privilégier le recrutement des personnes résidant dans le
    quartier prioritaire ou à proximité.
    Exemple signalé : `qpv: true` et `priorite_qpv: false`.
    À la place : retirer `priorite_qpv: false`.
    Référence : instruction de 2019, fiche 1, 1.
    """

    ID = "priorite-qpv-absente"
    SEVERITY = "avertissement"

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 1, 1")

    @staticmethod
    def check(review, report) -> None:
        profile = review.profile
        if profile.marche.qpv and profile.execution.priorite_qpv is False:
            report("execution.priorite_qpv", "Le marché s'exécute en quartier prioritaire mais la priorité aux résidents de ces quartiers est désactivée : "
                                             "rétablissez-la (priorité de recrutement, jamais condition exclusive).")


class PublicsOutsideInstruction:
    """Publics éligibles hors de la liste du registre.

    Ce que vérifie la règle : chaque public de `execution.publics` est une catégorie de la fiche 1 de
    l'instruction de 2019 (ou un salarié de structure d'insertion ou du handicap), telle que le registre
    la code.
    Pourquoi : la clause sociale est réservée aux personnes éloignées de l'emploi ; une catégorie fondée
    sur le lieu de résidence (« habitants de la commune ») est une discrimination, seule la priorité aux
    résidents des quartiers prioritaires étant licite.
    Exemple signalé : `publics: [habitants_commune]`.
    À la place : des codes du registre (deld, minima_sociaux, travailleurs_handicapes, jeunes, seniors…) et,
    le cas échéant, `priorite_qpv: true`.
    Référence : instruction de 2019, fiche 1 ; articles L. 1132-1 et L. 1133-5 du code du travail.
    """

    ID = "publics-hors-instruction"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 1") + " ; " + law.cite("L1132-1", "L1133-5")

    @staticmethod
    def check(review, report) -> None:
        known = review.law.publics()
        for index, code in enumerate(review.profile.execution.publics or ()):
            if code not in known:
                report(
                    f"execution.publics[{index + 1}]",
                    f"« {code} » n'est pas un public éligible du registre (instruction de 2019, fiche 1) : utilisez les codes {', '.join(known)}. "
                    "Une catégorie fondée sur le lieu de résidence serait discriminatoire ; seule la priorité aux résidents des quartiers "
                    "prioritaires de la politique de la ville est admise (« execution.priorite_qpv »).",
                )


class ApprenticeshipWithoutEligibility:
    """Apprentis comptés sans condition d'éligibilité.

    Ce que vérifie la règle : `execution.apprentissage` ne vaut pas `sans_condition`. Erreur pour un
    acheteur de l'État ou de ses établissements publics, que l'instruction de 2019 lie ; avertissement
    pour les autres acheteurs.
    Pourquoi : les heures d'un contrat d'apprentissage ou de professionnalisation ne comptent que si la
    personne appartient à un public éligible et n'a pas été recrutée avant l'attribution.
    Exemple signalé : `apprentissage: sans_condition`.
    À la place : `apprentissage: eligibles_uniquement` (valeur par défaut).
    Référence : instruction de 2019, fiche 1, dernier alinéa du 1.
    """

    ID = "apprentissage-sans-eligibilite"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return law.instruction("fiche 1, 1")

    @staticmethod
    def check(review, report) -> None:
        bears = any(r.heures or r.accord_cadre for r in review.hours.lots)
        if bears and review.profile.execution.apprentissage == "sans_condition":
            state = review.law.is_state_buyer(review.profile.acheteur.type)
            report(
                "execution.apprentissage",
                "Les contrats d'apprentissage et de professionnalisation ne peuvent compter que pour des personnes éligibles, "
                "recrutées après l'attribution : remplacez « sans_condition » par « eligibles_uniquement »"
                + (" (l'instruction de 2019 s'impose aux acheteurs de l'État et de ses établissements publics)." if state else " (recommandation de l'instruction de 2019)."),
                severity=None if state else "avertissement",
            )


RULES = (NoFacilitator, QpvPriorityMissing, PublicsOutsideInstruction, ApprenticeshipWithoutEligibility)
