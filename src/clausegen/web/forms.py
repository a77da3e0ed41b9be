"""The profile form, driven by the profile's JSON Schema and the legal registry.

Every field of the form is a key of the schema (``profile_schema``): its name is the key's path as the
loader writes it (``lots[2].critere.ponderation``), its label and help come from the key's description, its
allowed values from the schema's enumerations, their labels from the registry (buyer types, legal bases,
publics, CCAG, derogations) or the model. Only the layout is decided here: which keys are asked first (the
questions of ``clausegen init``) and which are grouped under « Autres informations ».

Two conversions, each the inverse of the other: ``form_data`` turns the posted fields into a profile's plain
data (what ``dump_profile`` writes and the loader checks: nothing is validated here), ``build_form`` turns
plain data (from a form, or an uploaded profile, valid or not) into the fields to show, with the loader's
issues and the review's findings placed on the fields they concern.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ..profile.schema import profile_schema
from . import form_messages
from .form_model import HELP, LABELS, LOT_FIRST, MAX_LOTS, MAX_SUB_CRITERIA, SECTIONS, FormView, Group, _split_description, section_title
from .form_schema import _get, _make_field, _node, _path, _reference_day

# -- layout --------------------------------------------------------------------------------------------


# -- what is shown -------------------------------------------------------------------------------------


# -- schema walking ------------------------------------------------------------------------------------


def _group(schema: dict, parts: list, data: dict, first: tuple[str, ...], on: _dt.date, index: dict, *, legend: str | None = None,
           required_block: bool = True) -> Group:
    node = _node(schema)
    description = node.get("description") or schema.get("description")
    key = str(parts[-1]) if parts else ""
    label, help_text = _split_description(description) if description else (key, None)
    group = Group(_path(parts), legend or LABELS.get(key, label), help=HELP.get(key, help_text))
    index[group.path] = group
    required = set(node.get("required", ())) if required_block else set()
    properties = node.get("properties", {})
    taken: set[str] = set()
    for dotted in first:
        head, _, rest = dotted.partition(".")
        sub_schema = properties[head]
        if rest:
            sub_node = _node(sub_schema)
            leaf = _make_field(sub_node["properties"][rest], [*parts, head, rest], data, False, on)
            group.items.append(leaf)
            index[leaf.path] = leaf
        elif _node(sub_schema).get("type") == "object":  # a whole block asked up front (an accord-cadre's amounts)
            group.items.append(_subgroup(sub_schema, [*parts, head], data, on, index))
            taken.add(head)
        else:
            leaf = _make_field(sub_schema, [*parts, head], data, head in required, on)
            group.items.append(leaf)
            index[leaf.path] = leaf
            taken.add(head)
    partly = {d.split(".")[0]: d.split(".", 1)[1] for d in first if "." in d}
    for key_name, sub_schema in properties.items():
        if key_name in taken or key_name == "version":
            continue
        sub_node = _node(sub_schema)
        if sub_node.get("type") == "object":
            skip = (partly[key_name],) if key_name in partly else ()
            group.more.append(_subgroup(sub_schema, [*parts, key_name], data, on, index, skip=skip))
        elif sub_node.get("type") == "array" and sub_node.get("items", {}).get("type") == "object":
            continue  # lots: handled by the caller
        else:
            leaf = _make_field(sub_schema, [*parts, key_name], data, key_name in required, on)
            group.more.append(leaf)
            index[leaf.path] = leaf
    return group


def _subgroup(schema: dict, parts: list, data: dict, on: _dt.date, index: dict, *, skip=()) -> Group:
    node = _node(schema)
    description = node.get("description") or ""
    key = str(parts[-1])
    label, help_text = _split_description(description) if description else (key, None)
    group = Group(_path(parts), LABELS.get(key, label), help=HELP.get(key, help_text))
    index[group.path] = group
    for key_name, sub_schema in node.get("properties", {}).items():
        if key_name in skip:
            continue
        sub_node = _node(sub_schema)
        if sub_node.get("type") == "object":
            group.items.append(_subgroup(sub_schema, [*parts, key_name], data, on, index))
        elif sub_node.get("type") == "array" and sub_node.get("items", {}).get("type") == "object":
            group.items.append(_repeater(sub_schema, [*parts, key_name], data, on, index))
        else:
            leaf = _make_field(sub_schema, [*parts, key_name], data, False, on)  # required only once the block is used
            group.items.append(leaf)
            index[leaf.path] = leaf
    return group


def _repeater(schema: dict, parts: list, data: dict, on: _dt.date, index: dict) -> Group:
    """A list of blocks (the sub-criteria of a lot's criterion): one small group per item."""
    key = str(parts[-1])
    label, help_text = _split_description(schema.get("description") or key)
    group = Group(_path(parts), LABELS.get(key, label), help=help_text, kind="list")
    group.parent_index = next((p + 1 for p in parts if isinstance(p, int)), 0)
    index[group.path] = group
    items = _get(data, parts)
    count = min(len(items), MAX_SUB_CRITERIA) if isinstance(items, list) else 0
    item_schema = schema["items"]
    for n in range(count):
        item = Group(_path([*parts, n]), f"Sous-critère {n + 1}", kind="item", index=n + 1, parent_index=group.parent_index)
        index[item.path] = item
        for key_name, sub_schema in item_schema["properties"].items():
            leaf = _make_field(sub_schema, [*parts, n, key_name], data, key_name in item_schema.get("required", ()), on)
            item.items.append(leaf)
            index[leaf.path] = leaf
        group.items.append(item)
    return group


def _framework(data: dict, lot: Any) -> bool:
    """The market says it is an accord-cadre (« Techniques d'achat »), or the lot already has its amounts."""
    marche = data.get("marche") if isinstance(data.get("marche"), dict) else {}
    techniques = marche.get("techniques")
    return (isinstance(techniques, list) and "accord_cadre" in techniques) or (isinstance(lot, dict) and isinstance(lot.get("accord_cadre"), dict))


def build_form(data: Any, plan=None) -> FormView:
    """The fields showing ``data`` (a profile's plain data; anything the schema does not describe is left out,
    a value of the wrong kind is shown as text to be corrected). The questions follow the answers: an
    accord-cadre's amounts are asked with each lot once the market says it is one, and the derogation to the
    2026 rule up front when ``plan`` (the clause plan of ``data``, when it is valid) says the rule applies."""
    data = data if isinstance(data, dict) else {}
    schema = profile_schema()
    on = _reference_day(data)
    index: dict[str, Any] = {}
    rule = getattr(plan, "rule", None)
    firsts = dict(SECTIONS)
    if rule is not None and rule.in_force and rule.reached:
        firsts["marche"] = (*firsts["marche"], "derogation_clause_sociale")
    sections = [_group(schema["properties"][key], [key], data, firsts[key], on, index, legend=section_title(key), required_block=key in schema["required"])
                for key, _ in SECTIONS]
    lots_schema = schema["properties"]["lots"]
    lots_group = Group("lots", section_title("lots"), help=lots_schema.get("description"))
    index["lots"] = lots_group
    raw_lots = data.get("lots")
    count = min(len(raw_lots), MAX_LOTS) if isinstance(raw_lots, list) else 0
    lots = []
    for n in range(count):
        first = (*LOT_FIRST, "accord_cadre") if _framework(data, raw_lots[n]) else LOT_FIRST
        lot = _group(lots_schema["items"], ["lots", n], data, first, on, index, legend=f"Lot {n + 1}")
        lot.kind, lot.index = "lot", n + 1
        title = _get(data, ["lots", n, "intitule"])
        if isinstance(title, str) and title.strip():
            lot.legend = f"Lot {n + 1} — {title.strip()}"
        lots.append(lot)
    lots_group.items = lots
    view = FormView(sections, lots, lots_group, index)
    form_messages.speak(view)
    return view


# -- posted fields → plain data -------------------------------------------------------------------------


# -- edits that need no script: add and remove a lot or a sub-criterion ------------------------------------


