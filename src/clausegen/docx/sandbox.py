"""Parse-time limits of the template sandbox: nesting depth, forbidden tags, loop and macro bodies weighed,
and the wiring of an environment to the budgets of ``guard``.

A template is untrusted code: its tree is walked once without recursion (it may be deeper than Python's
stack), refused when nested deeper than ``guard.MAX_DEPTH`` or when it uses ``include``, ``import`` or
``extends``, and rewritten so that every loop turn, macro call and captured block spends the document's
budget.
"""

from __future__ import annotations

import contextlib

from .filter_guard import JINJA_TEXT_FILTERS, guard_filter
from .guard import MAX_DEPTH, bounded_iter, bounded_range, concat, finalize, weigh


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


def install(env, vocabulary) -> None:
    """Wire an environment to these limits (filters wrapped, helpers registered)."""
    from jinja2 import pass_eval_context

    text = JINJA_TEXT_FILTERS | vocabulary.text_filters
    for name, func in list(env.filters.items()):
        kind = "figure" if name in vocabulary.figure_filters else "text" if name in text else None
        env.filters[name] = guard_filter(name, func, kind)
    env.filters["_tours"] = bounded_iter
    env.filters["_poids"] = weigh
    env.filters["_concat"] = pass_eval_context(concat)
    env.globals["range"] = bounded_range
    env.globals.pop("lipsum", None)
    env.finalize = finalize
