"""Condition sociale obligatoire au-delà des seuils européens, lot par lot.

Ce que vérifie la règle : lorsque la valeur estimée du besoin (tous lots, accords-cadres à leur maximum)
atteint le seuil européen de son acheteur et de sa nature, et que la consultation est lancée à compter du
22 août 2026, chaque lot — chaque lot est un marché — porte une condition d'exécution sociale, ou est
réservé ou constitue un marché d'insertion (admis sous réserve), ou consigne une dérogation de l'un des
quatre cas de la loi. Les marchés de défense ou de sécurité restent sous le régime facultatif.
Pourquoi : au-delà des seuils européens, la condition d'exécution sociale est obligatoire ; un critère
d'attribution seul n'en est pas une.
Exemple signalé : deux lots de 150 000 € HT de services d'une collectivité publiés en décembre 2026, le
lot 2 noté sur un critère d'insertion sans condition d'exécution.
À la place : ajouter `condition_execution` (art38) au lot, ou consigner la dérogation
`derogation_clause_sociale: {cas: restriction_concurrence, motif: …}` sur le lot ou le marché.
Référence : article L. 2112-2-1 du code de la commande publique (créé par l'article 35 de la loi n° 2021-1104).
"""

from __future__ import annotations

from ... import fmt

ID = "clause-sociale-obligatoire"
SEVERITY = "erreur"


def _euros(value) -> str:
    """« 140 000 € » for whole amounts, « 180 000,50 € » otherwise."""
    return fmt.montant(value, 0 if value == value.to_integral_value() else 2)


def reference(law) -> str:
    rule = law.rule("clause_sociale_obligatoire")
    return f"{law.cite(rule['article']['value'])} ({rule['text']})"


def _suggested_cases(profile, law) -> list[str]:
    """The derogation cases that may apply to this market: the fourth only to works of under six months."""
    out = []
    for code, entry in law.derogations().items():
        natures, longest = entry.get("natures"), entry.get("duree_max_mois")
        if natures and profile.marche.nature not in natures:
            continue
        if longest is not None and profile.marche.duree_mois > longest:
            continue
        out.append(code)
    return out


def check(review, report) -> None:
    profile, law, plan = review.profile, review.law, review.plan
    rule = plan.rule
    if not rule.in_force:
        return
    on = profile.reference_date
    date_path = "marche.date_publication" if profile.marche.date_publication else "marche"
    if rule.threshold is None:
        known = rule.threshold_known_until
        report(
            date_path,
            f"Le registre juridique de clausegen ne connaît aucun seuil européen des {rule.threshold_label} au {fmt.date_longue(on)}"
            + (f" (valeurs connues jusqu'au {fmt.date_longue(known)})" if known else "")
            + " : l'obligation de condition sociale n'a pas pu être vérifiée. Vérifiez le seuil en vigueur et mettez clausegen à jour.",
            severity="avertissement",
        )
        return
    if rule.value is None:
        report("lots", "Aucun lot n'a de montant : la valeur estimée du marché ne peut pas être comparée au seuil européen "
                       f"({_euros(rule.threshold)} HT). Indiquez « montant_ht » ou le maximum des accords-cadres.", severity="avertissement")
        return
    if not rule.reached:
        missing = [lot for lot in profile.lots if lot.valeur_estimee_ht is None]
        if missing:
            report(
                missing[0].path,
                f"La valeur estimée du marché ({_euros(rule.value)} HT) ne compte pas {'les lots' if len(missing) > 1 else 'le lot'} "
                f"{fmt.liste([str(lot.numero) for lot in missing])}, sans montant : elle pourrait atteindre le seuil européen "
                f"({_euros(rule.threshold)} HT) qui rend la condition sociale obligatoire. Indiquez « montant_ht » pour chaque lot.",
                severity="avertissement",
            )
        return
    facts = (
        f"la valeur estimée du besoin ({_euros(rule.value)} HT, tous lots) atteint le seuil européen des {rule.threshold_label} "
        f"({_euros(rule.threshold)} HT) et la consultation est lancée le {fmt.date_longue(on)}"
    )
    if rule.social_services:
        facts += f" (lecture retenue, à confirmer : {rule.reading})"
    cases = _suggested_cases(profile, law)
    reported = set()
    for p in plan.lots:
        met = p.mandatory.met_by
        if met == "derogation":
            case = p.mandatory.derogation.cas
            if case not in cases and p.mandatory.derogation_path not in reported:
                reported.add(p.mandatory.derogation_path)
                entry = law.derogations()[case]
                report(
                    p.mandatory.derogation_path,
                    f"La dérogation invoquée (cas {entry['number']} : « {entry['label']} ») ne s'applique pas à ce marché "
                    f"({profile.marche.nature}, {profile.marche.duree_mois} mois) : elle ne vise qu'un marché de travaux d'une durée "
                    f"inférieure à six mois. Choisissez un autre cas ({', '.join(cases)}) ou ajoutez une condition d'exécution sociale.",
                )
            continue
        if met == "condition":
            continue
        if met in ("reservation", "insertion"):
            report(
                f"{p.path}.base_legale",
                f"Le lot {p.numero} n'a pas de condition d'exécution sociale mais est réservé ou constitue un marché d'insertion : "
                "clausegen le compte comme satisfaisant l'obligation, ce qu'aucun texte ne dit expressément. "
                "Pour une sécurité complète, ajoutez une condition d'exécution sociale ou consignez une dérogation.",
                severity="conseil",
            )
            continue
        report(
            f"{p.path}.base_legale",
            f"Le lot {p.numero} ne porte pas de condition d'exécution sociale alors que {facts} : chaque lot étant un marché, "
            "la condition est obligatoire pour chacun (un critère d'attribution seul ne suffit pas). "
            f"Ajoutez « condition_execution » à ce lot ou consignez « derogation_clause_sociale: {{cas: …, motif: …}} » "
            f"(cas admis pour ce marché : {', '.join(cases)}).",
        )
