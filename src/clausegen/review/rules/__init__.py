"""The catalogue of review rules, explicit (yamllint-style): each rule has ``ID``, ``SEVERITY``,
``reference(law)``, ``check(review, report)`` and a docstring with fixed French headings
(Ce que vérifie la règle / Pourquoi / Exemple signalé / À la place / Référence)."""

from __future__ import annotations

from . import a_completer, acteurs, clause_sociale_obligatoire, combinaisons, critere, documents, execution, heures, reserve

RULES = (
    clause_sociale_obligatoire,
    *critere.RULES,
    *reserve.RULES,
    *combinaisons.RULES,
    *heures.RULES,
    *acteurs.RULES,
    *execution.RULES,
    *documents.RULES,
    a_completer,
)
BY_ID = {rule.ID: rule for rule in RULES}
assert len(BY_ID) == len(RULES), "duplicate rule ID"


def title(rule) -> str:
    return (rule.__doc__ or "").strip().splitlines()[0]


def get(rule_id: str):
    try:
        return BY_ID[rule_id]
    except KeyError:
        raise KeyError(f"règle inconnue : {rule_id}") from None
