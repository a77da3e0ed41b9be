"""How the form reads and shows the values a buyer types: rates as percentages (« 7 » in « Taux
d'insertion » is 7 %), amounts written the French way (« 850 000 », « 850 000,50 »), dates JJ/MM/AAAA or
AAAA-MM-JJ.

The command line's loader stays the judge of every value (``profile.values``): ``read`` turns what the
form accepts into the plain value a profile holds (a ``Decimal`` fraction, a ``Decimal`` amount, a
``date``) and leaves anything else as typed, for the loader to refuse. ``explain`` gives the form's own
French message for a value it does not accept (used instead of the loader's, which speaks of YAML
fractions and ISO dates), ``refusal`` the only one the form refuses although the loader accepts it (an
amount in scientific notation, « 1e6 »). ``show`` is the inverse of ``read``: the value as the field shows
it (0.07 → « 7 »)."""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

RATE, AMOUNT, PENALTY, DATE = "taux", "montant", "penalite", "date"

_SPACE = "[ \u00a0\u202f\u2009]"
_PERCENT = re.compile(rf"^([0-9]+(?:[.,][0-9]+)?){_SPACE}*%?$")
_SUFFIX = re.compile(rf"{_SPACE}*(?:€|eur(?:os?)?)?{_SPACE}*(?:ht|h\.t\.)?$", re.IGNORECASE)
_GROUPED = re.compile(rf"^[0-9]{{1,3}}(?:{_SPACE}[0-9]{{3}})+(?:,[0-9]{{1,2}})?$")
_PLAIN = re.compile(r"^[0-9]+(?:[.,][0-9]{1,2})?$")
_SCIENTIFIC = re.compile(r"[0-9.,]\s*[eE]\s*[+-]?[0-9]")
_AMBIGUOUS = re.compile(r"^([0-9]{1,3})[.,]([0-9]{3})$")
_FRENCH_DATE = re.compile(r"^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})$")
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})$")
_RATE_STEP = Decimal("1e-6")  # a percentage to the millionth (the loader's limit)

AMOUNT_EXPECTED = "un montant en euros, les milliers séparés par des espaces et les centimes après une virgule"
AMOUNT_EXAMPLE = "Écrivez par exemple « 850 000 » ou « 850 000,50 »."
RATE_EXPECTED = "un pourcentage entre 0 et 100, comme « 7 » ou « 7,5 » (le signe % est facultatif)"
DATE_EXPECTED = "une date écrite JJ/MM/AAAA ou AAAA-MM-JJ, comme « 15/03/2027 » ou « 2027-03-15 »"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")


def kind(node: dict) -> str | None:
    """The kind of value a leaf of the schema holds, as the form reads it (None: text, integer, choice)."""
    if node.get("format") == "date":
        return DATE
    kinds = node.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    if "number" not in kinds:
        return None
    examples = [str(e) for e in node.get("examples") or ()]
    if any("%" in e for e in examples):
        return RATE
    if "aucune" in examples:
        return PENALTY
    return AMOUNT


def _french(number: Decimal) -> str:
    text = format(number, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def _grouped(number: Decimal) -> str:
    units, _, cents = format(number, "f").partition(".")
    return f"{int(units):,}".replace(",", " ") + ("," + cents if cents else "")


# -- typed text → a profile's value ------------------------------------------------------------------


def read(what: str | None, text: str) -> Any:
    """The value ``text`` (stripped, not empty) gives in a field of kind ``what``: the form's reading when
    it accepts it, ``text`` itself otherwise (the loader then says why)."""
    if what == RATE:
        return _read_rate(text)
    if what in (AMOUNT, PENALTY):
        if what == PENALTY and text.lower() == "aucune":
            return "aucune"
        amount = _read_amount(text)
        return text if amount is None else amount
    if what == DATE:
        day = _read_date(text)
        return text if day is None else day
    return text


def _read_rate(text: str) -> Any:
    match = _PERCENT.match(text) if len(text) <= 40 else None
    if not match:
        return text
    number = Decimal(match.group(1).replace(",", "."))
    if number <= 100 and number == number.quantize(_RATE_STEP):
        return number.scaleb(-2)  # exact: « 7 » → 0.07, « 7,5 » → 0.075, « 0,07 » → 0.0007
    return f"{match.group(1)} %"  # the loader says « dépasse 100 % » or « trop de décimales »


def _read_amount(text: str) -> Decimal | int | None:
    if len(text) > 40:
        return None
    bare = _SUFFIX.sub("", text, count=1)
    if not (_GROUPED.match(bare) or _PLAIN.match(bare)):
        return None
    if _AMBIGUOUS.match(bare):
        return None
    amount = Decimal(re.sub(_SPACE, "", bare).replace(",", "."))
    return int(amount) if amount == amount.to_integral_value() else amount


def _read_date(text: str) -> _dt.date | None:
    match = _FRENCH_DATE.match(text)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = _ISO_DATE.match(text)
        if not match:
            return None
        year, month, day = (int(g) for g in match.groups())
    try:
        return _dt.date(year, month, day)
    except ValueError:
        return None


# -- what the form says of a value it does not accept -------------------------------------------------------


def refusal(what: str | None, text: str) -> tuple[str, str, str] | None:
    """(message, expected, suggestion) of a value the form refuses though the loader would accept it."""
    if what in (AMOUNT, PENALTY) and isinstance(text, str) and _SCIENTIFIC.search(text):
        return explain(what, text)
    return None


def explain(what: str | None, value: Any) -> tuple[str, str, str | None] | None:
    """The form's (message, expected, suggestion) for ``value`` typed in a field of kind ``what``, or None
    when the form has nothing to add to the loader's message (a value it reads)."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    shown = f"« {text[:40]}{'…' if len(text) > 40 else ''} »"
    if what in (AMOUNT, PENALTY):
        return _explain_amount(text, shown, what)
    if what == RATE:
        return _explain_rate(text, shown)
    if what == DATE:
        return _explain_date(text, shown)
    return None


def _explain_amount(text: str, shown: str, what: str) -> tuple[str, str, str | None] | None:
    expected = AMOUNT_EXPECTED + (", ou « aucune »" if what == PENALTY else "")
    if _SCIENTIFIC.search(text):
        return f"{shown} est écrit en notation scientifique, qui n'est pas admise pour un montant.", expected, AMOUNT_EXAMPLE
    if text[:1] in "-−":
        return f"{shown} est négatif : un montant est supérieur à zéro.", expected, AMOUNT_EXAMPLE
    ambiguous = _AMBIGUOUS.match(_SUFFIX.sub("", text, count=1))
    if ambiguous:
        units, decimals = ambiguous.groups()
        thousands = Decimal(units + decimals)
        return (f"{shown} est ambigu : le point ou la virgule peut séparer les milliers ({_grouped(thousands)} €) "
                f"ou les décimales ({_french(Decimal(units + '.' + decimals))} €).", expected,
                f"Pour {_grouped(thousands)} €, écrivez « {_grouped(thousands)} » ; pour des centimes, deux chiffres après la virgule, "
                f"comme « 850 000,50 ».")
    amount = _read_amount(text)
    if amount is not None:
        if amount == 0:
            return f"{shown} est nul : un montant est supérieur à zéro.", expected, AMOUNT_EXAMPLE
        return None  # read by the form: the loader's message stands (an amount beyond belief, for one)
    return f"{shown} n'est pas un montant.", expected, AMOUNT_EXAMPLE


def _explain_rate(text: str, shown: str) -> tuple[str, str, str | None] | None:
    match = _PERCENT.match(text) if len(text) <= 40 else None
    if match:
        number = Decimal(match.group(1).replace(",", "."))
        if number > 100:
            return f"{shown} dépasse 100 %.", RATE_EXPECTED, None
        if number != number.quantize(_RATE_STEP):
            return f"{shown} a trop de décimales.", RATE_EXPECTED, "Arrondissez le taux, par exemple « 7,5 »."
        if number == 0:
            return f"{shown} est nul : le taux doit être supérieur à 0 %.", RATE_EXPECTED, None
        return None
    if text[:1] in "-−":
        return f"{shown} est négatif : le taux doit être supérieur à 0 %.", RATE_EXPECTED, None
    return f"{shown} n'est pas un pourcentage.", RATE_EXPECTED, "Écrivez par exemple « 7 » pour 7 %."


def _explain_date(text: str, shown: str) -> tuple[str, str, str | None] | None:
    match = _FRENCH_DATE.match(text)
    parts = None
    if match:
        day, month, year = (int(g) for g in match.groups())
        parts = (year, month, day)
    elif _ISO_DATE.match(text):
        parts = tuple(int(g) for g in _ISO_DATE.match(text).groups())
    if parts is None:
        return f"{shown} n'est pas une date.", DATE_EXPECTED, None
    year, month, day = parts
    if not 1 <= month <= 12:
        return f"{shown} n'est pas une date : il n'y a pas de mois {month}.", DATE_EXPECTED, None
    try:
        _dt.date(year, month, day)
    except ValueError:
        last = (_dt.date(year + month // 12, month % 12 + 1, 1) - _dt.timedelta(days=1)).day
        return f"{shown} n'existe pas : {MONTHS[month - 1]} {year} n'a que {last} jours.", DATE_EXPECTED, None
    return None


# -- a profile's value → the text of its field ---------------------------------------------------------


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        if isinstance(value, float):
            return Decimal(repr(value))
        if isinstance(value, (int, Decimal)):
            return Decimal(value)
        if isinstance(value, str):
            return Decimal(value.strip())
    except (InvalidOperation, ValueError):
        return None
    return None


def show(what: str | None, value: Any) -> str | None:
    """The text of a field of kind ``what`` holding ``value`` (None: as any other field shows it)."""
    if what == RATE:
        if isinstance(value, str):
            match = re.match(rf"^\s*([0-9]+(?:[.,][0-9]+)?){_SPACE}*%\s*$", value)
            if match:
                return match.group(1).replace(".", ",")
        number = _decimal(value)
        if number is not None and number.is_finite() and 0 <= number < 1:
            return _french(number.scaleb(2))  # 0.07 → « 7 »: the field is a percentage
        return None
    if what == DATE:
        day = value if isinstance(value, _dt.date) and not isinstance(value, _dt.datetime) else None
        if isinstance(value, str) and _ISO_DATE.match(value.strip()):
            day = _read_date(value.strip())
        return day.strftime("%d/%m/%Y") if day is not None else None
    if what in (AMOUNT, PENALTY) and isinstance(value, Decimal):
        return format(value, "f").replace(".", ",")
    return None
