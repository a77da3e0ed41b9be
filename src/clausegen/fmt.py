"""French formatting of figures, shared by the calculator's working, the CLI and the document filters.

Numbers and dates go through Babel (CLDR data for ``fr_FR``): thousands are separated by a narrow
no-break space (U+202F), the decimal mark is a comma. Units are attached with a no-break space (U+00A0)
so that « 744 heures », « 7 % » or « 1 250 000,00 € » never break across lines.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

NBSP = "\u00a0"
NNBSP = "\u202f"
LOCALE = "fr_FR"


@lru_cache(maxsize=None)
def _locale():
    from babel import Locale

    return Locale.parse(LOCALE)


@lru_cache(maxsize=None)
def _pattern(pattern: str):
    from babel.numbers import parse_pattern

    return parse_pattern(pattern)


def format_decimal(value: Decimal, format: str, locale: str, decimal_quantization: bool) -> str:
    """Babel's ``format_decimal`` with the locale and the parsed pattern cached (hot in reviews)."""
    return _pattern(format).apply(value, _locale(), decimal_quantization=decimal_quantization)


@lru_cache(maxsize=8192)
def nombre(value, places: int | None = None) -> str:
    """« 1 250 000 », « 743,75 »; ``places`` fixes the decimals (rounded half up)."""
    value = Decimal(value)
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        pattern = "#,##0" + ("." + "0" * places if places else "")
    else:
        value = value.normalize() if value == value.to_integral_value() else value
        pattern = "#,##0.###############"
    return format_decimal(value, format=pattern, locale=LOCALE, decimal_quantization=places is not None)


def exact(value, places: int = 4) -> str:
    """A computed quantity shown so that its rounding visibly holds: the exact value when it has at most
    ``places`` decimals (« 743,75 »), else ``places`` decimals truncated, never rounded, followed by « … »
    (« 721,4955… » for 721,49551…, which rounds to 721 — « 721,50 » would suggest 722). Truncation never
    crosses a rounding boundary (x,5 ; multiples of a step), so the shown figure always rounds like the
    exact one."""
    from decimal import ROUND_DOWN

    value = Decimal(value)
    quantum = Decimal(1).scaleb(-places)
    cut = value.quantize(quantum, rounding=ROUND_DOWN)
    if cut == value:
        return nombre(value)
    return nombre(cut, places) + "…"


def montant(value, places: int = 2) -> str:
    """« 1 250 000,00 € »."""
    return f"{nombre(value, places)}{NBSP}€"


def heures(value) -> str:
    """« 744 heures », « 1 heure »."""
    number = Decimal(value)
    word = "heure" if abs(number) < 2 else "heures"
    return f"{nombre(number)}{NBSP}{word}"


def taux(value) -> str:
    """A fraction shown as a percentage: 0.07 → « 7 % », 0.075 → « 7,5 % »."""
    return f"{nombre(Decimal(value) * 100)}{NBSP}%"



def date_longue(value: _dt.date) -> str:
    """« 15 décembre 2026 », « 1er décembre 2026 »."""
    from babel.dates import format_date

    text = format_date(value, "d MMMM y", locale=LOCALE)
    if value.day == 1:
        text = "1er" + text[1:]
    return text.replace(" ", NBSP, 1)


def article(ref: str) -> str:
    """CCP article as printed in legal French: « L2112-2 » → « L. 2112-2 »."""
    ref = str(ref)
    if len(ref) > 1 and ref[0] in "LRD" and ref[1].isdigit():
        return f"{ref[0]}.{NBSP}{ref[1:]}"
    return ref


def articles(refs) -> str:
    """« L. 2112-2 à L. 2112-4 » for a run of consecutive articles, else « L. 2113-12 et R. 2113-7 »."""
    refs = [str(r) for r in refs]
    if len(refs) >= 3 and _consecutive(refs):
        return f"{article(refs[0])} à {article(refs[-1])}"
    shown = [article(r) for r in refs]
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " et " + shown[-1]


def _consecutive(refs: list[str]) -> bool:
    try:
        stems = {r.rsplit("-", 1)[0] for r in refs}
        numbers = [int(r.rsplit("-", 1)[1]) for r in refs]
    except (IndexError, ValueError):
        return False
    return len(stems) == 1 and numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def liste(items, conjonction: str = "et") -> str:
    """« a, b et c »."""
    items = [str(i) for i in items]
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + f" {conjonction} " + items[-1]


_TYPO = (
    (re.compile(r" ([:%])"), NBSP + r"\1"),
    (re.compile(r" ([;!?»])"), NNBSP + r"\1"),
    (re.compile(r"« "), "«" + NNBSP),
    (re.compile(r"\bn° "), "n°" + NBSP),
)


def typo(text: str | None) -> str | None:
    """French typography for texts clausegen writes itself: no-break space before « : » and « % », narrow
    no-break space before « ; ! ? » and inside guillemets (the documents' own pass, ``docx.typography``, does the
    same on every rendered text)."""
    if text is None:
        return None
    for pattern, replacement in _TYPO:
        text = pattern.sub(replacement, text)
    return text
