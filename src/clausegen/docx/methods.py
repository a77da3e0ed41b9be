"""Sandbox limits on the methods of texts and numbers a template reaches (``'x'.center(…)``,
``n.to_bytes(…)``, ``'{:>9}'.format(…)``): widths and sizes are checked before the method runs."""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache

from markupsafe import Markup

from .guard import MAX_TEXT, _fr, _too_long, _width, BudgetExceeded, check_size, text_size, tick


def _pre_method(owner, name: str, args, kwargs):
    """Checks before calling ``owner.name(*args, **kwargs)``; may return replacement args."""
    def arg(i, key, default=None):
        return args[i] if len(args) > i else kwargs.get(key, default)

    if name in ("center", "ljust", "rjust", "zfill"):
        _width(arg(0, "width"))
    elif name == "expandtabs":
        size = arg(0, "tabsize", 8)
        if isinstance(size, int) and len(owner) + owner.count("\t" if isinstance(owner, str) else b"\t") * max(size, 0) > MAX_TEXT:
            raise _too_long()
    elif name == "replace":
        old, new = arg(0, "old"), arg(1, "new")
        if isinstance(old, type(owner)) and isinstance(new, type(owner)) and len(new) > len(old):
            count = owner.count(old) if old else len(owner) + 1
            limit = arg(2, "count", -1)
            if isinstance(limit, int) and limit >= 0:
                count = min(count, limit)
            if len(owner) + count * (len(new) - len(old)) > MAX_TEXT:
                raise _too_long()
    elif name == "join" and args:
        items = _bounded_items(args[0], separator=len(owner))
        return (items, *args[1:]), kwargs
    elif name == "translate" and args and isinstance(owner, str):
        table = args[0]
        longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1) if isinstance(table, dict) else 1
        if len(owner) * max(longest, 1) > MAX_TEXT:
            raise _too_long()
    elif name == "to_bytes":
        _width(arg(0, "length", 1), "longueur")
    return args, kwargs


def _bounded_items(iterable, separator: int = 0) -> list:
    """The items of ``iterable`` as a list, refused as soon as joining them would give a too long text."""
    items, total = [], 0
    for item in iterable:
        tick()
        total += text_size(item) + separator
        if total > MAX_TEXT:
            raise _too_long()
        items.append(item)
    return items


_PLAIN = frozenset({str, int, float, bool, type(None), Decimal, dict, list, tuple, Markup})
_GUARDED = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "translate", "to_bytes", "encode"})


def guard_method(value):
    """``value`` itself, or a checked wrapper when it is a method of a text, bytes or integer that could
    build a huge result."""
    if type(value) in _PLAIN:  # most lookups: a text, a figure, a list… (no method, no failed attribute lookup)
        return value
    name = getattr(value, "__name__", None)
    if name not in _GUARDED:
        return value
    owner = getattr(value, "__self__", None)
    if not isinstance(owner, (str, bytes, int)) or isinstance(owner, type):
        return value

    def checked(*args, **kwargs):
        tick()
        args, kwargs = _pre_method(owner, name, args, kwargs)
        return check_size(value(*args, **kwargs))

    checked.__name__ = name
    return checked


_NUMBERS = re.compile(r"\d+")


class BoundedFields:
    """Mixin for Jinja's sandboxed formatters: no huge width or precision, no huge result."""

    def vformat(self, format_string, args, kwargs):
        self._produced = len(format_string)
        if self._produced > MAX_TEXT:
            raise _too_long()
        return super().vformat(format_string, args, kwargs)

    def format_field(self, value, format_spec):
        tick()
        for number in _NUMBERS.findall(format_spec or ""):
            if len(number) > 7 or int(number) > MAX_TEXT:
                raise BudgetExceeded(f"largeur démesurée ({number}) dans un format du modèle (au plus {_fr(MAX_TEXT)})")
        self._produced += text_size(value)
        if self._produced > MAX_TEXT:
            raise _too_long()
        out = super().format_field(value, format_spec)
        self._produced += len(out)
        if self._produced > 2 * MAX_TEXT:
            raise _too_long()
        return out


@lru_cache(maxsize=1)
def _formatters():
    from jinja2.sandbox import SandboxedEscapeFormatter, SandboxedFormatter

    class BoundedFormatter(BoundedFields, SandboxedFormatter):
        pass

    class BoundedEscapeFormatter(BoundedFields, SandboxedEscapeFormatter):
        pass

    return BoundedFormatter, BoundedEscapeFormatter


def wrap_str_format(env, value):
    """As Jinja's ``SandboxedEnvironment.wrap_str_format``, with the bounded formatters."""
    import types
    from functools import update_wrapper

    from markupsafe import Markup

    if not isinstance(value, (types.MethodType, types.BuiltinMethodType)) or value.__name__ not in ("format", "format_map"):
        return None
    owner = value.__self__
    if not isinstance(owner, str):
        return None
    str_type = type(owner)
    is_format_map = value.__name__ == "format_map"
    plain, escaping = _formatters()
    formatter = escaping(env, escape=owner.escape) if isinstance(owner, Markup) else plain(env)

    def wrapper(*args, **kwargs):
        tick()
        if is_format_map:
            if kwargs:
                raise TypeError("format_map() takes no keyword arguments")
            if len(args) != 1:
                raise TypeError(f"format_map() takes exactly one argument ({len(args)} given)")
            kwargs, args = args[0], ()
        return str_type(formatter.vformat(owner, args, kwargs))

    return update_wrapper(wrapper, value)
