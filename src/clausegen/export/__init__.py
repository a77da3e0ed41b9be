"""Open-data exports of a market profile: DECP v2 (French essential data) and eForms business terms.

Every value an export produces comes from ``codelists.yaml`` (next to this module), which holds the
allowed values of the official code lists with their source, version and confidence code, and the
mapping choices clausegen makes where the formats do not decide. The eForms lists (codes and the SDK's
French labels), field names, notice types and rules are read from ``data/eforms-sdk.yaml``, generated from
the eForms SDK (``tools/eforms_codelists.py``), and merged into the same :class:`CodeLists`: the fiche and
the exports read one file. ``data/schema_decp_v2.0.3.json`` is the official DECP schema (``decp_schema``).
``CodeLists.check`` is a bug guard: a value outside its list raises :class:`CodeListError` (a
``ClausegenError``, exit 2) instead of being published.

An export returns an :class:`Export`: the JSON-ready ``data`` and the French ``notes`` the CLI prints
on stderr (fields the profile cannot fill, choices to confirm).

    from clausegen.export.decp import export_decp
    from clausegen.export.eforms import export_eforms
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from ..errors import ClausegenError

REQUIRED_LIST_KEYS = ("source", "version", "confidence", "values")
CONFIDENCE_CODES = ("V", "V2", "B", "U")


class ExportError(ClausegenError):
    """The profile cannot be exported as asked (French message, exit 2)."""


class CodeListError(ExportError):
    """An export produced a value outside its official code list: a bug in clausegen, never published."""


@dataclass
class Export:
    """Result of an export: ``data`` (JSON-ready) and French ``notes`` for the user."""

    data: dict
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return to_json(self.data)

    def write(self, path, *, force: bool = False):
        """Write the JSON (UTF-8, final newline) to ``path`` atomically: never a partial file, never over a
        folder or a device, an existing file only with ``force``. French ``OutputError`` otherwise."""
        return write_export(self, path, force=force)


def write_export(result: Export, path, *, force: bool = False):
    """``clausegen export … -o FICHIER``: ``result``'s JSON written as ``report.write_atomic`` does."""
    from ..report import write_atomic

    return write_atomic(path, (result.to_json() + "\n").encode("utf-8"), force=force)


def _default(value: Any):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"valeur non sérialisable : {value!r}")


def to_json(data: dict) -> str:
    """Indented UTF-8 JSON (accents kept); Decimals become JSON numbers."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


class CodeLists:
    """Read-only view of ``codelists.yaml``. Build it with :func:`load_codelists`."""

    def __init__(self, data: dict, eforms: dict | None = None):
        self.data = data
        self.sources: dict[str, dict] = data["sources"]
        self.lists: dict[str, dict] = dict(data["lists"])
        self.mappings: dict[str, dict] = data["mappings"]
        self.eforms: dict = eforms or {"sdk": {}, "codelists": {}, "fields": {}, "rules": {}, "notice_types": {}}
        fields_of = {f.get("code_list"): fid for fid, f in self.eforms["fields"].items()}
        for list_name, entry in self.eforms["codelists"].items():
            self.lists[f"eforms.{list_name}"] = {
                "field": fields_of.get(list_name),
                "list_name": list_name,
                "source": "EFORMS",
                "version": self.eforms["sdk"]["version"],
                "confidence": "V",
                "values": entry["values"],
            }

    @property
    def eforms_version(self) -> str:
        """Version of the eForms SDK the lists were generated from (« 1.15.1 »)."""
        return self.eforms["sdk"]["version"]

    def field_name(self, bt: str) -> str:
        """The SDK's French name of an eForms field (« BT-71-Lot » → « Participation réservée »)."""
        return self.eforms["fields"][bt]["name"]

    def values(self, name: str) -> list[str]:
        """Allowed values of list ``name`` (codes for a code → label list)."""
        return list(self.lists[name]["values"])

    def check(self, name: str, value: str) -> str:
        """``value`` if it belongs to list ``name``; else :class:`CodeListError` (bug guard)."""
        if name not in self.lists:
            raise CodeListError(f"liste de codes « {name} » absente de codelists.yaml : erreur interne de clausegen, à signaler.")
        if value not in self.values(name):
            raise CodeListError(
                f"valeur « {value} » absente de la liste « {name} » ({self.lists[name]['field']}, "
                f"{self.source_title(name)}) : erreur interne de clausegen, rien n'a été produit."
            )
        return value

    def label(self, name: str, code: str) -> str:
        """French label of ``code`` in a code → label list."""
        self.check(name, code)
        return self.lists[name]["values"][code]

    def eforms_value(self, name: str, code: str) -> dict:
        """``{"code", "listName", "libelle"}`` for an eForms code, checked against its list."""
        return {"code": self.check(name, code), "listName": self.lists[name]["list_name"], "libelle": self.label(name, code)}

    def mapping(self, name: str) -> dict:
        return self.mappings[name]

    def source_title(self, name: str) -> str:
        entry = self.lists.get(name) or self.mappings.get(name) or {}
        return self.sources.get(entry.get("source"), {}).get("title", "source inconnue")

    def problems(self) -> list[str]:
        """Structural problems of the file (used by the tests): every list needs a known source etc."""
        found = []
        for name, entry in self.lists.items():
            for key in REQUIRED_LIST_KEYS:
                if entry.get(key) in (None, "", [], {}):
                    found.append(f"{name} : clé « {key} » manquante")
            if entry.get("source") not in self.sources:
                found.append(f"{name} : source « {entry.get('source')} » inconnue")
            if entry.get("confidence") not in CONFIDENCE_CODES:
                found.append(f"{name} : code de confiance « {entry.get('confidence')} » inconnu")
        for name, entry in self.mappings.items():
            if entry.get("source") not in self.sources:
                found.append(f"{name} : source « {entry.get('source')} » inconnue")
            if "list" in entry and entry["list"] not in self.lists:
                found.append(f"{name} : liste « {entry['list']} » inconnue")
        return found


def _read(name: str) -> str:
    return resources.files("clausegen.export").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_codelists() -> CodeLists:
    """Load the bundled ``codelists.yaml`` and ``data/eforms-sdk.yaml`` once per process."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="safe", pure=True)
    return CodeLists(yaml.load(_read("codelists.yaml")), yaml.load(_read("data/eforms-sdk.yaml")))


DECP_SCHEMA_FILE = "data/schema_decp_v2.0.3.json"


@lru_cache(maxsize=1)
def decp_schema() -> dict:
    """The official DECP v2.0.3 JSON schema shipped with clausegen (source and commit: data/README.md)."""
    return json.loads(_read(DECP_SCHEMA_FILE))


def reserved_bases(lot, law) -> list[str]:
    """The lot's reservation bases, as the legal registry marks them (``reserved: true``)."""
    return [b for b in lot.bases if law.basis(b).get("reserved")]


def reservation_articles(bases: list[str], law, on) -> tuple[list[str], str]:
    """Articles of the code justifying a reservation (registry), and the weakest confidence among them.

    Statutory (« L ») articles only, as the notice cites them; the combination article (EA/ESAT with
    SIAE) is added when the registry knows it.
    """
    refs: list[str] = []
    confidences: list[str] = []
    for basis in bases:
        try:
            fact = law.articles(basis, on)
        except LookupError as exc:
            raise ExportError(f"aucun article du registre juridique ne fonde « {basis} » à la date du {on.isoformat()} : {exc}") from None
        confidences.append(fact.confidence)
        refs += [a for a in fact.value if str(a).startswith("L") and a not in refs]
    combo = law.combination(set(bases)) if len(bases) > 1 else None
    if combo and combo.get("article") and combo["article"] not in refs:
        refs.append(combo["article"])
        confidences.append(combo.get("confidence", "B"))
    order = {c: i for i, c in enumerate(CONFIDENCE_CODES)}
    weakest = max(confidences, key=lambda c: order.get(c, len(order))) if confidences else "B"
    return refs, weakest
