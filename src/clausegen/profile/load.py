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
import os
import re
import stat
from functools import lru_cache
from pathlib import Path
from typing import Any


from ..errors import Issue, ProfileError
from ..model import Position, Profile
from .reader import _NUMBER_TAGS, MAX_DEPTH, MAX_NUMBER, _Reader, _Unreadable
from .validate import _ambiguous_integers, schema_issues
from .values import clip

MAX_BYTES = 5 * 1024 * 1024  # a market profile is a few kilobytes; 5 Mo leaves room for thousands of lots
MAX_NODES = 200_000  # YAML values (scalars, blocks, lists, aliases): about 15 000 lots of a dozen keys


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
    # the one YAML object of the process keeps a DocInfo for every document it read: forgotten each time, or
    # a portfolio of 10 000 profiles would hold 10 000 of them
    yaml.doc_infos.clear()
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
