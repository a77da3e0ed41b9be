"""Load a YAML market profile: read, parse with positions, check against the schema, build the model.

Every problem of a file is collected as an ``Issue`` (``fichier:ligne:colonne``, field, what was expected,
a suggestion) and raised at once in one ``ProfileError``; nothing here prints.
"""

from __future__ import annotations

import datetime as _dt
import difflib
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml.nodes import MappingNode, SequenceNode

from ..errors import Issue, ProfileError
from ..model import Position, Profile
from .schema import profile_schema
from .values import invalid_xml_char

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
    """Turns the composed YAML node tree into plain Python, recording positions as it goes."""

    def __init__(self, source: str):
        self.source = source
        self.positions: dict[str, Position] = {}
        self.key_positions: dict[str, Position] = {}
        self.issues: list[Issue] = []
        self.unreadable: set[str] = set()

    def issue(self, path: str, message: str, expected=None, suggestion=None, *, key=False, field=None) -> None:
        pos = (self.key_positions if key else self.positions).get(path) or self.nearest(path)
        self.issues.append(Issue(self.source, pos.line, pos.column, field or path, message, expected, suggestion))

    def nearest(self, path: str) -> Position:
        probe = path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.positions.get("", Position(1, 1))

    def plain(self, node: Any, path: str, construct) -> Any:
        """Plain Python value of a composed YAML ``node`` at ``path``; positions recorded by path."""
        if isinstance(node, MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                key = construct(key_node)
                key = str(key) if not isinstance(key, str) else key
                sub = f"{path}.{key}" if path else key
                if key in result:
                    mark = key_node.start_mark
                    self.issues.append(Issue(self.source, mark.line + 1, mark.column + 1, sub, f"clé « {key} » en double dans ce bloc.", "chaque clé une seule fois", "Supprimez ou renommez l'une des deux."))
                    continue
                self.key_positions[sub] = Position(key_node.start_mark.line + 1, key_node.start_mark.column + 1)
                self.positions[sub] = Position(value_node.start_mark.line + 1, value_node.start_mark.column + 1)
                result[key] = self.plain(value_node, sub, construct)
            return result
        if isinstance(node, SequenceNode):
            items = []
            for index, item in enumerate(node.value):
                sub = f"{path}[{index + 1}]"
                self.positions[sub] = Position(item.start_mark.line + 1, item.start_mark.column + 1)
                items.append(self.plain(item, sub, construct))
            return items
        try:
            value = construct(node)
        except _Unreadable as exc:
            self.issue(path, f"valeur « {node.value} » illisible ({exc}).", None, "Corrigez la valeur ou mettez-la entre guillemets.")
            self.unreadable.add(path)
            return None
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


def read_yaml(path: Path, source: str) -> tuple[Any, _Reader]:
    """Parse ``path``; YAML errors become Issues with their position."""
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    reader = _Reader(source)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ProfileError([Issue(source, 1, 1, "", "fichier introuvable.", None, "Vérifiez le chemin du profil.")]) from None
    except IsADirectoryError:
        raise ProfileError([Issue(source, 1, 1, "", "c'est un dossier, pas un fichier de profil.", "un fichier .yaml")]) from None
    except UnicodeDecodeError as exc:
        raise ProfileError([Issue(source, 1, 1, "", f"le fichier n'est pas encodé en UTF-8 (octet {exc.start}).", "un fichier texte UTF-8", "Réenregistrez-le en UTF-8 depuis votre éditeur.")]) from None
    except OSError as exc:
        raise ProfileError([Issue(source, 1, 1, "", f"lecture impossible : {exc.strerror}.")]) from None
    raw_bad = _RAW_CONTROL.search(text)
    if raw_bad:
        before = text[: raw_bad.start()]
        line = before.count("\n") + 1
        col = raw_bad.start() - (before.rfind("\n") + 1) + 1
        raise ProfileError([Issue(source, line, col, "", f"le fichier contient un caractère de contrôle invisible (U+{ord(raw_bad.group(0)):04X}).", "du texte sans caractère de contrôle", "Supprimez-le : il vient souvent d'un copier-coller.")])
    yaml = _yaml()
    try:
        tree = yaml.compose(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        if "could not find expected ':'" in (exc.problem or "") and exc.context_mark is not None:
            mark = exc.context_mark  # the key that lacks its colon, not the next line
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = _translate_yaml_problem(exc)
        bad_line = text.splitlines()[line - 1] if 0 < line <= len(text.splitlines()) else ""
        if "\t" in bad_line[: max(col, 1)] or bad_line.startswith("\t"):
            problem = "syntaxe YAML invalide : tabulation interdite, indentez avec des espaces."
        raise ProfileError([Issue(source, line, col, "", problem, None, "Vérifiez l'indentation, les deux-points et les guillemets de cette ligne.")]) from None
    except YAMLError as exc:
        raise ProfileError([Issue(source, 1, 1, "", f"YAML illisible : {exc}")]) from None
    if tree is None or (getattr(tree, "tag", "").endswith(":null")):
        raise ProfileError([Issue(source, 1, 1, "", "le profil est vide.", "un profil commençant par « version: 1 »", "Partez d'un exemple du dossier profiles/.")])
    reader.positions[""] = Position(tree.start_mark.line + 1, tree.start_mark.column + 1)
    constructor = yaml.constructor

    def construct(node):
        if node.ctag.suffix == "tag:yaml.org,2002:str":
            return node.value  # most scalars: no constructor round-trip needed
        try:
            return constructor.construct_object(node, deep=True)
        except (YAMLError, ValueError, OverflowError) as exc:
            text = str(exc)
            raise _Unreadable(getattr(exc, "problem", None) or ("date impossible" if "day" in text or "month" in text else "nombre trop long" if "digits" in text else text)) from None

    plain = reader.plain(tree, "", construct)
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
    """The closest choice (difflib ratio ≥ 0.6); ties go to the earliest choice, so order by preference."""
    text = str(value).lower()
    best, best_score = None, 0.6
    for choice in choices:
        score = difflib.SequenceMatcher(None, text, str(choice).lower()).ratio()
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
    for error in _validator().iter_errors(data):
        for err in _leaf_errors(error):
            if _known_basis_spelling(err) or format_path(err.absolute_path) in reader.unreadable:
                continue
            bad.update(_refused_paths(err))
            _translate(err, schema, reader)
    return bad


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
        reader.issue(path, f"base juridique « {value} » inconnue.", _choices(law.basis_names()) + " (ou les alias art38, art52, art28, art36-1, art36-2, art37)", _suggest(value, ranked))
    elif kind == "enum":
        choices = err.validator_value
        reader.issue(path, f"« {value} » n'est pas une valeur admise.", _choices(choices), _suggest(value, choices))
    elif kind == "const":
        reader.issue(path, f"« {value} » n'est pas une valeur admise.", f"« {err.validator_value} »")
    elif kind == "type":
        types = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        expected = " ou ".join(_TYPE_NAMES.get(t, t) for t in types)
        hint = None
        if "boolean" in types and isinstance(value, str):
            hint = "Écrivez true (oui) ou false (non), sans guillemets."
        elif "integer" in types and isinstance(value, (str, float)):
            hint = "Écrivez un nombre entier sans guillemets ni unité."
        shown = "une valeur vide" if value is None else f"« {value} »"
        if parts and parts[-1] == "derogation_clause_sociale":
            from ..law.registry import load_registry

            codes = list(load_registry().derogations())
            reader.issue(
                path,
                f"{shown} : une dérogation se déclare par un cas prévu par la loi et son motif.",
                "un bloc « cas: CODE » et « motif: TEXTE », le cas étant " + _choices(codes),
                f"Par exemple : « derogation_clause_sociale: {{cas: {codes[0]}, motif: … }} ».",
            )
            return
        reader.issue(path, f"{shown} n'est pas du type attendu.", expected, hint)
    elif kind in ("minimum", "exclusiveMinimum"):
        reader.issue(path, f"« {value} » est trop petit.", f"un nombre supérieur ou égal à {err.validator_value}")
    elif kind in ("maximum", "exclusiveMaximum"):
        reader.issue(path, f"« {value} » est trop grand.", f"un nombre inférieur ou égal à {err.validator_value}", "Vérifiez l'unité (mois, jours, heures).")
    elif kind == "minLength":
        reader.issue(path, "le texte est vide.", "un texte non vide")
    elif kind == "minProperties":
        reader.issue(path, "le bloc est vide.", "au moins une des clés " + _choices(list(_schema_at(schema, parts).get("properties", {}))))
    elif kind == "minItems":
        reader.issue(path, "la liste est vide.", "au moins un élément")
    elif kind == "uniqueItems":
        reader.issue(path, "la liste contient deux fois la même valeur.", "des valeurs distinctes")
    elif kind == "pattern":
        name = str(parts[-1]) if parts else ""
        reader.issue(path, f"« {value} » n'a pas la forme attendue.", _PATTERN_HELP.get(name, f"le motif {err.validator_value}"))
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
    profile = build_profile(data, reader, bad, today=today or _dt.date.today())
    if reader.issues:
        raise ProfileError(reader.issues)
    return profile
