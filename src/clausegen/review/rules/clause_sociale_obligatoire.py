"""Condition sociale obligatoire au-delà des seuils européens, lot par lot.

Ce que vérifie la règle : lorsque la valeur estimée du besoin (tous lots, accords-cadres à leur maximum)
atteint le seuil européen de son acheteur et de sa nature, et que la consultation est lancée à compter de
l'entrée en vigueur de l'article 35 de la loi « Climat et résilience » (22 août 2026), chaque lot —
chaque lot est un marché — porte une condition d'exécution sociale, ou est réservé ou constitue un marché
d'insertion (admis sous réserve), ou consigne une dérogation d'un cas prévu par la loi. Les marchés de
défense ou de sécurité ne sont pas concernés.
Pourquoi : au-delà des seuils européens, la condition d'exécution sociale devient obligatoire ; un
critère d'attribution seul n'en est pas une.
Exemple signalé : deux lots de 150 000 € HT de services d'une collectivité publiés en décembre 2026, le
lot 2 noté sur un critère d'insertion sans condition d'exécution.
À la place : ajouter `condition_execution` (art38) au lot, ou consigner la dérogation
`derogation_clause_sociale: {cas: restriction_concurrence, motif: …}` sur le lot ou le marché.
Référence : article 35 de la loi n° 2021-1104 ; numéro d'article du code à confirmer (registre).
"""

from __future__ import annotations

from ... import fmt

ID = "clause-sociale-obligatoire"
SEVERITY = "erreur"

RESERVED_OR_INSERTION = ("reserve_ea_esat", "reserve_siae", "reserve_ess", "marche_insertion")


def _euros(value) -> str:
    """« 140 000 € » for whole amounts, « 180 000,50 € » otherwise."""
    return fmt.montant(value, 0 if value == value.to_integral_value() else 2)


def reference(law) -> str:
    rule = law.rule("clause_sociale_obligatoire")
    return f"{rule['text']} ; {law.cite(rule['article']['value'])}"


def threshold_category(profile, law) -> str:
    """The threshold the market is compared with: social and specific services when every lot is a
    marché d'insertion, else the buyer's threshold for the market's nature."""
    if profile.lots and all("marche_insertion" in lot.bases for lot in profile.lots):
        return law.social_threshold_category(profile.acheteur.type)
    return law.threshold_category(profile.acheteur.type, profile.marche.nature)


def check(review, report) -> None:
    profile, law = review.profile, review.law
    on = profile.reference_date
    if on < law.rule_start("clause_sociale_obligatoire") or profile.marche.defense_securite:
        return
    date_path = "marche.date_publication" if profile.marche.date_publication else "marche"
    category = threshold_category(profile, law)
    fact = law.threshold_or_none(category, on)
    if fact is None:
        known = law.last_threshold_day(category)
        report(
            date_path,
            f"Le registre juridique de clausegen ne connaît aucun seuil européen des {law.threshold_label(category)} au {fmt.date_longue(on)}"
            + (f" (valeurs connues jusqu'au {fmt.date_longue(known)})" if known else "")
            + " : l'obligation de condition sociale n'a pas pu être vérifiée. Vérifiez le seuil en vigueur et mettez clausegen à jour.",
            severity="avertissement",
        )
        return
    value = profile.valeur_estimee_ht
    if value is None:
        report(
            "lots",
            "Aucun lot n'a de montant : la valeur estimée du marché ne peut pas être comparée au seuil européen "
            f"({_euros(fact.value)} HT). Indiquez « montant_ht » ou le maximum des accords-cadres.",
            severity="avertissement",
        )
        return
    if value < fact.value:
        missing = [lot for lot in profile.lots if lot.valeur_estimee_ht is None]
        if missing:
            report(
                f"{missing[0].path}",
                f"La valeur estimée du marché ({_euros(value)} HT) ne compte pas {'les lots' if len(missing) > 1 else 'le lot'} "
                f"{fmt.liste([str(lot.numero) for lot in missing])}, sans montant : elle pourrait atteindre le seuil européen "
                f"({_euros(fact.value)} HT) qui rend la condition sociale obligatoire. Indiquez « montant_ht » pour chaque lot.",
                severity="avertissement",
            )
        return
    facts = (
        f"la valeur estimée du besoin ({_euros(value)} HT, tous lots) atteint le seuil européen des {law.threshold_label(category)} "
        f"({_euros(fact.value)} HT) et la consultation est lancée le {fmt.date_longue(on)}"
    )
    derogations = law.derogations()
    market_derogation = profile.marche.derogation_clause_sociale
    warned_market = False
    for lot in profile.lots:
        if "condition_execution" in lot.bases:
            continue
        derogation = lot.derogation_clause_sociale or market_derogation
        if derogation is not None:
            entry = derogations[derogation.cas]
            on_lot = lot.derogation_clause_sociale is not None
            if entry["confidence"] in ("B", "U") and (on_lot or not warned_market):
                warned_market = warned_market or not on_lot
                path = f"{lot.path}.derogation_clause_sociale" if on_lot else "marche.derogation_clause_sociale"
                report(
                    path,
                    f"La dérogation invoquée {'pour le lot ' + str(lot.numero) if on_lot else 'pour le marché'} (« {entry['label']} ») est un cas dont la mention dans la loi n'est pas vérifiée : "
                    "assurez-vous qu'il s'applique aux marchés avant de vous en prévaloir, ou ajoutez une condition d'exécution sociale.",
                    severity="avertissement",
                )
            continue
        if any(b in RESERVED_OR_INSERTION for b in lot.bases):
            report(
                f"{lot.path}.base_legale",
                f"Le lot {lot.numero} n'a pas de condition d'exécution sociale mais est réservé ou constitue un marché d'insertion : "
                "clausegen le compte comme satisfaisant l'obligation, ce qu'aucun texte ne dit expressément. "
                "Pour une sécurité complète, ajoutez une condition d'exécution sociale ou consignez une dérogation.",
                severity="conseil",
            )
            continue
        report(
            f"{lot.path}.base_legale",
            f"Le lot {lot.numero} ne porte pas de condition d'exécution sociale alors que {facts} : chaque lot étant un marché, "
            "la condition est obligatoire pour chacun (un critère d'attribution seul ne suffit pas). "
            f"Ajoutez « condition_execution » à ce lot ou consignez « derogation_clause_sociale: {{cas: …, motif: …}} » "
            f"(cas admis : {', '.join(derogations)}).",
        )
