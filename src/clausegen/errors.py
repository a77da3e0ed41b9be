"""Exceptions raised by clausegen.

The tree, as in httpx, drawn where it is defined::

    ClausegenError                base of everything the library raises on purpose
    ├── ProfileError              a profile cannot be used; carries every Issue of the file   → exit 2
    ├── RenderError               a template failed: template name and offending text         → exit 2
    └── OutputError               unwritable or unsafe destination; nothing was written       → exit 2

Review findings, even at level « erreur », are results, not exceptions (the CLI exits 1 on them).
Only the ``cli`` package (and the ``web`` layer, as HTTP errors) prints these; the command line maps every ``ClausegenError`` to exit code 2.
"""

from __future__ import annotations

from dataclasses import dataclass


class ClausegenError(Exception):
    """Base class. ``str(error)`` is a French message meant for the user."""

    exit_code = 2


@dataclass(frozen=True)
class Issue:
    """One problem in a profile, with its place in the file (1-based line and column)."""

    file: str
    line: int
    column: int
    field: str
    message: str
    expected: str | None = None
    suggestion: str | None = None

    def format(self) -> str:
        text = f"{self.file}:{self.line}:{self.column}: "
        if self.field:
            text += f"{self.field} : "
        text += self.message
        if self.expected:
            text += f" Attendu : {self.expected.rstrip('.')}."
        if self.suggestion:
            text += f" {self.suggestion}"
        return text

    def as_dict(self) -> dict:
        return {
            "fichier": self.file,
            "ligne": self.line,
            "colonne": self.column,
            "champ": self.field,
            "message": self.message,
            "attendu": self.expected,
            "suggestion": self.suggestion,
        }


class ProfileError(ClausegenError):
    """The profile file is missing, unreadable or invalid. ``issues`` lists every problem found."""

    def __init__(self, issues: list[Issue]):
        self.issues = sorted(issues, key=lambda i: (i.file, i.line, i.column, i.field))
        super().__init__("\n".join(issue.format() for issue in self.issues))

    def __reduce__(self):  # pickled whole (a worker process of a batch or of the web server raises it)
        return (type(self), (self.issues,))


class RenderError(ClausegenError):
    """A template could not be rendered (syntax, unknown variable, forbidden operation)."""

    def __init__(self, template: str, message: str, context: str | None = None):
        self.template = template
        self.detail = message
        self.context = context
        text = f"{template} : {message}"
        if context:
            text += f" (près du texte « {context} »)"
        super().__init__(text)

    def __reduce__(self):
        return (type(self), (self.template, self.detail, self.context))


class OutputError(ClausegenError):
    """The output destination cannot be used (existing file without --force, unsafe name, I/O error)."""
