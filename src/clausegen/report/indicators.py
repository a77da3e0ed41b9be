"""Portfolio indicators (fiche 3 of the 2019 instruction) as plain data, from profiles and their hours.

Only what a profile knows before execution: planned hours (the hours that bind each lot's holder, as the
clause plan states them), lots and markets with a clause, reserved lots, marchés d'insertion (as the plan
decides them), estimated parcours and ETP, broken down by type of buyer, by nature, by legal basis (the
main basis of each lot) and by size band of market. The figures are read from ``entries.MarketEntry``
(one per profile, reduced from its plan); the presenters (``xlsx.py``, ``html.py``) only lay them out.
"""

from __future__ import annotations

import datetime as _dt
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .._version import __version__
from .. import fmt
from ..calc import HUNDREDTH
from ..law.registry import load_registry
from ..model import NATURES
from ..working import basis_label
from .entries import LotEntry, MarketEntry, entries_of

TITLE = "Rapport de portefeuille — clauses sociales d'insertion"


@dataclass(frozen=True)
class SizeBand:
    """A band of lot amounts the report groups lots by (lower bound included)."""

    key: str
    lower: Decimal | None  # included
    upper: Decimal | None  # excluded


# Size bands of a market's estimated value (€ HT: sum of the lots' amounts, accords-cadres at their
# maximum). A reporting convention of clausegen, anchored on published figures:
#   40 000 €    DECP publication floor; "a clause is possible from a 40 000 € market" (facilitator quoted)
#   90 000 €    publicity at BOAMP/JAL for adapted procedures; the State's PNAAPD counted markets from there
#   215 000 €   about the EU threshold of supplies and services of local buyers (216 000 € in 2026-2027)
#   1 000 000 € a round figure separating mid-size from large markets
#   5 400 000 € about the EU threshold of works (5 404 000 € in 2026-2027)
SIZE_BANDS = (
    SizeBand("moins_40k", None, Decimal(40_000)),
    SizeBand("40k_90k", Decimal(40_000), Decimal(90_000)),
    SizeBand("90k_215k", Decimal(90_000), Decimal(215_000)),
    SizeBand("215k_1m", Decimal(215_000), Decimal(1_000_000)),
    SizeBand("1m_5m4", Decimal(1_000_000), Decimal(5_400_000)),
    SizeBand("5m4_plus", Decimal(5_400_000), None),
)
UNKNOWN_BAND = SizeBand("inconnu", None, None)  # no lot gives an amount


def _euros(value: Decimal) -> str:
    if value >= 1_000_000:
        return f"{fmt.nombre(value / 1_000_000)}{fmt.NBSP}M€"
    return fmt.montant(value, 0)


def band_label(band: SizeBand) -> str:
    if band is UNKNOWN_BAND:
        return "montant non renseigné"
    if band.lower is None:
        return f"moins de {_euros(band.upper)}"
    if band.upper is None:
        return f"{_euros(band.lower)} et plus"
    return f"de {_euros(band.lower)} à moins de {_euros(band.upper)}"


def size_band(value: Decimal | None) -> SizeBand:
    if value is None:
        return UNKNOWN_BAND
    for band in SIZE_BANDS:
        if (band.lower is None or value >= band.lower) and (band.upper is None or value < band.upper):
            return band
    raise AssertionError(value)  # pragma: no cover - the bands cover every amount


def capitalize(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True, slots=True)
class MarketRow:
    """One market of the portfolio, as the « Marchés » sheet shows it."""

    source: str
    reference: str
    acheteur: str
    acheteur_type: str
    acheteur_type_label: str
    nature: str
    date_publication: _dt.date | None
    valeur_estimee: Decimal | None
    tranche: str
    tranche_label: str
    lots: int
    lots_heures: int
    lots_reserves: int
    lots_insertion: int
    heures: int
    parcours: Decimal  # as the calculator rounds them for the market
    etp: Decimal
    facilitateur: bool


@dataclass(frozen=True)
class GroupRow:
    """One category of a breakdown (a type of buyer, a nature, a basis, a size band)."""

    key: str
    label: str
    marches: int
    marches_clause: int  # markets with at least one lot bearing hours (in this category)
    lots: int
    lots_heures: int
    lots_reserves: int
    lots_insertion: int
    heures: int
    parcours: Decimal
    etp: Decimal


# Columns of a breakdown table: (attribute, French header, kind). Kinds: "int", "parcours", "etp".
GROUP_COLUMNS = (
    ("marches", "Marchés", "int"),
    ("marches_clause", "Marchés avec heures", "int"),
    ("lots", "Lots", "int"),
    ("lots_heures", "Lots avec heures", "int"),
    ("lots_reserves", "Lots réservés", "int"),
    ("lots_insertion", "Lots en marché d'insertion", "int"),
    ("heures", "Heures prévues", "int"),
    ("parcours", "Parcours estimés", "parcours"),
    ("etp", "ETP", "etp"),
)


@dataclass(frozen=True)
class Breakdown:
    """One breakdown of the report (by buyer, by nature…): a sheet and its rows."""

    key: str
    sheet: str  # sheet name and section title, « Par acheteur »
    dimension: str  # header of the first column
    chart_title: str
    rows: tuple[GroupRow, ...]
    total: GroupRow
    columns: tuple[tuple[str, str, str], ...] = GROUP_COLUMNS


@dataclass(frozen=True)
class Summary:
    """The report's headline figures for the whole portfolio."""

    profils: int
    marches: int
    marches_clause: int
    lots: int
    lots_heures: int
    lots_reserves: int
    lots_insertion: int
    heures: int
    parcours: Decimal
    etp: Decimal
    marches_facilitateur: int
    derniere_publication: _dt.date | None
    parcours_heures: Decimal
    etp_heures: Decimal

    def rows(self) -> list[tuple[str, object, str]]:
        """(French label, value, kind) of the « Synthèse » table."""
        return [
            ("Marchés", self.marches, "int"),
            ("Marchés comportant des heures d'insertion", self.marches_clause, "int"),
            ("Lots", self.lots, "int"),
            ("Lots comportant des heures d'insertion", self.lots_heures, "int"),
            ("Lots réservés (EA/ESAT, SIAE, ESS)", self.lots_reserves, "int"),
            ("Lots en marché d'insertion et de qualification", self.lots_insertion, "int"),
            ("Heures d'insertion prévues", self.heures, "int"),
            (f"Parcours estimés ({fmt.nombre(self.parcours_heures)} heures par parcours)", self.parcours, "parcours"),
            (f"Équivalents temps plein ({fmt.nombre(self.etp_heures)} heures par an)", self.etp, "etp"),
            ("Marchés avec un facilitateur désigné", self.marches_facilitateur, "int"),
        ]


class MarketRows(Sequence):
    """The « Marchés » rows of a portfolio, each made when it is read from the market's entry: a portfolio
    of 10 000 markets keeps its entries, not a second object per market. Compares like the tuple of its rows."""

    __slots__ = ("_entries",)

    def __init__(self, entries):
        self._entries = entries

    def __len__(self) -> int:
        return len(self._entries)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(_market_row(e) for e in self._entries[index])
        return _market_row(self._entries[index])

    def __iter__(self):
        return (_market_row(e) for e in self._entries)

    def __eq__(self, other):
        if isinstance(other, (MarketRows, tuple)):
            return tuple(self) == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"MarketRows({len(self)} marchés)"


@dataclass(frozen=True)
class Indicators:
    """Everything the report shows: the summary and every breakdown."""

    summary: Summary
    breakdowns: tuple[Breakdown, ...]
    markets: MarketRows
    notes: tuple[str, ...]
    warnings: tuple[str, ...] = ()

    def breakdown(self, key: str) -> Breakdown:
        return next(b for b in self.breakdowns if b.key == key)


class _Acc:
    """Accumulator of one category: counts and the exact (unrounded) parcours and ETP. The lots of a market
    come one after the other (``_breakdown``), so a market is counted when its first lot comes: no set of
    markets grows with the portfolio."""

    def __init__(self):
        self.markets = self.markets_clause = 0
        self._last = self._last_clause = -1
        self.lots = self.lots_heures = self.lots_reserves = self.lots_insertion = self.heures = 0
        self.parcours = Decimal(0)
        self.etp = Decimal(0)

    def add_lot(self, market: int, lot: LotEntry, parcours_h: Decimal, etp_h: Decimal) -> None:
        if market != self._last:
            self.markets += 1
            self._last = market
        self.lots += 1
        self.lots_reserves += lot.reserved
        self.lots_insertion += lot.insertion
        if lot.heures is not None:
            self.lots_heures += 1
            if market != self._last_clause:
                self.markets_clause += 1
                self._last_clause = market
            self.heures += lot.heures
            self.parcours += Decimal(lot.heures) / parcours_h
            self.etp += Decimal(lot.heures) / etp_h

    def row(self, key: str, label: str) -> GroupRow:
        return GroupRow(
            key, label, self.markets, self.markets_clause, self.lots, self.lots_heures, self.lots_reserves,
            self.lots_insertion, self.heures, self.parcours.quantize(HUNDREDTH, ROUND_HALF_UP), self.etp.quantize(HUNDREDTH, ROUND_HALF_UP),
        )


def _breakdown(key, sheet, dimension, chart_title, categories, entries, key_of) -> Breakdown:
    """``categories``: (key, label) in display order; ``key_of(entry, lot)`` gives a lot's category."""
    accs = {k: _Acc() for k, _ in categories}
    total = _Acc()
    for index, entry in enumerate(entries):
        for lot in entry.lots:
            args = (index, lot, entry.parcours_heures, entry.etp_heures)
            accs[key_of(entry, lot)].add_lot(*args)
            total.add_lot(*args)
    rows = tuple(accs[k].row(k, label) for k, label in categories)
    return Breakdown(key, sheet, dimension, chart_title, rows, total.row("total", "Total"))


def _market_row(entry: MarketEntry) -> MarketRow:
    law = load_registry()
    band = size_band(entry.valeur_estimee)
    return MarketRow(
        source=entry.source,
        reference=entry.reference,
        acheteur=entry.acheteur,
        acheteur_type=entry.acheteur_type,
        acheteur_type_label=sys.intern(capitalize(law.buyer_types()[entry.acheteur_type]["label"])),
        nature=entry.nature,
        date_publication=entry.date_publication,
        valeur_estimee=entry.valeur_estimee,
        tranche=band.key,
        tranche_label=sys.intern(capitalize(band_label(band))),
        lots=len(entry.lots),
        lots_heures=sum(lot.heures is not None for lot in entry.lots),
        lots_reserves=sum(lot.reserved for lot in entry.lots),
        lots_insertion=sum(lot.insertion for lot in entry.lots),
        heures=entry.total_heures,
        parcours=entry.parcours,
        etp=entry.etp,
        facilitateur=entry.facilitateur,
    )


def compute_indicators(entries) -> Indicators:
    """Indicators of a portfolio: one ``MarketEntry`` per profile (a clause plan or a profile is reduced to
    one first, see ``entries.entries_of``)."""
    law = load_registry()
    results = sorted(entries_of(entries), key=lambda e: (e.reference, e.source))
    markets = MarketRows(results)
    bands = {size_band(r.valeur_estimee).key for r in results}
    band_list = list(SIZE_BANDS) + ([UNKNOWN_BAND] if UNKNOWN_BAND.key in bands else [])
    band_of = {id(r): size_band(r.valeur_estimee).key for r in results}
    breakdowns = (
        _breakdown("acheteur", "Par acheteur", "Type d'acheteur", "Heures prévues par type d'acheteur",
                   [(k, capitalize(v["label"])) for k, v in law.buyer_types().items()], results,
                   lambda e, _lot: e.acheteur_type),
        _breakdown("nature", "Par nature", "Nature du marché", "Heures prévues par nature de marché",
                   [(k, capitalize(v)) for k, v in NATURES.items()], results, lambda e, _lot: e.nature),
        _breakdown("base", "Par base juridique", "Base juridique principale du lot", "Heures prévues par base juridique",
                   [(b, capitalize(basis_label((b,)))) for b in law.basis_names()], results,
                   lambda _e, lot: lot.basis),
        _breakdown("taille", "Par taille", "Valeur estimée du marché (HT)", "Heures prévues par taille de marché",
                   [(b.key, capitalize(band_label(b))) for b in band_list], results, lambda e, _lot: band_of[id(e)]),
    )
    total = breakdowns[0].total
    dates = [e.date_publication for e in results if e.date_publication]
    latest = max(dates) if dates else None
    on = max((e.reference_date for e in results), default=None)
    summary = Summary(
        profils=len(results), marches=total.marches, marches_clause=total.marches_clause, lots=total.lots,
        lots_heures=total.lots_heures, lots_reserves=total.lots_reserves, lots_insertion=total.lots_insertion,
        heures=total.heures, parcours=total.parcours, etp=total.etp,
        marches_facilitateur=sum(e.facilitateur for e in results), derniere_publication=latest,
        parcours_heures=law.decimal("parcours_heures", on), etp_heures=law.decimal("etp_heures", on),
    )
    return Indicators(summary, breakdowns, markets, _notes(summary, law, on), _warnings(markets))


def _notes(summary: Summary, law, on) -> tuple[str, ...]:
    etp_fact = law.practice("etp_heures", on)
    etp_note = " (convention à confirmer)" if etp_fact.uncertain else " (convention)"
    return (
        "Indicateurs connus avant l'exécution (instruction du 11 avril 2019, fiche 3) : heures prévues par les "
        "profils, non heures réalisées.",
        "Heures prévues : obligation ferme calculée par clausegen pour chaque lot (accords-cadres : heures fermes "
        "sur le minimum) ; les lots réservés et les marchés d'insertion sans volume imposé n'en portent pas.",
        f"Parcours estimés : heures ÷ {fmt.nombre(summary.parcours_heures)} (durée de référence d'un parcours, "
        f"{law.instruction('fiche 2, 3.a')}).",
        f"ETP : heures ÷ {fmt.nombre(summary.etp_heures)} heures annuelles d'un équivalent temps plein{etp_note}.",
        "Base juridique : base principale de chaque lot (condition d'exécution avant marché d'insertion, "
        "réservations et critère d'attribution).",
        "Taille : valeur estimée du marché, somme des montants HT des lots, accords-cadres comptés à leur maximum.",
    )


def _warnings(markets) -> tuple[str, ...]:
    seen: dict[str, list[str]] = {}
    for m in markets:
        seen.setdefault(m.reference, []).append(m.source)
    return tuple(
        f"la référence {ref} figure dans {len(sources)} profils ({', '.join(sources)}) : ses heures sont comptées "
        f"{len(sources)} fois."
        for ref, sources in seen.items() if len(sources) > 1
    )


def basis_line(ind: Indicators) -> str:
    """« Base : 5 profils ; publication la plus récente : 1er mars 2027 ; clausegen 0.1.0. » (no timestamp)."""
    s = ind.summary
    text = f"Base : {s.profils} profil{'s' if s.profils > 1 else ''}"
    if s.derniere_publication:
        text += f" ; publication la plus récente : {fmt.date_longue(s.derniere_publication)}"
    return text + f" ; clausegen {__version__}."
