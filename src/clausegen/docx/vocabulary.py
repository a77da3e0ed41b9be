"""What a family of templates may call: its filters and the names of its variables.

The engine knows nothing of what the templates are about: its owner (``clausegen.render``) hands it a
``Vocabulary`` — the filters by name, which of them make a text of their value or format a figure (the
sandbox bounds their arguments accordingly), and the top-level variable names, for « Vouliez-vous dire »
suggestions. One environment is built per vocabulary and kept for the process.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Mapping


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The filters a template's Jinja code may call, and the variable names it may use (for suggestions)."""

    filters: Mapping[str, Callable] = field(default_factory=dict)
    text_filters: frozenset = frozenset()  # filters that turn their value into text first
    figure_filters: frozenset = frozenset()  # filters that format a number: decimals and magnitude bounded
    names: Callable[[], Iterable[str]] | None = None  # top-level variable names, for suggestions only
    tag: str = "base"  # distinguishes the compiled templates of two vocabularies in the bytecode cache

    def variable_names(self) -> list[str]:
        if self.names is None:
            return []
        try:
            return sorted(self.names())
        except Exception:  # noqa: BLE001 - only for a suggestion
            return []


EMPTY = Vocabulary()
