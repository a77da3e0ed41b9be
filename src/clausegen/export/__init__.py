"""Open-data exports of a market profile: DECP v2 (French essential data) and eForms business terms.

Every value an export produces comes from the official code lists shipped beside the legal registry
(``clausegen.law.codelists``: DECP values and clausegen's mapping choices, the eForms SDK's codes and
labels, the official DECP schema), which the documents read too. ``CodeLists.check`` is a bug guard: a
value outside its list raises ``CodeListError`` instead of being published.

May import: ``errors``, ``fmt``, ``model``, ``law``, ``calc``, ``plan``, ``files``. Never another product
(render, review, report).

An export returns an :class:`Export`: the JSON-ready ``data``, the French ``notes`` the CLI prints on stderr
(fields the profile cannot fill, choices to confirm) and the ``refusals`` ``--strict`` turns into exit 1.
Every export reads the clause plan (``plan=``, built once when not given): it writes what the plan decided.

    from clausegen.export.decp import export_decp            # DECP v2, one record per lot
    from clausegen.export.eforms import export_eforms        # eForms business terms per lot (JSON)
    from clausegen.export.eforms_xml import export_eforms_xml  # eForms contract notice (UBL 2.3 XML)
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ..errors import ClausegenError
from ..law.codelists import CONFIDENCE_CODES, CodeListError, CodeLists, decp_schema, load_codelists  # noqa: F401 - re-exported


class ExportError(ClausegenError):
    """The profile cannot be exported as asked (French message, exit 2)."""


@dataclass
class Export:
    """Result of an export: ``data`` (JSON-ready) and French ``notes`` for the user."""

    data: dict
    notes: list[str] = field(default_factory=list)
    refusals: list[str] = field(default_factory=list)  # what the official rules would refuse (``--strict``: exit 1)

    def to_json(self) -> str:
        return to_json(self.data)

    def write(self, path, *, force: bool = False):
        """Write the JSON (UTF-8, final newline) to ``path`` atomically: never a partial file, never over a
        folder or a device, an existing file only with ``force``. French ``OutputError`` otherwise."""
        return write_export(self, path, force=force)


def write_export(result: Export, path, *, force: bool = False):
    """``clausegen export … -o FICHIER``: ``result``'s JSON written as ``report.write_atomic`` does."""
    from ..files.atomic import write_atomic

    return write_atomic(path, (result.to_json() + "\n").encode("utf-8"), force=force)


def _default(value: Any):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"valeur non sérialisable : {value!r}")


def to_json(data: dict) -> str:
    """Indented UTF-8 JSON (accents kept); Decimals become JSON numbers."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_default)


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
