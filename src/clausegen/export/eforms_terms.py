"""The eForms business terms of a lot that both the JSON export and the XML notice write, formulated from the
clause plan (never decided here): title, main CPV and duration (BT-21, BT-262, BT-36), the conditions
relating to the performance of the contract (BT-70, the condition's text), and the award criteria of the
plan's grid (BT-539 type, BT-734 name, BT-540 description, BT-541 weight, BT-5421 weight type)."""

from __future__ import annotations

from decimal import Decimal

from .. import fmt
from ..plan.codes import description
from . import load_codelists


def lot_title(lot) -> str:
    return lot.intitule


def main_cpv(facts) -> str | None:
    """BT-262: the lot's CPV (its own, else the market's), 8 digits without check digit."""
    return facts.cpv.split("-")[0] if facts.cpv else None


def condition_text(lp, profile, law) -> str | None:
    """BT-70: the social execution condition of the lot as the plan phrases it (basis and articles, hours as
    they bind, publics); None when the lot has no condition."""
    if not (lp.condition or lp.insertion):
        return None
    citations = {"condition_execution": lp.condition_citation.text if lp.condition_citation else lp.citation.text,
                 "marche_insertion": lp.citation.text}
    return description(lp.lot, lp.condition and not lp.insertion, False, lp.insertion, lp.terms, citations, profile, law)


def award_criteria(lp) -> list[dict]:
    """The criteria of the plan's award grid, each with its eForms terms; ``BT-541-Lot`` (a percentage) and
    ``BT-5421-Lot`` only when the plan gives the weight (a blank is left to the buyer)."""
    if lp.award is None:
        return []
    codes = load_codelists()
    kind = codes.mapping("eforms.award_criterion_type")
    weight_code = codes.mapping("eforms.award_weight")["value"]
    found = []
    for criterion in lp.award.criteria:
        entry = {"BT-539-Lot": kind["by_key"].get(criterion.key, kind["default"]), "BT-734-Lot": fmt.typo(criterion.label[:1].upper() + criterion.label[1:])}
        parts = [f"{label} ({fmt.nombre(points)} points)" for label, points in criterion.subcriteria] or list(criterion.details)
        if parts:
            entry["BT-540-Lot"] = fmt.typo("Sous-critères : " + " ; ".join(parts) + ".") if criterion.subcriteria else fmt.typo(" ; ".join(parts) + ".")
        if criterion.weight is not None:
            entry["BT-541-Lot"] = (criterion.weight * 100).normalize() + Decimal(0)
            entry["BT-5421-Lot"] = weight_code
        found.append(entry)
    return found
