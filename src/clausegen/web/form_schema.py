"""The fields of the profile form, walked from the profile's JSON Schema: one ``Field`` per key, its
options from the schema's enumerations and the registry's labels, the usual values of the practice."""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import replace
from functools import lru_cache
from typing import Any

from ..law.registry import load_registry
from ..model import NATURES, PERIODICITES, PROCEDURES
from . import form_values
from .form_model import AMOUNT_HINT, BOOLEAN_OPTIONS, DATE_HINT, HELP, LABELS, RATE_HINT, TEXTAREAS, VALUE_LABELS, Field, Option, _capital, _split_description


def _node(schema: dict) -> dict:
    return schema["oneOf"][0] if "oneOf" in schema and "type" not in schema else schema


def _types(schema: dict) -> list[str]:
    kind = schema.get("type")
    return kind if isinstance(kind, list) else [kind] if kind else []


def _is_scalar_list(schema: dict) -> bool:
    return schema.get("type") == "array" and schema.get("items", {}).get("type") != "object"


def _reference_day(data: dict) -> _dt.date:
    try:
        return _dt.date.fromisoformat(str(data.get("marche", {}).get("date_publication")))
    except (ValueError, AttributeError):
        return _dt.date.today()


@lru_cache(maxsize=4)
def _basis_options(on: _dt.date) -> tuple[Option, ...]:
    law = load_registry()
    options = []
    for name in law.basis_names():
        entry = law.basis(name)
        try:
            hint = _capital(law.cite(*law.articles(name, on).value))
        except (LookupError, ValueError):
            hint = None
        options.append(Option(name, _capital(entry["label"]), hint))
    return tuple(options)


def _enum_options(key: str, values) -> list[Option]:
    law = load_registry()
    if key == "type":
        labels = {k: _capital(v["label"]) for k, v in law.buyer_types().items()}
    elif key == "nature":
        labels = {k: _capital(v) for k, v in NATURES.items()}
    elif key == "procedure":
        labels = {k: _capital(v) for k, v in PROCEDURES.items()}
    elif key == "periodicite_suivi":
        labels = {k: _capital(v) for k, v in PERIODICITES.items()}
    elif key == "ccag":
        labels = {k: law.ccag(k)["label"] for k in law.data["ccag"]} | {"aucun": "Aucun CCAG"}
    elif key == "cas":
        labels = {k: _capital(v["label"]) for k, v in law.derogations().items()}
    elif key == "apprentissage":
        from ..render.context import APPRENTISSAGE_LABELS  # the CCAP's own words

        labels = {k: _capital(v) for k, v in APPRENTISSAGE_LABELS.items()}
    else:
        labels = VALUE_LABELS.get(key, {})
    return [Option(str(v), labels.get(v, str(v))) for v in values]


# lists of codes shown as boxes to tick, labelled as the code lists the exports read (law/data/codelists.yaml)
_CODED_LISTS = {"techniques": "decp.technique", "modalites_execution": "decp.modalite_execution"}


def _coded_options(key: str, values) -> list[Option]:
    from ..law.codelists import load_codelists

    labels = load_codelists().mapping(_CODED_LISTS[key]).get("values", {})
    return [Option(str(v), labels.get(v, str(v))) for v in values]


def _practice(key: str, on: _dt.date) -> tuple[str | None, list[Option]]:
    """Help and usual values from the registry's practice figures for rates the buyer chooses."""
    from ..law.registry import practice_hint

    law = load_registry()
    if key == "taux_insertion":
        values = law.practice("taux_insertion_usuels", on).value
        hint = f"{practice_hint('taux_insertion_usuels', on)} ; {practice_hint('taux_insertion_fourchette', on, capital=False)}."
        return hint, [Option(form_values.show(form_values.RATE, v) or v, v) for v in values]
    if key == "part_main_oeuvre":
        fact = law.practice("parts_main_oeuvre", on)
        label = _capital(law.practice_entry("parts_main_oeuvre")["label"])
        rows = " ; ".join(f"{row['metier']} : {row['part']}" for row in fact.value)
        seen: dict[str, str] = {}
        for row in fact.value:
            seen.setdefault(row["part"], row["metier"])
        return f"{label} : {rows}.", [Option(form_values.show(form_values.RATE, part) or part, metier) for part, metier in seen.items()]
    if key == "ponderation":
        return f"{practice_hint('ponderation_fourchette', on)}.", []
    return None, []


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (dict, list)):
        import json

        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _get(data: Any, parts: list) -> Any:
    for part in parts:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return None
            data = data[part]
        else:
            if not isinstance(data, dict):
                return None
            data = data.get(part)
    return data


def _path(parts: list) -> str:
    text = ""
    for part in parts:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _make_field(schema: dict, parts: list, data: dict, required: bool, on: _dt.date) -> Field:
    key = str(parts[-1])
    node = _node(schema)
    description = schema.get("description") or node.get("description") or key
    label, help_text = _split_description(description)
    label = LABELS.get(key, label).replace(" (AAAA-MM-JJ)", "")
    help_text = HELP.get(key, help_text)
    raw = _get(data, parts)
    what = form_values.kind(node)
    shown = form_values.show(what, raw)
    f = Field(_path(parts), key, label, "text", _display(raw) if shown is None else shown, help_text, required, value_kind=what)
    types = _types(node)
    if key == "base_legale":
        law = load_registry()
        f.kind = "checkboxes"
        f.options = list(_basis_options(on))
        chosen = raw if isinstance(raw, list) else [raw] if raw not in (None, "") else []
        values = []
        for item in chosen:
            canonical = law.canonical_basis(str(item)) if isinstance(item, str) else None
            values.append(_display(item))
            if canonical is not None and canonical != item:  # an alias (« art38 ») stays as the buyer wrote it
                f.options = [replace(o, value=item) if o.value == canonical else o for o in f.options]
            if canonical is None:
                f.options.append(Option(_display(item), f"« {_display(item)} » (valeur inconnue)", unknown=True))
        f.value = values
    elif key == "publics":
        law = load_registry()
        f.kind = "checkboxes"
        f.options = [Option(code, _capital(entry["label"])) for code, entry in law.publics().items()]
        chosen = [_display(v) for v in raw] if isinstance(raw, list) else ([_display(raw)] if raw not in (None, "") else [])
        f.options += [Option(v, f"« {v} » (valeur inconnue)", unknown=True) for v in chosen if v not in law.publics()]
        f.value = chosen
    elif key in _CODED_LISTS and "enum" in node.get("items", {}):
        enum = node["items"]["enum"]
        f.kind = "checkboxes"
        f.options = _coded_options(key, enum)
        chosen = [_display(v) for v in raw] if isinstance(raw, list) else ([_display(raw)] if raw not in (None, "") else [])
        f.options += [Option(v, f"« {v} » (valeur inconnue)", unknown=True) for v in chosen if v not in enum]
        f.value = chosen
    elif _is_scalar_list(node):
        f.kind = "lines"
        f.value = "\n".join(_display(v) for v in raw) if isinstance(raw, list) else _display(raw)
    elif "enum" in node:
        f.kind = "select"
        f.options = _enum_options(key, node["enum"])
        if f.value and f.value not in node["enum"]:
            f.options.append(Option(f.value, f"« {f.value} » (valeur refusée)", unknown=True))
        if max(len(o.label) for o in f.options) > 60:
            f.kind = "radios"  # sentences read better side by side than in a closed list
    elif "boolean" in types:
        f.kind = "boolean"
        f.options = [Option(v, label) for v, label in BOOLEAN_OPTIONS]
        if f.value and f.value not in ("true", "false"):
            f.options.append(Option(f.value, f"« {f.value} » (valeur refusée)", unknown=True))
    elif key in TEXTAREAS:
        f.kind = "textarea"
    if f.kind == "text":
        if types == ["integer"]:
            f.inputmode = "numeric"
        practice_help, suggestions = _practice(key, on)
        if practice_help:
            f.help = f"{f.help} {practice_help}" if f.help else practice_help
            if key == "taux_insertion":
                f.quick = suggestions  # one click each (a submit button, or the script fills the field)
            else:
                f.suggestions = suggestions
        if what in (form_values.RATE, form_values.AMOUNT, form_values.PENALTY):
            f.inputmode = "decimal"
            f.help = (f.help + " " if f.help else "") + (RATE_HINT if what == form_values.RATE else AMOUNT_HINT)
        if what == form_values.RATE:
            f.suffix = "%"
        if what == form_values.DATE:
            f.help = DATE_HINT  # instead of the schema's (the loader's own format, AAAA-MM-JJ)
            f.label = re.sub(r"\b([0-9]{4})-([0-9]{2})-([0-9]{2})\b", r"\3/\2/\1", f.label)  # « du 11/04/2019 au 31/12/2099 »
        if key == "courriel":
            f.autocomplete = "off"
            f.inputmode = "email"
        if key == "telephone":
            f.inputmode = "tel"
    return f
