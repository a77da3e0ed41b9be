"""French formatting of figures, shared by the calculator's working, the CLI and the document filters.

The conventions are those of the CLDR data for ``fr_FR`` (Unicode CLDR 34 and later, as Babel ships them):
thousands are separated by a narrow no-break space (U+202F), the decimal mark is a comma, the minus sign is
« - », months are written in lower case. They are written out here rather than read through Babel: loading
Babel's locale data cost a pack about 35 ms, more than the calculator itself (tests/test_fmt_cldr.py checks
every figure against Babel's own formatting). Units are attached with a no-break space (U+00A0) so that
« 744 heures », « 7 % » or « 1 250 000,00 € » never break across lines.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

NBSP = "\u00a0"
NNBSP = "\u202f"
GROUP, DECIMAL, MINUS = NNBSP, ",", "-"
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")


def _grouped(digits: str) -> str:
    head = len(digits) % 3 or 3
    return GROUP.join([digits[:head], *(digits[i : i + 3] for i in range(head, len(digits), 3))])


@lru_cache(maxsize=8192)
def nombre(value, places: int | None = None) -> str:
    """« 1 250 000 », « 743,75 »; ``places`` fixes the decimals (rounded half up), else every decimal of the
    exact value is shown, trailing zeros left out."""
    value = Decimal(value)
    if not value.is_finite():
        raise ValueError(f"nombre non fini : {value}")
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = format(value.copy_abs(), "f")  # exact: abs() would round to the context's 28 digits
    whole, _, decimals = text.partition(".")
    decimals = decimals.rstrip("0") if places is None else decimals
    sign = MINUS if value.is_signed() else ""  # « -0 » too, as CLDR formatting shows it
    return sign + _grouped(whole) + (DECIMAL + decimals if decimals else "")


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
    day = "1er" if value.day == 1 else str(value.day)
    return f"{day}{NBSP}{MONTHS[value.month - 1]} {value.year}"


def mois(year: int, month: int) -> str:
    """« janvier 2027 »."""
    return f"{MONTHS[month - 1]} {year}"


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
