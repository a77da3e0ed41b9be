"""The portfolio report (``clausegen report``): indicators of many markets, and pooling of hours.

Library use::

    from clausegen.report import load_portfolio, build_report
    portfolio = load_portfolio(["profiles/"])             # ProfileError lists every problem of every file
    indicators = portfolio.indicators()                    # plain data (indicators.py)
    build_report(portfolio, "rapport.xlsx")                # or .html; written atomically

Modules: ``indicators`` (figures), ``mutualisation`` (pooling by company), ``xlsx`` and ``html``
(presenters). Nothing is written unless every step succeeded.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Issue, OutputError, ProfileError

FORMATS = ("xlsx", "html")

__all__ = ["FORMATS", "Portfolio", "build_report", "format_for", "load_portfolio", "report_bytes", "write_atomic"]


@dataclass
class Portfolio:
    """The calculator's results of the valid profiles, and what was skipped."""

    results: list = field(default_factory=list)  # MarketHours, one per valid profile
    invalid: list[Issue] = field(default_factory=list)
    invalid_files: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)

    def indicators(self):
        from .indicators import compute_indicators

        return compute_indicators(self.results)

    def mutualisation(self):
        from .mutualisation import compute_mutualisation

        return compute_mutualisation(self.results)


def load_portfolio(paths, *, skip_invalid: bool = False, today=None) -> Portfolio:
    """Load every profile under ``paths`` (files, or folders read recursively) and compute its hours.

    An invalid profile raises ``ProfileError`` carrying the issues of every invalid file, unless
    ``skip_invalid``: then the issues are kept in ``Portfolio.invalid`` and the valid profiles used (still
    an error when none is valid).
    """
    from ..calc import compute_hours
    from ..law.registry import load_registry
    from ..profile.load import load_profile
    from ..review.run import expand_paths

    law = load_registry()
    portfolio = Portfolio(files=[str(p) for p in expand_paths(paths)])
    for path in portfolio.files:
        try:
            profile = load_profile(path, today=today)
        except ProfileError as exc:
            portfolio.invalid += exc.issues
            portfolio.invalid_files.append(path)
            continue
        portfolio.results.append(compute_hours(profile, law, explain=False))
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


def write_atomic(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file of the same folder, then ``os.replace``."""
    path = Path(path)
    if path.is_dir():
        raise OutputError(f"{path} est un dossier : indiquez un nom de fichier, comme « rapport.xlsx ».")
    if path.exists() and not force:
        raise OutputError(f"{path} existe déjà : rien n'a été écrit. Ajoutez --force pour le remplacer.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"le dossier {folder} n'existe pas : rien n'a été écrit.")
    tmp_name = None
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=f".{path.name}.", suffix=".tmp", delete=False) as tmp:
            tmp_name = tmp.name
            tmp.write(data)
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp_name, 0o666 & ~mask)  # as a plain open() would have created it
        os.replace(tmp_name, path)
    except OSError as exc:
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise OutputError(f"écriture impossible de {path} : {exc.strerror or exc}.") from None
    return path


def build_report(portfolio: Portfolio, output: str | Path, *, output_format: str | None = None, mutualisation: bool = False,
                 force: bool = False) -> Path:
    """Compute the report of ``portfolio`` and write it to ``output`` (format from its extension by default)."""
    data = report_bytes(portfolio, format_for(str(output), output_format), mutualisation=mutualisation)
    return write_atomic(output, data, force=force)
