"""What ``templates lint`` evaluates of a template, and under which limits: nothing unbounded.

Jinja folds constants while it compiles (``nodes.Expr.as_const``, called by its optimizer and by the code
generator that ``meta.find_undeclared_variables`` runs): in a plain environment ``{{ 7 ** 999999999 }}`` is
computed there, for minutes, and ``{{ 10 ** 5000 }}`` cannot even be printed (Python's 4 300-digit limit).
The lint therefore

* parses and analyses in ``analysis_env()``: a sandboxed environment that intercepts every operator, so that
  Jinja folds none of them (``BinExpr.as_const`` raises ``Impossible`` for intercepted operators); filters
  that Jinja still folds are the engine's guarded ones (``filter_guard``), run under a budget;
* evaluates the constant operations itself (``constant_problems``), through the render's own checks
  (``guard.binop`` before each operator, ``guard.check_number`` after), so that what ``render`` would refuse
  is reported at its paragraph, and what it accepts costs what it costs at render time;
* runs under the render's budget (``guard.start_budget``/``end_budget``: operations, CPU seconds).

May import: ``guard`` (floor 6, the engine's limits).
"""

from __future__ import annotations

import contextlib
import operator
from functools import lru_cache

from . import guard

_BINARY = {"Add": ("+", operator.add), "Sub": ("-", operator.sub), "Mul": ("*", operator.mul), "Div": ("/", operator.truediv),
           "FloorDiv": ("//", operator.floordiv), "Mod": ("%", operator.mod), "Pow": ("**", operator.pow)}
_UNARY = {"Neg": operator.neg, "Pos": operator.pos}
ALL_BINOPS = frozenset(op for op, _ in _BINARY.values())
ALL_UNOPS = frozenset({"+", "-"})
_NOT_CONSTANT = object()


@lru_cache(maxsize=1)
def _analysis_class():
    from jinja2.sandbox import SandboxedEnvironment

    class LintAnalysis(SandboxedEnvironment):
        """Parses like the engine (same syntax), folds no operator."""

        intercepted_binops = ALL_BINOPS
        intercepted_unops = ALL_UNOPS

    return LintAnalysis


def analysis_env():
    """A fresh analysis environment (filters and tests are added by the caller)."""
    return _analysis_class()()


@contextlib.contextmanager
def budget():
    """The budget of one document's rendering, for the lint of one part."""
    token = guard.start_budget()
    try:
        yield
    finally:
        guard.end_budget(token)


def constant_problems(tree) -> list[tuple[int, str]]:
    """(line, French reason) of every operation on constants that ``render`` would refuse: a power too
    large, a number or a text too long… Each operator is checked by ``guard.binop`` *before* it is computed,
    the result by ``guard.check_number``: nothing huge is ever built here. Operands that are not constants
    (variables, calls, filters) are left to the render."""
    from jinja2 import nodes

    problems: list[tuple[int, str]] = []
    values: dict[int, object] = {}
    order, stack = [], [tree]
    while stack:  # post-order without recursion (depth is checked before, but stay safe)
        node = stack.pop()
        order.append(node)
        stack.extend(node.iter_child_nodes())
    for node in reversed(order):
        values[id(node)] = _value(node, values, problems, nodes)
    return problems


def _value(node, values, problems, nodes):
    kind = type(node).__name__
    if isinstance(node, nodes.Const):
        return node.value
    if kind in _UNARY:
        operand = values.get(id(node.node), _NOT_CONSTANT)
        if operand is _NOT_CONSTANT:
            return _NOT_CONSTANT
        return _apply(node, lambda: guard.check_number(_UNARY[kind](operand)), problems)
    if kind in _BINARY:
        left, right = values.get(id(node.left), _NOT_CONSTANT), values.get(id(node.right), _NOT_CONSTANT)
        if left is _NOT_CONSTANT or right is _NOT_CONSTANT:
            return _NOT_CONSTANT
        symbol, function = _BINARY[kind]

        def compute():
            guard.binop(symbol, left, right)
            return guard.check_number(function(left, right))

        return _apply(node, compute, problems)
    return _NOT_CONSTANT


def _apply(node, compute, problems):
    try:
        return compute()
    except guard.BudgetExceeded as exc:
        problems.append((node.lineno, str(exc)))
    except (ArithmeticError, TypeError, ValueError):  # 1/0, "a" - 1…: the render says it, in context
        pass
    return _NOT_CONSTANT
