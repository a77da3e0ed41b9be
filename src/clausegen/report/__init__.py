"""The portfolio report (``clausegen report``): indicators of many markets, and pooling of hours.

Library use::

    from clausegen.report import load_portfolio, build_report
    portfolio = load_portfolio(["profiles/"])             # ProfileError lists every problem of every file
    indicators = portfolio.indicators()                    # plain data (indicators.py)
    build_report(portfolio, "rapport.xlsx")                # or .html; written atomically

Modules: ``indicators`` (figures), ``mutualisation`` (pooling by company), ``xlsx`` and ``html``
(presenters). Nothing is written unless every step succeeded.

May import: ``errors``, ``fmt``, ``model``, ``law``, ``profile``, ``calc``, ``working``, ``plan``, ``files``,
``many``. Never another product (render, review, export) nor a shell.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Issue, OutputError, ProfileError
from ..files.atomic import write_atomic

FORMATS = ("xlsx", "html")

__all__ = ["FORMATS", "Portfolio", "build_report", "format_for", "load_portfolio", "report_bytes", "write_atomic"]


@dataclass
class Portfolio:
    """What the report reads of the valid profiles (one ``entries.MarketEntry`` each, reduced from its
    clause plan as soon as the profile is read), and what was skipped."""

    results: list = field(default_factory=list)  # MarketEntry, one per valid profile
    invalid: list[Issue] = field(default_factory=list)
    invalid_files: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def indicators(self):
        from .indicators import compute_indicators

        return compute_indicators(self.results)

    def mutualisation(self):
        from .mutualisation import compute_mutualisation

        return compute_mutualisation(self.results)


def _entry_of(path: str, today=None):
    """``("ok", MarketEntry)`` or ``("invalid", issues)`` for one profile (a worker's item)."""
    from ..calc import compute_hours
    from ..law.registry import load_registry
    from ..many import internal_error_message
    from ..plan import build_plan
    from ..profile.load import load_profile
    from .entries import market_entry

    law = load_registry()
    try:
        profile = load_profile(path, today=today)
        return "ok", market_entry(build_plan(profile, compute_hours(profile, law, explain=False), law), source=str(path))
    except ProfileError as exc:
        return "invalid", exc.issues
    except Exception as exc:  # noqa: BLE001 - a bug on one profile is reported like an invalid profile
        return "invalid", [Issue(path, 1, 1, "", internal_error_message(exc))]


def _entry_item(item: tuple):
    return _entry_of(*item)


def load_portfolio(paths, *, skip_invalid: bool = False, today=None, jobs: int = 1) -> Portfolio:
    """Load every profile under ``paths`` (files, or folders read recursively) and build its clause plan
    (its hours computed once), of which the report keeps a ``MarketEntry``: the profiles and their plans are
    never all in memory at once. ``jobs`` > 1: large portfolios (over 50 profiles) are read by that many
    worker processes.

    An invalid profile raises ``ProfileError`` carrying the issues of every invalid file, unless
    ``skip_invalid``: then the issues are kept in ``Portfolio.invalid`` and the valid profiles used (still
    an error when none is valid). A profile on which clausegen fails unexpectedly (a bug) counts as
    invalid, with one issue saying so: it never stops the others.
    """
    from ..many import CRASH_MESSAGE, expand_paths, run_isolated

    portfolio = Portfolio(files=[str(p) for p in expand_paths(paths)])
    if jobs > 1 and len(portfolio.files) > 50:
        chunk = max(1, len(portfolio.files) // (jobs * 8))
        outcomes: list = [None] * len(portfolio.files)
        items = [(path, today) for path in portfolio.files]
        for index, ok, value in run_isolated(_entry_item, items, jobs=jobs, chunksize=chunk):
            outcomes[index] = value if ok else ("invalid", [Issue(portfolio.files[index], 1, 1, "", value or CRASH_MESSAGE)])
    else:
        outcomes = (_entry_of(path, today) for path in portfolio.files)
    for path, (kind, value) in zip(portfolio.files, outcomes):
        if kind == "ok":
            portfolio.results.append(value)
        else:
            portfolio.invalid += value
            portfolio.invalid_files.append(path)
    if portfolio.invalid and (not skip_invalid or not portfolio.results):
        raise ProfileError(portfolio.invalid)
    return portfolio


def format_for(output: str | None, requested: str | None) -> str:
    """The requested format, else the one of the output's extension (.html, .htm), else xlsx."""
    if requested:
        return requested
    if output and Path(output).suffix.lower() in (".html", ".htm"):
        return "html"
    return "xlsx"


def report_bytes(portfolio: Portfolio, output_format: str, *, mutualisation: bool = False) -> bytes:
    if output_format not in FORMATS:
        raise OutputError(f"format inconnu : « {output_format} ». Formats disponibles : {', '.join(FORMATS)}.")
    indicators = portfolio.indicators()
    pooling = portfolio.mutualisation() if mutualisation else None
    if output_format == "html":
        from .html import page

        return page(indicators, pooling).encode("utf-8")
    from .xlsx import workbook_bytes

    return workbook_bytes(indicators, pooling)


def build_report(portfolio: Portfolio, output: str | Path, *, output_format: str | None = None, mutualisation: bool = False,
                 force: bool = False) -> Path:
    """Compute the report of ``portfolio`` and write it to ``output`` (format from its extension by default)."""
    data = report_bytes(portfolio, format_for(str(output), output_format), mutualisation=mutualisation)
    return write_atomic(output, data, force=force)
