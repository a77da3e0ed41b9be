"""What the portfolio report keeps of one market: a few figures read from its clause plan, nothing else.

The report never decides what a lot is: whether it is reserved, a marché d'insertion, and which hours bind
its holder come from the plan (``LotPlan.reserved``, ``LotPlan.insertion``, ``LotPlan.terms``), as in the
pieces the buyer publishes. Each profile is reduced to a ``MarketEntry`` as soon as its plan is built, so a
portfolio of thousands of profiles never holds their profiles, hours and plans at once; entries have slots
and share their repeated texts, so that a portfolio's memory grows as little as it can with its size.
"""

from __future__ import annotations

import datetime as _dt
import sys
from dataclasses import dataclass
from decimal import Decimal

from ..model import Holder
from ..working import main_basis


@dataclass(frozen=True, slots=True)
class LotEntry:
    """One lot as the portfolio report counts it."""

    numero: int
    intitule: str
    basis: str  # the lot's main legal basis (``working.main_basis``)
    heures: int | None  # the hours that bind the holder (``HoursTerms.total``), None when none binds
    reserved: bool
    insertion: bool
    titulaire: Holder | None


@dataclass(frozen=True, slots=True)
class MarketEntry:
    """One market (one profile) as the portfolio report counts it."""

    source: str
    reference: str
    acheteur: str
    acheteur_type: str
    nature: str
    date_publication: _dt.date | None
    reference_date: _dt.date
    valeur_estimee: Decimal | None
    duree_mois: int
    mutualisation: bool
    facilitateur: bool
    total_heures: int
    parcours: Decimal
    etp: Decimal
    parcours_heures: Decimal
    etp_heures: Decimal
    lots: tuple[LotEntry, ...]


# One object for each figure that comes back from market to market (the registry's hours per parcours and per
# ETP, small ratios), keyed by its exact digits and exponent so that « 300 » and « 300.0 » stay apart. Bounded.
_DECIMALS: dict[tuple, Decimal] = {}


def _shared(value: Decimal) -> Decimal:
    if len(_DECIMALS) >= 4096:
        return _DECIMALS.get(value.as_tuple(), value)
    return _DECIMALS.setdefault(value.as_tuple(), value)


def market_entry(plan, source: str | None = None) -> MarketEntry:
    """The ``MarketEntry`` of a ``ClausePlan``; ``source``, the same text as the profile's source, is kept
    instead (one string for the portfolio's list of files and its entries)."""
    p = plan.profile
    hours = plan.hours
    return MarketEntry(
        source=source if source is not None and source == p.source else p.source,
        reference=p.marche.reference,
        acheteur=sys.intern(p.acheteur.nom),  # the same buyers, types and natures come back across a portfolio
        acheteur_type=sys.intern(p.acheteur.type),
        nature=sys.intern(p.marche.nature),
        date_publication=p.marche.date_publication,
        reference_date=p.reference_date,
        valeur_estimee=p.valeur_estimee_ht,
        duree_mois=p.marche.duree_mois,
        mutualisation=p.execution.mutualisation,
        facilitateur=p.facilitateur is not None,
        total_heures=hours.total_heures,
        parcours=_shared(hours.parcours),
        etp=_shared(hours.etp),
        parcours_heures=_shared(hours.parcours_heures),
        etp_heures=_shared(hours.etp_heures),
        lots=tuple(_lot_entry(lp) for lp in plan.lots),
    )


def _lot_entry(lp) -> LotEntry:
    return LotEntry(
        numero=lp.numero,
        intitule=sys.intern(lp.lot.intitule),
        basis=sys.intern(main_basis(lp.lot.bases)),
        heures=lp.terms.total if lp.terms.binds else None,
        reserved=lp.reserved,
        insertion=lp.insertion,
        titulaire=lp.lot.titulaire,
    )


def entries_of(items) -> list[MarketEntry]:
    """``MarketEntry`` of each item: a ``MarketEntry`` as it is, a ``ClausePlan`` reduced, a ``Profile``
    planned first (its hours computed once), the calculator's ``MarketHours`` planned with those hours."""
    from ..calc import MarketHours
    from ..model import Profile
    from ..plan import ClausePlan, build_plan

    out = []
    for item in items:
        if isinstance(item, MarketEntry):
            out.append(item)
        elif isinstance(item, ClausePlan):
            out.append(market_entry(item))
        elif isinstance(item, Profile):
            out.append(market_entry(build_plan(item)))
        elif isinstance(item, MarketHours):
            out.append(market_entry(build_plan(item.profile, item)))
        else:
            raise TypeError(f"a portfolio holds market entries, clause plans, profiles or their hours, not {type(item).__name__}")
    return out
