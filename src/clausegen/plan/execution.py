"""The execution terms the plan decides once: penalties (an amount, an explicit « aucune », or a blank),
delays, reporting, the derogation from the CCAG, and who follows what (``FollowUp``).

A penalty the profile leaves open is a blank only where a piece needs it; « aucune » is the buyer's choice
and the pieces say so; nothing else is ever written in its place.
"""

from __future__ import annotations

from ..law.registry import LegalRegistry
from ..model import Profile
from .model import Execution, FollowUp, LotPlan, Penalty


def _penalty(amount, key: str, profile: Profile, needed: bool) -> Penalty:
    none = key in profile.execution.sans_penalite
    return Penalty(amount, none, key if needed and amount is None and not none else None)


def execution_terms(profile: Profile, lots: tuple[LotPlan, ...], law: LegalRegistry) -> Execution:
    e = profile.execution
    written = any((p.condition or p.critere) and not p.insertion for p in lots)
    insertion = any(p.insertion for p in lots)
    insertion_hours = any(p.insertion and p.terms.binds for p in lots)
    per_hour = _penalty(e.penalite_par_heure, "penalite_par_heure", profile, written)
    per_day = _penalty(e.penalite_retard_jour, "penalite_retard_jour", profile, written or insertion)
    insertion_per_hour = _penalty(e.penalite_par_heure, "penalite_par_heure", profile, insertion_hours)
    any_penalty = any(p.set or p.blank for p in (per_hour, per_day, insertion_per_hour))
    cap = Penalty(e.plafond_penalites, False, "plafond_penalites" if written and e.plafond_penalites is None and any_penalty else None)
    ccag = law.ccag(profile.marche.ccag) if profile.marche.ccag else None
    return Execution(
        written=written,
        insertion=insertion,
        per_hour=per_hour,
        per_day=per_day,
        cap=cap,
        insertion_per_hour=insertion_per_hour,
        plan_days=e.plan_action_jours,
        proofs_days=e.delai_justificatifs_jours,
        periodicity=e.periodicite_suivi,
        ccag_derogation=ccag is not None and any_penalty,
        ccag_article=ccag.get("penalty_article") if ccag else None,
    )


DATES = ("à l'issue de leur contrat, puis six, douze, dix-huit et vingt-quatre mois après la conclusion de leur premier contrat "
         "au titre d'une clause sociale")


def follow_up(actor: dict) -> FollowUp:
    """Who follows the persons and keeps what, the same in the CCAP, the annexe and the document de suivi
    (instruction of 11 April 2019, fiche 2, 3.d: the référent de parcours makes the synthesis and the
    service public de l'emploi receives the document; fiche 3, 1.b: situation 6, 12, 18 and 24 months after
    the first contract under a clause sociale)."""
    facilitator = actor["facilitateur"]
    recipients = ["à la personne", "au service public de l'emploi lorsque le référent de parcours n'en relève pas"]
    if facilitator:
        recipients.append(actor["au"])
    return FollowUp(
        tracker=actor["le"] if facilitator else "le référent de parcours de chaque personne",
        dates=DATES,
        suivi_custody="le référent de parcours",
        suivi_recipients=tuple(recipients),
        proofs_holder="le titulaire",
        proofs_seen_by=actor["le"],
    )
