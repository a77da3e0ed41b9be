"""Posted form fields turned back into the plain data of a profile, and the edits that need no script (add
or remove a lot or a sub-criterion)."""

from __future__ import annotations

import re
from typing import Any

from ..profile.schema import profile_schema
from . import form_values
from .form_schema import _is_scalar_list, _node, _path, _types
from .form_model import MAX_LOTS, MAX_SUB_CRITERIA, Field, FormView


_LOT_KEY = re.compile(r"^lots\[([0-9]{1,4})\]\.")


_ITEM_KEY = re.compile(r"^lots\[([0-9]{1,4})\]\.critere\.sous_criteres\[([0-9]{1,3})\]\.")


_DIGITS = re.compile(r"^(?:0|[1-9][0-9]{0,17})$")


def _leaf_value(schema: dict, key: str, values: list[str]) -> Any:
    node = _node(schema)
    texts = [v.replace("\r\n", "\n").replace("\r", "\n") for v in values]
    if key in ("base_legale", "publics", "techniques", "modalites_execution"):
        chosen = [t.strip() for t in texts if t.strip()]
        chosen = list(dict.fromkeys(chosen))
        if not chosen:
            return None
        return chosen[0] if key == "base_legale" and len(chosen) == 1 else chosen
    text = texts[0] if texts else ""
    if _is_scalar_list(node):
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        return lines or None
    text = text.strip() if "\n" not in text.strip() else "\n".join(line.rstrip() for line in text.strip().split("\n"))
    if not text:
        return None
    if "const" in node:
        return node["const"] if text == str(node["const"]) else text
    types = _types(node)
    if "boolean" in types and text in ("true", "false"):
        return text == "true"
    what = form_values.kind(node)
    if what is not None:
        return form_values.read(what, text)  # a rate typed as a percentage, a French amount, JJ/MM/AAAA
    if "integer" in types and _DIGITS.match(text):
        return int(text)
    return text


def _set(data: dict, parts: list, value: Any) -> None:
    node: Any = data
    for part, following in zip(parts, parts[1:]):
        if isinstance(part, int):
            while len(node) <= part:
                node.append({})
            node = node[part]
        else:
            node = node.setdefault(part, [] if isinstance(following, int) else {})
    node[parts[-1]] = value


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [])}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def _leaves(schema: dict, parts: list):
    """(parts, schema) of every field of the form under ``parts`` (lists of blocks excluded)."""
    node = _node(schema)
    for key, sub in node.get("properties", {}).items():
        sub_node = _node(sub)
        if sub_node.get("type") == "object":
            yield from _leaves(sub, [*parts, key])
        elif sub_node.get("type") == "array" and sub_node.get("items", {}).get("type") == "object":
            continue
        else:
            yield [*parts, key], sub


def form_data(form) -> dict:
    """A profile's plain data from posted fields (a Starlette ``FormData`` or a dict of lists). Empty fields
    are left out; numbers typed as digits become numbers, everything else stays text for the loader to judge."""
    getlist = form.getlist if hasattr(form, "getlist") else (lambda name: list(form.get(name, [])))
    keys = list(form.keys())
    schema = profile_schema()
    data: dict = {"version": 1}
    for section, sub in schema["properties"].items():
        if section in ("version", "lots"):
            continue
        for parts, leaf in _leaves(sub, [section]):
            value = _leaf_value(leaf, str(parts[-1]), [v for v in getlist(_path(parts)) if isinstance(v, str)])
            if value is not None:
                _set(data, parts, value)
    lot_numbers = sorted({int(m.group(1)) for k in keys if (m := _LOT_KEY.match(k))})[:MAX_LOTS]
    lot_schema = schema["properties"]["lots"]["items"]
    item_schema = lot_schema["properties"]["critere"]["properties"]["sous_criteres"]["items"]
    lots = []
    for number in lot_numbers:
        lot: dict = {}
        for parts, leaf in _leaves(lot_schema, []):
            value = _leaf_value(leaf, str(parts[-1]), [v for v in getlist(f"lots[{number}]." + _path(parts)) if isinstance(v, str)])
            if value is not None:
                _set(lot, parts, value)
        items = sorted({int(m.group(2)) for k in keys if (m := _ITEM_KEY.match(k)) and int(m.group(1)) == number})[:MAX_SUB_CRITERIA]
        rows = []
        for item_number in items:
            row = {}
            for key in item_schema["properties"]:
                value = _leaf_value(item_schema["properties"][key], key, [v for v in getlist(f"lots[{number}].critere.sous_criteres[{item_number}].{key}") if isinstance(v, str)])
                if value is not None:
                    row[key] = value
            rows.append(row)
        if rows:
            lot.setdefault("critere", {})["sous_criteres"] = rows
        lots.append(lot)
    data["lots"] = lots
    pruned = _prune(data)
    pruned.setdefault("lots", [])
    return pruned


_VALUE_PATH = re.compile(r"^(?:(calcul|execution)|lots\[([0-9]{1,4})\])\.([a-z_]+)$")


def _usual_value(data: dict, where: str) -> bool:
    """« valeur:calcul.taux_insertion=7 »: the usual value a button beside a rate field gives, read as the
    field reads what is typed (a form without script posts it; the script fills the field itself)."""
    path, _, text = where.partition("=")
    match = _VALUE_PATH.match(path)
    if not match or not text.strip():
        return False
    section, lot, key = match.groups()
    schema = profile_schema()["properties"]
    block = schema[section] if section else schema["lots"]["items"]
    leaf = _node(block).get("properties", {}).get(key)
    what = form_values.kind(_node(leaf)) if isinstance(leaf, dict) else None
    if what not in (form_values.RATE, form_values.AMOUNT):
        return False
    value = form_values.read(what, text.strip())
    if section:
        target = data.setdefault(section, {})
    else:
        lots = data.get("lots")
        number = int(lot)
        if not isinstance(lots, list) or not 1 <= number <= len(lots) or not isinstance(lots[number - 1], dict):
            return False
        target = lots[number - 1]
    if isinstance(target, dict):
        target[key] = value
    return True


def apply_edit(data: dict, action: str) -> bool:
    """Apply « ajouter-lot », « retirer-lot:N », « ajouter-sous-critere:N », « retirer-sous-critere:N:M »,
    « valeur:CHAMP=VALEUR » (a usual value in one click) to ``data`` in place; False when ``action`` is no
    such edit."""
    lots = data.setdefault("lots", [])
    if not isinstance(lots, list):
        return False
    verb, _, where = action.partition(":")
    if verb == "valeur":
        return _usual_value(data, where)
    numbers = [int(n) for n in where.split(":") if n.isdigit()]
    if verb == "ajouter-lot":
        if len(lots) < MAX_LOTS:
            used = [lot.get("numero") for lot in lots if isinstance(lot, dict) and isinstance(lot.get("numero"), int)]
            lots.append({"numero": max(used, default=len(lots)) + 1})
        return True
    if verb == "retirer-lot" and len(numbers) == 1:
        if 1 <= numbers[0] <= len(lots):
            del lots[numbers[0] - 1]
        return True
    if verb in ("ajouter-sous-critere", "retirer-sous-critere") and numbers and 1 <= numbers[0] <= len(lots):
        lot = lots[numbers[0] - 1]
        critere = lot.setdefault("critere", {}) if isinstance(lot, dict) else {}
        rows = critere.setdefault("sous_criteres", []) if isinstance(critere, dict) else []
        if verb == "ajouter-sous-critere" and len(rows) < MAX_SUB_CRITERIA:
            rows.append({})
        elif verb == "retirer-sous-critere" and len(numbers) == 2 and 1 <= numbers[1] <= len(rows):
            del rows[numbers[1] - 1]
        return True
    return False


def new_profile() -> dict:
    """The data of the empty form: one lot, numbered 1."""
    return {"version": 1, "lots": [{"numero": 1}]}


def posted(view: FormView) -> dict[str, list[str]]:
    """What a browser posts for ``view`` untouched: ``{name: [values]}`` (checked boxes, chosen options)."""
    out: dict[str, list[str]] = {}
    groups = [*view.sections, *view.lots]
    for group in groups:
        for item in [group, *group.walk()]:
            if isinstance(item, Field):
                out[item.path] = list(item.value) if isinstance(item.value, list) else [item.value]
    return out
