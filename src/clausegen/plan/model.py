"""The clause plan as data: frozen dataclasses, no I/O, no wording beyond the sentences the plan provides.

Every decision keeps where it comes from: ``source`` is the profile key it was read from (for ``check`` to
point at the line), ``citation`` the articles that found it (read from the registry at the reference date).
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import field
from decimal import Decimal

from ..calc import LotHours, MarketHours, PeriodHours
from ..model import Derogation, Lot, Profile
from ..records import record

# The regimes a lot can have, decided once (``LotPlan.regime``); a lot may combine a reservation with an
# hours condition, which is its own regime.
REGIMES = {
    "condition": "condition d'exécution à caractère social",
    "condition_critere": "condition d'exécution et critère d'attribution",
    "critere": "critère d'attribution seul",
    "insertion": "marché d'insertion et de qualification professionnelle",
    "reserve": "lot réservé",
    "reserve_condition": "lot réservé portant une condition d'exécution",
    "ess": "marché réservé aux entreprises de l'économie sociale et solidaire",
    "aucun": "sans considération sociale",
}
SEVERITIES = ("erreur", "avertissement", "conseil")


@record
class Citation:
    """Articles of a code, as printed: « articles L. 2112-2 et L. 2112-3 du code de la commande publique »."""

    refs: tuple[str, ...]
    text: str
    uncertain: bool = False  # one of the articles is not verified in the registry (B or U)

    def __bool__(self) -> bool:
        return bool(self.refs)


@record
class PlanIssue:
    """A combination the plan refused or merged into its one lawful reading: ``check`` reports it at
    ``path``; a ``blocking`` issue stops ``render`` (no published piece has an impossible basis)."""

    rule: str  # review rule id, French kebab-case
    severity: str  # SEVERITIES
    path: str  # profile key: « lots[2].base_legale »
    message: str  # French: what was found, what the pieces say, what to do
    reference: str  # legal reference of the decision
    blocking: bool = False


@record
class Reservation:
    """A lot reserved to certain operators (L. 2113-12, -13, -14, -15)."""

    bases: tuple[str, ...]
    citation: Citation  # the articles the notice must cite (R. 2113-7 for -12/-13)
    structures: str  # « structures d'insertion par l'activité économique mentionnées à … et structures équivalentes »
    short: str  # « réservé aux SIAE », « réservé aux EA, ESAT et SIAE », « réservé aux entreprises de l'ESS »
    ratio_minimum: str | None  # « 50 % » (R. 2113-7): every reserved operator, not only the equivalent ones
    handicap: bool
    insertion: bool
    ess: bool
    workers: str | None  # « handicapés », « défavorisés », « handicapés ou défavorisés »; None for the ESS
    conditions: tuple[str, ...] = ()  # ESS: the conditions of the ESS status and of L. 2113-16
    duree_max_mois: int | None = None  # ESS: 36


@record
class HoursTerms:
    """The hours of a lot as they bind the holder (``binds``), never recomputed from the profile."""

    binds: bool  # the lot carries an hours obligation (a condition, an imposed volume, a marché d'insertion's minimum)
    total: int | None  # the obligation over the whole execution (an accord-cadre: its firm hours)
    firm: int | None  # hours due whatever the orders (equal to ``total`` outside accords-cadres)
    per_tranche: Decimal | None = None  # an accord-cadre: hours per tranche of orders executed beyond the minimum
    tranche_ht: Decimal | None = None
    ceiling: int | None = None  # an accord-cadre: indicative, at the maximum
    minimum_ht: Decimal | None = None
    maximum_ht: Decimal | None = None
    minimum_scope: str | None = None  # « periode » (the minimum of each period) or « duree » (of the whole duration)
    firm_per_period: int | None = None  # « periode »: the firm hours of each period
    periods: tuple[PeriodHours, ...] = ()  # renewable market: hours due in each period
    imposed: bool = False  # the volume is the buyer's (« heures »), not the formula's
    framework: bool = False
    under_a_week: bool = False  # fewer hours than one week of full-time work (35 hours)
    reason: str = ""  # French: why the lot has no computed hours, when it has none


@record
class Criterion:
    """One award criterion of a lot's grid, as the documents state it."""

    key: str  # « insertion », « accompagnement », « environnement », « prix »…
    label: str
    weight: Decimal | None = None  # fraction of the note globale (0.10 = 10 %)
    blank: str | None = None  # key of ``blanks.KINDS`` when the weight is left to the buyer
    subcriteria: tuple = ()  # (libelle, points) pairs
    details: tuple = ()  # the elements assessed, for criteria without sub-criteria


@record
class AwardGrid:
    """The award criteria clausegen writes for a lot, as one list. ``exhaustive``: the RC lists every
    criterion of the lot (a marché d'insertion); otherwise only the insertion criterion, the others being
    those of the buyer's own RC (which must include the environmental criterion the law requires)."""

    criteria: tuple[Criterion, ...]
    exhaustive: bool
    citation: Citation
    environmental_required: bool  # from 21 August 2026 (R. 2152-7 2°, L. 2152-7)
    weighting_citation: Citation | None = None  # R. 2152-12, in formalised procedures only

    @property
    def insertion(self) -> Criterion | None:
        return next((c for c in self.criteria if c.key == "insertion"), None)


@record
class Mandatory:
    """The 2026 rule (L. 2112-2-1) for one lot: whether the social condition is mandatory and how it is met."""

    applies: bool
    met_by: str | None  # « condition », « reservation », « insertion », « derogation », None (not met)
    derogation: Derogation | None = None
    derogation_path: str | None = None


@record
class PublicationCodes:
    """What the notice (eForms) and the essential data (DECP) say of a lot's social and environmental
    considerations, decided from the plan: the fiche shows them, the exports write them."""

    decp_social: tuple[str, ...]  # « Clause sociale », « Critère social », « Marché réservé » or « Pas de considération sociale »
    decp_environmental: tuple[str, ...]  # from the profile; empty when it does not say (a field to complete)
    bt06: tuple[str, ...]  # strategic procurement: « soc-obj », « env-imp », or « none »
    bt775: tuple[str, ...]  # social objective promoted (with « soc-obj »)
    bt71: tuple[str, ...]  # reserved participation: « res-ws », « res-pub-ser » or « none »
    bt736: str  # reserved execution (sheltered employment programmes): « no » by default
    bt777: str | None  # strategic procurement description (when BT-06 is not « none »), a few French sentences
    social: bool  # the lot is reserved or carries a social clause or criterion
    environmental: bool  # the lot carries an environmental clause or criterion (as the profile says)
    notes: tuple[str, ...] = ()  # the mapping choices to confirm (confidence B in the code lists)


@record
class LotPlan:
    """What the clause plan decides for one lot: hours, reservation, criterion, documents."""

    lot: Lot
    hours: LotHours
    regime: str  # REGIMES
    condition: bool  # an execution condition on insertion hours (or an imposed volume) binds the lot
    critere: bool  # scored on insertion performance in an ordinary grid
    insertion: bool  # a marché d'insertion et de qualification professionnelle
    reservation: Reservation | None
    citation: Citation  # every article founding the lot's clause, as the pieces cite it
    condition_citation: Citation | None
    terms: HoursTerms
    award: AwardGrid | None
    mandatory: Mandatory
    codes: "PublicationCodes | None" = None

    @property
    def numero(self) -> int:
        return self.lot.numero

    @property
    def path(self) -> str:
        return self.lot.path

    @property
    def reserved(self) -> bool:
        return self.reservation is not None

    @property
    def action(self) -> bool:
        """The lot carries an insertion action (hours, a scored commitment or a marché d'insertion)."""
        return self.condition or self.critere or self.insertion

    @property
    def engaged(self) -> bool:
        """The bidder commits to insertion in the annexe to the acte d'engagement: hours or a scored offer,
        outside marchés d'insertion (whose offer is their own project)."""
        return (self.condition or self.critere) and not self.insertion


@record
class Penalty:
    """One penalty: an amount, an explicit choice of none, or a blank left to the buyer."""

    amount: Decimal | None
    none: bool  # the profile chose « aucune »
    blank: str | None  # blank key when the profile leaves it open and the piece needs it

    @property
    def set(self) -> bool:
        return self.amount is not None


@record
class Execution:
    """Which execution articles of the CCAP are written."""

    written: bool  # the CCAP's hours articles are written (a lot outside marchés d'insertion binds or is scored)
    insertion: bool  # the marchés d'insertion's own articles are written
    per_hour: Penalty
    per_day: Penalty
    cap: Penalty  # a share of the amount (0.10 = 10 %)
    insertion_per_hour: Penalty  # a marché d'insertion's hours not worked
    plan_days: int | None
    proofs_days: int | None
    periodicity: str | None
    ccag_derogation: bool  # penalties apply whatever their total (derogates from the CCAG's exemption)
    ccag_article: str | None  # the CCAG article derogated from, when the registry knows it


@record
class FollowUp:
    """Who follows what, stated once: every piece prints these sentences."""

    tracker: str  # « le facilitateur » / « la facilitatrice » / « le référent de parcours »…
    dates: str  # « à l'issue de leur contrat, puis six, douze, dix-huit et vingt-quatre mois après … »
    suivi_custody: str  # who keeps the original of the document de suivi
    suivi_recipients: tuple[str, ...]  # who receives a copy, as dative phrases (« à la personne », « au facilitateur »)
    proofs_holder: str  # who holds the nominative proofs
    proofs_seen_by: str  # who sees them (never the buyer, except its referent without a copy)


@record
class DocumentChoice:
    """Whether a document is produced, and if not, why."""

    name: str
    title: str
    produced: bool
    reason: str | None  # French, when not produced


@record
class MarketRule:
    """The 2026 rule at the level of the whole need: its threshold and whether it is reached."""

    in_force: bool  # consultation launched on or after the rule's start, not a defence or security market
    threshold: Decimal | None  # None when the registry knows no value for the day
    threshold_label: str
    threshold_known_until: _dt.date | None
    value: Decimal | None  # value of the whole need (accords-cadres at their maximum)
    reached: bool
    social_services: bool  # compared with the threshold of social and other specific services
    reading: str | None  # the registry's reading of « seuils européens » for social services, when used
    citation: Citation  # L. 2112-2, L. 2112-2-1 et L. 2112-3
    recording: str  # where the reasons of a derogation are kept (L. 2112-2-1, III)


@record
class ClausePlan:
    """Every decision about the clause, taken once; documents, checks, exports and pages read it."""

    profile: Profile
    hours: MarketHours
    lots: tuple[LotPlan, ...]
    rule: MarketRule
    execution: Execution
    followup: FollowUp
    documents: tuple[DocumentChoice, ...]
    blanks: tuple = ()  # blanks.Blank
    issues: tuple[PlanIssue, ...] = ()
    titles: dict = field(default_factory=dict)  # « ccap », « rc », « avis »: the titles of the pieces
    texts: dict = field(default_factory=dict)  # shared sentences, by key (see ``texts``)
    actor: dict = field(default_factory=dict)  # who follows the clause, as the pieces name it (``texts.actor``)
    environment: dict = field(default_factory=dict)  # {"condition": bool, "critere": bool}: required by the law on the reference date

    def lot(self, numero: int) -> LotPlan:
        return next(p for p in self.lots if p.numero == numero)

    @property
    def allotted(self) -> bool:
        return len(self.lots) > 1

    @property
    def blocking(self) -> tuple[PlanIssue, ...]:
        return tuple(i for i in self.issues if i.blocking)

    def produced(self, name: str) -> bool:
        return any(d.name == name and d.produced for d in self.documents)

    def skipped(self) -> dict[str, str]:
        return {d.name: d.reason for d in self.documents if not d.produced}
