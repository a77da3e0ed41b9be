"""The context of one lot (``lots[]``): the plan's decisions for the lot, laid out for templates."""

from __future__ import annotations

from .. import fmt
from ..law.registry import LegalRegistry
from ..model import Profile
from ..plan.model import REGIMES, LotPlan
from ..working import basis_label, main_basis, period_label
from .context_plan import derogation_context


def periods_of(periods) -> list[dict]:
    return [{"rang": p.rang, "libelle": period_label(p.rang), "mois": p.mois, "heures": p.heures} for p in periods]


def reservation_context(reserved) -> dict | None:
    if reserved is None:
        return None
    return {
        "citation": reserved.citation.text,
        "structures": reserved.structures,
        "court": reserved.short,
        "ratio_minimum": reserved.ratio_minimum,
        "types": list(reserved.bases),
        "handicap": reserved.handicap,
        "insertion": reserved.insertion,
        "ess": reserved.ess,
        "travailleurs": reserved.workers,
        "conditions": list(reserved.conditions),
        "duree_max_mois": reserved.duree_max_mois,
    }


def terms_context(terms) -> dict:
    return {
        "obligation": terms.binds,
        "total": terms.total,
        "fermes": terms.firm,
        "par_tranche": terms.per_tranche,
        "tranche_ht": terms.tranche_ht,
        "plafond": terms.ceiling,
        "minimum_ht": terms.minimum_ht,
        "maximum_ht": terms.maximum_ht,
        "minimum_par_periode": terms.minimum_scope == "periode",
        "periodes": periods_of(terms.periods),
        "imposees": terms.imposed,
        "accord_cadre": terms.framework,
        "moins_d_une_semaine": terms.under_a_week,
    }


def grid_context(grid) -> dict | None:
    if grid is None:
        return None
    return {
        "exhaustive": grid.exhaustive,
        "citation": grid.citation.text,
        "citation_ponderation": grid.weighting_citation.text if grid.weighting_citation else None,
        "environnement_requis": grid.environmental_required,
        "criteres": [
            {
                "cle": c.key,
                "libelle": c.label,
                "ponderation": c.weight,
                "blanc": c.blank,
                "sous_criteres": [{"libelle": label, "points": points} for label, points in c.subcriteria],
                "sous_criteres_total": sum(points for _, points in c.subcriteria),
                "detail": c.detail,
            }
            for c in grid.criteria
        ],
        "ponderations_completes": all(c.weight is not None for c in grid.criteria),
    }


def lot_context(p: LotPlan, profile: Profile, law: LegalRegistry, alternatives: list[dict]) -> dict:
    r, lot = p.hours, p.lot
    ac = r.accord_cadre
    values = {i.name: i.value for i in r.inputs}
    crit = lot.critere
    subs = [{"libelle": s.libelle, "points": s.points} for s in (crit.sous_criteres if crit else ())]
    bases = list(lot.bases)
    return {
        "numero": lot.numero,
        "intitule": lot.intitule,
        "bases": bases,
        "bases_saisies": list(lot.bases_saisies),
        "base_principale": main_basis(bases),
        "bases_libelle": basis_label(bases),
        "regime": p.regime,
        "regime_libelle": REGIMES[p.regime],
        "citation": p.citation.text,
        "citation_condition": p.condition_citation.text if p.condition_citation else None,
        "condition": p.condition,
        "critere": p.critere,
        "insertion": p.insertion,
        "reserve": p.reserved,
        "action": p.action,
        "engage": p.engaged,
        "reservation": reservation_context(p.reservation),
        "porte_heures": p.terms.binds,
        "heures": p.terms.total,
        "termes": terms_context(p.terms),
        "grille": grid_context(p.award),
        "obligatoire": {
            "applique": p.mandatory.applies,
            "satisfaite_par": p.mandatory.met_by,
            "derogation": derogation_context(p.mandatory.derogation, law),
        },
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
            "minimum_par_periode": ac.minimum_par_periode,
            "heures_fermes_periode": ac.heures_fermes_periode,
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
        "periodes": periods_of(r.periodes),
        "alternatives": alternatives,
        "ponderation": crit.ponderation if crit else None,
        "sous_criteres": subs,
        "sous_criteres_total": sum(s["points"] for s in subs),
        "metiers": list(lot.metiers),
        "derogation": derogation_context(lot.derogation_clause_sociale, law),
    }
