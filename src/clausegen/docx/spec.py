"""What a family of templates is checked against: the variables and filters it may use (``Glossary``), the
documents it may hold and the engine vocabulary it renders with (``LintSpec``). Built by the owner of the
templates (``clausegen.render``); the lint only reads it."""

from __future__ import annotations

from dataclasses import dataclass, field

from .vocabulary import EMPTY, Vocabulary


@dataclass(frozen=True)
class Glossary:
    """The variables a template may use, by dotted path, as ``templates variables`` lists them."""

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


@dataclass(frozen=True)
class LintSpec:
    """What ``templates lint`` checks a buyer's template against: the glossary and the vocabulary."""

    glossary: Glossary
    documents: tuple = ()  # the document names a template file may carry (``ccap`` for ``ccap.docx``)
    vocabulary: Vocabulary = field(default=EMPTY)
