"""The market-level blocks of the template context: ``droit`` (the registry's citations at the reference
date) and ``clause`` (the plan's decisions for the whole market: titles, the 2026 rule, the environmental
requirements, execution terms, follow-up, shared sentences, documents, problems)."""

from __future__ import annotations

from .. import fmt
from ..law.registry import LegalRegistry
from ..plan import ClausePlan
from ..plan.regime import CODE, citation


def derogation_context(derogation, law: LegalRegistry) -> dict | None:
    """A recorded derogation as templates print it: the legal case (its number and verbatim text), and the
    buyer's reasons."""
    if derogation is None:
        return None
    entry = law.derogations()[derogation.cas]
    return {
        "cas": derogation.cas,
        "numero": entry.get("number"),
        "libelle": fmt.typo(entry["label"]),
        "a_confirmer": entry["confidence"] in ("B", "U"),
        "motif": derogation.motif,
    }


def law_context(law: LegalRegistry, on, plan: ClausePlan) -> dict:
    droit: dict = {"code": CODE}
    for name in law.basis_names():
        entry = law.basis(name)
        fact = law.articles(name, on)
        refs = list(fact.value)
        droit[name] = {
            "libelle": fmt.typo(entry["label"]),
            "resume": fmt.typo(entry["summary"]),
            "articles": fmt.articles(refs),
            "citation": citation(refs, law).text,
            "article_principal": fmt.article(refs[0]),
            "ancien": " ; ".join(f["text"] for f in entry.get("former", [])[:1]),
            "a_confirmer": fact.uncertain,
            "structures": fmt.typo(entry.get("structures")),
            "ratio_minimum": fmt.typo(entry.get("ratio_minimum")),
            "conditions": [fmt.typo(c["text"]) for c in entry.get("conditions", [])],
            "duree_max_mois": (entry.get("duree_max_mois") or {}).get("value"),
        }
    condition = next((p.condition_citation for p in plan.lots if p.condition_citation), None)
    if condition:  # where the condition is mandatory (L. 2112-2-1), its citation says so
        droit["condition_execution"]["citation"] = condition.text
    droit["critere_attribution"]["citation_ponderation"] = citation(law.basis("critere_attribution").get("formalised_only", []), law).text
    droit["marche_insertion"]["citation_attribution"] = citation(["R2123-7"], law).text
    droit["marche_insertion"]["citation_publicite"] = citation(law.basis("marche_insertion").get("publicity", []), law).text
    paragraph = law.basis("marche_insertion").get("paragraph", {}).get("R2123-1")
    droit["marche_insertion"]["citation_procedure"] = f"{paragraph} de l'article {fmt.article('R2123-1')} du {CODE}" if paragraph else citation(["R2123-1"], law).text
    droit["reserve_ess"]["non_repetition"] = fmt.typo(law.basis("reserve_ess")["non_repetition"]["text"])
    combo = law.combination({"reserve_ea_esat", "reserve_siae"})
    droit["reserve_cumul"] = citation([combo["article"]], law).text if combo else None
    rule = law.rule("clause_sociale_obligatoire")
    droit["clause_obligatoire"] = {
        "texte": fmt.typo(rule["text"]),
        "article": fmt.article(rule["article"]["value"]),
        "a_confirmer": rule["article"]["confidence"] in ("B", "U"),
        "citation": plan.rule.citation.text,
    }
    droit["derogations"] = {code: fmt.typo(entry["label"]) for code, entry in law.derogations().items()}
    case = law.basis("critere_attribution").get("case_law")
    droit["jurisprudence_critere"] = case["text"] if case else None
    return droit


def _penalty(p) -> dict:
    return {"montant": p.amount, "aucune": p.none, "blanc": p.blank}


def clause_context(plan: ClausePlan, law: LegalRegistry) -> dict:
    rule, e, f = plan.rule, plan.execution, plan.followup
    return {
        "titres": dict(plan.titles),
        "action": any(p.action for p in plan.lots),
        "regle": {
            "en_vigueur": rule.in_force,
            "atteinte": rule.in_force and rule.reached,
            "seuil": rule.threshold,
            "seuil_libelle": rule.threshold_label,
            "valeur": rule.value,
            "services_sociaux": rule.social_services,
            "lecture": rule.reading,
            "citation": rule.citation.text,
            "consignation": rule.recording,
        },
        "environnement": dict(plan.environment),
        "execution": {
            "ecrite": e.written,
            "insertion": e.insertion,
            "penalite_heure": _penalty(e.per_hour),
            "penalite_jour": _penalty(e.per_day),
            "plafond": _penalty(e.cap),
            "penalite_heure_insertion": _penalty(e.insertion_per_hour),
            "plan_jours": e.plan_days,
            "justificatifs_jours": e.proofs_days,
            "periodicite": e.periodicity,
            "derogation_ccag": e.ccag_derogation,
            "article_ccag_penalites": e.ccag_article,
        },
        "suivi": {
            "par": f.tracker,
            "dates": f.dates,
            "conservation": f.suivi_custody,
            "destinataires": list(f.suivi_recipients),
            "justificatifs_detenus_par": f.proofs_holder,
            "justificatifs_vus_par": f.proofs_seen_by,
        },
        "textes": dict(plan.texts),
        "documents": [{"nom": d.name, "titre": d.title, "produit": d.produced, "raison": d.reason} for d in plan.documents],
        "problemes": [
            {"regle": i.rule, "gravite": i.severity, "champ": i.path, "message": i.message, "bloquant": i.blocking}
            for i in plan.issues
        ],
    }
