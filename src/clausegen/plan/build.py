"""Build the clause plan of a profile: every decision taken once, from the profile, its one calculation of
hours and the registry at the reference date."""

from __future__ import annotations

from ..calc import MarketHours, compute_hours
from ..law.registry import LegalRegistry, load_registry
from ..model import Profile
from .award import award_grid
from .blanks import blanks_of
from .codes import lot_codes
from .documents import document_choices, titles
from .execution import execution_terms, follow_up
from .mandatory import environmental, lot_mandatory, market_rule
from .model import ClausePlan, LotPlan
from .regime import citation, lot_issues, market_issues, regime_of, reservation
from .terms import hours_terms
from .texts import actor, shared_texts


def build_plan(profile: Profile, hours: MarketHours | None = None, law: LegalRegistry | None = None) -> ClausePlan:
    """The clause plan of ``profile``. ``hours`` is computed here (once) when not given."""
    law = law or load_registry()
    hours = hours or compute_hours(profile, law)
    on = profile.reference_date
    rule = market_rule(profile, law)
    env = environmental(profile, law)
    basis_refs = list(law.articles("condition_execution", on).value)
    condition_refs = list(rule.citation.refs) if rule.in_force and rule.reached else basis_refs
    condition_citation = citation(condition_refs, law)
    issues = market_issues(profile, law)
    lots = []
    for r in hours.lots:
        lot = r.lot
        bases = set(lot.bases)
        insertion = "marche_insertion" in bases
        reserved = reservation(lot, law, on)
        condition = not insertion and ("condition_execution" in bases or lot.heures is not None)
        critere = not insertion and "critere_attribution" in bases
        terms = hours_terms(r, condition, insertion)
        issues += lot_issues(lot, profile, law, reserved, r.heures is not None)
        refs: list[str] = []
        if reserved is not None:
            refs += reserved.citation.refs
        if condition:
            refs += condition_refs
        if critere:
            refs += list(law.articles("critere_attribution", on).value)
        if insertion:
            refs += list(law.articles("marche_insertion", on).value)
        lots.append(LotPlan(
            lot=lot,
            hours=r,
            regime=regime_of(condition, critere, insertion, reserved),
            condition=condition,
            critere=critere,
            insertion=insertion,
            reservation=reserved,
            citation=citation(refs, law),
            condition_citation=condition_citation if condition else None,
            terms=terms,
            award=award_grid(lot, critere, insertion, profile, law, env["critere"]),
            mandatory=lot_mandatory(lot, condition, reserved is not None, insertion, rule, profile),
            codes=lot_codes(lot, condition, critere, insertion, reserved, profile, law, terms, {
                "condition_execution": condition_citation.text,
                "critere_attribution": citation(law.articles("critere_attribution", on).value, law).text,
                "marche_insertion": citation(law.articles("marche_insertion", on).value, law).text,
            }),
        ))
    lots = tuple(lots)
    who = actor(profile)
    follow = follow_up(who)
    names = titles(lots, len(lots) > 1)
    plan = ClausePlan(
        profile=profile,
        hours=hours,
        lots=lots,
        rule=rule,
        execution=execution_terms(profile, lots, law),
        followup=follow,
        documents=document_choices(lots, names),
        issues=tuple(issues),
        titles=names,
        texts=shared_texts(who, follow, condition_citation),
        actor=who,
        environment=env,
    )
    return _with_blanks(plan)


def _with_blanks(plan: ClausePlan) -> ClausePlan:
    from dataclasses import replace

    return replace(plan, blanks=blanks_of(plan))
