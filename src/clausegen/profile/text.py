"""Profiles held as text rather than as files: load a profile from a string, read its plain data, and write
plain data back as a commented profile (what the web application and other programs need).

The loader reads files (its bounds on size and kind of file live there), so ``load_profile_text`` writes the
text to a temporary folder removed before it returns, loads it with ``load_profile`` and gives the issues and
the profile the name ``source`` instead of the temporary path: the messages are those of the command line,
word for word. ``dump_profile`` writes plain data as YAML that ``load_profile`` reads back to the same data,
each key preceded by its description from the JSON Schema (``profile_schema``), the one place where keys are
described.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import re
import tempfile
import textwrap
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..errors import Issue, ProfileError
from ..model import Profile

__all__ = ["dump_profile", "load_profile_text", "read_profile_text"]

_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def _file_name(source: str) -> str:
    """A harmless file name for the temporary copy (the name shows in no message: ``source`` does)."""
    name = _SAFE_NAME.sub("-", Path(str(source).replace("\\", "/")).name).strip(".-") or "profil"
    return name[:80] + ("" if name.endswith((".yaml", ".yml")) else ".yaml")


@contextlib.contextmanager
def _as_file(text: str | bytes, source: str):
    """A temporary file holding ``text`` (bytes kept as they are: the loader checks the encoding)."""
    data = text if isinstance(text, bytes) else text.encode("utf-8")
    with tempfile.TemporaryDirectory(prefix="clausegen-") as folder:
        path = Path(folder) / _file_name(source)
        path.write_bytes(data)
        yield path


def _renamed(issues, path: Path, source: str) -> list[Issue]:
    temporary = str(path)
    return [
        replace(issue, file=source if issue.file == temporary else issue.file, message=issue.message.replace(temporary, source))
        for issue in issues
    ]


def load_profile_text(text: str | bytes, source: str = "profil.yaml", *, today: _dt.date | None = None) -> Profile:
    """The profile written in ``text``, as ``load_profile`` would read it from a file named ``source``.

    Raises ``ProfileError`` whose issues name ``source``; the profile's ``source`` is ``source`` too (the
    review's findings and the report name it)."""
    from .load import load_profile

    with _as_file(text, source) as path:
        try:
            profile = load_profile(path, today=today)
        except ProfileError as exc:
            raise ProfileError(_renamed(exc.issues, path, source)) from None
    return replace(profile, source=source)


def read_profile_text(text: str | bytes, source: str = "profil.yaml") -> Any:
    """The plain data of ``text`` (dicts, lists, strings, numbers, booleans; dates as « AAAA-MM-JJ »),
    before any check against the schema: what a form shows of a profile, even an invalid one.

    Raises ``ProfileError`` when the text is no readable YAML (syntax, encoding, size, the loader's bounds)."""
    from .load import read_yaml

    with _as_file(text, source) as path:
        try:
            data, _reader = read_yaml(path, source)
        except ProfileError as exc:
            raise ProfileError(_renamed(exc.issues, path, source)) from None
    return data


# -- writing -----------------------------------------------------------------------------------------

SECTION_TITLES = {
    "acheteur": "L'ACHETEUR",
    "marche": "LE MARCHÉ",
    "facilitateur": "LE FACILITATEUR DE LA CLAUSE SOCIALE",
    "calcul": "LE CALCUL DES HEURES D'INSERTION",
    "execution": "LES MODALITÉS D'EXÉCUTION DE LA CLAUSE",
    "lots": "LES LOTS",
}
_RULE = "# " + "-" * 105
_WIDTH = 110
# A plain scalar must not start with a YAML indicator, hold « : » or « # » where they mean something, or read
# as anything but a string (numbers, booleans, null, dates, « .inf »): such texts are written in double quotes.
_INDICATOR_START = re.compile(r"^[-?:,\[\]{}#&*!|>'\"%@`]")
_NOT_A_STRING = re.compile(
    r"^(?:[-+]?\.?[0-9].*|\.(?:inf|Inf|INF|nan|NaN|NAN)|[-+]\.(?:inf|Inf|INF)|~|null|Null|NULL|true|True|TRUE|false|False|FALSE"
    r"|yes|Yes|YES|no|No|NO|on|On|ON|off|Off|OFF|y|Y|n|N|<<)$"
)


def _comment(text: str, indent: int) -> list[str]:
    pad = " " * indent + "# "
    return textwrap.wrap(text.replace("\u00a0", " ").replace("\u202f", " "), _WIDTH, initial_indent=pad, subsequent_indent=pad, break_on_hyphens=False)


def _string(text: str) -> str:
    plain = (
        text
        and text == text.strip()
        and not _INDICATOR_START.match(text)
        and not _NOT_A_STRING.match(text)
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and all(c.isprintable() and c not in "\u2028\u2029\x85\ufeff" for c in text)
    )
    if plain:
        return text
    quoted = json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return quoted.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\x85").replace("\ufeff", "\\ufeff")


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")  # exact, unquoted: the loader reads the number as it is written
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return _string(str(value))


def _key(key: Any) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) and not _NOT_A_STRING.match(text) else json.dumps(text, ensure_ascii=False)


def _described(schema: dict | None) -> dict:
    """The object schema to read descriptions from (lists: their items; ``oneOf``: its first branch)."""
    if not isinstance(schema, dict):
        return {}
    if "oneOf" in schema:
        return schema["oneOf"][0]
    return schema


def _description(schema: dict | None) -> str | None:
    if not isinstance(schema, dict):
        return None
    text = schema.get("description")
    values = schema.get("enum")
    if text and values and not all(str(v) in text for v in values):
        text = f"{text.rstrip('.')}. Valeurs admises : {', '.join(str(v) for v in values)}."
    return text


def _ordered(mapping: dict, schema: dict) -> list:
    known = list(_described(schema).get("properties", {}))
    return sorted(mapping, key=lambda k: (known.index(k) if k in known else len(known), ""))


def _block(mapping: dict, schema: dict, indent: int, *, comments: bool = True) -> list[str]:
    lines: list[str] = []
    properties = _described(schema).get("properties", {})
    for key in _ordered(mapping, schema):
        sub = properties.get(key)
        if comments:
            description = _description(sub)
            if description:
                lines += _comment(description, indent)
        lines += _entry(_key(key), mapping[key], sub, indent)
    return lines


def _entry(key: str, value: Any, schema: dict | None, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(value, dict):
        if not value:
            return [f"{pad}{key}: {{}}"]
        return [f"{pad}{key}:", *_block(value, schema or {}, indent + 2)]
    if isinstance(value, list):
        if not value:
            return [f"{pad}{key}: []"]
        items = (schema or {}).get("items") if isinstance(schema, dict) else None
        if items is None and isinstance(schema, dict) and "oneOf" in schema:
            items = schema["oneOf"][-1].get("items")
        return [f"{pad}{key}:", *_items(value, items or {}, indent + 2)]
    text = _scalar(value)
    return [f"{pad}{key}:{' ' + text if text else ''}"]


def _items(values: list, schema: dict, indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    for item in values:
        if isinstance(item, dict) and item:
            inner = _block(item, schema, indent + 2, comments=False)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines += inner[1:]
        elif isinstance(item, list) and item:
            inner = _items(item, {}, indent + 2)
            lines.append(f"{pad}- {inner[0].lstrip()}")
            lines += inner[1:]
        elif isinstance(item, dict):
            lines.append(f"{pad}- {{}}")
        elif isinstance(item, list):
            lines.append(f"{pad}- []")
        else:
            lines.append(f"{pad}- {_scalar(item)}".rstrip())
    return lines


def _lot_lines(lot: dict, schema: dict, indent: int) -> list[str]:
    """A lot as a list item, its keys commented like the others."""
    inner = _block(lot, schema, indent + 2)
    first = next((n for n, line in enumerate(inner) if not line.lstrip().startswith("#")), None)
    if first is None:
        return [f"{' ' * indent}- {{}}"]
    head = [" " * indent + line.lstrip() for line in inner[:first]]
    return head + [f"{' ' * indent}- {inner[first].lstrip()}"] + inner[first + 1 :]


def dump_profile(data: dict, *, header: str | None = None) -> str:
    """``data`` (a profile's plain data, valid or not) as commented YAML that ``load_profile`` reads back to
    the same data. Keys are written in the order of the schema, each after its description; unknown keys are
    kept, at the end of their block, for the loader to report them. ``header``: a first comment."""
    from .schema import profile_schema

    schema = profile_schema()
    properties = schema["properties"]
    lines: list[str] = []
    if header:
        for paragraph in header.split("\n"):
            lines += _comment(paragraph, 0) if paragraph else ["#"]
        lines.append("")
    for key in _ordered(data, schema):
        value = data[key]
        sub = properties.get(key)
        title = SECTION_TITLES.get(key)
        if title:
            lines += ["", _RULE, f"# {title}"]
            note = _description(sub)
            if note:
                lines += _comment(note, 0)
            lines.append(_RULE)
        else:
            lines += _comment(_description(sub) or "", 0) if _description(sub) else []
        if key == "lots" and isinstance(value, list) and value:
            lines.append("lots:")
            for lot in value:
                lines += _lot_lines(lot, sub["items"], 2) if isinstance(lot, dict) else _items([lot], {}, 2)
        else:
            lines += _entry(_key(key), value, sub, 0)
    return "\n".join(lines).lstrip("\n") + "\n"
