"""Sandbox limits on filters: every filter call spends the budget, its arguments are checked before it runs
(a huge list is never turned into text, a width never exceeds ``guard.MAX_TEXT``) and its result after.

Filters are told apart by what they do with their value: Jinja's filters that make a text of it, and the
filters of the environment's owner declared as text or figure filters (``FilterSet``)."""

from __future__ import annotations

from decimal import Decimal

from .guard import MAX_MAGNITUDE, MAX_PLACES, MAX_TEXT, BudgetExceeded, _check_text, _fr, _too_long, _width, check_number, check_percent, check_size, text_size, tick
from .methods import _bounded_items, _pre_method


# Filters that turn their value into text first: a huge list must not be turned into text.
JINJA_TEXT_FILTERS = frozenset({
    "capitalize", "center", "e", "escape", "forceescape", "indent", "lower", "pprint", "replace", "safe",
    "string", "striptags", "title", "tojson", "trim", "truncate", "upper", "urlencode", "urlize",
    "wordcount", "wordwrap", "xmlattr", "format",
})



# The filters _pre_filter checks by name (besides every « text » and « figure » filter)
_CHECKED_NAMES = frozenset({"center", "indent", "wordwrap", "replace", "format", "join", "batch", "slice", "sum", "int"})


def _has_pre_check(name: str, kind: str | None) -> bool:
    return kind in ("text", "figure") or name in _CHECKED_NAMES


def _pre_filter(name: str, args: list, kwargs: dict, kind: str | None) -> None:
    """Checks before the filter ``name`` runs on ``args[0]`` with the other arguments; may replace the value.
    ``kind``: « text » for a filter that makes a text of its value, « figure » for one that formats a number.
    Only called for the filters ``_has_pre_check`` names: it checks nothing of the others."""
    value = args[0] if args else None

    def arg(i, key, default=None):
        return args[i] if len(args) > i else kwargs.get(key, default)

    if kind == "text":
        _check_text(value)
    if name == "center":
        _width(arg(1, "width", 80))
    elif name == "indent":
        width = arg(1, "width", 4)
        size = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
        if size > MAX_TEXT or (str(value).count("\n") + 1) * max(size, 0) + text_size(value) > MAX_TEXT:
            raise _too_long()
    elif name == "wordwrap":
        width, wrap = arg(1, "width", 79), arg(3, "wrapstring", None) or "\n"
        length = text_size(value)
        if isinstance(width, int) and width > 0 and isinstance(wrap, str) and length + (length // width + str(value).count("\n") + 1) * len(wrap) > MAX_TEXT:
            raise _too_long()
    elif name == "replace":
        if len(args) >= 3:
            _pre_method(str(value), "replace", tuple(args[1:]), dict(kwargs))
    elif name == "format":
        check_percent(str(value), dict(kwargs) if kwargs else tuple(args[1:]))
    elif name == "join":
        separator = arg(1, "d", "")
        if value is not None and not isinstance(value, str):
            args[0] = _bounded_items(value, separator=len(separator) if isinstance(separator, str) else 0)
    elif name in ("batch", "slice"):
        count = arg(1, "linecount" if name == "batch" else "slices")
        if isinstance(count, int) and count > MAX_TEXT:
            raise BudgetExceeded(f"« {name} » : {_fr(count)} est démesuré (au plus {_fr(MAX_TEXT)})")
    elif name == "sum":
        start = arg(2, "start", 0)
        if isinstance(start, (list, tuple, str)) and value is not None:
            items = _bounded_items(value)
            total = len(start) + sum(len(x) for x in items if hasattr(x, "__len__"))
            if total > MAX_TEXT or total * (len(items) + 1) > 50 * MAX_TEXT:
                raise _too_long("liste")
            args[0] = items
    elif name == "int":
        check_number(value)
    elif kind == "figure":
        places = arg(1, "places")
        if isinstance(places, int) and abs(places) > MAX_PLACES:
            raise BudgetExceeded(f"« {name} » : {places} décimales demandées (au plus {MAX_PLACES})")
        if isinstance(value, str) and len(value) > 100:
            raise BudgetExceeded(f"« {name} » : nombre démesuré")
        if isinstance(value, Decimal) and value.is_finite() and value != 0 and value.adjusted() > MAX_MAGNITUDE:
            raise BudgetExceeded(f"« {name} » : nombre démesuré")
        if isinstance(value, int) and value.bit_length() > MAX_MAGNITUDE * 4:
            raise BudgetExceeded(f"« {name} » : nombre démesuré")


def guard_filter(name: str, func, kind: str | None = None):
    """``func`` wrapped: budget spent, arguments checked before, result size checked after."""
    pass_arg = getattr(func, "jinja_pass_arg", None)
    skip = 0 if pass_arg is None else 1

    if _has_pre_check(name, kind):
        def checked(*args, **kwargs):
            tick()
            if len(args) > skip:
                rest = list(args[skip:])
                _pre_filter(name, rest, kwargs, kind)
                args = (*args[:skip], *rest)
            return check_size(func(*args, **kwargs))
    else:
        def checked(*args, **kwargs):
            tick()
            return check_size(func(*args, **kwargs))

    checked.__name__ = getattr(func, "__name__", name)
    checked.__doc__ = getattr(func, "__doc__", None)
    if pass_arg is not None:
        checked.jinja_pass_arg = pass_arg
    return checked
