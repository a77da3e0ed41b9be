"""Parsing of the values buyers type: rates (« 7 % », 0.07), amounts (« 1 250 000,50 € »), dates.

Each parser returns a ``Decimal`` (never a float) or raises ``ValueProblem`` whose fields become the
``Issue`` shown to the user: what is wrong, what was expected, a suggestion.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009_']+")
_RATE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?)\s*[\u00a0\u202f]?%\s*$")
_DOTTED_THOUSANDS = re.compile(r"^[0-9]{1,3}(\.[0-9]{3})+(,[0-9]+)?$")
_AMOUNT_SUFFIX = re.compile(r"(€|eur(os?)?|ht|h\.t\.)", re.IGNORECASE)


@dataclass
class ValueProblem(Exception):
    message: str
    expected: str | None = None
    suggestion: str | None = None


def _to_decimal(value) -> Decimal:
    if isinstance(value, bool):
        raise InvalidOperation
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


def _show(value) -> str:
    return f"« {value} »"


def parse_rate(value, *, allow_zero: bool = False) -> Decimal:
    """A share between 0 and 1: « 7 % », « 7,5 % », « 7% » or the fraction 0.07."""
    expected = "un pourcentage comme « 7 % » ou « 7,5 % », ou une fraction comme 0.07"
    bare = False
    if isinstance(value, str):
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
        shown = format(rate.normalize(), "f").replace(".", ",")
        raise ValueProblem(
            f"{_show(value)} n'est pas un taux : un nombre nu doit être une fraction entre 0 et 1.",
            expected,
            f"Vouliez-vous dire « {shown} % » ?",
        )
    if not rate.is_finite():
        raise ValueProblem(f"{_show(value)} n'est pas un taux.", expected)
    if rate > 1:
        raise ValueProblem(f"{_show(value)} dépasse 100 %.", "un taux entre 0 % et 100 %")
    if rate < 0 or (rate == 0 and not allow_zero):
        raise ValueProblem(f"{_show(value)} doit être strictement positif.", "un taux supérieur à 0 %")
    return rate


MAX_AMOUNT = Decimal("100000000000")  # 100 Md€ HT: beyond, the figure is certainly a typing error


def parse_amount(value, *, maximum: Decimal = MAX_AMOUNT, unit: str = "€ HT") -> Decimal:
    """An amount in euros: a number or a French-written string such as « 1 250 000,50 € »."""
    expected = "un montant en euros, comme 850000 ou « 1 250 000,50 € »"
    if isinstance(value, str):
        text = _AMOUNT_SUFFIX.sub("", value)
        text = _SPACES.sub("", text)
        if _DOTTED_THOUSANDS.match(text):
            text = text.replace(".", "")  # « 850.000 » : dots as thousands separators
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
    return amount


def parse_date(value) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    try:
        text = str(value).strip()
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return _dt.date.fromisoformat(text)
    except ValueError:
        raise ValueProblem(
            f"{_show(value)} n'est pas une date.",
            "une date au format AAAA-MM-JJ, comme 2026-12-15",
        ) from None


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def invalid_xml_char(text: str) -> str | None:
    """The first character that cannot appear in a Word document, or None."""
    match = _INVALID_XML.search(text)
    return match.group(0) if match else None
