"""The glossary of template variables and filters (``glossary.yaml``), as the lint and ``templates vars`` read it."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

GLOSSARY = Path(__file__).with_name("glossary.yaml")


@dataclass(frozen=True)
class Glossary:
    variables: dict  # path → entry (nom, type, description, exemple, …)
    filters: dict  # name → entry
    required: dict  # document name → list of {references, gravite, message}

    @property
    def top_names(self) -> set:
        return {p for p in self.variables if "." not in p and "[" not in p}

    def canonical(self, path: str) -> str:
        """``lots_heures[].heures`` → ``lots[].heures`` (lists declared with ``elements``)."""
        head, sep, rest = path.partition("[]")
        target = self.variables.get(head, {}).get("elements") if sep else None
        return target + rest if target else path

    def element(self, path: str | None) -> str | None:
        """Path of the elements of the list ``path``, when they are blocks described here."""
        if path is None or self.variables.get(path, {}).get("type") != "liste":
            return None
        target = self.variables[path].get("elements") or path + "[]"
        return target if any(p.startswith(target + ".") for p in self.variables) else None

    def children(self, path: str) -> list[str]:
        return [p[len(path) + 1:] for p in self.variables if p.startswith(path + ".") and "." not in p[len(path) + 1:]]

    def kind(self, path: str) -> str | None:
        entry = self.variables.get(path)
        return entry["type"] if entry else ("bloc" if self.children(path) else None)


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(GLOSSARY.read_text(encoding="utf-8"))
    return Glossary({v["nom"]: v for v in data["variables"]}, {f["nom"]: f for f in data["filtres"]}, data.get("sections_requises") or {})
