"""What every rule receives: the profile, its clause plan (with the one calculation of hours), the registry,
and a finding factory. Rules about the clause read the plan; rules about the file itself read the profile."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..calc import MarketHours
from ..law.registry import LegalRegistry
from ..model import Profile
from ..plan import ClausePlan
from .finding import Finding


@dataclass
class Review:
    """What every review rule reads (the profile, its clause plan, the law) and the findings it adds."""

    profile: Profile
    plan: ClausePlan
    law: LegalRegistry
    documents: Path | None = None  # a rendered pack to compare, when given
    findings: list[Finding] = field(default_factory=list)

    @property
    def hours(self) -> MarketHours:
        return self.plan.hours

    def reporter(self, rule):
        """The ``report(path, message, severity=None)`` function handed to ``rule.check``."""

        def report(path: str, message: str, *, severity: str | None = None, reference: str | None = None) -> None:
            self.add(rule, path, message, severity=severity, reference=reference)

        return report

    def add(self, rule, path: str, message: str, *, severity: str | None = None, reference: str | None = None) -> None:
        """Record a finding of ``rule`` (a rule module) at profile field ``path``."""
        pos = self.profile.position(path)
        self.findings.append(
            Finding(
                rule=rule.ID,
                severity=severity or rule.SEVERITY,
                message=message,
                reference=reference or rule.reference(self.law),
                file=self.profile.source,
                line=pos.line,
                column=pos.column,
                field=path,
            )
        )
