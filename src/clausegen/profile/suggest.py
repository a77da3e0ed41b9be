"""Paths and suggestions shared by the loader and the builder: ``lots[2].heures`` from a list of keys, and
« Vouliez-vous dire … ? » for a value close to a known name."""

from __future__ import annotations

import difflib
from functools import lru_cache

from .values import clip

MAX_SUGGESTED = 64  # characters of a value compared with the known names to suggest one


def format_path(parts) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part + 1}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _suggest(value: str, choices) -> str | None:
    """The closest choice (difflib ratio ≥ 0.6); ties go to the earliest choice, so order by preference.

    A value longer than ``MAX_SUGGESTED`` characters is no typo of a name: no suggestion, and no
    comparison, which costs in proportion to the product of the two lengths. The answer is memoized: a
    misspelt key repeated in thousands of lots is compared once."""
    text = clip(value, MAX_SUGGESTED + 1).lower()
    if len(text) > MAX_SUGGESTED:
        return None
    return _closest(text, tuple(str(choice) for choice in choices))


@lru_cache(maxsize=1024)
def _closest(text: str, choices: tuple[str, ...]) -> str | None:
    best, best_score = None, 0.6
    for choice in choices:
        score = difflib.SequenceMatcher(None, text, choice.lower()).ratio()
        if score > best_score + 1e-9:
            best, best_score = choice, score
    return f"Vouliez-vous dire « {best} » ?" if best else None


def _choices(values) -> str:
    values = [f"« {v} »" for v in values]
    if len(values) > 14:
        return ", ".join(values[:14]) + ", …"
    return ", ".join(values[:-1]) + (" ou " if len(values) > 1 else "") + values[-1]
