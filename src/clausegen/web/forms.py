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
import re
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from ..law.registry import load_registry
from ..model import NATURES, PERIODICITES, PROCEDURES
from ..profile.schema import profile_schema
from ..profile.text import SECTION_TITLES

# -- layout --------------------------------------------------------------------------------------------

# (section key, keys asked first: the questions of « clausegen init »); the other keys of the section follow
# under « Autres informations », in the order of the schema.
SECTIONS = (
    ("acheteur", ("nom", "type")),
    ("marche", ("reference", "objet", "nature", "duree_mois", "qpv", "date_publication")),
    ("facilitateur", ("nom", "structure", "courriel")),
    ("calcul", ("cout_horaire", "taux_insertion")),
    ("execution", ("penalite_par_heure", "periodicite_suivi")),
)
LOT_FIRST = ("numero", "intitule", "base_legale", "montant_ht", "part_main_oeuvre", "critere.ponderation")
TEXTAREAS = {"objet", "motif", "justification"}
MAX_LOTS = 200  # a form with more lots is cut (a market has a few dozen at most)
MAX_SUB_CRITERIA = 30

# Labels the schema's descriptions do not give in a short form (the description stays as help).
LABELS = {
    "base_legale": "Base juridique du lot",
    "publics": "Publics éligibles retenus",
    "mode": "Sens de l'arrondi",
    "arrondi": "Règle d'arrondi des heures",
    "critere": "Critère d'attribution relatif à l'insertion",
    "sous_criteres": "Sous-critères",
    "metiers": "Métiers ou postes susceptibles d'être proposés",
    "cas": "Cas de dérogation prévu par la loi",
    "priorite_qpv": "Priorité aux résidents des quartiers prioritaires",
}
HELP = {
    "base_legale": "Cochez une base, ou plusieurs (par exemple une condition d'exécution et un critère d'attribution).",
    "publics": "Sans choix, tous les publics de la fiche 1 de l'instruction du 11 avril 2019 sont retenus.",
    "metiers": "Un métier ou poste par ligne.",
    "cas": None,
    "arrondi": "Par défaut : à l'heure la plus proche, une demi-heure étant arrondie à l'heure supérieure.",
    "critere": None,
    "priorite_qpv": "Sans réponse : comme pour « Exécuté dans ou à proximité d'un quartier prioritaire » (marché).",
}
# Enumerations whose values have no label in the registry, the model or the documents' wording.
VALUE_LABELS = {
    "mode": {
        "au_plus_proche": "Au plus proche (une moitié est arrondie au-dessus)",
        "inferieur": "Vers le bas",
        "superieur": "Vers le haut",
    },
    "civilite": {"M.": "M.", "Mme": "Mme"},
}
RATE_HINT = "Un pourcentage, comme « 7 % » ou « 7,5 % »."
AMOUNT_HINT = "Chiffres seuls, ou avec des espaces et une virgule : « 32 », « 1 250 000,50 »."
BOOLEAN_OPTIONS = (("true", "Oui"), ("false", "Non"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _split_description(text: str) -> tuple[str, str | None]:
    """« Label : help. » split at the first « : » outside parentheses; the final period removed."""
    depth = 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and text.startswith(" : ", index):
            return text[:index].strip(), _capital(text[index + 3 :].strip())
    return text.strip().rstrip("."), None


def section_title(key: str) -> str:
    return _capital(SECTION_TITLES[key].lower())


# -- what is shown -------------------------------------------------------------------------------------


@dataclass
class Option:
    value: str
    label: str
    hint: str | None = None
    unknown: bool = False  # a value the profile holds but the schema refuses, kept to be seen and corrected


@dataclass
class Field:
    path: str  # the form field's name and the loader's path: « lots[2].intitule »
    key: str
    label: str
    kind: str  # text | textarea | select | radios | boolean | checkboxes | lines
    value: Any = ""  # a string, or a list of strings (checkboxes)
    help: str | None = None
    required: bool = False
    options: list[Option] = field(default_factory=list)
    suggestions: list[Option] = field(default_factory=list)  # a datalist of usual values
    inputmode: str | None = None
    autocomplete: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return field_id(self.path)

    @property
    def filled(self) -> bool:
        return bool(self.value)


@dataclass
class Group:
    path: str
    legend: str
    items: list = field(default_factory=list)  # Field or Group, asked first
    more: list = field(default_factory=list)  # Field or Group, under « Autres informations »
    help: str | None = None
    errors: list[str] = field(default_factory=list)
    kind: str = "group"  # group | lot | item (a sub-criterion)
    index: int = 0  # lot or item number in the form (1-based)
    parent_index: int = 0  # for a sub-criterion: its lot

    @property
    def id(self) -> str:
        return field_id(self.path) if self.path else "profil"

    def walk(self):
        for item in [*self.items, *self.more]:
            yield item
            if isinstance(item, Group):
                yield from item.walk()

    @property
    def more_filled(self) -> int:
        count = 0
        for item in self.more:
            if isinstance(item, Field):
                count += item.filled
            else:
                count += sum(isinstance(x, Field) and x.filled for x in [item, *item.walk()])
        return count

    @property
    def more_has_errors(self) -> bool:
        for item in self.more:
            if item.errors or (isinstance(item, Group) and any(x.errors for x in item.walk())):
                return True
        return False


@dataclass
class FormView:
    sections: list[Group]
    lots: list[Group]
    lots_group: Group
    index: dict[str, Any]  # path → Field or Group, to place issues and findings

    def target(self, path: str):
        """The field or group that shows a problem of ``path`` (its closest ancestor in the form)."""
        probe = path or ""
        while probe:
            if probe in self.index:
                return self.index[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return None


def field_id(path: str) -> str:
    """The HTML id of the field at ``path``: « lots[2].critere.ponderation » → « champ-lots-2-critere-ponderation »."""
    return "champ-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")


# -- schema walking ------------------------------------------------------------------------------------


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


def _practice(key: str, on: _dt.date) -> tuple[str | None, list[Option]]:
    """Help and usual values from the registry's practice figures for rates the buyer chooses."""
    from ..init import practice_hint

    law = load_registry()
    if key == "taux_insertion":
        values = law.practice("taux_insertion_usuels", on).value
        hint = f"{practice_hint('taux_insertion_usuels', on)} ; {practice_hint('taux_insertion_fourchette', on, capital=False)}."
        return hint, [Option(v, v) for v in values]
    if key == "part_main_oeuvre":
        fact = law.practice("parts_main_oeuvre", on)
        label = _capital(law.practice_entry("parts_main_oeuvre")["label"])
        rows = " ; ".join(f"{row['metier']} : {row['part']}" for row in fact.value)
        seen: dict[str, str] = {}
        for row in fact.value:
            seen.setdefault(row["part"], row["metier"])
        return f"{label} : {rows}.", [Option(part, metier) for part, metier in seen.items()]
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
    label = LABELS.get(key, label)
    help_text = HELP.get(key, help_text)
    raw = _get(data, parts)
    f = Field(_path(parts), key, label, "text", _display(raw), help_text, required)
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
        examples = node.get("examples") or []
        practice_help, suggestions = _practice(key, on)
        if practice_help:
            f.help = f"{f.help} {practice_help}" if f.help else practice_help
            f.suggestions = suggestions
        if "number" in types:
            rate = any("%" in str(e) for e in examples)
            f.help = (f.help + " " if f.help else "") + (RATE_HINT if rate else AMOUNT_HINT)
        if node.get("format") == "date":
            f.help = None  # the label says AAAA-MM-JJ
        if key == "courriel":
            f.autocomplete = "off"
            f.inputmode = "email"
        if key == "telephone":
            f.inputmode = "tel"
    return f


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


def build_form(data: Any) -> FormView:
    """The fields showing ``data`` (a profile's plain data; anything the schema does not describe is left out,
    a value of the wrong kind is shown as text to be corrected)."""
    data = data if isinstance(data, dict) else {}
    schema = profile_schema()
    on = _reference_day(data)
    index: dict[str, Any] = {}
    sections = [_group(schema["properties"][key], [key], data, first, on, index, legend=section_title(key), required_block=key in schema["required"])
                for key, first in SECTIONS]
    lots_schema = schema["properties"]["lots"]
    lots_group = Group("lots", section_title("lots"), help=lots_schema.get("description"))
    index["lots"] = lots_group
    raw_lots = data.get("lots")
    count = min(len(raw_lots), MAX_LOTS) if isinstance(raw_lots, list) else 0
    lots = []
    for n in range(count):
        lot = _group(lots_schema["items"], ["lots", n], data, LOT_FIRST, on, index, legend=f"Lot {n + 1}")
        lot.kind, lot.index = "lot", n + 1
        title = _get(data, ["lots", n, "intitule"])
        if isinstance(title, str) and title.strip():
            lot.legend = f"Lot {n + 1} — {title.strip()}"
        lots.append(lot)
    lots_group.items = lots
    return FormView(sections, lots, lots_group, index)


# -- posted fields → plain data -------------------------------------------------------------------------

_LOT_KEY = re.compile(r"^lots\[([0-9]{1,4})\]\.")
_ITEM_KEY = re.compile(r"^lots\[([0-9]{1,4})\]\.critere\.sous_criteres\[([0-9]{1,3})\]\.")
_DIGITS = re.compile(r"^(?:0|[1-9][0-9]{0,17})$")


def _leaf_value(schema: dict, key: str, values: list[str]) -> Any:
    node = _node(schema)
    texts = [v.replace("\r\n", "\n").replace("\r", "\n") for v in values]
    if key in ("base_legale", "publics"):
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
    if ("integer" in types or "number" in types) and _DIGITS.match(text):
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


# -- edits that need no script: add and remove a lot or a sub-criterion ------------------------------------


def apply_edit(data: dict, action: str) -> bool:
    """Apply « ajouter-lot », « retirer-lot:N », « ajouter-sous-critere:N », « retirer-sous-critere:N:M » to
    ``data`` in place; False when ``action`` is no such edit."""
    lots = data.setdefault("lots", [])
    if not isinstance(lots, list):
        return False
    verb, _, where = action.partition(":")
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
