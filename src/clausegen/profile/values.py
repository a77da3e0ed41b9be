"""Parsing of the values buyers type: rates (« 7 % », 0.07), amounts (« 1 250 000,50 € »), dates.

Each parser returns a ``Decimal`` (never a float) or raises ``ValueProblem`` whose fields become the
``Issue`` shown to the user: what is wrong, what was expected, a suggestion.

Numbers are exact and bounded: parsing runs in ``CONTEXT`` (60 significant digits, whatever the process's
default context), an amount is at most ``MAX_AMOUNT`` (or the field's own maximum) and to the cent, a rate to
the millionth of a percent, and a number typed with more than ``MAX_TEXT`` characters is refused before any
conversion. So every value that gets through is held exactly and every later computation on it too.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal, DivisionByZero, InvalidOperation, Overflow, localcontext

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009_']+")
_RATE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*[\u00a0\u202f]?%\s*$")
_DOTTED_THOUSANDS = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$")
_AMOUNT_SUFFIX = re.compile(r"(€|eur(os?)?|ht|h\.t\.)", re.IGNORECASE)
# Exactly three digits after the only separator (« 850.000 », « 850,000 ») or after dotted thousands
# (« 1.250,000 »): a thousands separator or a decimal one? Both readings are plausible, neither is chosen.
_AMBIGUOUS = re.compile(r"^\+?(?:([0-9]+)[.,]|([0-9]{1,3}(?:\.[0-9]{3})+),)([0-9]{3})$")

CONTEXT = Context(prec=60, rounding=ROUND_HALF_EVEN, Emax=999_999, Emin=-999_999, traps=[InvalidOperation, DivisionByZero, Overflow])
"""The context every parse runs in: 60 digits hold exactly any number the bounds let through (at most
``MAX_TEXT`` characters, then divided by 100 for a percentage), so nothing is rounded; an invalid operation
or an overflow raises instead of giving NaN or Infinity."""

MAX_TEXT = 40  # characters of a number, spaces and unit removed (« 1.250.000.000,50 » has 16)
CENT = Decimal("0.01")
RATE_STEP = Decimal("1e-8")  # a rate to the millionth of a percent at most, as « 7,123456 % »
SHOWN = 40  # characters of a value quoted in a message


@dataclass
class ValueProblem(Exception):
    """A value of the profile that cannot be read, with the message that says why."""

    message: str
    expected: str | None = None
    suggestion: str | None = None


def _to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def clip(value, limit: int = SHOWN) -> str:
    """``value`` as text for a message, cut to ``limit`` characters (a 5 000-digit number, a pasted page)."""
    try:
        text = str(value)
    except ValueError:  # an integer beyond Python's conversion limit (4 300 digits): its magnitude
        text = format(Decimal(value), ".3e")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value) -> str:
    return f"« {clip(value)} »"


def _too_long(text: str) -> bool:
    return len(text) > MAX_TEXT


def parse_rate(value, *, allow_zero: bool = False) -> Decimal:
    """A share between 0 and 1: « 7 % », « 7,5 % », « 7% » or the fraction 0.07."""
    with localcontext(CONTEXT):
        return _parse_rate(value, allow_zero)


def _parse_rate(value, allow_zero: bool) -> Decimal:
    expected = "un pourcentage comme « 7 % » ou « 7,5 % », ou une fraction comme 0.07"
    bare = False
    if isinstance(value, str):
        if _too_long(value.strip()):
            raise ValueProblem(f"{_show(value)} est trop long pour un taux (plus de {MAX_TEXT} caractères).", expected)
        match = _RATE.match(value)
        if match:
            rate = Decimal(match.group(1).replace(",", ".")) / 100
        else:
            try:
                rate = _to_decimal(value.strip().replace(",", "."))
            except InvalidOperation:
                raise ValueProblem(f"{_show(value)} n'est pas un taux.", expected) from None
            bare = True
    else:
        try:
            rate = _to_decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueProblem(f"{_show(value)} n'est pas un taux.", expected) from None
        bare = True
    if bare and rate.is_finite() and rate >= 1:
        if rate == 1:
            raise ValueProblem(
                f"{_show(value)} est ambigu : un nombre nu doit être une fraction strictement inférieure à 1.",
                expected,
                "Écrivez « 1 % » ou « 100 % ».",
            )
        suggestion = None
        if rate <= 10_000:  # a percentage typed without its sign; beyond, no guess
            shown = format(rate.normalize(), "f").replace(".", ",")
            suggestion = f"Vouliez-vous dire « {shown} % » ?"
        raise ValueProblem(f"{_show(value)} n'est pas un taux : un nombre nu doit être une fraction entre 0 et 1.", expected, suggestion)
    if not rate.is_finite():
        raise ValueProblem(f"{_show(value)} n'est pas un taux.", expected)
    if rate > 1:
        raise ValueProblem(f"{_show(value)} dépasse 100 %.", "un taux entre 0 % et 100 %")
    if rate < 0 or (rate == 0 and not allow_zero):
        raise ValueProblem(f"{_show(value)} doit être strictement positif.", "un taux supérieur à 0 %")
    if rate != rate.quantize(RATE_STEP):
        raise ValueProblem(
            f"{_show(value)} a trop de décimales.",
            "un taux d'au plus six décimales en pourcentage, comme « 7,5 % »",
            "Arrondissez le taux.",
        )
    return rate


MAX_AMOUNT = Decimal("100000000000")  # 100 Md€ HT: beyond, the figure is certainly a typing error


def _french(amount: Decimal, space: str = "\u00a0") -> str:
    """« 850 000 », « 1 250,5 »: French grouping and decimal comma, as the amount is (no rounding)."""
    units, _, decimals = format(amount, "f").partition(".")
    grouped = f"{int(units):,}".replace(",", space)
    return grouped + ("," + decimals if decimals else "")


def _ambiguous(value, match: re.Match, unit: str) -> ValueProblem:
    """« 850.000 »: 850 000 € or 850 €? The problem names both readings and how to write each."""
    single, dotted, decimals = match.groups()
    digits = (single or dotted).replace(".", "")
    thousands = Decimal(digits + decimals)
    fraction = Decimal(f"{digits}.{decimals}")
    suggestion = f"Pour {_french(thousands)} {unit}, écrivez {thousands} ou « {_french(thousands, ' ')} »"
    if fraction == fraction.quantize(CENT):
        suggestion += f" ; pour {_french(fraction.normalize())} {unit}, écrivez « {_french(fraction.quantize(CENT), ' ')} »."
    else:
        suggestion += f" ; {_french(fraction)} {unit} n'est pas un montant au centime près."
    return ValueProblem(
        f"{_show(value)} est ambigu : {_french(thousands)} {unit} si le séparateur est celui des milliers, "
        f"{_french(fraction.normalize())} {unit} s'il est décimal.",
        "un montant écrit sans ambiguïté (milliers séparés par des espaces ou non séparés, centimes après une virgule)",
        suggestion,
    )


def parse_amount(value, *, maximum: Decimal = MAX_AMOUNT, unit: str = "€ HT") -> Decimal:
    """An amount in euros: a number or a French-written string such as « 1 250 000,50 € ».

    « 850.000 » or « 850,000 » (three digits after the only separator) is refused as ambiguous; dotted
    thousands with several groups (« 1.250.000 ») or followed by cents (« 850.000,50 ») are not."""
    with localcontext(CONTEXT):
        return _parse_amount(value, maximum, unit)


def _parse_amount(value, maximum: Decimal, unit: str) -> Decimal:
    expected = "un montant en euros, comme 850000 ou « 1 250 000,50 € »"
    if isinstance(value, str):
        text = _AMOUNT_SUFFIX.sub("", value)
        text = _SPACES.sub("", text)
        if _too_long(text):
            raise ValueProblem(f"{_show(value)} est trop long pour un montant (plus de {MAX_TEXT} caractères).", expected, "Vérifiez le nombre de zéros.")
        ambiguous = _AMBIGUOUS.match(text)
        if ambiguous:
            raise _ambiguous(value, ambiguous, unit)
        if _DOTTED_THOUSANDS.match(text):
            text = text.replace(".", "")  # « 1.250.000 », « 850.000,50 » : dots as thousands separators
        elif text.count(",") == 1 and text.count(".") == 0:
            text = text.replace(",", ".")
        if text.count(",") == 1:
            text = text.replace(",", ".")
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueProblem(f"{_show(value)} n'est pas un montant.", expected) from None
    else:
        try:
            amount = _to_decimal(value)
        except (InvalidOperation, TypeError, ValueError):
            raise ValueProblem(f"{_show(value)} n'est pas un montant.", expected) from None
    if not amount.is_finite():
        raise ValueProblem(f"{_show(value)} n'est pas un montant.", expected)
    if amount <= 0:
        raise ValueProblem(f"{_show(value)} doit être strictement positif.", f"un montant supérieur à 0 {unit}")
    if amount > maximum:
        raise ValueProblem(
            f"{_show(value)} est invraisemblable (plus de {maximum:,.0f} {unit}).".replace(",", "\u00a0"),
            f"un montant réaliste en {unit}",
            "Vérifiez le nombre de zéros.",
        )
    cents = amount.quantize(CENT)
    if amount != cents:
        raise ValueProblem(
            f"{_show(value)} a plus de deux décimales : un montant s'écrit au centime près.",
            f"un montant en {unit} au centime près, comme « 1 250 000,50 € »",
        )
    return cents if amount.as_tuple().exponent < -2 else amount


# Any date of a profile lies in this century: a consultation, a notification or a publication of data
# before 2000 or after 2099 is a typo, and every computation on dates (months of execution, years of the
# spreading of hours, 50 years at most) stays far inside what ``datetime`` can represent.
EARLIEST_DATE = _dt.date(2000, 1, 1)
LATEST_DATE = _dt.date(2099, 12, 31)


def parse_date(value, *, earliest: _dt.date = EARLIEST_DATE, latest: _dt.date = LATEST_DATE) -> _dt.date:
    """A date written « AAAA-MM-JJ » (or read as a date by YAML), between ``earliest`` and ``latest``."""
    if isinstance(value, _dt.datetime):
        day = value.date()
    elif isinstance(value, _dt.date):
        day = value
    else:
        try:
            text = str(value).strip()
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
                raise ValueError(text)
            day = _dt.date.fromisoformat(text)
        except ValueError:
            raise ValueProblem(
                f"{_show(value)} n'est pas une date.",
                "une date au format AAAA-MM-JJ, comme 2026-12-15",
            ) from None
    if not earliest <= day <= latest:
        raise ValueProblem(
            f"« {day.isoformat()} » est hors de la période que clausegen sait traiter.",
            f"une date du {earliest.isoformat()} au {latest.isoformat()}",
            "Vérifiez l'année : une faute de frappe ?",
        )
    return day


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def invalid_xml_char(text: str) -> str | None:
    """The first character that cannot appear in a Word document, or None."""
    match = _INVALID_XML.search(text)
    return match.group(0) if match else None
