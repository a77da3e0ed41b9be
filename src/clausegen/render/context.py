"""The template context: the profile, the calculator's result and the registry's citations, as plain data.

Templates see only what is built here (documented in ``glossary.yaml``). Texts stay raw (docxtpl's
autoescape makes them safe); figures stay ``Decimal``/``int``/``date`` and are formatted by the filters.
Every hours figure comes from one ``MarketHours``, so all seven documents show the same number.
"""

from __future__ import annotations

from decimal import Decimal

from .._version import __version__
from .. import fmt
from ..plan.blanks import DOCUMENT_LABELS, expected_blanks, markers, obligations
from ..calc import MarketHours, alternatives, compute_hours
from ..law.registry import LegalRegistry, load_registry
from ..model import NATURES, PROCEDURES, Profile
from ..working import basis_label, main_basis
from .wording import actor, header_text, numbering, periods_of, renewal_context

CODE = "code de la commande publique"
APPRENTISSAGE_LABELS = {
    "eligibles_uniquement": "les heures effectuées en contrat d'apprentissage ou de professionnalisation ne sont prises en compte que si la personne appartient à l'un des publics éligibles et n'a pas été recrutée avant l'attribution du marché",
    "exclu": "les heures effectuées en contrat d'apprentissage ou de professionnalisation ne sont pas prises en compte",
    "sans_condition": "les heures effectuées en contrat d'apprentissage ou de professionnalisation sont prises en compte",
}
RESERVED = ("reserve_ea_esat", "reserve_siae", "reserve_ess")


def citation(refs, code: str = CODE) -> str:
    """« article L. 2113-13 du code de la commande publique » / « articles L. 2112-2 et L. 2112-3 du … »."""
    refs = list(refs)
    word = "article" if len(refs) == 1 else "articles"
    return f"{word} {fmt.articles(refs)} du {code}"


def _law_context(law: LegalRegistry, on) -> dict:
    droit: dict = {"code": CODE}
    for name in law.basis_names():
        entry = law.basis(name)
        fact = law.articles(name, on)
        refs = list(fact.value)
        droit[name] = {
            "libelle": fmt.typo(entry["label"]),
            "resume": fmt.typo(entry["summary"]),
            "articles": fmt.articles(refs),
            "citation": citation(refs),
            "article_principal": fmt.article(refs[0]),
            "ancien": " ; ".join(f["text"] for f in entry.get("former", [])[:1]),
            "a_confirmer": fact.uncertain,
            "structures": fmt.typo(entry.get("structures")),
            "ratio_minimum": fmt.typo(entry.get("ratio_minimum")),
            "conditions": [fmt.typo(c["text"]) for c in entry.get("conditions", [])],
            "duree_max_mois": (entry.get("duree_max_mois") or {}).get("value"),
        }
    droit["critere_attribution"]["citation_ponderation"] = citation(law.basis("critere_attribution").get("formalised_only", []))
    droit["marche_insertion"]["citation_attribution"] = citation(["R2123-7"])
    droit["marche_insertion"]["citation_publicite"] = citation(law.basis("marche_insertion").get("publicity", []))
    paragraph = law.basis("marche_insertion").get("paragraph", {}).get("R2123-1")
    droit["marche_insertion"]["citation_procedure"] = f"{paragraph} de l'article {fmt.article('R2123-1')} du {CODE}" if paragraph else citation(["R2123-1"])
    combo = law.combination({"reserve_ea_esat", "reserve_siae"})
    droit["reserve_cumul"] = citation([combo["article"]]) if combo else None
    rule = law.rule("clause_sociale_obligatoire")
    droit["clause_obligatoire"] = {
        "texte": fmt.typo(rule["text"]),
        "article": fmt.article(rule["article"]["value"]),
        "a_confirmer": rule["article"]["confidence"] in ("B", "U"),
    }
    droit["derogations"] = {code: fmt.typo(entry["label"]) for code, entry in law.derogations().items()}
    case = law.basis("critere_attribution").get("case_law")
    droit["jurisprudence_critere"] = case["text"] if case else None
    return droit


def derogation_context(derogation, law: LegalRegistry) -> dict | None:
    """A recorded derogation as templates print it: the legal case in words, and the buyer's reasons."""
    if derogation is None:
        return None
    entry = law.derogations()[derogation.cas]
    return {
        "cas": derogation.cas,
        "libelle": fmt.typo(entry["label"]),
        "a_confirmer": entry["confidence"] in ("B", "U"),
        "motif": derogation.motif,
    }


def _lot_context(r, profile: Profile, law: LegalRegistry, droit: dict) -> dict:
    lot = r.lot
    bases = list(lot.bases)
    reserved = [b for b in bases if b in RESERVED]
    reservation = None
    if reserved:
        refs = [a for b in reserved for a in law.articles(b, profile.reference_date).value if a.startswith("L")]
        if set(reserved) == {"reserve_ea_esat", "reserve_siae"} and droit["reserve_cumul"]:
            refs.append("L2113-14")
        reservation = {
            "citation": citation(refs),
            "structures": fmt.typo(fmt.liste([law.basis(b)["structures"] for b in reserved], "ou")),
            "ratio_minimum": fmt.typo(law.basis(reserved[0]).get("ratio_minimum")),
            "types": reserved,
            "handicap": "reserve_ea_esat" in reserved,
            "insertion": "reserve_siae" in reserved,
            "ess": "reserve_ess" in reserved,
        }
    ac = r.accord_cadre
    values = {i.name: i.value for i in r.inputs}
    rates = [Decimal(str(law.practice("taux_insertion_usuels").value[i]).rstrip(" %").replace(",", ".")) / 100 for i in range(3)]
    crit = lot.critere
    subs = [{"libelle": s.libelle, "points": s.points} for s in (crit.sous_criteres if crit else ())]
    return {
        "numero": lot.numero,
        "intitule": lot.intitule,
        "bases": bases,
        "bases_saisies": list(lot.bases_saisies),
        "base_principale": main_basis(bases),
        "bases_libelle": basis_label(bases),
        "condition": "condition_execution" in bases,
        "critere": "critere_attribution" in bases,
        "insertion": "marche_insertion" in bases,
        "reserve": bool(reserved),
        "reservation": reservation,
        "porte_heures": r.heures is not None,
        "heures": r.heures,
        "methode": r.methode,
        "imposee": r.methode == "imposee",
        "justification": lot.justification,
        "raison": fmt.typo(r.raison),
        "montant_ht": lot.montant_ht,
        "accord_cadre": None if ac is None else {
            "minimum_ht": ac.minimum_ht,
            "maximum_ht": ac.maximum_ht,
            "heures_fermes": ac.heures_fermes,
            "tranche_ht": ac.tranche_ht,
            "heures_par_tranche": ac.ratio_par_tranche,
            "heures_max": ac.heures_max,
        },
        "heures_estimees": r.heures_estimees,
        "part_main_oeuvre": values.get("part_main_oeuvre"),
        "cout_horaire": values.get("cout_horaire"),
        "taux_insertion": values.get("taux_insertion"),
        "donnees": [{"libelle": i.label, "valeur": i.shown, "origine": i.origin} for i in r.inputs],
        "etapes": [{"libelle": fmt.typo(s.label), "calcul": fmt.typo(s.expression), "resultat": s.value} for s in r.steps],
        "parcours": r.parcours,
        "etp": r.etp,
        "heures_par_an": r.heures_par_an,
        "etp_moyen": r.etp_moyen,
        "periodes": periods_of(r),
        "alternatives": [{"taux": t, "heures": h} for t, h in alternatives(r, profile, rates, law)],
        "ponderation": crit.ponderation if crit else None,
        "sous_criteres": subs,
        "sous_criteres_total": sum(s["points"] for s in subs),
        "metiers": list(lot.metiers),
        "derogation": derogation_context(lot.derogation_clause_sociale, law),
    }


def publication_codes(profile: Profile, hours: MarketHours, law: LegalRegistry) -> dict:
    """The codes the buyer keys into the notice form (eForms) and, after award, into the essential data
    (DECP), lot by lot: read from the exports themselves, so the fiche and ``clausegen export`` agree. Field
    names and labels are the eForms SDK's French ones, from the one code-list file the exports read."""
    from ..export import load_codelists
    from ..export.decp import lot_social_considerations
    from ..export.eforms import BT_DESCRIPTION, export_eforms

    codes = load_codelists()
    eforms = export_eforms(profile, hours, law).data

    def shown(items) -> str:
        items = items if isinstance(items, list) else [items]
        return " ; ".join(f"« {i['code']} » ({i['libelle']})" for i in items) or "—"

    return {
        "eforms_version": eforms["format"],
        "champs": {
            key: f"{codes.field_name(bt)} ({bt.removesuffix('-Lot')})"
            for key, bt in (("bt06", "BT-06-Lot"), ("bt777", BT_DESCRIPTION), ("bt775", "BT-775-Lot"), ("bt71", "BT-71-Lot"), ("bt736", "BT-736-Lot"))
        },
        "lots": [
            {
                "numero": lot["numero"],
                "intitule": lot["intitule"],
                "bt06": shown(lot["BT-06-Lot"]),
                "bt777": lot[BT_DESCRIPTION]["texte"] if BT_DESCRIPTION in lot else None,
                "bt775": shown(lot["BT-775-Lot"]),
                "bt71": shown(lot["BT-71-Lot"]),
                "bt736": shown(lot["BT-736-Lot"]),
                "decp": fmt.liste([f"« {v} »" for v in lot_social_considerations(r, codes)]),
            }
            for lot, r in zip(eforms["lots"], hours.lots)
        ],
    }


def build_context(profile: Profile, hours: MarketHours | None = None, law: LegalRegistry | None = None) -> dict:
    """Everything a template may use. ``hours`` is computed here when not given."""
    law = law or load_registry()
    hours = hours or compute_hours(profile, law)
    on = profile.reference_date
    droit = _law_context(law, on)
    lots = [_lot_context(r, profile, law, droit) for r in hours.lots]
    m, a, e = profile.marche, profile.acheteur, profile.execution
    ccag = law.ccag(m.ccag) if m.ccag else None
    publics_all = law.publics()
    codes = list(e.publics) if e.publics else list(publics_all)
    priorite_qpv = m.qpv if e.priorite_qpv is None else e.priorite_qpv
    threshold_category = law.threshold_category(a.type, m.nature)
    threshold = law.threshold_or_none(threshold_category, on)
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
            "ccag_article_insertion": ccag["insertion_article"] if ccag else None,
            "allotis": len(lots) > 1,
            "montant_estime_ht": profile.valeur_estimee_ht,
            "seuil_europeen": threshold.value if threshold else None,
            "seuil_connu_jusqu_au": law.last_threshold_day(threshold_category),
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
        "obligations": obligations(hours),
        "num": numbering(profile),
        "publication": publication_codes(profile, hours, law),
        "acteur": actor(profile),
        "blancs": markers(),
        "a_completer": [
            {"libelle": b.kind.label, "champ": b.field, "documents": fmt.liste([DOCUMENT_LABELS[d] for d in b.documents])}
            for b in expected_blanks(profile, hours)
        ],
    }
