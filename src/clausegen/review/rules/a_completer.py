"""Mentions laissées à compléter par l'acheteur dans les documents produits.

Ce que vérifie la règle : chaque mention « [À COMPLÉTER PAR L'ACHETEUR : …] » que contiendrait le
dossier produit pour ce profile (pénalités, plafond, délais, périodicité du suivi, pondération,
procédure, justification d'un volume imposé…) est signalée, avec les documents qui l'impriment et la
clé du profil qui la remplit. La liste vient de la même table que les modèles (module `blanks`).
Pourquoi : un document publié ne doit contenir aucune mention à compléter ; clausegen n'invente jamais un
montant ou un délai que seul l'acheteur peut fixer.
Exemple signalé : un profil sans `execution.penalite_par_heure` dont un lot porte des heures.
À la place : `execution: {penalite_par_heure: 30}` (montant décidé par l'acheteur).
Référence : choix de l'acheteur (aucun montant ni délai réglementaire).
"""

from __future__ import annotations

from ... import fmt
from ...plan.blanks import DOCUMENT_LABELS, INTERNAL

ID = "a-completer"
SEVERITY = "avertissement"


def reference(law) -> str:
    return "choix de l'acheteur, sans valeur réglementaire ni valeur par défaut"


def check(review, report) -> None:
    for blank in review.plan.blanks:
        if blank.kind.rule:  # reported by its own rule (critere-sans-ponderation, heures-sans-justification)
            continue
        where = fmt.liste([DOCUMENT_LABELS[d] for d in blank.documents])
        internal_only = all(d in INTERNAL for d in blank.documents)
        report(
            blank.field,
            f"{where[:1].upper()}{where[1:]} contiendr{'a' if len(blank.documents) == 1 else 'ont'} la mention « {blank.text} ». {blank.kind.advice}",
            severity="conseil" if internal_only else None,
        )
