"""One review finding, positioned in the profile like a loader error."""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("erreur", "avertissement", "conseil")


@dataclass(frozen=True)
class Finding:
    """One finding of the review: its rule, severity, message, reference and place."""

    rule: str  # stable rule code, e.g. « critere-sans-ponderation »
    severity: str  # erreur | avertissement | conseil
    message: str  # French: what is wrong and what to do
    reference: str  # legal or instruction reference
    file: str
    line: int
    column: int
    field: str

    def sort_key(self):
        return (self.file, self.line, self.column, SEVERITIES.index(self.severity), self.rule)

    def format(self) -> str:
        return f"{self.line}:{self.column}: {self.severity} [{self.rule}] {self.message} ({self.reference})"

    def as_dict(self) -> dict:
        return {
            "fichier": self.file,
            "ligne": self.line,
            "colonne": self.column,
            "champ": self.field,
            "gravite": self.severity,
            "regle": self.rule,
            "message": self.message,
            "reference": self.reference,
        }
