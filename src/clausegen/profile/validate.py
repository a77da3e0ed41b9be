"""A profile's YAML tree checked against the schema of the format: every error translated into a French
issue on its field (what was found, what was expected, a suggestion), fast path by a compiled validator."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .reader import _TYPE_NAMES, _Reader
from .schema import profile_schema
from .suggest import _choices, _suggest, format_path
from .values import clip


_PATTERN_HELP = {
    "cpv": "un code CPV de 8 chiffres, éventuellement suivi d'un tiret et de sa clé, comme « 45453000-7 »",
    "courriel": "une adresse électronique, comme « prenom.nom@exemple.fr »",
}


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


def schema_issues(data: Any, reader: _Reader) -> set[str]:
    """Validate ``data`` against the profile schema; add Issues to ``reader``. Returns the bad paths."""
    schema = profile_schema()
    bad: set[str] = set()
    validate, refusals = _fast_validator()
    try:
        validate(data)
        return bad  # the usual case: valid, and the compiled validator says so ~20× faster
    except refusals:
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


class _Refused(ValueError):
    """What the compiled validator raises, in place of fastjsonschema's own exceptions: its code then needs
    nothing of fastjsonschema (whose import took about 5 ms of every command)."""

    def __init__(self, message: str = "", value=None, name=None, definition=None, rule=None, *args, **kwargs):
        super().__init__(message)


_EXCEPTIONS = frozenset({"JsonSchemaValueException", "JsonSchemaValuesException"})
_FASTJSONSCHEMA_IMPORT = re.compile(r"^from fastjsonschema import (\w+(?:, \w+)*)\n", re.MULTILINE)


@lru_cache(maxsize=1)
def _fast_validator():
    """The same schema compiled to Python by fastjsonschema (draft-07 subset it uses), for the fast path."""
    import importlib.util
    import json
    import marshal

    from ..cache import cached_bytes

    schema = dict(profile_schema())
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    formats = {"date": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"}

    def generate() -> str:
        import fastjsonschema

        return fastjsonschema.compile_to_code(schema, formats=formats)

    def build() -> bytes:
        code = generate()
        names = _FASTJSONSCHEMA_IMPORT.search(code)
        if names is not None and set(names.group(1).split(", ")) <= _EXCEPTIONS:  # else (another version) kept
            code = _FASTJSONSCHEMA_IMPORT.sub("", code, count=1)
        entry = re.search(r"^def (\w+)\(", code, re.MULTILINE).group(1)  # the root schema's function comes first
        return entry.encode("ascii") + b"\n" + marshal.dumps(compile(code, "<clausegen profile schema>", "exec"))

    # marshal data is specific to the bytecode format, which the magic number names (not to the interpreter's build:
    # every 3.11.x shares the entry shipped in the bundle)
    key = json.dumps(schema, sort_keys=True) + importlib.util.MAGIC_NUMBER.hex() + "-autonome"
    entry, _, blob = cached_bytes("schema", key, build).partition(b"\n")
    namespace: dict = dict.fromkeys(_EXCEPTIONS, _Refused)
    exec(marshal.loads(blob), namespace)  # noqa: S102 - code generated from our own schema
    refusals = tuple({namespace.get(n, _Refused) for n in sorted(_EXCEPTIONS)})  # fastjsonschema's if it imported them
    return namespace[entry.decode("ascii")], refusals


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
