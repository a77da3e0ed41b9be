"""Pooling (« mutualisation ») of insertion hours across the markets of one company.

Instruction of 11 April 2019, fiche 2, 3.a: a company holding several clause-bearing markets may pool
their hours so that one person gets a longer parcours, while each market's obligation stays due. Once a
lot is awarded, the profile names its company (``lots[].titulaire``); hour-bearing lots are grouped by
SIRET across every profile. Per company: hours due, their spread over calendar years (execution assumed
to start at publication, hours spread evenly over the months), and the parcours of 300 hours possible
market by market versus pooled. A market whose profile says ``execution.mutualisation: false`` keeps its
lots out of the pool.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from .. import fmt
from .entries import MarketEntry, entries_of


@dataclass(frozen=True)
class PooledLot:
    """A lot whose hours a company holds, seen by the pooling report."""

    reference: str
    numero: int
    intitule: str
    heures: int
    debut: _dt.date  # first day of the first month of execution
    mois: int
    par_annee: tuple[tuple[int, int], ...]  # (year, hours)
    mutualisable: bool
    date_supposee: bool  # no publication date: today was used
    parcours_heures: Decimal

    @property
    def fin(self) -> tuple[int, int]:
        """(year, month) of the last month of execution: a pair, not a date, so that it exists for any start
        and duration (a date after 9999 does not)."""
        return month_of(month_index(self.debut) + self.mois - 1)


@dataclass(frozen=True)
class Company:
    """A company holding hour-bearing lots, with those lots."""

    siret: str
    nom: str
    lots: tuple[PooledLot, ...]
    heures: int
    par_annee: tuple[tuple[int, int], ...]
    parcours_separes: int
    parcours_mutualises: int

    @property
    def gain(self) -> int:
        return self.parcours_mutualises - self.parcours_separes

    @property
    def marches(self) -> int:
        return len({lot.reference for lot in self.lots})


@dataclass(frozen=True)
class Mutualisation:
    """The pooling report: companies holding two hour-bearing lots or more."""

    companies: tuple[Company, ...]  # companies holding at least two hour-bearing lots
    entreprises_un_lot: int  # companies holding a single hour-bearing lot (not shown)
    lots_attribues: int
    lots_non_attribues: int
    heures_non_attribuees: int
    parcours_heures: Decimal

    @property
    def years(self) -> list[int]:
        return sorted({y for c in self.companies for y, _ in c.par_annee})




def reminder() -> str:
    """The sentence every pooling view ends with (instruction of 2019, fiche 2, 3.a)."""
    from ..law.registry import load_registry

    return (
        "Chaque marché garde son obligation d'insertion : l'entreprise doit réaliser les heures de chacun de ses "
        f"marchés ({load_registry().instruction('fiche 2, 3.a')}). La mutualisation permet d'affecter une même "
        "personne à plusieurs marchés pour lui offrir un parcours plus long ; elle suppose une convention entre les "
        "acheteurs concernés (et leur facilitateur)."
    )


APPROXIMATION = (
    "Périodes : l'exécution est supposée commencer à la date de publication de la consultation (approximation ; "
    "à défaut de date, aujourd'hui) et durer « marche.duree_mois » ; les heures sont réparties également sur les "
    "mois d'exécution."
)


def month_index(day: _dt.date) -> int:
    """Months since year 0: month arithmetic on integers, total whatever the dates (no ``datetime`` limit)."""
    return day.year * 12 + day.month - 1


def month_of(index: int) -> tuple[int, int]:
    """(year, month) of a month index."""
    return index // 12, index % 12 + 1


def add_months(day: _dt.date, months: int) -> _dt.date:
    """First day of the month ``months`` after ``day``'s month (``ValueError`` past the year 9999)."""
    year, month = month_of(month_index(day) + months)
    return _dt.date(year, month, 1)


def spread_by_year(hours: int, start: _dt.date, months: int) -> tuple[tuple[int, int], ...]:
    """``hours`` spread evenly over ``months`` calendar months from ``start``'s month, summed by year.

    Each year's share (Decimal) is rounded half up; the total is then restored exactly by moving the
    remainder, one hour at a time, to the year whose share was rounded farthest in the other direction
    (the earliest year on a tie when adding, the latest when removing).
    """
    counts: dict[int, int] = {}
    first = month_index(start)
    for k in range(months):
        year = (first + k) // 12
        counts[year] = counts.get(year, 0) + 1
    exact = {y: Decimal(hours) * n / months for y, n in counts.items()}
    rounded = {y: int(v.quantize(Decimal(1), ROUND_HALF_UP)) for y, v in exact.items()}
    years = sorted(rounded)
    diff = hours - sum(rounded.values())
    while diff > 0:
        year = max(years, key=lambda y: (exact[y] - rounded[y], -y))
        rounded[year] += 1
        diff -= 1
    while diff < 0:
        year = max(years, key=lambda y: (rounded[y] - exact[y], y))
        rounded[year] -= 1
        diff += 1
    return tuple((y, rounded[y]) for y in years)


def compute_mutualisation(entries) -> Mutualisation:
    """Group the hour-bearing lots of ``entries`` (one ``MarketEntry`` per profile, see
    ``entries.entries_of``) by company: the hours that bind each lot's holder, as its clause plan states."""
    by_siret: dict[str, list[tuple[str, PooledLot]]] = {}
    unassigned = unassigned_hours = assigned = 0
    parcours_h = Decimal(300)
    ordered: list[MarketEntry] = sorted(entries_of(entries), key=lambda e: (e.reference, e.source))
    for entry in ordered:
        parcours_h = entry.parcours_heures
        for lot in entry.lots:
            if not lot.heures:  # no obligation, or an accord-cadre without minimum (0 firm hours)
                continue
            holder = lot.titulaire
            if holder is None:
                unassigned += 1
                unassigned_hours += lot.heures
                continue
            assigned += 1
            start = entry.reference_date.replace(day=1)
            by_siret.setdefault(holder.siret, []).append((holder.nom, PooledLot(
                reference=entry.reference, numero=lot.numero, intitule=lot.intitule, heures=lot.heures,
                debut=start, mois=entry.duree_mois, par_annee=spread_by_year(lot.heures, start, entry.duree_mois),
                mutualisable=entry.mutualisation, date_supposee=entry.date_publication is None,
                parcours_heures=entry.parcours_heures,
            )))
    companies = []
    single = 0
    for siret, entries in by_siret.items():
        if len(entries) < 2:
            single += 1
            continue
        lots = tuple(lot for _, lot in entries)
        companies.append(_company(siret, entries[0][0], lots))
    companies.sort(key=lambda c: (-c.gain, -c.heures, c.siret))
    return Mutualisation(tuple(companies), single, assigned, unassigned, unassigned_hours, parcours_h)


def _company(siret: str, nom: str, lots: tuple[PooledLot, ...]) -> Company:
    years: dict[int, int] = {}
    for lot in lots:
        for y, h in lot.par_annee:
            years[y] = years.get(y, 0) + h
    separate = sum(int(Decimal(lot.heures) // lot.parcours_heures) for lot in lots)
    pool = [lot for lot in lots if lot.mutualisable]
    alone = [lot for lot in lots if not lot.mutualisable]
    pooled = sum(int(Decimal(lot.heures) // lot.parcours_heures) for lot in alone)
    if pool:
        divisor = min(lot.parcours_heures for lot in pool)
        pooled += int(Decimal(sum(lot.heures for lot in pool)) // divisor)
    return Company(siret, nom, lots, sum(lot.heures for lot in lots), tuple(sorted(years.items())), separate, pooled)


def format_siret(siret: str) -> str:
    """« 732 829 320 00074 » (SIREN in groups of three, then the NIC)."""
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"


def _plain(text: str) -> str:
    return text.replace(fmt.NBSP, " ").replace(fmt.NNBSP, " ")


def _n(value) -> str:
    return _plain(fmt.nombre(value))


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def month_label(month: _dt.date | tuple[int, int]) -> str:
    """« janvier 2027 » for a date or a (year, month) pair."""
    year, number = (month.year, month.month) if isinstance(month, _dt.date) else month
    return fmt.mois(year, number)


def period_label(lot: PooledLot) -> str:
    text = f"{month_label(lot.debut)} à {month_label(lot.fin)} ({lot.mois} mois)"
    return text + (", date de publication absente : aujourd'hui" if lot.date_supposee else "")


def years_label(par_annee) -> str:
    return " ; ".join(f"{y} : {_n(h)} h" for y, h in par_annee)


HEADERS = ("Entreprise (SIRET)", "Marchés", "Heures dues", "Parcours séparés", "Parcours mutualisés", "Gain")


def table_rows(m: Mutualisation) -> list[tuple[str, ...]]:
    return [
        (f"{c.nom} ({format_siret(c.siret)})", _n(c.marches), _n(c.heures), _n(c.parcours_separes), _n(c.parcours_mutualises),
         f"+{c.gain}" if c.gain > 0 else _n(c.gain))
        for c in m.companies
    ]


def counts_sentence(m: Mutualisation) -> str:
    def n(count: int, singular: str, plural: str) -> str:
        return f"{_n(count)} {singular if count < 2 else plural}"

    text = n(m.lots_attribues, "lot comportant des heures est attribué", "lots comportant des heures sont attribués")
    text += " ; " + n(m.lots_non_attribues, "lot comportant des heures n'est pas attribué", "lots comportant des heures ne sont pas attribués")
    if m.lots_non_attribues:
        text += f" ({_plain(fmt.heures(m.heures_non_attribuees))}, comptés comme « non attribués »)"
    if m.entreprises_un_lot:
        text += " ; " + n(m.entreprises_un_lot, "entreprise, titulaire d'un seul de ces lots, n'apparaît pas dans la mutualisation",
                          "entreprises, titulaires d'un seul de ces lots, n'apparaissent pas dans la mutualisation")
    return text + "."


def mutualisation_as_text(m: Mutualisation) -> str:
    """The French table printed by ``clausegen report --mutualisation``."""
    lines = ["Mutualisation des heures d'insertion par entreprise titulaire", ""]
    if not m.companies:
        lines.append("Aucune entreprise n'est titulaire de plusieurs lots comportant des heures d'insertion.")
    else:
        rows = [HEADERS, *[(_cut(r[0], 56), *r[1:]) for r in table_rows(m)]]
        widths = [max(len(row[i]) for row in rows) for i in range(len(HEADERS))]
        for n, row in enumerate(rows):
            cells = [c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)]
            lines.append("  ".join(cells).rstrip())
            if n == 0:
                lines.append("  ".join("─" * w for w in widths))
        gains = sum(c.gain for c in m.companies)
        if gains:
            lines += ["", f"La mutualisation permettrait {_n(gains)} parcours de {_n(m.parcours_heures)} heures de plus que les marchés pris un à un."]
        lines += ["", "Détail par entreprise"]
        for c in m.companies:
            lines += ["", f"{c.nom} — SIRET {format_siret(c.siret)}"]
            for lot in c.lots:
                flag = "" if lot.mutualisable else " — mutualisation exclue par ce marché"
                lines.append(f"  {lot.reference}, lot {lot.numero} ({_cut(lot.intitule, 50)}) : {_plain(fmt.heures(lot.heures))}, "
                             f"{period_label(lot)} ; {years_label(lot.par_annee)}{flag}")
            lines.append(f"  Heures par année : {years_label(c.par_annee)}")
    lines += ["", counts_sentence(m), "", reminder(), APPROXIMATION]
    return _plain("\n".join(lines))
