"""The template context: the clause plan, the profile and the registry's citations, as plain data.

Templates see only what is built here (documented in ``glossary.yaml``). Every decision comes from the
clause plan (``clausegen.plan``): the regime of each lot, its citations, the hours as they bind, the award
grid, the execution terms, the follow-up, the documents, the blanks, the shared sentences. Nothing is
decided again here; this module only lays the plan out for templates. Texts stay raw (autoescape makes them
safe); figures stay ``Decimal``/``int``/``date`` and are formatted by the filters.
"""

from __future__ import annotations

from decimal import Decimal

from .._version import __version__
from .. import fmt
from ..calc import alternatives
from ..law.codelists import load_codelists
from ..law.registry import LegalRegistry, load_registry
from ..model import NATURES, PROCEDURES, Profile
from ..plan import ClausePlan, build_plan
from ..plan.blanks import DOCUMENT_LABELS, markers
from .context_lots import lot_context
from .context_plan import clause_context, derogation_context, law_context
from .wording import header_text, numbering, renewal_context

APPRENTISSAGE_LABELS = {
    "eligibles_uniquement": "les heures effectuées en contrat d'apprentissage ou de professionnalisation ne sont prises en compte que si la personne appartient à l'un des publics éligibles et n'a pas été recrutée avant l'attribution du marché",
    "exclu": "les heures effectuées en contrat d'apprentissage ou de professionnalisation ne sont pas prises en compte",
    "sans_condition": "les heures effectuées en contrat d'apprentissage ou de professionnalisation sont prises en compte",
}


def publication_codes(plan: ClausePlan) -> dict:
    """The codes the buyer keys into the notice form (eForms) and, after award, into the essential data
    (DECP), lot by lot: the plan's, with the eForms SDK's French field names and labels."""
    codes = load_codelists()

    def shown(values, name) -> str:
        return " ; ".join(f"« {v} » ({codes.label(name, v)})" for v in values) or "—"

    return {
        "eforms_version": f"eForms SDK {codes.eforms_version}",
        "champs": {
            key: f"{codes.field_name(bt)} ({bt.removesuffix('-Lot')})"
            for key, bt in (("bt06", "BT-06-Lot"), ("bt777", "BT-777-Lot"), ("bt775", "BT-775-Lot"), ("bt71", "BT-71-Lot"), ("bt736", "BT-736-Lot"))
        },
        "lots": [
            {
                "numero": p.numero,
                "intitule": p.lot.intitule,
                "bt06": shown(p.codes.bt06, "eforms.strategic-procurement"),
                "bt775": shown(p.codes.bt775, "eforms.social-objective"),
                "bt71": shown(p.codes.bt71, "eforms.reserved-procurement"),
                "bt736": shown([p.codes.bt736], "eforms.reserved-execution"),
                "bt777": p.codes.bt777,
                "decp": fmt.liste([f"« {v} »" for v in p.codes.decp_social]),
                "decp_environnement": fmt.liste([f"« {v} »" for v in p.codes.decp_environmental]) or None,
            }
            for p in plan.lots
        ],
    }


def build_context(profile: Profile, plan: ClausePlan | None = None, law: LegalRegistry | None = None) -> dict:
    """Everything a template may use. ``plan`` (with its one calculation of hours) is built here when not
    given."""
    law = law or load_registry()
    plan = plan or build_plan(profile, law=law)
    hours = plan.hours
    on = profile.reference_date
    droit = law_context(law, on, plan)
    rates = [Decimal(str(v).rstrip(" %").replace(",", ".")) / 100 for v in law.practice("taux_insertion_usuels").value[:3]]
    lots = [lot_context(p, profile, law, [{"taux": t, "heures": h} for t, h in alternatives(p.hours, profile, rates, law)]) for p in plan.lots]
    m, a, e = profile.marche, profile.acheteur, profile.execution
    ccag = law.ccag(m.ccag) if m.ccag else None
    publics_all = law.publics()
    codes = list(e.publics) if e.publics else list(publics_all)
    priorite_qpv = m.qpv if e.priorite_qpv is None else e.priorite_qpv
    renewal = renewal_context(profile)
    return {
        "clausegen": {"version": __version__},
        "acheteur": {
            "nom": a.nom,
            "type": a.type,
            "type_libelle": law.buyer_types()[a.type]["label"],
            "service": a.service,
            "adresse": a.adresse,
            "signataire_nom": a.signataire.nom if a.signataire else None,
            "signataire_qualite": a.signataire.qualite if a.signataire else None,
            "pouvoir_adjudicateur": law.is_contracting_authority(a.type),
        },
        "marche": {
            "reference": m.reference,
            "objet": m.objet,
            "nature": m.nature,
            "nature_libelle": NATURES[m.nature],
            "duree_mois": m.duree_mois,
            "qpv": m.qpv,
            "date_publication": m.date_publication,
            "cpv": m.cpv,
            "procedure": m.procedure,
            "procedure_libelle": PROCEDURES.get(m.procedure) if m.procedure else None,
            "formalisee": m.procedure not in (None, "procedure_adaptee"),
            "lieu_execution": m.lieu_execution,
            "ccag": m.ccag,
            "ccag_libelle": ccag["label"] if ccag else None,
            "ccag_court": ccag.get("short") if ccag else None,
            "ccag_article_insertion": ccag["insertion_article"] if ccag else None,
            "allotis": len(lots) > 1,
            "montant_estime_ht": profile.valeur_estimee_ht,
            "seuil_europeen": plan.rule.threshold,
            "seuil_connu_jusqu_au": plan.rule.threshold_known_until,
            "defense_securite": m.defense_securite,
            "derogation": derogation_context(m.derogation_clause_sociale, law),
            "reconduction": renewal,
            "duree_texte": renewal["texte"] if renewal else f"{m.duree_mois} mois",
            "entete": header_text(profile),
            "services_sociaux_seuil": law.threshold(law.social_threshold_category(a.type), on).value,
        },
        "facilitateur": None if profile.facilitateur is None else {
            "nom": profile.facilitateur.nom,
            "structure": profile.facilitateur.structure,
            "courriel": profile.facilitateur.courriel,
            "telephone": profile.facilitateur.telephone,
            "civilite": profile.facilitateur.civilite,
        },
        "execution": {
            "penalite_par_heure": e.penalite_par_heure,
            "penalite_retard_jour": e.penalite_retard_jour,
            "plafond_penalites": e.plafond_penalites,
            "periodicite_suivi": e.periodicite_suivi,
            "delai_justificatifs_jours": e.delai_justificatifs_jours,
            "plan_action_jours": e.plan_action_jours,
            "priorite_qpv": priorite_qpv,
            "apprentissage": e.apprentissage,
            "apprentissage_texte": fmt.typo(APPRENTISSAGE_LABELS[e.apprentissage]),
            "mutualisation": e.mutualisation,
            "publics": [fmt.typo(publics_all[c]["label"]) if c in publics_all else c for c in codes],
        },
        "modalites": [fmt.typo(entry["label"]) for entry in law.modalites().values()],
        "lots": lots,
        "lots_heures": [lot for lot in lots if lot["porte_heures"]],
        "lots_critere": [lot for lot in lots if lot["critere"]],
        "lots_reserves": [lot for lot in lots if lot["reserve"]],
        "lots_insertion": [lot for lot in lots if lot["insertion"]],
        "lots_accord_cadre": [lot for lot in lots if lot["accord_cadre"]],
        "total": {
            "heures": hours.total_heures,
            "parcours": hours.parcours,
            "etp": hours.etp,
            "heures_par_an": hours.heures_par_an,
            "etp_moyen": hours.etp_moyen,
        },
        "calcul": {
            "arrondi": fmt.typo(hours.arrondi),
            "parcours_heures": hours.parcours_heures,
            "etp_heures": hours.etp_heures,
            "tranche_ht": law.decimal("accord_cadre_tranche_ht", on),
            "taux_usuels": law.practice("taux_insertion_usuels").value,
        },
        "droit": droit,
        "clause": clause_context(plan, law),
        "obligations": plan.execution.written,
        "num": numbering(profile, plan.titles),
        "publication": publication_codes(plan),
        "acteur": plan.actor,
        "blancs": markers(),
        "a_completer": [
            {"libelle": b.kind.label, "champ": b.field, "documents": fmt.liste([DOCUMENT_LABELS[d] for d in b.documents])}
            for b in plan.blanks
        ],
    }
