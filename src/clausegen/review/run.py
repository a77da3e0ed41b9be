"""Run the review on one profile, or on files and folders (the ``clausegen check`` command)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..calc import compute_hours
from ..errors import Issue, ProfileError
from ..law.registry import load_registry
from ..many import expand_paths
from ..model import Profile
from ..plan import build_plan
from .context import Review
from .finding import Finding
from .rules import RULES


def review_profile(profile: Profile, *, documents: str | Path | None = None, rules=RULES, plan=None) -> list[Finding]:
    """Every finding of ``rules`` on ``profile``, sorted by position. ``plan``: the profile's clause plan when
    the caller already has it (its hours computed once), built here otherwise."""
    law = load_registry()
    plan = plan or build_plan(profile, compute_hours(profile, law, explain=False), law)
    review = Review(profile, plan, law, Path(documents) if documents else None)
    for rule in rules:
        rule.check(review, review.reporter(rule))
    return sorted(review.findings, key=Finding.sort_key)


@dataclass
class CheckResult:
    """What ``check`` found: the findings, the profiles that could not be read, the files read."""

    findings: list[Finding] = field(default_factory=list)
    invalid: list[Issue] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(f.severity == "erreur" for f in self.findings)

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return 2
        return 1 if self.errors else 0


def check_one(path: Path, documents=None) -> tuple[list[Finding], list[Issue]]:
    """Findings of one profile, or the issues that make it unusable. Never raises: an unexpected
    exception (a bug) is one issue of this profile, so that the others are still reviewed."""
    from ..profile.load import load_profile

    try:
        profile = load_profile(path)
        return review_profile(profile, documents=documents), []
    except ProfileError as exc:
        return [], exc.issues
    except Exception as exc:  # noqa: BLE001 - one profile never stops the others
        from ..many import internal_error_message

        return [], [Issue(str(path), 1, 1, "", internal_error_message(exc))]


def _check_item(item: tuple) -> tuple[list[Finding], list[Issue]]:
    return check_one(*item)


def check_paths(paths, *, documents=None, jobs: int = 1) -> CheckResult:
    """Review every profile under ``paths``; invalid profiles are reported, not raised.

    ``documents``: one folder compared to every profile, or a mapping ``{profile path: folder}`` (a
    profile missing from it is reviewed without comparison)."""
    files = expand_paths(paths)
    folders = [documents.get(str(f)) if isinstance(documents, dict) else documents for f in files]
    result = CheckResult(files=[str(f) for f in files])
    if jobs > 1 and len(files) > 50:
        from ..many import CRASH_MESSAGE, run_isolated

        # a worker that dies (killed, out of memory) is reported for its profile; the others are reviewed
        chunk = max(1, len(files) // (jobs * 8))
        outcomes: list = [None] * len(files)
        for index, ok, value in run_isolated(_check_item, list(zip(files, folders)), jobs=jobs, chunksize=chunk):
            outcomes[index] = value if ok else ([], [Issue(str(files[index]), 1, 1, "", value or CRASH_MESSAGE)])
    else:
        outcomes = [check_one(f, folder) for f, folder in zip(files, folders)]
    for findings, issues in outcomes:
        result.findings += findings
        result.invalid += issues
    return result
