"""The steps of the profile form and the review screen that ends them.

The whole form is posted at every action (the fields of the other steps ride along, hidden), so a step
never loses what another step holds; a step only chooses what the page shows.
"""

from __future__ import annotations

from dataclasses import dataclass

from .form_model import Field, FormView, Group


@dataclass(frozen=True)
class Step:
    """One step of the web form, with its title and key in the address."""

    key: str  # in the address: /profil/<id>?etape=lots
    title: str
    sections: tuple[str, ...]  # the profile's top-level keys whose fields the step shows


STEPS = (
    Step("marche", "Acheteur et marché", ("acheteur", "marche")),
    Step("lots", "Lots", ("lots",)),
    Step("calcul", "Calcul", ("calcul",)),
    Step("execution", "Exécution", ("execution", "facilitateur")),
    Step("relecture", "Relecture et documents", ()),
)
FIRST = STEPS[0].key
LAST = STEPS[-1].key
_BY_KEY = {s.key: s for s in STEPS}


def step(key: str | None) -> Step:
    """The step named ``key``; the first one for anything else (an old bookmark, a typing error)."""
    return _BY_KEY.get(key or "", STEPS[0])


def step_of(path: str) -> Step:
    """The step showing the field at ``path`` (« lots[2].montant_ht » → Lots); the review for the rest."""
    top = path.split(".", 1)[0].split("[", 1)[0]
    return next((s for s in STEPS if top in s.sections), STEPS[-1])


def neighbours(current: Step) -> tuple[Step | None, Step | None]:
    index = STEPS.index(current)
    return (STEPS[index - 1] if index else None, STEPS[index + 1] if index + 1 < len(STEPS) else None)


def _shown(item: Field) -> str:
    value = item.value
    if isinstance(value, list):
        labels = {o.value: o.label for o in item.options}
        return ", ".join(labels.get(v, v) for v in value)
    if item.options:
        for option in item.options:
            if option.value == value:
                return option.label
    if item.kind == "boolean":
        return {"true": "Oui", "false": "Non"}.get(str(value), str(value))
    return str(value)


def answers(view: FormView) -> list[dict]:
    """Every answer given, step by step, as the review screen lists them: the step, and for each group its
    filled fields (label, value as shown, the field's id for « Modifier »)."""
    out = []
    for s in STEPS[:-1]:
        groups = [g for g in view.sections if g.path in s.sections]
        if "lots" in s.sections:
            groups += view.lots
        rows = []
        for group in groups:
            filled = [{"label": f.label, "value": _shown(f), "id": f.id}
                      for f in group.walk() if isinstance(f, Field) and f.filled]
            if filled:
                rows.append({"legend": group.legend, "fields": filled})
        out.append({"step": s, "groups": rows})
    return out


def errors_by_step(view: FormView) -> dict[str, int]:
    """How many fields of each step carry an error (the step menu shows it)."""
    counts = {s.key: 0 for s in STEPS}
    for path, item in view.index.items():
        if isinstance(item, (Field, Group)) and item.errors:
            counts[step_of(path).key] += len(item.errors)
    return counts
