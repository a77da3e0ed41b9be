"""The Jinja side of the template lint: walk a template's tree and report unknown names, attributes and
filters against the glossary, with Jinja's syntax messages translated into French."""

from __future__ import annotations

import difflib
import re

from .spec import Glossary

ERROR, WARNING = "erreur", "avertissement"
SAME_LIST = {"list", "sort", "reverse", "unique", "selectattr", "rejectattr", "default", "d"}
ONE_ITEM = {"first", "last", "random"}
ATTRIBUTE_FILTERS = {"selectattr", "rejectattr", "map", "sort", "unique", "groupby", "sum", "min", "max", "join"}


class _Analyzer:
    """Walks the Jinja tree of one part: unknown names, attributes and filters, and the paths used."""

    def __init__(self, glossary: Glossary, report, unknown: set[str]):
        self.g, self.report, self.unknown = glossary, report, unknown  # unknown: names Jinja may not find
        self.used: set[str] = set()
        self.seen: set = set()

    def resolve(self, node, scope) -> str | None:
        from jinja2 import nodes

        if isinstance(node, nodes.Name):
            path = scope[node.name] if node.name in scope else (node.name if node.name in self.g.top_names else None)
        elif isinstance(node, nodes.Getattr) or isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            base = self.resolve(node.node, scope)
            attr = node.attr if isinstance(node, nodes.Getattr) else node.arg.value
            path = f"{base}.{attr}" if base and self.g.kind(f"{base}.{attr}") else None
        elif isinstance(node, nodes.Getitem):
            path = self.g.element(self.resolve(node.node, scope))
        elif isinstance(node, nodes.Filter) and node.node is not None and node.name in SAME_LIST | ONE_ITEM:
            path = self.resolve(node.node, scope)
            path = self.g.element(path) if node.name in ONE_ITEM else path
        elif isinstance(node, (nodes.Add, nodes.CondExpr)):
            left, right = (node.left, node.right) if isinstance(node, nodes.Add) else (node.expr1, node.expr2)
            a, b = self.resolve(left, scope), self.resolve(right, scope)
            path = a if a and b and self.g.element(a) == self.g.element(b) else None
        else:
            path = None
        if path:
            self.used.add(self.g.canonical(path))
        return path

    def _check_attr(self, base: str | None, attr: str, lineno: int, shown: str) -> None:
        if attr.startswith("_"):
            self.report(ERROR, f"« {shown}.{attr} » : les attributs internes sont interdits dans un modèle, le rendu échouera.", lineno)
            return
        kind = self.g.kind(base) if base else None
        if kind == "bloc" and not self.g.kind(f"{base}.{attr}") and not hasattr(dict, attr):
            near = difflib.get_close_matches(attr, self.g.children(base), n=1, cutoff=0.6)
            hint = f" Vouliez-vous dire « {shown}.{near[0]} » ?" if near else ""
            self.report(ERROR, f"attribut inconnu « {shown}.{attr} » : « {attr} » n'est pas une clé de « {_display(base)} » "
                        f"(voir clausegen templates vars).{hint}", lineno)
        elif kind in ("texte", "liste") and not hasattr(str if kind == "texte" else list, attr):
            self.report(ERROR, f"« {shown}.{attr} » : « {attr} » n'existe pas pour une valeur de type {kind}.", lineno)

    def walk(self, node, scope, skip_check: bool = False) -> None:
        from jinja2 import nodes

        if isinstance(node, nodes.For):
            self.walk(node.iter, scope)
            inner = dict(scope)
            element = self.g.element(self.resolve(node.iter, scope))
            for target in node.target.find_all(nodes.Name) if not isinstance(node.target, nodes.Name) else [node.target]:
                inner[target.name] = element if isinstance(node.target, nodes.Name) else None
            inner["loop"] = None
            for child in [node.test, *node.body]:
                if child is not None:
                    self.walk(child, inner)
            for child in node.else_:
                self.walk(child, scope)
            return
        if isinstance(node, nodes.Assign):
            self.walk(node.node, scope)
            if isinstance(node.target, nodes.Name):
                scope[node.target.name] = self.resolve(node.node, scope)
            return
        if isinstance(node, (nodes.Macro, nodes.CallBlock)):
            inner = dict(scope)
            inner.update({a.name: None for a in node.args})
            inner["caller"] = None
            for child in node.iter_child_nodes():
                self.walk(child, inner)
            return
        if isinstance(node, (nodes.Getattr, nodes.Getitem)) and not skip_check:
            attr = node.attr if isinstance(node, nodes.Getattr) else getattr(node.arg, "value", None)
            if isinstance(attr, str):
                base = self.resolve(node.node, scope)
                self._check_attr(base, attr, node.lineno, _source(node.node))
                if self.resolve(node, scope) is None and base is None:
                    self.used.add("*." + attr)  # base unknown here (a macro argument…): remember the key
        if isinstance(node, nodes.Name) and node.ctx == "load":
            self.resolve(node, scope)
            if node.name in self.unknown and node.name not in scope and (node.name, node.lineno) not in self.seen:
                self.seen.add((node.name, node.lineno))
                near = difflib.get_close_matches(node.name, sorted(self.g.top_names), n=1, cutoff=0.6)
                hint = f" Vouliez-vous dire « {near[0]} » ?" if near else ""
                self.report(ERROR, f"variable inconnue « {node.name} » : absente du glossaire (voir clausegen templates vars).{hint}", node.lineno)
        if isinstance(node, nodes.Filter) and node.name in ATTRIBUTE_FILTERS and node.node is not None:
            self._check_filter_attribute(node, scope)
        if isinstance(node, nodes.Test) and node.name in ("defined", "undefined"):
            self.walk(node.node, scope, skip_check=True)
            return
        for child in node.iter_child_nodes():
            self.walk(child, scope, skip_check=skip_check and isinstance(node, (nodes.Getattr, nodes.Getitem)))

    def _check_filter_attribute(self, node, scope) -> None:
        from jinja2 import nodes

        attr = next((k.value.value for k in node.kwargs if k.key == "attribute" and isinstance(k.value, nodes.Const)), None)
        if attr is None and node.name in ("selectattr", "rejectattr", "groupby") and node.args and isinstance(node.args[0], nodes.Const):
            attr = node.args[0].value
        element = self.g.element(self.resolve(node.node, scope))
        if not isinstance(attr, str) or element is None:
            return
        base = element
        for part in attr.split("."):
            if not self.g.kind(f"{base}.{part}"):
                near = difflib.get_close_matches(part, self.g.children(base), n=1, cutoff=0.6)
                hint = f" Vouliez-vous dire « {attr.replace(part, near[0])} » ?" if near else ""
                self.report(ERROR, f"attribut inconnu « {attr} » dans « {_source(node.node)}|{node.name}(…) » : « {part} » "
                            f"n'est pas une clé de « {_display(base)} » (voir clausegen templates vars).{hint}", node.lineno)
                return
            base = f"{base}.{part}"
            self.used.add(self.g.canonical(base))


JINJA_MESSAGES = (  # Jinja's syntax messages, in French
    (r"expected token '(.+?)', got '(.+?)'", "« {1} » inattendu, « {0} » attendu"),
    (r"unexpected char '(.+?)'.*", "caractère « {0} » inattendu"),
    (r"unexpected '(.+?)', expected '(.+?)'", "« {0} » inattendu, « {1} » attendu"),
    (r"unexpected '(.+?)'", "« {0} » inattendu"),
    (r"expected an expression, got '(.+?)'", "expression attendue avant « {0} »"),
    (r"Encountered unknown tag '(.+?)'.*", "balise inconnue « {0} »"),
    (r"tag name expected", "nom de balise attendu après « {{% »"),
    (r"unexpected end of template.*", "le modèle se termine au milieu d'une balise"),
)
JINJA_TOKENS = {"end of print statement": "}}", "end of statement block": "%}", "name": "un nom", "end of template": "fin du modèle"}


def _expected_tags(text: str) -> str:
    return " ou ".join(f"« {{% {t} %}} »" for t in re.findall(r"'(\w+)'", text))


def _jinja_message(message: str) -> str:
    """Jinja's syntax message in French (shared by ``templates lint`` and the render engine)."""
    message = message.strip()
    m = re.match(r"Unexpected end of template\. Jinja was looking for the following tags: (.+?)\. The innermost block "
                 r"that needs to be closed is '(.+?)'", message, re.DOTALL)
    if m:
        return f"le bloc « {m.group(2)} » n'est jamais fermé (attendu : {_expected_tags(m.group(1))})"
    m = re.match(r"Encountered unknown tag '(.+?)'\. Jinja was looking for the following tags: (.+?)\. The innermost "
                 r"block that needs to be closed is '(.+?)'", message, re.DOTALL)
    if m:
        return f"« {m.group(1)} » inattendu dans le bloc « {m.group(3)} » (attendu : {_expected_tags(m.group(2))})"
    for pattern, french in JINJA_MESSAGES:
        m = re.fullmatch(pattern, message.strip(), re.IGNORECASE | re.DOTALL)
        if m:
            return french.format(*(JINJA_TOKENS.get(g, g) for g in m.groups()))
    return f"{message} (message de Jinja)"


def _unknown(*args, **kwargs):  # stands for a filter or test the template names but Jinja does not have
    return None


def _display(path: str) -> str:
    return path.replace("[]", "[…]")


def _source(node) -> str:
    """Short source text of an expression, for messages: ``lot.accord_cadre``, ``lots_heures|list``."""
    from jinja2 import nodes

    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_source(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{_source(node.node)}[{node.arg.value!r}]" if isinstance(node.arg, nodes.Const) else f"{_source(node.node)}[…]"
    if isinstance(node, nodes.Filter) and node.node is not None:
        return f"{_source(node.node)}|{node.name}"
    return "…"
