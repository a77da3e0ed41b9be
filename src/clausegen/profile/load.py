"""Load a YAML market profile: read, parse with positions, check against the schema, build the model.

Every problem of a file is collected as an ``Issue`` (``fichier:ligne:colonne``, field, what was expected,
a suggestion) and raised at once in one ``ProfileError``; nothing here prints.

The work is bounded whatever the file holds: only a regular file of at most ``MAX_BYTES`` is read; a text
that could hold more than ``MAX_NODES`` values or thousands of nested levels has its YAML events counted
before any tree is built (``_check_events``); the tree's depth is limited to ``MAX_DEPTH`` and what aliases
add when it is expanded is counted too (``ALIAS_BUDGET``, see ``_Reader``).
"""

from __future__ import annotations

import datetime as _dt
import difflib
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import Issue, ProfileError
from ..model import Position, Profile
from .schema import profile_schema
from .values import clip, invalid_xml_char

MAX_BYTES = 5 * 1024 * 1024  # a market profile is a few kilobytes; 5 Mo leaves room for thousands of lots
MAX_NODES = 200_000  # YAML values (scalars, blocks, lists, aliases): about 15 000 lots of a dozen keys
MAX_DEPTH = 20  # nested blocks and lists; the format needs 6 (lots → lot → critere → sous_criteres → item)
ALIAS_BUDGET = 10_000  # values reached again through aliases (« *nom ») or merges (« <<: *nom »)
MAX_KEY = 100  # characters of a key; the longest key of the format has 25
MAX_NUMBER = 40  # characters of an unquoted number (« 1e400 » has 5; a 5 000-digit integer is refused)
MAX_SUGGESTED = 64  # characters of a value compared with the known names to suggest one
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
_PATTERN_HELP = {
    "cpv": "un code CPV de 8 chiffres, éventuellement suivi d'un tiret et de sa clé, comme « 45453000-7 »",
    "courriel": "une adresse électronique, comme « prenom.nom@exemple.fr »",
}


def format_path(parts) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


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


_RAW_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@lru_cache(maxsize=1)
def _yaml():
    """A safe YAML reader; libyaml (ruamel.yaml.clib) when installed, pure Python otherwise."""
    from ruamel.yaml import YAML
    from ruamel.yaml.resolver import VersionedResolver

    class YAML12Resolver(VersionedResolver):
        """Resolves plain scalars with the YAML 1.2 rules, looked up once instead of for every scalar
        (ruamel recomputes the processing version at each scalar: a third of the loading time)."""

        _rules = None

        @property
        def versioned_resolver(self):
            if self._rules is None:
                self._rules = VersionedResolver.versioned_resolver.fget(self)
            return self._rules

    try:
        yaml = YAML(typ="safe", pure=False)
    except Exception:  # pragma: no cover - clib missing
        yaml = YAML(typ="safe", pure=True)
    yaml.Resolver = YAML12Resolver
    return yaml


def _os_problem(exc: OSError) -> str:
    import errno

    known = {
        errno.EACCES: "accès refusé (droits insuffisants)",
        errno.EPERM: "opération non permise",
        errno.ELOOP: "trop de liens symboliques",
        errno.ENAMETOOLONG: "chemin trop long",
        errno.EIO: "erreur d'entrée-sortie du disque",
    }
    return known.get(exc.errno) or exc.strerror or exc.__class__.__name__


def _mebibytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".replace(".", ",")


def read_text(path: Path, source: str) -> str:
    """The text of the profile at ``path``: a regular file of at most ``MAX_BYTES``, UTF-8.

    The kind of file is checked before it is opened (a FIFO would block the open, ``/dev/zero`` never ends)
    and again on the open descriptor; at most ``MAX_BYTES + 1`` bytes are read. Line ends are read as
    ``Path.read_text`` does (``\\r\\n`` and ``\\r`` become ``\\n``)."""

    def refuse(message: str, expected: str | None = None, suggestion: str | None = None) -> ProfileError:
        return ProfileError([Issue(source, 1, 1, "", message, expected, suggestion)])

    def check(info) -> None:
        if stat.S_ISDIR(info.st_mode):
            raise refuse("c'est un dossier, pas un fichier de profil.", "un fichier .yaml")
        if not stat.S_ISREG(info.st_mode):
            kind = (
                "un périphérique" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode)
                else "un tube nommé (FIFO)" if stat.S_ISFIFO(info.st_mode)
                else "une socket" if stat.S_ISSOCK(info.st_mode)
                else "un fichier spécial"
            )
            raise refuse(f"c'est {kind}, pas un fichier de profil.", "un fichier .yaml enregistré sur le disque", "Indiquez le chemin d'un fichier de profil.")
        if info.st_size > MAX_BYTES:
            raise too_big(info.st_size)

    def too_big(size: int) -> ProfileError:
        return refuse(
            f"fichier trop volumineux ({_mebibytes(size)} Mo) : un profil de marché fait quelques kilo-octets.",
            "un profil de 5 Mo au plus",
            "Vérifiez que c'est bien le fichier de profil.",
        )

    try:
        check(os.stat(path))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)
        with os.fdopen(fd, "rb") as handle:
            check(os.fstat(handle.fileno()))  # the same file as the one checked, not one swapped in between
            data = handle.read(MAX_BYTES + 1)
    except (FileNotFoundError, NotADirectoryError):
        raise refuse("fichier introuvable.", None, "Vérifiez le chemin du profil.") from None
    except IsADirectoryError:
        raise refuse("c'est un dossier, pas un fichier de profil.", "un fichier .yaml") from None
    except OSError as exc:
        raise refuse(f"lecture impossible : {_os_problem(exc)}.") from None
    if len(data) > MAX_BYTES:
        raise too_big(len(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise refuse(f"le fichier n'est pas encodé en UTF-8 (octet {exc.start}).", "un fichier texte UTF-8", "Réenregistrez-le en UTF-8 depuis votre éditeur.") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _check_events(yaml, text: str, source: str) -> None:
    """Walk the YAML events (no tree built) and refuse, at its place, the value past ``MAX_NODES`` or the block
    nested past ``MAX_DEPTH``: libyaml's composer recurses in C (a few ten thousand « [ » crash the process) and
    takes seconds per hundred thousand values, so the limits are checked before it runs."""
    from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

    def refuse(event, message: str, expected: str, suggestion: str) -> ProfileError:
        mark = event.start_mark
        return ProfileError([Issue(source, mark.line + 1, mark.column + 1, "", message, expected, suggestion)])

    depth = nodes = 0
    events = yaml.parse(text)
    try:
        for event in events:
            if isinstance(event, CollectionEndEvent):
                depth -= 1
                continue
            if isinstance(event, CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise refuse(event, f"imbrication trop profonde : plus de {MAX_DEPTH} niveaux de blocs et de listes.", "un profil de quelques niveaux (marche, lots, critere…)", "Vérifiez l'indentation et les crochets.")
            elif not isinstance(event, (ScalarEvent, AliasEvent)):
                continue
            nodes += 1
            if nodes > MAX_NODES:
                raise refuse(event, f"le fichier compte plus de {MAX_NODES:,} valeurs : ce n'est pas un profil de marché.".replace(",", "\u00a0"), "un profil de quelques centaines de valeurs", "Vérifiez que c'est bien le fichier de profil.")
    finally:
        events.close()


def _could_exceed_limits(text: str) -> bool:
    """Whether ``text`` might hold more than ``MAX_NODES`` values or thousands of nested levels; when not, the
    event walk is skipped (it would double the parsing time of every ordinary profile).

    Every block or list starts with one character of its own: « [ », « { », the « - » of its first item, or
    the « : » or « ? » of its first key. So their count bounds both the number of collections and their depth,
    and a value needs a character or one of these indicators: fewer than ``MAX_NODES / 2`` characters and
    a few thousand indicators cannot reach the limits, nor crash the composer (``reader.plain`` still
    refuses a depth beyond ``MAX_DEPTH``)."""
    if len(text) > MAX_NODES // 2:
        return True
    indicators = sum(text.count(c) for c in "[{-?:")
    return indicators > 2000


def read_yaml(path: Path, source: str) -> tuple[Any, _Reader]:
    """Parse ``path``; YAML errors become Issues with their position."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    reader = _Reader(source)
    text = read_text(path, source)
    raw_bad = _RAW_CONTROL.search(text)
    if raw_bad:
        before = text[: raw_bad.start()]
        line = before.count("\n") + 1
        col = raw_bad.start() - (before.rfind("\n") + 1) + 1
        raise ProfileError([Issue(source, line, col, "", f"le fichier contient un caractère de contrôle invisible (U+{ord(raw_bad.group(0)):04X}).", "du texte sans caractère de contrôle", "Supprimez-le : il vient souvent d'un copier-coller.")])
    yaml = _yaml()
    try:
        if _could_exceed_limits(text):
            _check_events(yaml, text, source)
        tree = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "could not find expected ':'" in (exc.problem or "") and exc.context_mark is not None:
            mark = exc.context_mark  # the key that lacks its colon, not the next line
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = _translate_yaml_problem(exc)
        lines = text.splitlines()
        bad_line = lines[line - 1] if 0 < line <= len(lines) else ""
        if "\t" in bad_line[: max(col, 1)] or bad_line.startswith("\t"):
            problem = "syntaxe YAML invalide : tabulation interdite, indentez avec des espaces."
        raise ProfileError([Issue(source, line, col, "", problem, None, "Vérifiez l'indentation, les deux-points et les guillemets de cette ligne.")]) from None
    except YAMLError as exc:
        raise ProfileError([Issue(source, 1, 1, "", f"YAML illisible : {clip(exc, 200)}")]) from None
    if tree is None or (getattr(tree, "tag", "").endswith(":null")):
        raise ProfileError([Issue(source, 1, 1, "", "le profil est vide.", "un profil commençant par « version: 1 »", "Partez d'un exemple du dossier profiles/.")])
    reader.positions[""] = Position(tree.start_mark.line + 1, tree.start_mark.column + 1)
    constructor = yaml.constructor

    def construct(node):
        if node.ctag.suffix == "tag:yaml.org,2002:str":
            return node.value  # most scalars: no constructor round-trip needed
        if node.ctag.suffix in _NUMBER_TAGS and len(node.value) > MAX_NUMBER:
            raise _Unreadable(f"nombre trop long : plus de {MAX_NUMBER} caractères")
        try:
            return constructor.construct_object(node, deep=True)
        except (YAMLError, ValueError, OverflowError) as exc:
            text = str(exc)
            raise _Unreadable(getattr(exc, "problem", None) or ("date impossible" if "day" in text or "month" in text else "nombre trop long" if "digits" in text else text)) from None

    try:
        plain = reader.plain(tree, "", construct)
    finally:  # the shared constructor would otherwise keep every node of every profile read
        constructor.constructed_objects.clear()
        constructor.recursive_objects.clear()
    return plain, reader


def _translate_yaml_problem(exc) -> str:
    problem = (exc.problem or "").strip()
    if "found duplicate key" in problem or "duplicate key" in str(exc):
        return "clé en double : une même clé apparaît deux fois dans ce bloc."
    if "special characters are not allowed" in problem or "unacceptable character" in problem:
        return "le fichier contient un caractère de contrôle invisible non admis."
    if "mapping values are not allowed" in problem:
        return "syntaxe YAML invalide : deux-points inattendu (une valeur contenant « : » doit être entre guillemets)."
    if "could not find expected ':'" in problem:
        return "syntaxe YAML invalide : « : » attendu après la clé."
    if "found character '\\t'" in problem or "tab" in problem:
        return "syntaxe YAML invalide : tabulation interdite, indentez avec des espaces."
    if "expected <block end>" in problem or "did not find expected key" in problem:
        return "syntaxe YAML invalide : indentation incohérente (une clé est plus ou moins décalée que ses voisines)."
    if "found undefined alias" in problem:
        return "syntaxe YAML invalide : alias non défini."
    if "expected a single document" in problem or "found another document" in problem or "single document" in str(exc.context or ""):
        return "le fichier contient plusieurs documents YAML (séparés par « --- ») : un profil n'en a qu'un."
    return f"syntaxe YAML invalide ({problem or exc.__class__.__name__})."


def _schema_at(schema: dict, parts) -> dict:
    node = schema
    for part in parts:
        if isinstance(part, int):
            node = node.get("items", {})
        else:
            node = node.get("properties", {}).get(part, {})
        if "oneOf" in node:
            node = node["oneOf"][0]
    return node


def _suggest(value: str, choices) -> str | None:
    """The closest choice (difflib ratio ≥ 0.6); ties go to the earliest choice, so order by preference.

    A value longer than ``MAX_SUGGESTED`` characters is no typo of a name: no suggestion, and no
    comparison, which costs in proportion to the product of the two lengths. The answer is memoized: a
    misspelt key repeated in thousands of lots is compared once."""
    text = clip(value, MAX_SUGGESTED + 1).lower()
    if len(text) > MAX_SUGGESTED:
        return None
    return _closest(text, tuple(str(choice) for choice in choices))


@lru_cache(maxsize=1024)
def _closest(text: str, choices: tuple[str, ...]) -> str | None:
    best, best_score = None, 0.6
    for choice in choices:
        score = difflib.SequenceMatcher(None, text, choice.lower()).ratio()
        if score > best_score + 1e-9:
            best, best_score = choice, score
    return f"Vouliez-vous dire « {best} » ?" if best else None


def _choices(values) -> str:
    values = [f"« {v} »" for v in values]
    if len(values) > 14:
        return ", ".join(values[:14]) + ", …"
    return ", ".join(values[:-1]) + (" ou " if len(values) > 1 else "") + values[-1]


def schema_issues(data: Any, reader: _Reader) -> set[str]:
    """Validate ``data`` against the profile schema; add Issues to ``reader``. Returns the bad paths."""
    schema = profile_schema()
    bad: set[str] = set()
    from fastjsonschema import JsonSchemaValueException

    try:
        _fast_validator()(data)
        return bad  # the usual case: valid, and the compiled validator says so ~20× faster
    except JsonSchemaValueException:
        pass  # refused: the full validator words every error in French
    judged: set[str] = set()  # values already refused: one message each (« 1e400 » is no integer, and too big)
    for error in _validator().iter_errors(data):
        for err in _leaf_errors(error):
            path = format_path(err.absolute_path)
            if _known_basis_spelling(err) or path in reader.unreadable:
                continue
            if err.validator not in ("required", "additionalProperties"):  # those speak of keys inside the block
                if path in judged:
                    continue
                judged.add(path)
            bad.update(_refused_paths(err))
            _translate(err, schema, reader)
    return bad


_THREE_DECIMALS = re.compile(r"^\+?([0-9_]+)\.([0-9]{3})$")
_PATH_PART = re.compile(r"\[([0-9]+)\]|([^.\[]+)")


def _path_parts(path: str) -> list:
    """``lots[2].heures`` → ``["lots", 1, "heures"]`` (the inverse of ``format_path`` for the format's keys)."""
    return [int(index) - 1 if index else key for index, key in _PATH_PART.findall(path)]


def _ambiguous_integers(reader: _Reader, bad: set[str]) -> None:
    """An integer field typed « 1.000 »: YAML reads 1.0, which the schema accepts as the integer 1, while the
    buyer may have meant a thousand. Refused, as the amounts are (see ``values.parse_amount``)."""
    if not reader.number_text:
        return
    schema = profile_schema()
    for path, text in reader.number_text.items():
        match = _THREE_DECIMALS.match(text)
        if match is None or path in bad:
            continue
        types = _schema_at(schema, _path_parts(path)).get("type")
        if "integer" not in (types if isinstance(types, list) else [types]):
            continue
        units, decimals = match.group(1).replace("_", ""), match.group(2)
        thousands = int(units + decimals)
        reader.issue(
            path,
            f"« {text} » est ambigu : {thousands} si le point sépare les milliers, {int(units)} s'il est décimal.",
            "un nombre entier, sans point ni virgule",
            f"Écrivez {thousands} ou {int(units)}.",
        )
        bad.add(path)


def _refused_paths(err) -> list[str]:
    """Paths whose value the schema refused: an unknown key or a missing one spoils only itself."""
    parts = list(err.absolute_path)
    if err.validator == "additionalProperties" and isinstance(err.instance, dict):
        allowed = err.schema.get("properties", {})
        return [format_path([*parts, k]) for k in err.instance if k not in allowed]
    if err.validator == "required":
        return [format_path([*parts, err.message.split("'")[1]])]
    return [format_path(parts)]


def _known_basis_spelling(err) -> bool:
    """A legal basis written in another case (« ART38 », « l2152-7 ») is accepted: lookup ignores case."""
    from ..law.registry import load_registry

    parts = list(err.absolute_path)
    return (
        err.validator == "enum"
        and "base_legale" in parts
        and isinstance(err.instance, str)
        and load_registry().canonical_basis(err.instance) is not None
    )


@lru_cache(maxsize=1)
def _fast_validator():
    """The same schema compiled to Python by fastjsonschema (draft-07 subset it uses), for the fast path."""
    import json
    import marshal
    import sys

    from ..cache import cached_bytes

    schema = dict(profile_schema())
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    formats = {"date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

    def generate() -> str:
        import fastjsonschema

        return fastjsonschema.compile_to_code(schema, formats=formats)

    def build() -> bytes:
        code = generate()
        entry = re.search(r"^def (\w+)\(", code, re.MULTILINE).group(1)  # the root schema's function comes first
        return entry.encode("ascii") + b"\n" + marshal.dumps(compile(code, "<clausegen profile schema>", "exec"))

    key = json.dumps(schema, sort_keys=True) + sys.version  # marshal data is specific to the Python version
    entry, _, blob = cached_bytes("schema", key, build).partition(b"\n")
    namespace: dict = {}
    exec(marshal.loads(blob), namespace)  # noqa: S102 - code generated from our own schema
    return namespace[entry.decode("ascii")]


@lru_cache(maxsize=1)
def _validator():
    from jsonschema import Draft202012Validator

    return Draft202012Validator(profile_schema())


def _leaf_errors(error):
    if error.validator in ("oneOf", "anyOf") and error.context:
        branch = 1 if isinstance(error.instance, list) else 0  # base_legale: a name, or a list of names
        best = [e for e in error.context if e.validator != "type" and e.relative_schema_path[0] == branch]
        yield from (best or [error])
    else:
        yield error


def _translate(err, schema: dict, reader: _Reader) -> None:
    parts = list(err.absolute_path)
    path = format_path(parts)
    value = err.instance
    kind = err.validator

    def shown() -> str:  # the value as typed (« 1e400 », not « inf »), cut to a readable length
        return f"« {reader.number_text.get(path) or clip(value)} »"
    if kind == "required":
        missing = err.message.split("'")[1]
        sub = format_path([*parts, missing])
        field_schema = _schema_at(schema, [*parts, missing])
        hint = None
        if isinstance(value, dict):
            hint = _suggest(missing, [k for k in value if k not in _schema_at(schema, parts).get("properties", {})])
            if hint:
                hint = hint.replace("Vouliez-vous dire", "Une clé ressemble à")
        reader.issue(path, f"champ obligatoire « {missing} » manquant.", field_schema.get("description"), hint, key=True, field=sub)
    elif kind == "additionalProperties":
        allowed = list(_schema_at(schema, parts).get("properties", {}))
        for key in value:
            if key not in allowed:
                sub = format_path([*parts, key])
                reader.issue(sub, f"clé inconnue « {key} ».", "une des clés " + _choices(allowed), _suggest(key, allowed), key=True)
    elif kind == "enum" and "base_legale" in parts:
        from ..law.registry import load_registry

        law = load_registry()
        ranked = law.basis_names() + ["art38", "art52", "art28", "art36-1", "art36-2", "art37"] + law.alias_names()
        reader.issue(path, f"base juridique {shown()} inconnue.", _choices(law.basis_names()) + " (ou les alias art38, art52, art28, art36-1, art36-2, art37)", _suggest(value, ranked))
    elif kind == "enum":
        choices = err.validator_value
        reader.issue(path, f"{shown()} n'est pas une valeur admise.", _choices(choices), _suggest(value, choices))
    elif kind == "const":
        reader.issue(path, f"{shown()} n'est pas une valeur admise.", f"« {err.validator_value} »")
    elif kind == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        expected = " ou ".join(_TYPE_NAMES.get(t, t) for t in types)
        hint = None
        if "boolean" in types and isinstance(value, str):
            hint = "Écrivez true (oui) ou false (non), sans guillemets."
        elif "integer" in types and isinstance(value, (str, float)):
            hint = "Écrivez un nombre entier sans guillemets ni unité."
        what = "une valeur vide" if value is None else shown()
        if parts and parts[-1] == "derogation_clause_sociale":
            from ..law.registry import load_registry

            codes = list(load_registry().derogations())
            reader.issue(
                path,
                f"{what} : une dérogation se déclare par un cas prévu par la loi et son motif.",
                "un bloc « cas: CODE » et « motif: TEXTE », le cas étant " + _choices(codes),
                f"Par exemple : « derogation_clause_sociale: {{cas: {codes[0]}, motif: … }} ».",
            )
            return
        reader.issue(path, f"{what} n'est pas du type attendu.", expected, hint)
    elif kind in ("minimum", "exclusiveMinimum"):
        reader.issue(path, f"{shown()} est trop petit.", f"un nombre supérieur ou égal à {err.validator_value}")
    elif kind in ("maximum", "exclusiveMaximum"):
        reader.issue(path, f"{shown()} est trop grand.", f"un nombre inférieur ou égal à {err.validator_value}", "Vérifiez l'unité (mois, jours, heures).")
    elif kind == "minLength":
        reader.issue(path, "le texte est vide.", "un texte non vide")
    elif kind == "maxLength":
        reader.issue(path, f"le texte est trop long ({len(value)} caractères).", f"au plus {err.validator_value} caractères")
    elif kind == "minProperties":
        reader.issue(path, "le bloc est vide.", "au moins une des clés " + _choices(list(_schema_at(schema, parts).get("properties", {}))))
    elif kind == "minItems":
        reader.issue(path, "la liste est vide.", "au moins un élément")
    elif kind == "uniqueItems":
        reader.issue(path, "la liste contient deux fois la même valeur.", "des valeurs distinctes")
    elif kind == "pattern":
        name = str(parts[-1]) if parts else ""
        reader.issue(path, f"{shown()} n'a pas la forme attendue.", _PATTERN_HELP.get(name, f"le motif {err.validator_value}"))
    else:  # pragma: no cover - every validator used by the schema is translated above
        reader.issue(path, f"valeur refusée ({kind}).")


def load_profile(path: str | Path, *, today: _dt.date | None = None) -> Profile:
    """Read and validate a profile file. Raises ``ProfileError`` listing every problem of the file."""
    from .build import build_profile

    path = Path(path)
    source = str(path)
    data, reader = read_yaml(path, source)
    if not isinstance(data, dict):
        raise ProfileError([Issue(source, 1, 1, "", "le profil doit être un bloc de clés (version, acheteur, marche, lots…).", "un profil commençant par « version: 1 »")])
    bad = schema_issues(data, reader) | reader.unreadable
    _ambiguous_integers(reader, bad)
    profile = build_profile(data, reader, bad, today=today or _dt.date.today())
    if reader.issues:
        raise ProfileError(reader.issues)
    return profile
