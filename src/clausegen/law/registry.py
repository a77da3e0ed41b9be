"""The legal registry: every legal fact and practice figure clausegen uses, read from ``registry.yaml``.

Other modules never type an article number, a threshold or a date: they ask this module. Values are
dated (OpenFisca-style): ``value_at(entry, on=date)`` returns the latest value whose date is on or
before ``on``. Every ``Fact`` keeps its confidence code and source, so a document can say "à confirmer"
where the registry does.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

CONFIDENCE_LABELS = {
    "V": "vérifié",
    "V2": "vérifié dans un commentaire",
    "B": "non vérifié",
    "U": "à confirmer",
}
UNCERTAIN = frozenset({"B", "U"})


@dataclass(frozen=True)
class Fact:
    """One dated value with its provenance."""

    key: str
    value: Any
    since: _dt.date | None
    confidence: str
    source: str
    note: str | None = None

    @property
    def uncertain(self) -> bool:
        return self.confidence in UNCERTAIN


class LegalRegistry:
    """Read-only view over the registry data. Build it with :func:`load_registry`."""

    def __init__(self, data: dict[str, Any]):
        self.data = data
        self.checked_on: _dt.date = _as_date(data["checked_on"])
        self.bases: dict[str, dict] = data["bases"]
        self._aliases: dict[str, str] = {}
        for name, entry in self.bases.items():
            self._aliases[name.lower()] = name
            for alias in entry.get("aliases", []):
                self._aliases[str(alias).lower()] = name

    # -- legal bases ---------------------------------------------------------------------------
    def canonical_basis(self, name: str) -> str | None:
        """Canonical basis name for ``name`` (canonical, 2015/2006 alias or CCP article), or None."""
        key = str(name).strip().lower().replace(" ", "").replace("_", "_")
        return self._aliases.get(key)

    def basis_names(self) -> list[str]:
        return list(self.bases)

    def alias_names(self) -> list[str]:
        """Aliases as the registry spells them (« art38 », « L2112-2 »); lookup ignores case."""
        return sorted({str(a) for entry in self.bases.values() for a in entry.get("aliases", [])}, key=str.lower)

    def start_date(self) -> _dt.date:
        """The first day every basis has its articles (the code's entry into force)."""
        return max(min(_as_date(k) for k in entry["articles"]) for entry in self.bases.values())

    def basis(self, name: str) -> dict:
        return self.bases[name]

    def articles(self, basis: str, on: _dt.date) -> Fact:
        return value_at(self.bases[basis]["articles"], on, key=f"bases.{basis}.articles")

    def combination(self, bases: set[str]) -> dict | None:
        for combo in self.data.get("combinations", []):
            if set(combo["bases"]) == bases:
                return combo
        return None

    # -- thresholds, rules, practice -------------------------------------------------------------
    def threshold(self, category: str, on: _dt.date) -> Fact:
        entry = self.data["thresholds"][category]["values"]
        fact = value_at(entry, on, key=f"thresholds.{category}")
        return _replace_value(fact, Decimal(str(fact.value)))

    def threshold_or_none(self, category: str, on: _dt.date) -> Fact | None:
        """The threshold in force on ``on``, or None when the registry knows no value for that day (after
        the last known period): callers say so instead of reusing an old value."""
        try:
            return self.threshold(category, on)
        except LookupError:
            return None

    def threshold_category(self, buyer_type: str, nature: str) -> str:
        if nature == "travaux":
            return "travaux"
        category = self.data["buyer_types"][buyer_type]["threshold"]
        return category[nature] if isinstance(category, dict) else category

    def is_contracting_authority(self, buyer_type: str) -> bool:
        """A pouvoir adjudicateur (as opposed to an entité adjudicatrice)."""
        return bool(self.data["buyer_types"][buyer_type].get("pouvoir_adjudicateur", True))

    def social_threshold_category(self, buyer_type: str) -> str:
        """Threshold category of social and other specific services (marchés d'insertion) for this buyer."""
        return self.data["buyer_types"][buyer_type].get("social_threshold", "services_sociaux")

    def last_threshold_day(self, category: str) -> _dt.date | None:
        """The last day a value of ``category`` is known, when the registry closes it (``null`` entry)."""
        entries = sorted((_as_date(k), v) for k, v in self.data["thresholds"][category]["values"].items())
        if entries and entries[-1][1] is None:
            return entries[-1][0] - _dt.timedelta(days=1)
        return None

    def is_state_buyer(self, buyer_type: str) -> bool:
        """The State and its public establishments: the 2019 instruction binds them."""
        return bool(self.data["buyer_types"][buyer_type].get("etat"))

    def derogations(self) -> dict[str, dict]:
        """The closed list of derogation cases from the mandatory social condition, with confidence."""
        return self.data["rules"]["clause_sociale_obligatoire"]["derogations"]

    def threshold_label(self, category: str) -> str:
        return self.data["thresholds"][category]["label"]

    def rule(self, name: str) -> dict:
        return self.data["rules"][name]

    def rule_start(self, name: str) -> _dt.date:
        return min(_as_date(k) for k in self.data["rules"][name]["applies_from"])

    def practice(self, name: str, on: _dt.date | None = None) -> Fact:
        entry = self.data["practice"][name]["values"]
        return value_at(entry, on or _dt.date.max, key=f"practice.{name}")

    def practice_entry(self, name: str) -> dict:
        return self.data["practice"][name]

    def decimal(self, name: str, on: _dt.date | None = None) -> Decimal:
        return Decimal(str(self.practice(name, on).value))

    def buyer_types(self) -> dict[str, dict]:
        return self.data["buyer_types"]

    def publics(self) -> dict[str, dict]:
        return self.data["publics"]

    def modalites(self) -> dict[str, dict]:
        return self.data["modalites"]

    def ccag(self, name: str) -> dict:
        return self.data["ccag"][name]

    def reference(self, name: str) -> str:
        return self.data["references"][name]["text"]

    def cite(self, *refs: str) -> str:
        """« article L. 2152-7 du code de la commande publique » for articles known to the registry; every
        article of one call belongs to the same code (``code:`` in the registry, the CCP by default)."""
        from ..fmt import articles

        for ref in refs:
            if ref not in self.data["articles"]:
                raise KeyError(f"article {ref} absent du registre juridique")
        codes = {self.data["articles"][r].get("code", "code") for r in refs}
        if len(codes) != 1:
            raise ValueError(f"articles de codes différents cités ensemble : {', '.join(refs)}")
        word = "article" if len(refs) == 1 else "articles"
        note = " (numéro à confirmer)" if any(self.data["articles"][r]["confidence"] == "U" for r in refs) else ""
        return f"{word} {articles(refs)}{note} du {self.reference(codes.pop())}"

    def instruction(self, where: str) -> str:
        """« instruction … du 11 avril 2019, fiche 2 »."""
        return f"{self.reference('instruction')}, {where}"

    def source(self, key: str) -> dict:
        return self.data["sources"][key]


def _as_date(value: Any) -> _dt.date:
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    return _dt.date.fromisoformat(str(value))


def _replace_value(fact: Fact, value: Any) -> Fact:
    return Fact(fact.key, value, fact.since, fact.confidence, fact.source, fact.note)


def value_at(entry: dict, on: _dt.date, *, key: str) -> Fact:
    """Latest dated value on or before ``on``; ``LookupError`` when none applies yet or it ended."""
    chosen = None
    for since, item in sorted(((_as_date(k), v) for k, v in entry.items()), key=lambda kv: kv[0]):
        if since <= on:
            chosen = (since, item)
    if chosen is None or chosen[1] is None or chosen[1].get("value") is None:
        raise LookupError(f"aucune valeur de « {key} » n'est en vigueur au {on.isoformat()}")
    since, item = chosen
    return Fact(key, item["value"], since, item.get("confidence", "B"), item.get("source", ""), item.get("note"))


@lru_cache(maxsize=1)
def load_registry() -> LegalRegistry:
    """Load the bundled registry once per process: parsed from YAML the first time only, then read from
    clausegen's cache (``cache.cached_data``, keyed by the file's content)."""
    from ..cache import cached_data

    text = resources.files("clausegen.law").joinpath("registry.yaml").read_text(encoding="utf-8")
    return LegalRegistry(cached_data("registry-1", text, lambda: _parse_yaml(text)))


def _parse_yaml(text: str) -> Any:
    from ruamel.yaml import YAML

    try:
        yaml = YAML(typ="safe", pure=False)  # libyaml when ruamel.yaml.clib is installed
    except Exception:  # pragma: no cover
        yaml = YAML(typ="safe", pure=True)
    return yaml.load(text)


def practice_hint(name: str, on: _dt.date, *, capital: bool = True) -> str:
    """« taux … : 5 %, 7 % ou 10 % (à confirmer) » from the registry's practice figures."""
    from ..fmt import liste

    law = load_registry()
    fact = law.practice(name, on)
    values = liste(fact.value, "ou") if len(fact.value) != 2 or "fourchette" not in name else f"{fact.value[0]} à {fact.value[1]}"
    label = law.practice_entry(name)["label"]
    return f"{label[0].upper() if capital else label[0]}{label[1:]} : {values}" + (" (à confirmer)" if fact.uncertain else "")
