"""The YAML tree of a profile with the position of every value, the issues found so far, and the budget of
values aliases may add (``ALIAS_BUDGET``)."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import Issue, ProfileError
from ..model import Position
from .values import clip, invalid_xml_char

MAX_DEPTH = 20  # nested blocks and lists; the format needs 6 (lots → lot → critere → sous_criteres → item)
ALIAS_BUDGET = 10_000  # values reached again through aliases (« *nom ») or merges (« <<: *nom »)
MAX_KEY = 100  # characters of a key; the longest key of the format has 25
MAX_NUMBER = 40  # characters of an unquoted number (« 1e400 » has 5; a 5 000-digit integer is refused)


_MERGE = "tag:yaml.org,2002:merge"


_NUMBER_TAGS = ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")


_TYPE_NAMES = {
    "string": "un texte",
    "integer": "un nombre entier",
    "number": "un nombre",
    "boolean": "true ou false",
    "array": "une liste",
    "object": "un bloc de clés",
    "null": "une valeur vide",
}


class _Unreadable(Exception):
    """A scalar YAML could not construct (an impossible date, a number too long)."""


class _Reader:
    """Turns the composed YAML node tree into plain Python, recording positions as it goes.

    Anchors and aliases (« &nom », « *nom ») and merges (« <<: *nom ») are accepted: a buyer may share one
    block between lots. But an alias is a reference, so a few lines can stand for billions of values
    (« billion laughs »): expanding them is budgeted. Every node reached a second time (through an alias or
    a merge) is counted, and past ``ALIAS_BUDGET`` the file is refused where the budget ran out, before
    memory grows. A node reached again while it is being expanded (an alias inside its own anchor) is a
    cycle and refused at once; so is nesting deeper than ``MAX_DEPTH`` once aliases are expanded.
    """

    def __init__(self, source: str):
        self.source = source
        self.positions: dict[str, Position] = {}
        self.key_positions: dict[str, Position] = {}
        self.issues: list[Issue] = []
        self.unreadable: set[str] = set()
        self.number_text: dict[str, str] = {}  # path → unquoted float as typed (« 850.000 », « 1e400 »)
        self._seen: set[int] = set()
        self._active: set[int] = set()
        self._reused = 0

    def issue(self, path: str, message: str, expected=None, suggestion=None, *, key=False, field=None) -> None:
        pos = (self.key_positions if key else self.positions).get(path) or self.nearest(path)
        self.issues.append(Issue(self.source, pos.line, pos.column, field or path, message, expected, suggestion))

    def abort(self, path: str, message: str, expected=None, suggestion=None):
        """Stop reading at once: this problem alone is reported (the rest would cost what the limit spares)."""
        pos = self.key_positions.get(path) or self.nearest(path)
        raise ProfileError([Issue(self.source, pos.line, pos.column, path, message, expected, suggestion)])

    def nearest(self, path: str) -> Position:
        probe = path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.positions.get("", Position(1, 1))

    def _spend(self, count: int, path: str) -> None:
        self._reused += count
        if self._reused > ALIAS_BUDGET:
            self.abort(
                path,
                f"les alias (« *nom ») et fusions (« <<: ») de ce fichier répètent plus de {ALIAS_BUDGET:,} valeurs.".replace(",", "\u00a0"),
                "des alias qui reprennent quelques blocs, pas des alias d'alias en cascade",
                "Écrivez ces valeurs directement : un alias sert à reprendre un bloc, pas à démultiplier le fichier.",
            )

    def _enter(self, node, path: str, depth: int) -> None:
        """Count a node reached again, refuse a cycle or a too deep nesting."""
        ident = id(node)
        if ident in self._active:
            self.abort(
                path,
                "alias récursif : ce bloc se contient lui-même.",
                "un alias (« *nom ») placé hors du bloc qu'il désigne",
                "Supprimez l'alias placé à l'intérieur de son propre bloc.",
            )
        if ident in self._seen:
            self._spend(1, path)
        else:
            self._seen.add(ident)
        if depth > MAX_DEPTH:
            self.abort(path, f"imbrication trop profonde : plus de {MAX_DEPTH} niveaux de blocs et de listes.", "un profil de quelques niveaux (marche, lots, critere…)", "Vérifiez l'indentation et les alias.")

    def _pairs(self, node: MappingNode, path: str) -> list:
        """The mapping's (key node, value node) pairs, merges (« <<: *modele ») expanded after the keys written
        in the block, which take precedence (YAML merge rules: the first merged block wins over the next)."""
        own, merged = [], []
        for key_node, value_node in node.value:
            if key_node.tag != _MERGE:
                own.append((key_node, value_node, False))
                continue
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, MappingNode):
                    mark = key_node.start_mark
                    self.issues.append(Issue(self.source, mark.line + 1, mark.column + 1, path, "« << » (fusion YAML) attend un bloc de clés.", "« <<: *nom », le nom désignant un bloc de clés (« &nom »)", "Ou écrivez les clés directement."))
                    continue
                if id(source) in self._active:
                    self.abort(path, "alias récursif : ce bloc se fusionne avec lui-même.", "une fusion « <<: *nom » placée hors du bloc qu'elle désigne")
                self._spend(len(source.value), path)
                self._active.add(id(source))
                try:
                    merged.extend((k, v) for k, v, _merged in self._pairs(source, path))
                finally:
                    self._active.discard(id(source))
        return own + [(k, v, True) for k, v in merged]

    def plain(self, node: Any, path: str, construct, depth: int = 1) -> Any:
        """Plain Python value of a composed YAML ``node`` at ``path``; positions recorded by path."""
        self._enter(node, path, depth if isinstance(node, (MappingNode, SequenceNode)) else 0)
        if isinstance(node, MappingNode):
            self._active.add(id(node))
            try:
                return self._mapping(node, path, construct, depth)
            finally:
                self._active.discard(id(node))
        if isinstance(node, SequenceNode):
            self._active.add(id(node))
            try:
                items = []
                for index, item in enumerate(node.value):
                    sub = f"{path}[{index + 1}]"
                    self.positions[sub] = Position(item.start_mark.line + 1, item.start_mark.column + 1)
                    items.append(self.plain(item, sub, construct, depth + 1))
                return items
            finally:
                self._active.discard(id(node))
        return self._scalar(node, path, construct)

    def _mapping(self, node: MappingNode, path: str, construct, depth: int) -> dict:
        result: dict = {}
        for key_node, value_node, merged in self._pairs(node, path):
            mark = key_node.start_mark
            if not isinstance(key_node, ScalarNode):
                self.issues.append(Issue(self.source, mark.line + 1, mark.column + 1, path, "une clé doit être un simple nom, pas un bloc ni une liste.", "un nom de clé suivi de « : »"))
                continue
            try:
                key = construct(key_node)
            except _Unreadable:
                key = key_node.value
            key = str(key) if not isinstance(key, str) else key
            if len(key) > MAX_KEY:
                self.issues.append(Issue(self.source, mark.line + 1, mark.column + 1, path, f"clé de {len(key)} caractères « {clip(key)} » : aucune clé du profil n'est aussi longue.", "une des clés du format (voir « clausegen schema »)"))
                continue
            sub = f"{path}.{key}" if path else key
            if key in result:
                if merged:
                    continue  # a key written in the block, or merged before, wins over this one
                self.issues.append(Issue(self.source, mark.line + 1, mark.column + 1, sub, f"clé « {key} » en double dans ce bloc.", "chaque clé une seule fois", "Supprimez ou renommez l'une des deux."))
                continue
            self.key_positions[sub] = Position(mark.line + 1, mark.column + 1)
            self.positions[sub] = Position(value_node.start_mark.line + 1, value_node.start_mark.column + 1)
            result[key] = self.plain(value_node, sub, construct, depth + 1)
        return result

    def _scalar(self, node, path: str, construct) -> Any:
        try:
            value = construct(node)
        except _Unreadable as exc:
            self.issue(path, f"valeur « {clip(node.value)} » illisible ({exc}).", None, "Corrigez la valeur ou mettez-la entre guillemets.")
            self.unreadable.add(path)
            return None
        if isinstance(value, float):
            self.number_text[path] = node.value  # the parsers read « 850.000 » as typed, not as 850.0
        if isinstance(value, _dt.datetime):
            return value.date().isoformat()
        if isinstance(value, _dt.date):
            return value.isoformat()
        if isinstance(value, str):
            bad = invalid_xml_char(value)
            if bad is not None:
                self.issue(
                    path,
                    f"le texte contient un caractère de contrôle invisible (U+{ord(bad):04X}) qu'un document Word ne peut pas contenir.",
                    "du texte sans caractère de contrôle",
                    "Supprimez ce caractère ou retapez le texte.",
                )
        return value
