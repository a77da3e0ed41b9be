"""What the web application asks of the library, one function per question, nothing computed here.

Every function takes a profile as text and calls the library functions the command line calls
(``load_profile_text`` → ``load_profile``, ``compute_hours``, ``hours_as_dict``, ``review_profile``,
``findings_as_json``, ``render_documents``, ``docx_text``, ``report_bytes``). The pages call them through
``lanes``: the light ones in the server's light lane, the heavy ones (``pack``, ``review_many``,
``report``, ``mutualisation_csv``, ``pooling``) in the heavy lane's worker process, which is why those take
and return plain, picklable values.
"""

from __future__ import annotations

import io
import json
import re
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import ClausegenError, Issue, ProfileError

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
PDF_FOLDER_PREFIX = "clausegen-pdf-"  # LibreOffice's temporary folders (``clausegen serve`` sweeps the stale ones)


@dataclass
class Outcome:
    """A profile as the form shows it: the loader's issues, or its hours, findings and documents."""

    source: str
    profile: object | None = None
    issues: list[Issue] = field(default_factory=list)
    plan: object | None = None  # ClausePlan: every figure and finding below reads it
    hours: object | None = None  # MarketHours (the plan's)
    hours_dict: dict | None = None
    findings: list = field(default_factory=list)  # Finding
    skipped: dict[str, str] = field(default_factory=dict)
    plan: object | None = None  # ClausePlan: the lots' terms (an accord-cadre's firm hours, per tranche, ceiling)

    @property
    def ok(self) -> bool:
        return self.profile is not None


def load(text: str | bytes, source: str):
    from ..profile.text import load_profile_text

    return load_profile_text(text, source)


def evaluate(text: str | bytes, source: str = "profil.yaml") -> Outcome:
    """Load, compute and review ``text`` (what ``calc``, ``check`` and ``render`` would say of it): the clause
    plan is built once, its hours computed once, and the hours, the review and the documents read it."""
    from ..plan import build_plan
    from ..render.pack import skipped_documents
    from ..review.run import review_profile
    from ..working import hours_as_dict

    outcome = Outcome(source)
    try:
        profile = load(text, source)
    except ProfileError as exc:
        outcome.issues = exc.issues
        return outcome
    outcome.profile = profile
    plan = outcome.plan = build_plan(profile)
    outcome.hours = plan.hours
    outcome.hours_dict = hours_as_dict(outcome.hours)
    outcome.findings = review_profile(profile, plan=plan)
    outcome.skipped = skipped_documents(profile, plan=plan)
    return outcome


def calc_json(text: bytes, source: str) -> str:
    """What ``clausegen calc PROFIL --format json`` prints. Raises ``ProfileError``."""
    from ..calc import compute_hours
    from ..working import hours_as_dict

    return json.dumps(hours_as_dict(compute_hours(load(text, source))), ensure_ascii=False, indent=2)


def check_json(text: bytes, source: str) -> str:
    """What ``clausegen check PROFIL --format json`` prints for a valid profile. Raises ``ProfileError``."""
    from ..review.present import findings_as_json
    from ..review.run import CheckResult, review_profile

    profile = load(text, source)
    return findings_as_json(CheckResult(findings=review_profile(profile), files=[source]))


def documents(profile, names=None) -> dict[str, bytes]:
    """``{"ccap.docx": bytes, …}``: ``render_documents``, the documents without object left out."""
    from ..render.pack import render_documents

    return render_documents(profile, names or None, strict=False)


def pack(text: str | bytes, source: str, names=None, strict: bool = False) -> tuple[str, dict[str, bytes]]:
    """The documents of the profile ``text`` (the heavy lane): ``(reference, {"ccap.docx": bytes, …})``.
    ``strict``: a document named in ``names`` without object for this market is an ``OutputError``."""
    from ..render.pack import render_documents
    from .limits import check_pack

    profile = load(text, source)
    check_pack(profile)
    return profile.marche.reference, render_documents(profile, names or None, strict=strict)


def review_pooled(files: list[tuple[str, bytes]]):
    """``review_many`` and ``pooling`` in one call of the heavy lane: ``(reviewed, mutualisation, warnings)``."""
    reviewed = review_many(files)
    return (reviewed, *pooling(reviewed))


def pooling(reviewed: list[Reviewed]):
    """The mutualisation and the portfolio's warnings of the valid reviewed profiles, or ``(None, [])``."""
    result = portfolio(reviewed)
    if not result.results:
        return None, []
    return result.mutualisation(), list(result.indicators().warnings)


def zip_bytes(files: dict[str, bytes]) -> bytes:
    """The files, stored as they are (a .docx is already compressed), with fixed dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return out.getvalue()


def pdf_files(files: dict[str, bytes], reference: str) -> dict[str, bytes]:
    """The PDF of each .docx, converted by LibreOffice in a temporary folder removed afterwards
    (``write_pack(pdf=True)``, as ``render --pdf``). Raises ``OutputError`` without LibreOffice."""
    from ..render.pack import write_pack

    with tempfile.TemporaryDirectory(prefix=PDF_FOLDER_PREFIX) as folder:
        out = Path(folder) / "dossier"
        written = write_pack(files, out, pdf=True, reference=reference)
        return {p.name: p.read_bytes() for p in written if p.suffix == ".pdf"}


def preview(profile, name: str) -> str:
    """The text of one document, as the snapshots read it (``docx_text``)."""
    from ..docx.extract import docx_text

    files = documents(profile, [name])
    data = files.get(f"{name}.docx")
    return docx_text(data) if data is not None else ""


def has_soffice() -> bool:
    from ..render.pdf import soffice_path

    try:
        return soffice_path() is not None
    except ClausegenError:
        return False


# -- several profiles (PFRA) ----------------------------------------------------------------------------


@dataclass
class Reviewed:
    """One file sent for review, as the page shows it: its name, its text and the outcome."""

    name: str
    text: str
    outcome: Outcome


def review_many(files: list[tuple[str, bytes]], budget=None) -> list[Reviewed]:
    """Each profile evaluated on its own: one the library cannot take (a ``ClausegenError``, a value past
    Python's dates) is reported alone, as is each one past the review's budget (``limits.ReviewBudget``)."""
    from .limits import VALUE_ERRORS, VALUE_MESSAGE, ReviewBudget

    budget = budget or ReviewBudget()
    out = []
    for name, data in files:
        outcome = Outcome(name)
        reason = budget.over(data.count(b"numero:") or 1)  # a lot has one « numero » (counted before any work)
        if reason is None:
            try:
                outcome = evaluate(data, name)
            except ClausegenError as exc:
                reason = str(exc)
            except VALUE_ERRORS:
                reason = VALUE_MESSAGE
        if reason is not None:
            outcome = Outcome(name, issues=[Issue(name, 1, 1, "", reason)])
        out.append(Reviewed(name, data.decode("utf-8", "replace"), outcome))
    return out


def portfolio(reviewed: list[Reviewed]):
    """The ``Portfolio`` of ``clausegen report --ignorer-invalides`` over the reviewed profiles."""
    from ..report import Portfolio
    from ..report.entries import market_entry

    result = Portfolio(files=[r.name for r in reviewed])
    for r in reviewed:
        if r.outcome.ok:
            result.results.append(market_entry(r.outcome.plan))
        else:
            result.invalid += r.outcome.issues
            result.invalid_files.append(r.name)
    return result


def report(reviewed: list[Reviewed], output_format: str, mutualisation: bool) -> bytes:
    from ..report import report_bytes

    return report_bytes(portfolio(reviewed), output_format, mutualisation=mutualisation)


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet read a cell as a formula
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+|[0-9]{1,3}( [0-9]{3})+)(,[0-9]+)?")  # « 1 234 », « +3 », « 12,5 » (fmt's grouping)


def spreadsheet_cell(text: str) -> str:
    """``text`` made inert for a spreadsheet: a text starting like a formula gets a leading « ' » (which the
    spreadsheet shows as text and hides); a number, signed or not, is left as it is."""
    if text.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def review_report(files: list[tuple[str, bytes]], what: str, mutualisation: bool) -> tuple[bytes, str, str]:
    """The report of a review's profiles (the heavy lane): ``(data, file name, media type)``; ``what`` is
    « xlsx », « html » or « mutualisation » (the pooling table as CSV)."""
    from .security import Refusal

    reviewed = review_many(files)
    if not any(r.outcome.ok for r in reviewed):
        raise Refusal(400, "Aucun profil valide à mettre dans le rapport.")
    if what == "mutualisation":
        return mutualisation_csv(reviewed), "mutualisation.csv", "text/csv"
    output_format = "html" if what == "html" else "xlsx"
    try:
        data = report(reviewed, output_format, mutualisation)
    except ClausegenError as exc:
        raise Refusal(400, str(exc)) from None
    media = "text/html" if output_format == "html" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    return data, f"rapport.{output_format}", media


def mutualisation_csv(reviewed: list[Reviewed]) -> bytes:
    """The mutualisation table (``report --mutualisation``) as CSV for a spreadsheet: « ; » separated,
    UTF-8 with a byte order mark (as Excel in French expects), no cell read as a formula (``spreadsheet_cell``:
    a company's name comes from the profile)."""
    import csv

    from ..report.mutualisation import HEADERS, table_rows

    pooling = portfolio(reviewed).mutualisation()
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in table_rows(pooling):
        writer.writerow([spreadsheet_cell(cell.replace("\u202f", " ").replace("\u00a0", " ")) for cell in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
