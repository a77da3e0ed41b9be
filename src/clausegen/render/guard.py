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
from functools import lru_cache

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
MAX_PLACES = 20  # decimals asked of « nombre », « montant », « exact »
MAX_MAGNITUDE = 60  # figures formatted by clausegen's filters stay below 10**60


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
# Methods of texts and numbers reached from a template ('x'.center(…), n.to_bytes(…)…)
# ---------------------------------------------------------------------------------------------------


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


_GUARDED = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs", "replace", "join", "translate", "to_bytes", "encode"})


def guard_method(value):
    """``value`` itself, or a checked wrapper when it is a method of a text, bytes or integer that could
    build a huge result."""
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


# ---------------------------------------------------------------------------------------------------
# str.format: widths and total size
# ---------------------------------------------------------------------------------------------------

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


def failure_line(exc: BaseException, source: str) -> int:
    """The line Jinja's parser had reached when ``exc`` (a RecursionError) stopped it, else the line where
    brackets are nested deepest."""
    from jinja2.parser import Parser

    tb, line = exc.__traceback__, None
    while tb is not None:
        parser = tb.tb_frame.f_locals.get("self")
        if isinstance(parser, Parser):
            with contextlib.suppress(Exception):  # only for the location
                line = parser.stream.current.lineno
        tb = tb.tb_next
    return line or deepest_line(source)


def deepest_line(source: str) -> int:
    """The line where brackets are nested deepest (for a template too nested to be parsed)."""
    depth = deepest = 0
    line = where = 1
    for char in source:
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest, where = depth, line
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "\n":
            line += 1
    return where


# ---------------------------------------------------------------------------------------------------
# Filters
# ---------------------------------------------------------------------------------------------------

# Filters that turn their value into text first: a huge list must not be turned into text.
_TEXT_FILTERS = frozenset({
    "capitalize", "center", "e", "escape", "forceescape", "indent", "lower", "pprint", "replace", "safe",
    "string", "striptags", "title", "tojson", "trim", "truncate", "upper", "urlencode", "urlize",
    "wordcount", "wordwrap", "xmlattr", "format", "article", "articles", "liste",
})
_FIGURE_FILTERS = frozenset({"exact", "heures", "nombre", "montant", "taux", "points"})


def _pre_filter(name: str, args: list, kwargs: dict) -> None:
    """Checks before the filter ``name`` runs on ``args[0]`` with the other arguments; may replace the value."""
    value = args[0] if args else None

    def arg(i, key, default=None):
        return args[i] if len(args) > i else kwargs.get(key, default)

    if name in _TEXT_FILTERS:
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
    elif name in _FIGURE_FILTERS:
        places = arg(1, "places")
        if isinstance(places, int) and abs(places) > MAX_PLACES:
            raise BudgetExceeded(f"« {name} » : {places} décimales demandées (au plus {MAX_PLACES})")
        if isinstance(value, str) and len(value) > 100:
            raise BudgetExceeded(f"« {name} » : nombre démesuré")
        if isinstance(value, Decimal) and value.is_finite() and value != 0 and value.adjusted() > MAX_MAGNITUDE:
            raise BudgetExceeded(f"« {name} » : nombre démesuré")
        if isinstance(value, int) and value.bit_length() > MAX_MAGNITUDE * 4:
            raise BudgetExceeded(f"« {name} » : nombre démesuré")


def guard_filter(name: str, func):
    """``func`` wrapped: budget spent, arguments checked before, result size checked after."""
    pass_arg = getattr(func, "jinja_pass_arg", None)
    skip = 0 if pass_arg is None else 1

    def checked(*args, **kwargs):
        tick()
        if len(args) > skip:
            rest = list(args[skip:])
            _pre_filter(name, rest, kwargs)
            args = (*args[:skip], *rest)
        return check_size(func(*args, **kwargs))

    checked.__name__ = getattr(func, "__name__", name)
    checked.__doc__ = getattr(func, "__doc__", None)
    if pass_arg is not None:
        checked.jinja_pass_arg = pass_arg
    return checked


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
    if isinstance(value, str) and len(value) < 256:
        size = len(value)
    else:
        budget = _budget.get(None)
        size = text_size(value, budget.output + 1 if budget is not None else MAX_TEXT)
        if budget is None and size > MAX_TEXT:
            raise _too_long()
    budget = _budget.get(None)
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


# ---------------------------------------------------------------------------------------------------
# Parse time: depth, forbidden tags, loop and macro bodies weighed
# ---------------------------------------------------------------------------------------------------

_FORBIDDEN_NODES = {"Include": "include", "Extends": "extends", "Import": "import", "FromImport": "from … import"}


def tree_depth(tree) -> tuple[int, int | None]:
    """Deepest nesting of a Jinja tree, computed without recursion (it may be deeper than Python's stack),
    and a line where it exceeds ``MAX_DEPTH`` (the walk stops there)."""
    deepest, line = 0, None
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > deepest:
            deepest, line = depth, getattr(node, "lineno", None) or line
            if deepest > MAX_DEPTH:
                break
        stack.extend((child, depth + 1) for child in node.iter_child_nodes())
    return deepest, line


def rewrite(tree, name, filename):
    """Check a parsed template and wire it to the budget: loops bounded and weighed, macro and captured
    blocks weighed, « ~ » bounded, nesting limited, include/import/extends refused.

    One walk without recursion (the tree may be too deep for Python's stack) checks the depth and collects
    the nodes to change; they are changed afterwards."""
    from jinja2 import nodes
    from jinja2.exceptions import TemplateSyntaxError

    forbidden = tuple(getattr(nodes, n) for n in _FORBIDDEN_NODES)
    bodies = (nodes.For, nodes.Macro, nodes.CallBlock, nodes.FilterBlock, nodes.AssignBlock)
    weighed, concats = [], []  # nodes with a body to weigh; (parent, field, index or None) of each « ~ »
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise TemplateSyntaxError(f"expression ou blocs imbriqués trop profondément (plus de {MAX_DEPTH} niveaux)",
                                      getattr(node, "lineno", None) or 1, name, filename)
        if isinstance(node, forbidden):
            raise TemplateSyntaxError(f"« {_FORBIDDEN_NODES[type(node).__name__]} » est interdit dans un modèle clausegen",
                                      node.lineno, name, filename)
        if isinstance(node, bodies):
            weighed.append(node)
        for field in node.fields:
            value = getattr(node, field, None)
            if isinstance(value, nodes.Node):
                if isinstance(value, nodes.Concat):
                    concats.append((node, field, None))
                stack.append((value, depth + 1))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, nodes.Node):
                        if isinstance(item, nodes.Concat):
                            concats.append((node, field, index))
                        stack.append((item, depth + 1))

    def size(node) -> int:
        if isinstance(node, nodes.TemplateData):
            return len(node.data)
        return len(node.value) if isinstance(node, nodes.Const) and isinstance(node.value, str) else 0

    for node in weighed:
        weight = 1 + sum(size(stmt) + sum(size(n) for n in stmt.find_all((nodes.TemplateData, nodes.Const))) for stmt in node.body)
        spend = nodes.ExprStmt(nodes.Filter(nodes.Const(weight), "_poids", [], [], None, None, lineno=node.lineno), lineno=node.lineno)
        node.body = [spend, *node.body]
        if isinstance(node, nodes.For):
            node.iter = nodes.Filter(node.iter, "_tours", [], [], None, None, lineno=node.iter.lineno)
    for parent, field, index in concats:
        concat = getattr(parent, field) if index is None else getattr(parent, field)[index]
        bounded = nodes.Filter(nodes.List(concat.nodes, lineno=concat.lineno), "_concat", [], [], None, None, lineno=concat.lineno)
        if index is None:
            setattr(parent, field, bounded)
        else:
            getattr(parent, field)[index] = bounded
    return tree


def install(env) -> None:
    """Wire an environment to these limits (filters wrapped, helpers registered)."""
    from jinja2 import pass_eval_context

    for name, func in list(env.filters.items()):
        env.filters[name] = guard_filter(name, func)
    env.filters["_tours"] = bounded_iter
    env.filters["_poids"] = weigh
    env.filters["_concat"] = pass_eval_context(concat)
    env.globals["range"] = bounded_range
    env.globals.pop("lipsum", None)
    env.finalize = finalize
