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
import stat
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
    an error when none is valid). A profile on which clausegen fails unexpectedly (a bug) counts as
    invalid, with one issue saying so: it never stops the others.
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
            hours = compute_hours(profile, law, explain=False)
        except ProfileError as exc:
            portfolio.invalid += exc.issues
            portfolio.invalid_files.append(path)
            continue
        except Exception as exc:  # noqa: BLE001 - a bug on one profile is reported like an invalid profile
            from ..render.batch import internal_error_message

            portfolio.invalid.append(Issue(path, 1, 1, "", internal_error_message(exc)))
            portfolio.invalid_files.append(path)
            continue
        portfolio.results.append(hours)
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
    """Write ``data`` to ``path`` through a temporary file of the same folder, then an atomic rename.

    Never a partial file: readers see the old file or the whole new one, and an error, Ctrl-C or SIGTERM
    leaves no temporary file. ``path`` must be a regular file or not exist: a folder, a device
    (``/dev/null``), a pipe is refused, and so is a read-only file. Without ``force`` an existing file is
    an error, even one created by another process while this one was writing (no-clobber rename). Errors
    are ``OutputError`` in French: which file, and why (« disque plein », « accès refusé »…).
    """
    from ..render.pack import exit_on_sigterm, os_error_reason

    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise OutputError(f"{path} est inaccessible ({os_error_reason(exc)}) : rien n'a été écrit.") from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path} est un dossier : indiquez un nom de fichier, comme « rapport.xlsx ».")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{path} n'est pas un fichier ordinaire (périphérique, tube ou socket) : rien n'a été écrit. Indiquez un nom de fichier.")
    if st is not None and not force:
        raise OutputError(f"{path} existe déjà : rien n'a été écrit. Ajoutez --force pour le remplacer.")
    if st is not None and not st.st_mode & 0o222:
        raise OutputError(f"{path} est en lecture seule : rien n'a été écrit. Retirez la protection ou choisissez un autre nom.")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"le dossier {folder} n'existe pas : rien n'a été écrit.")
    tmp_name = None
    with exit_on_sigterm():
        try:
            fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
            with os.fdopen(fd, "wb") as tmp:
                tmp.write(data)
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(tmp_name, 0o666 & ~mask)  # as a plain open() would have created it
            if force:
                os.replace(tmp_name, path)
            else:
                _rename_no_clobber(tmp_name, path)
            tmp_name = None
        except FileExistsError:
            raise OutputError(f"{path} existe déjà (créé pendant l'écriture, par un autre programme ?) : rien n'a été écrit. Ajoutez --force pour le remplacer.") from None
        except OSError as exc:
            raise OutputError(f"écriture impossible de {path} : {os_error_reason(exc)}. Rien n'a été écrit.") from None
        finally:
            if tmp_name is not None:
                try:
                    os.unlink(tmp_name)
                except OSError:
                    pass
    return path


def _rename_no_clobber(source: str, destination: Path) -> None:
    """Rename, failing with ``FileExistsError`` if ``destination`` exists (atomically: no race)."""
    if os.name == "nt":
        os.rename(source, destination)  # never replaces on Windows
        return
    try:
        os.link(source, destination)  # fails if it exists
    except FileExistsError:
        raise
    except OSError:  # no hard links on this file system (FAT, some shares): check, then rename
        if os.path.lexists(destination):
            raise FileExistsError(destination) from None
        os.replace(source, destination)
        return
    try:
        os.unlink(source)  # the new file is in place under both names: drop the temporary one
    except OSError:
        pass


def build_report(portfolio: Portfolio, output: str | Path, *, output_format: str | None = None, mutualisation: bool = False,
                 force: bool = False) -> Path:
    """Compute the report of ``portfolio`` and write it to ``output`` (format from its extension by default)."""
    data = report_bytes(portfolio, format_for(str(output), output_format), mutualisation=mutualisation)
    return write_atomic(output, data, force=force)
