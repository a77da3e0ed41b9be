"""Condition sociale obligatoire au-delà des seuils européens.

Ce que vérifie la règle : un marché dont la valeur estimée (tous lots, accords-cadres à leur maximum)
atteint le seuil européen de son acheteur et de sa nature, et dont la consultation est lancée à compter
de l'entrée en vigueur de l'article 35 de la loi « Climat et résilience », comporte au moins un lot
portant une condition d'exécution sociale.
Pourquoi : au-delà des seuils européens, la condition d'exécution sociale devient obligatoire ; un
critère d'attribution seul n'en est pas une.
Exemple signalé : un marché de travaux de 6 M€ HT lancé le 15 décembre 2026 dont les lots sont tous
réservés ou notés sur un critère d'insertion.
À la place : ajouter `condition_execution` (art38) à au moins un lot, ou consigner le motif de la
dérogation dans `marche.derogation_clause_sociale` (la revue émet alors un avertissement).
Référence : article 35 de la loi n° 2021-1104 ; numéro d'article du code à confirmer (registre).
"""

from __future__ import annotations

from decimal import Decimal

from ... import fmt

ID = "clause-sociale-obligatoire"
SEVERITY = "erreur"


def reference(law) -> str:
    rule = law.rule("clause_sociale_obligatoire")
    return f"{rule['text']} ; {law.cite(rule['article']['value'])}"


def check(review, report) -> None:
    profile, law = review.profile, review.law
    on = profile.reference_date
    if on < law.rule_start("clause_sociale_obligatoire"):
        return
    category = law.threshold_category(profile.acheteur.type, profile.marche.nature)
    if profile.lots and all("marche_insertion" in lot.bases for lot in profile.lots):
        category = "services_sociaux"  # marchés d'insertion: social and specific services threshold
    threshold = law.threshold(category, on).value
    value = profile.valeur_estimee_ht or Decimal(0)
    if value < threshold:
        return
    if any("condition_execution" in lot.bases for lot in profile.lots):
        return
    facts = (
        f"la valeur estimée du marché ({fmt.montant(value)} HT) atteint le seuil européen des {law.threshold_label(category)} "
        f"({fmt.montant(threshold, 0)} HT) et la consultation est lancée le {fmt.date_longue(on)}"
    )
    if profile.marche.derogation_clause_sociale:
        report(
            "marche.derogation_clause_sociale",
            f"Aucun lot ne porte de condition d'exécution sociale alors que {facts} ; la dérogation invoquée "
            f"(« {profile.marche.derogation_clause_sociale} ») doit correspondre à un cas prévu par la loi et être justifiée dans les documents de la consultation.",
            severity="avertissement",
        )
        return
    report(
        "lots",
        f"Aucun lot ne porte de condition d'exécution sociale alors que {facts} : elle est obligatoire (un critère d'attribution seul ne suffit pas). "
        "Ajoutez « condition_execution » à au moins un lot ou consignez le motif de dérogation dans « marche.derogation_clause_sociale ».",
    )
