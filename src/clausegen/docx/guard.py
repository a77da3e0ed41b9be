"""The limits of the template sandbox: what one document's rendering may build, and for how long.

A buyer's template is untrusted code. Jinja's sandbox stops it from reaching Python's internals; this
module stops it from exhausting the machine:

* every text or list built by an operation stays under ``MAX_TEXT`` characters or items, checked *before*
  the operation when it could be large (« * », « + », « ~ », ``%`` and ``format`` widths, ``center``,
  ``zfill``, ``join``, ``replace``…), integers under ``MAX_INT_BITS`` bits and decimals under
  ``10**MAX_DECIMAL_EXPONENT`` (checked after every operator);
* each document has a ``Budget``: loop turns (``MAX_LOOP_ITEMS``), operations (``MAX_OPERATIONS``: filter
  and function calls, operators, loop turns), characters produced (``MAX_OUTPUT``, including text captured
  by ``{% set %}`` blocks and macros) and CPU time (``MAX_SECONDS``); the hooks below spend it;
* expressions and blocks nested deeper than ``MAX_DEPTH`` are refused when the template is compiled.

Exceeding a limit raises ``BudgetExceeded`` (a Jinja ``SecurityError``) with a French message; the engine
turns it into a ``RenderError`` naming the template.
"""

from __future__ import annotations

import contextlib
import contextvars
import numbers
import re
import time
from decimal import Decimal

from jinja2.sandbox import SecurityError

MAX_LOOP_ITEMS = 100_000  # loop turns in one document
MAX_REPEAT = 100_000  # longest text or list built with « * »
MAX_TEXT = 1_000_000  # longest text (characters) or list (items) one operation may build
MAX_OUTPUT = 40_000_000  # characters one document may produce, captured text included
MAX_OPERATIONS = 2_000_000  # filter and function calls, operators and loop turns in one document (built-in ones: < 1 000)
MAX_SECONDS = 5.0  # CPU seconds (of the rendering thread) for one document
MAX_INT_BITS = 10_000  # about 3 000 digits
MAX_DECIMAL_EXPONENT = 1000  # 10**1000 is already absurd, and int(Decimal("1e999999")) alone takes 30 s
MAX_DEPTH = 100  # nesting of expressions and blocks in a template
MAX_PLACES = 20  # decimals asked of a figure filter
MAX_MAGNITUDE = 60  # figures formatted by the figure filters stay below 10**60


def _thread_clock():
    try:
        time.thread_time()
        return time.thread_time
    except (AttributeError, OSError):  # pragma: no cover - platforms without a per-thread clock
        return time.process_time


_clock = _thread_clock()


class BudgetExceeded(SecurityError):
    """A template asked for more than a document may use; the message is French and complete."""


def _fr(n: int) -> str:
    return f"{n:,}".replace(",", "\u202f")


class Budget:
    """What is left for one document (see the module docstring)."""

    __slots__ = ("_until_clock", "deadline", "loops", "operations", "output")

    def __init__(self, seconds: float = MAX_SECONDS):
        self.loops = MAX_LOOP_ITEMS
        self.operations = MAX_OPERATIONS
        self.output = MAX_OUTPUT
        self.deadline = _clock() + seconds
        self._until_clock = 64

    def tick(self, n: int = 1) -> None:
        self.operations -= n
        if self.operations < 0:
            raise BudgetExceeded(f"plus de {_fr(MAX_OPERATIONS)} opérations pour un seul document")
        self._until_clock -= n
        if self._until_clock <= 0:
            self._until_clock = 64
            if _clock() > self.deadline:
                raise BudgetExceeded(f"plus de {MAX_SECONDS:g} secondes de calcul pour un seul document")

    def spend_output(self, n: int) -> None:
        self.output -= n
        if self.output < 0:
            raise BudgetExceeded(f"le document produit dépasserait {_fr(MAX_OUTPUT)} caractères")

    def spend_loops(self, n: int) -> None:
        self.loops -= n
        if self.loops < 0:
            raise BudgetExceeded(f"boucle trop longue (plus de {_fr(MAX_LOOP_ITEMS)} tours dans un document)")


_budget: contextvars.ContextVar[Budget] = contextvars.ContextVar("clausegen_budget")


def start_budget() -> contextvars.Token:
    """A fresh budget for the document about to be rendered; give the token back to ``end_budget``."""
    return _budget.set(Budget())


def end_budget(token: contextvars.Token) -> None:
    _budget.reset(token)


def tick(n: int = 1) -> None:
    budget = _budget.get(None)
    if budget is not None:
        budget.tick(n)


# ---------------------------------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------------------------------


def text_size(value, limit: int = MAX_TEXT) -> int:
    """About ``len(str(value))`` without building it; stops counting once past ``limit``."""
    if isinstance(value, str):
        return len(value)
    total, stack = 0, [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            total += len(item) + 2
        elif item is None or isinstance(item, bool):
            total += 5
        elif isinstance(item, int):
            total += item.bit_length() * 30103 // 100_000 + 2
        elif isinstance(item, (list, tuple, set, frozenset)):
            total += 2 + 2 * len(item)
            if total <= limit:
                stack.extend(item)
        elif isinstance(item, dict):
            total += 2 + 4 * len(item)
            if total <= limit:
                stack.extend(item.keys())
                stack.extend(item.values())
        elif isinstance(item, (bytes, bytearray)):
            total += 4 * len(item) + 3
        else:  # numbers, dates, Undefined…: short
            total += 32
        if total > limit:
            return total
    return total


def _too_long(what: str = "texte") -> BudgetExceeded:
    if what == "liste":
        return BudgetExceeded(f"liste trop longue construite par le modèle (plus de {_fr(MAX_TEXT)} éléments ou caractères)")
    return BudgetExceeded(f"{what} trop long construit par le modèle (plus de {_fr(MAX_TEXT)} caractères)")


def check_size(value, what: str = "texte"):
    """``value`` itself, after checking that it is not a too long text or list."""
    if isinstance(value, (str, list, tuple, dict, set, frozenset, bytes)) and len(value) > MAX_TEXT:
        raise _too_long(what if isinstance(value, (str, bytes)) else "liste")
    return value


def _check_text(value, what: str = "texte") -> None:
    if text_size(value) > MAX_TEXT:
        raise _too_long(what)


def _width(value, what: str = "largeur") -> None:
    if isinstance(value, numbers.Integral) and not isinstance(value, bool) and value > MAX_TEXT:
        raise BudgetExceeded(f"{what} démesurée ({_fr(int(value))}) demandée par le modèle (au plus {_fr(MAX_TEXT)})")


# ---------------------------------------------------------------------------------------------------
# Operators
# ---------------------------------------------------------------------------------------------------

_PERCENT_SPEC = re.compile(r"%(?:\(([^)]*)\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?(.)", re.DOTALL)


def check_percent(template: str, args) -> None:
    """``template % args`` will not build a huge text (widths, precisions, repeated arguments)."""
    if "%" not in template:
        return
    positional = args if isinstance(args, tuple) else (args,)
    estimate, index = len(template), 0
    for m in _PERCENT_SPEC.finditer(template):
        key, width, precision, conversion = m.groups()
        if conversion == "%":
            continue
        for number in (width, precision):
            if number == "*":
                raise BudgetExceeded("largeur « * » interdite dans un format « % » d'un modèle")
            if number and len(number) > 7 or number and int(number) > MAX_TEXT:
                raise BudgetExceeded(f"largeur démesurée ({number}) dans un format « % » du modèle (au plus {_fr(MAX_TEXT)})")
        estimate += int(width or 0) + int(precision or 0)
        value = None
        if key is not None and hasattr(args, "get"):
            with contextlib.suppress(Exception):  # the formatting itself will raise
                value = args[key]
        elif index < len(positional):
            value = positional[index]
            index += 1
        estimate += text_size(value)
        if conversion in "diouxXc":  # turned into an integer first
            check_number(value)
        if estimate > MAX_TEXT:
            raise _too_long()


def binop(operator: str, left, right):
    """Checks before ``left <operator> right`` (called by the environment's ``call_binop``)."""
    tick()
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and count > 0:
                if count * max(len(seq), 1) > MAX_REPEAT:
                    raise BudgetExceeded("texte ou liste trop long construit par un modèle")
                if not isinstance(seq, str) and count * text_size(seq) > MAX_TEXT:
                    raise _too_long("liste")
        if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise BudgetExceeded("nombre démesuré construit par le modèle (multiplications répétées)")
    elif operator == "**":
        if isinstance(right, numbers.Number) and not isinstance(right, complex) and abs(right) > 100:
            raise BudgetExceeded("puissance trop grande dans un modèle")
        if _is_int(left) and _is_int(right) and left.bit_length() * max(right, 0) > MAX_INT_BITS:
            raise BudgetExceeded("nombre démesuré construit par le modèle (puissance)")
    elif operator == "+":
        if isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)) and len(left) + len(right) > MAX_TEXT:
            raise _too_long("texte" if isinstance(left, str) else "liste")
    elif operator == "%" and isinstance(left, str):
        check_percent(left, right)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_number(value):
    """``value`` itself, after checking it is not a number too big to be converted or printed in time
    (the result of every operator a template uses)."""
    if isinstance(value, Decimal):
        if value.is_finite() and value and abs(value.adjusted()) > MAX_DECIMAL_EXPONENT:
            raise BudgetExceeded("nombre démesuré construit par le modèle")
    elif _is_int(value) and value.bit_length() > MAX_INT_BITS:
        raise BudgetExceeded("nombre démesuré construit par le modèle")
    return value


# ---------------------------------------------------------------------------------------------------
# Loops, ranges, output, concatenation
# ---------------------------------------------------------------------------------------------------


def bounded_iter(iterable):
    """Every ``{% for %}`` iterates through here: each turn spends one loop turn and one operation, so even
    a stored range looped over in nested loops cannot run for ever."""
    budget = _budget.get(None)
    for item in iterable:
        if budget is not None:
            budget.spend_loops(1)
            budget.tick()
        yield item


def bounded_range(*args):
    items = range(*args)
    budget = _budget.get(None)
    if budget is not None:
        budget.tick()
        budget.spend_loops(len(items))
    elif len(items) > MAX_LOOP_ITEMS:
        raise BudgetExceeded(f"boucle trop longue (plus de {_fr(MAX_LOOP_ITEMS)} tours)")
    return items


def weigh(size: int) -> str:
    """Spent at the start of a loop turn or a macro call: the template text its body writes."""
    budget = _budget.get(None)
    if budget is not None:
        budget.tick()
        budget.spend_output(size)
    return ""


def finalize(value):
    """Every ``{{ … }}`` goes through here before being written: its size counts in the document's budget."""
    budget = _budget.get(None)
    if isinstance(value, str) and len(value) < 256:
        size = len(value)
    else:
        size = text_size(value, budget.output + 1 if budget is not None else MAX_TEXT)
        if budget is None and size > MAX_TEXT:
            raise _too_long()
    if budget is not None:
        budget.tick()
        budget.spend_output(size)
    return value


def concat(eval_ctx, values):
    """« a ~ b ~ c », as Jinja's own ``markup_join``/``str_join`` but refused before a too long text is built."""
    from jinja2.runtime import markup_join, str_join

    tick()
    total = 0
    for value in values:
        total += text_size(value)
        if total > MAX_TEXT:
            raise _too_long()
    return check_size(markup_join(values) if eval_ctx.autoescape else str_join(values))
