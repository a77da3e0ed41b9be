"""The insertion-hour calculator. Every figure a document shows comes from here, computed once.

For a lot bearing an execution condition::

    heures = montant_ht × part_main_oeuvre ÷ cout_horaire × taux_insertion

in ``Decimal`` (never float), then rounded to the profile's step (1 hour by default) half up
(``au_plus_proche``), or down (``inferieur``) or up (``superieur``) when the profile says so.
Example kept as a test: 850 000 × 40 % ÷ 32 × 7 % = 743,75 → 744 heures.

Accords-cadres (clausegen's documented choice, registry ``practice.accord_cadre_tranche_ht``): the firm
obligation is computed on the minimum; above it, a ratio of hours per tranche of 100 000 € HT of orders executed (service fait);
the maximum gives an indicative ceiling. Reserved lots, marchés d'insertion and a criterion used alone
carry no computed obligation unless the profile imposes ``heures``; the result says why.

The working (each input with its origin, each step, the rounding) is part of the result.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, Context, Decimal, localcontext

from . import fmt
from .law.registry import LegalRegistry, load_registry
from .model import Lot, Profile, Rounding

_ROUNDING = {"au_plus_proche": ROUND_HALF_UP, "inferieur": ROUND_FLOOR, "superieur": ROUND_CEILING}
_ROUNDING_TEXT = {  # (one-hour step?, mode) → wording
    (True, "au_plus_proche"): "arrondi à l'heure la plus proche, une demi-heure étant arrondie à l'heure supérieure",
    (True, "inferieur"): "arrondi à l'heure inférieure",
    (True, "superieur"): "arrondi à l'heure supérieure",
    (False, "au_plus_proche"): "arrondi au multiple de {pas} heures le plus proche, une moitié de pas étant arrondie au-dessus",
    (False, "inferieur"): "arrondi au multiple de {pas} heures inférieur",
    (False, "superieur"): "arrondi au multiple de {pas} heures supérieur",
}
HUNDREDTH = Decimal("0.01")


@dataclass(frozen=True)
class Input:
    """One input of a lot's calculation and where it came from."""

    name: str
    label: str
    value: Decimal
    origin: str  # « lot n° 1 », « profil (bloc calcul) », « registre juridique »
    shown: str


@dataclass(frozen=True)
class Step:
    """One line of the working shown: its label, its exact value and the value as printed."""

    label: str
    expression: str
    value: Decimal
    unit: str = ""  # « € HT », « heures », « heures par tranche »: the unit of ``value``


@dataclass(frozen=True)
class FrameworkHours:
    """Hours of an accord-cadre: firm on the minimum, ratio above it, indicative on the maximum."""

    minimum_ht: Decimal | None
    maximum_ht: Decimal | None
    heures_fermes: int  # 0 when the agreement has no minimum
    tranche_ht: Decimal
    ratio_par_tranche: Decimal  # hours per tranche of orders executed (service fait) beyond the minimum, 2 decimals
    heures_max: int | None  # indicative ceiling
    minimum_par_periode: bool = False  # renewable: the minimum is that of each period (firm hours in every period)
    heures_fermes_periode: int | None = None  # then: the firm hours of one period


@dataclass(frozen=True)
class PeriodHours:
    """The share of a lot's hours due in one period of a renewable market."""

    rang: int  # 0: initial period; 1, 2…: renewals
    mois: int
    heures: int


@dataclass(frozen=True)
class LotHours:
    """A lot's insertion hours, with the working that gives them."""

    lot: Lot
    heures: int | None  # the binding obligation, or None when the lot carries none
    methode: str  # « formule », « imposee », « sans_objet »
    raison: str  # French sentence explaining the figure or its absence
    inputs: tuple[Input, ...] = ()
    steps: tuple[Step, ...] = ()
    brut: Decimal | None = None  # before rounding
    heures_estimees: int | None = None  # on montant_ht when an accord-cadre also gives it
    accord_cadre: FrameworkHours | None = None
    parcours: Decimal | None = None
    etp: Decimal | None = None
    heures_par_an: Decimal | None = None
    periodes: tuple[PeriodHours, ...] = ()  # renewable market: hours due in each period
    etp_moyen: Decimal | None = None  # average full-time equivalents over the execution

    @property
    def numero(self) -> int:
        return self.lot.numero

    @property
    def porte_heures(self) -> bool:
        return self.heures is not None


@dataclass(frozen=True)
class MarketHours:
    """The insertion hours of every lot of a market (computed once per pack)."""

    profile: Profile
    lots: tuple[LotHours, ...]
    total_heures: int
    parcours: Decimal
    etp: Decimal
    heures_par_an: Decimal
    etp_moyen: Decimal
    arrondi: str
    parcours_heures: Decimal
    etp_heures: Decimal
    notes: tuple[str, ...] = field(default=())

    def lot(self, numero: int) -> LotHours:
        return next(r for r in self.lots if r.lot.numero == numero)


def split_by_period(hours: int, periods: list[tuple[int, int]]) -> tuple[PeriodHours, ...]:
    """Split ``hours`` over ``(rang, mois)`` periods in proportion to their length (the share of the
    amount each period represents, the amount being spread evenly over time), in whole hours that add up
    to ``hours``: each period gets the floor of its exact share, and the hours left go one by one to the
    largest remainders (the earliest period first on a tie)."""
    total = sum(m for _, m in periods)
    exact = [Decimal(hours) * m / total for _, m in periods]
    floors = [int(e) for e in exact]
    left = hours - sum(floors)
    order = sorted(range(len(periods)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return tuple(PeriodHours(rang, mois, h) for (rang, mois), h in zip(periods, floors))


def round_hours(value: Decimal, rounding: Rounding) -> int:
    """Round ``value`` to a multiple of ``rounding.pas`` hours with the profile's mode."""
    step = Decimal(rounding.pas)
    return int((value / step).quantize(Decimal(1), rounding=_ROUNDING[rounding.mode]) * step)


def rounding_text(rounding: Rounding) -> str:
    return _ROUNDING_TEXT[(rounding.pas == 1, rounding.mode)].format(pas=rounding.pas)


# Explicit arithmetic context: the products of bounded inputs (amounts ≤ 10^11 € with up to a few decimals,
# rates with a few digits) are exact well within 60 digits, so the only rounding is the single division,
# carried to 60 significant digits — far beyond any figure shown — whatever the caller's context.
CONTEXT = Context(prec=60, rounding=ROUND_HALF_EVEN, Emax=999999, Emin=-999999)


def formula(amount: Decimal, part: Decimal, cost: Decimal, rate: Decimal) -> Decimal:
    """montant × part de main-d'œuvre ÷ coût horaire × taux d'insertion, in Decimal.

    The products are taken before the single division, so a result that is exact (762,5 ; 750) is
    represented exactly and rounds as the hand calculation does. Computed in ``CONTEXT``.
    """
    with localcontext(CONTEXT):
        return amount * part * rate / cost


def _inputs(lot: Lot, profile: Profile) -> list[Input]:
    found = []
    for name, label, show in (
        ("part_main_oeuvre", "part de main-d'œuvre", fmt.taux),
        ("cout_horaire", "coût horaire moyen chargé", lambda v: fmt.montant(v) + " HT"),
        ("taux_insertion", "taux d'insertion", fmt.taux),
    ):
        own = getattr(lot, name)
        if own is not None:
            found.append(Input(name, label, own, f"lot n°{fmt.NBSP}{lot.numero}", show(own)))
        else:
            default = getattr(profile.calcul, name)
            found.append(Input(name, label, default, "bloc calcul du profil", show(default)))
    return found


def _ratios(hours: int, law: LegalRegistry, profile: Profile, on) -> tuple[Decimal, Decimal, Decimal]:
    parcours = (Decimal(hours) / law.decimal("parcours_heures", on)).quantize(HUNDREDTH, ROUND_HALF_UP)
    etp = (Decimal(hours) / law.decimal("etp_heures", on)).quantize(HUNDREDTH, ROUND_HALF_UP)
    per_year = (Decimal(hours) * 12 / profile.marche.duree_mois).quantize(Decimal(1), ROUND_HALF_UP)
    return parcours, etp, per_year


def average_fte(hours: int, law: LegalRegistry, profile: Profile, on) -> Decimal:
    """Full-time equivalents present on average over the execution: hours ÷ (1 607 h × years)."""
    years = Decimal(profile.marche.duree_mois) / 12
    return (Decimal(hours) / (law.decimal("etp_heures", on) * years)).quantize(HUNDREDTH, ROUND_HALF_UP)


def _no_obligation_reason(lot: Lot, law: LegalRegistry, on) -> str:
    bases = set(lot.bases)
    if bases & {"reserve_ea_esat", "reserve_siae", "reserve_ess"}:
        refs = [a for b in lot.bases if law.basis(b)["reserved"] for a in law.articles(b, on).value if a.startswith("L")]
        return (
            f"lot réservé ({'article' if len(refs) == 1 else 'articles'} {fmt.articles(refs)} du code de la commande publique) : "
            "l'exécution même du lot par les structures visées réalise l'objectif d'insertion, aucune obligation d'heures n'est calculée."
        )
    if "marche_insertion" in bases:
        return "marché d'insertion et de qualification : l'insertion est l'objet même de la prestation, aucune obligation d'heures n'est calculée."
    if "critere_attribution" in bases:
        return "critère d'attribution seul : le lot ne comporte pas de condition d'exécution, donc aucune obligation minimale d'heures."
    return "aucune base juridique n'impose d'heures à ce lot."


def compute_lot(lot: Lot, profile: Profile, law: LegalRegistry | None = None, *, explain: bool = True) -> LotHours:
    """Hours of one lot. With ``explain=False`` the figures are the same but the working (steps and
    sentences) is left empty: the review of thousands of profiles does not read it."""
    law = law or load_registry()
    on = profile.reference_date
    rounding = profile.calcul.arrondi
    bears = any(law.basis(b)["obligation_heures"] for b in lot.bases)
    inputs = _inputs(lot, profile) if all(
        getattr(lot, n) is not None or getattr(profile.calcul, n) is not None
        for n in ("part_main_oeuvre", "cout_horaire", "taux_insertion")
    ) else []
    values = {i.name: i.value for i in inputs}
    if lot.montant_ht is not None and inputs:
        inputs.insert(0, Input("montant_ht", "montant estimé HT", lot.montant_ht, f"lot n°{fmt.NBSP}{lot.numero}", fmt.montant(lot.montant_ht)))
    steps: list[Step] = []

    def step(label: str, expression, value: Decimal, unit: str) -> None:
        if explain:
            steps.append(Step(label, expression(), value, unit))

    def apply(amount: Decimal, label: str) -> tuple[Decimal, int]:
        part, cost, rate = values["part_main_oeuvre"], values["cout_horaire"], values["taux_insertion"]
        with localcontext(CONTEXT):
            labour = amount * part
            hours_labour = labour / cost
        raw = formula(amount, part, cost, rate)  # multiply first: exact whenever the result is
        step(f"{label} : main-d'œuvre", lambda: f"{fmt.montant(amount)} × {fmt.taux(part)}", labour, "€ HT")
        step(f"{label} : heures de main-d'œuvre", lambda: f"{fmt.montant(labour)} ÷ {fmt.montant(cost)}", hours_labour, "heures")
        step(f"{label} : heures d'insertion", lambda: f"{fmt.exact(hours_labour)} × {fmt.taux(rate)}", raw, "heures")
        rounded = round_hours(raw, rounding)
        step(f"{label} : arrondi", lambda: f"{fmt.exact(raw)} → {rounding_text(rounding)}", Decimal(rounded), "heures")
        return raw, rounded

    framework = None
    estimate = None
    raw = None
    if lot.heures is not None:
        hours = lot.heures
        methode = "imposee"
        reason = f"volume imposé par le profil ({fmt.heures(hours)})"
        if lot.justification:
            reason += f" ; justification : {lot.justification.rstrip().rstrip('.')}"
        if inputs and lot.montant_ht is not None and bears:
            raw, computed = apply(lot.montant_ht, "Pour comparaison, formule sur le montant")
            reason += f". La formule aurait donné {fmt.heures(computed)}"
        reason += "."
    elif not bears:
        hours, methode, reason = None, "sans_objet", _no_obligation_reason(lot, law, on)
    elif lot.accord_cadre is not None and inputs:
        ac = lot.accord_cadre
        tranche = law.decimal("accord_cadre_tranche_ht", on)
        firm = 0
        renewal = profile.marche.reconduction
        per_period = ac.minimum_porte_sur == "periode" and renewal is not None and ac.minimum_ht is not None
        firm_period = None
        if ac.minimum_ht is not None and per_period:
            raw, firm_period = apply(ac.minimum_ht, "Minimum de chaque période")
            count = len(renewal.periods())
            firm = firm_period * count
            step("Heures fermes sur toute la durée", lambda: f"{fmt.nombre(firm_period)} × {count} périodes", Decimal(firm), "heures")
        elif ac.minimum_ht is not None:
            raw, firm = apply(ac.minimum_ht, "Minimum")
        ratio_raw = formula(tranche, values["part_main_oeuvre"], values["cout_horaire"], values["taux_insertion"])
        ratio = ratio_raw.quantize(HUNDREDTH, ROUND_HALF_UP)
        step("Ratio par tranche exécutée au-delà du minimum", lambda: f"{fmt.montant(tranche)} × {fmt.taux(values['part_main_oeuvre'])} ÷ {fmt.montant(values['cout_horaire'])} × {fmt.taux(values['taux_insertion'])}", ratio, "heures par tranche")
        ceiling = None
        if ac.maximum_ht is not None:
            _, ceiling = apply(ac.maximum_ht, "Maximum (indicatif)")
        if lot.montant_ht is not None:
            _, estimate = apply(lot.montant_ht, "Montant estimé (indicatif)")
        framework = FrameworkHours(ac.minimum_ht, ac.maximum_ht, firm, tranche, ratio, ceiling, per_period, firm_period)
        hours, methode = firm, "formule"
        if ac.minimum_ht is None:
            reason = (f"accord-cadre sans minimum : aucune heure ferme ; {fmt.nombre(ratio, 2)} heures par tranche de "
                      f"{fmt.montant(tranche, 0)} HT exécutée")
        elif per_period:
            reason = (f"accord-cadre : {fmt.heures(firm_period)} fermes sur le minimum de chaque période, soit {fmt.heures(firm)} fermes "
                      f"sur toute la durée, puis {fmt.nombre(ratio, 2)} heures par tranche de {fmt.montant(tranche, 0)} HT exécutée au-delà")
        else:
            reason = (f"accord-cadre : {fmt.heures(firm)} fermes sur le minimum, puis {fmt.nombre(ratio, 2)} heures par tranche de "
                      f"{fmt.montant(tranche, 0)} HT exécutée au-delà")
        if ceiling is not None:
            reason += f", soit {fmt.heures(ceiling)} au plus si le maximum est atteint"
        reason += "."
    elif inputs and lot.montant_ht is not None:
        raw, hours = apply(lot.montant_ht, "Montant")
        methode = "formule"
        reason = f"{fmt.montant(lot.montant_ht)} × {fmt.taux(values['part_main_oeuvre'])} ÷ {fmt.montant(values['cout_horaire'])} × {fmt.taux(values['taux_insertion'])} = {fmt.exact(raw)}, {rounding_text(rounding)} : {fmt.heures(hours)}." if explain else ""
    else:  # the loader refuses such a lot; kept for profiles built in code
        raise ValueError(f"lot {lot.numero} : données insuffisantes pour calculer les heures")

    parcours = etp = per_year = average = None
    periods: tuple[PeriodHours, ...] = ()
    if hours is not None:
        parcours, etp, per_year = _ratios(hours, law, profile, on)
        average = average_fte(hours, law, profile, on)
        if framework is not None and framework.minimum_par_periode:
            periods = tuple(PeriodHours(rang, mois, framework.heures_fermes_periode) for rang, mois in profile.marche.reconduction.periods())
        elif profile.marche.reconduction is not None:
            periods = split_by_period(hours, profile.marche.reconduction.periods())
    return LotHours(lot, hours, methode, reason, tuple(inputs) if (bears or lot.heures is not None) else (), tuple(steps), raw, estimate, framework, parcours, etp, per_year, periods, average)


def compute_hours(profile: Profile, law: LegalRegistry | None = None, *, explain: bool = True) -> MarketHours:
    """Hours of every lot of ``profile`` and their totals, with the working (unless ``explain=False``)."""
    law = law or load_registry()
    on = profile.reference_date
    lots = tuple(compute_lot(lot, profile, law, explain=explain) for lot in profile.lots)
    total = sum(r.heures for r in lots if r.heures is not None)
    parcours, etp, per_year = _ratios(total, law, profile, on)
    notes = []
    if any(r.accord_cadre for r in lots):
        notes.append("Accords-cadres : heures fermes sur le minimum ; ratio par tranche de commandes exécutées au-delà ; le maximum donne un plafond indicatif.")
    return MarketHours(
        profile=profile,
        lots=lots,
        total_heures=total,
        parcours=parcours,
        etp=etp,
        heures_par_an=per_year,
        etp_moyen=average_fte(total, law, profile, on),
        arrondi=rounding_text(profile.calcul.arrondi),
        parcours_heures=law.decimal("parcours_heures", on),
        etp_heures=law.decimal("etp_heures", on),
        notes=tuple(notes),
    )


def alternatives(result: LotHours, profile: Profile, rates, law: LegalRegistry | None = None) -> list[tuple[Decimal, int]]:
    """Hours the lot would carry at other insertion rates (the fiche de caractérisation's comparison).

    Uses the same base amount as the obligation (the minimum of an accord-cadre) and the same rounding;
    empty when the lot's hours are not computed by the formula.
    """
    if result.methode != "formule" or not result.inputs:
        return []
    values = {i.name: i.value for i in result.inputs}
    ac = result.accord_cadre
    amount = ac.minimum_ht if ac is not None else values.get("montant_ht")
    if amount is None:
        return []
    return [
        (Decimal(rate), round_hours(formula(amount, values["part_main_oeuvre"], values["cout_horaire"], Decimal(rate)), profile.calcul.arrondi))
        for rate in rates
    ]
