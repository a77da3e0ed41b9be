"""The document pack: render the documents of a profile that apply, and write them safely.

Everything is rendered in memory first; the files are then written all or nothing by
``files.folder.write_files`` (temporary folder inside the output folder, moved into place under the
folder's lock, replaced files kept aside until the end). On any error, Ctrl-C or SIGTERM the output folder
is left as it was, and the French message says which file and why. A folder never mixes two markets'
documents: a document another market's pack left there stops the render.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path

from .._version import __version__
from ..docx.engine import render_docx, template_bytes
from ..errors import Issue, OutputError, ProfileError
from ..files.folder import write_files
from ..model import Profile
from ..plan import build_plan
from ..plan.documents import DOCUMENTS, choose_documents
from .filters import VOCABULARY
from .templates import template_path

_FALLBACK_DATE = _dt.datetime(2000, 1, 1)


def document_date(date) -> _dt.datetime:
    """The date written in the core properties: the publication date, never the time of generation."""
    return _dt.datetime(date.year, date.month, date.day) if date else _FALLBACK_DATE


def skipped_documents(profile: Profile, documents=None, plan=None) -> dict[str, str]:
    """``{name: reason}`` of the documents ``render`` leaves out for ``profile``."""
    return choose_documents(plan or build_plan(profile), documents, strict=False)[1]


def refuse_impossible(plan) -> None:
    """No piece is published for a market whose plan found a basis without any lawful reading: a
    ``ProfileError`` naming each blocking problem at its line (exit 2, nothing written)."""
    blocking = plan.blocking
    if blocking:
        profile = plan.profile
        raise ProfileError([
            Issue(profile.source, (pos := profile.position(i.path)).line, pos.column, i.path,
                  f"{i.message} Aucun document n'a été produit.")
            for i in blocking
        ])


def render_documents(profile: Profile, documents=None, *, templates: Path | None = None, context: dict | None = None, strict: bool = True,
                     plan=None) -> dict[str, bytes]:
    """Render the documents that apply in memory: ``{"ccap.docx": bytes, …}``. Raises ``RenderError``,
    ``ProfileError`` when the plan refuses a basis, or ``OutputError`` when ``documents`` names one that does
    not apply (``strict``). The plan (and its one calculation of hours) is built once, here, when not given."""
    from .context import build_context

    plan = plan or build_plan(profile)
    refuse_impossible(plan)
    context = context if context is not None else build_context(profile, plan)
    date = document_date(profile.marche.date_publication)
    out = {}
    chosen, _ = choose_documents(plan, documents, strict=strict)
    for doc in chosen:
        path = template_path(doc.name, templates)
        props = {
            "title": f"{doc.title} — {profile.marche.reference}",
            "subject": profile.marche.objet,
            "author": profile.acheteur.nom,
            "comments": f"Produit par clausegen {__version__} à partir du profil du marché {profile.marche.reference}.",
            "date": date,
        }
        out[f"{doc.name}.docx"] = render_docx(path.name, template_bytes(path), {**context, "document": {"nom": doc.name, "titre": doc.title}}, props, VOCABULARY)
    return out


def prepare_templates(templates: Path | None = None) -> None:
    """Every template of the pack prepared now (``docx.engine.prepare``, once per process): a batch does it
    before starting its workers, which then inherit the prepared templates and the imported modules instead of
    preparing them each. A template that cannot be prepared is left to the render, which reports it."""
    from ..docx.engine import prepare
    from ..errors import ClausegenError

    for doc in DOCUMENTS:
        try:
            path = template_path(doc.name, templates)
            prepare(path.name, template_bytes(path), VOCABULARY)
        except ClausegenError:
            continue


_PRODUCED_FOR = re.compile(r"Produit par clausegen \S+ à partir du profil du marché (.*)\.", re.DOTALL)


def produced_for(path: Path) -> str | None:
    """The market reference of a document clausegen produced (its « commentaires » property), else None."""
    if not path.is_file():  # the usual case, a new folder: no XML parser to import (about 3 ms)
        return None
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as archive:
            core = ElementTree.fromstring(archive.read("docProps/core.xml"))
    except Exception:  # noqa: BLE001 - anything unreadable is not a clausegen document
        return None
    description = core.find("{http://purl.org/dc/elements/1.1/}description")
    match = _PRODUCED_FOR.fullmatch((description.text or "") if description is not None else "")
    return match.group(1) if match else None


def _same_market(reference: str):
    """The check ``write_files`` runs under the lock: no document of another market would stay beside ours."""

    def check(out_dir: Path, names: list[str]) -> None:
        foreign: dict[str, str] = {}
        for doc in DOCUMENTS:
            owner = produced_for(out_dir / f"{doc.name}.docx")
            if owner is not None and owner != reference:
                for name in (f"{doc.name}.docx", f"{doc.name}.pdf"):
                    if name not in names and (out_dir / name).is_file():
                        foreign[name] = owner
        if foreign:
            owners = " ; ".join(f"« {o} »" for o in dict.fromkeys(foreign.values()))
            raise OutputError(
                f"{out_dir} contient des documents d'un autre marché ({owners}) que ce rendu ne remplacerait pas : "
                f"{', '.join(foreign)}. Rien n'a été écrit, pour ne pas mélanger deux marchés : "
                "choisissez un autre dossier ou supprimez ces fichiers."
            )

    return check


def write_pack(files: dict[str, bytes], out_dir, *, force: bool = False, pdf: bool = False, reference: str | None = None,
               unchanged_ok: bool = False) -> list[Path]:
    """Write a rendered pack into ``out_dir`` all or nothing; with ``pdf``, PDF copies made by one
    LibreOffice call in the temporary folder, before anything is moved into place."""
    extra, complete = (), None
    if pdf:
        from .pdf import convert_pdf, soffice_path

        soffice = soffice_path()
        if soffice is None:
            raise OutputError("--pdf demande LibreOffice, introuvable sur cette machine (commande « soffice »). "
                              "Installez-le (paquet libreoffice-writer) ou retirez --pdf.")
        extra = [n[: -len(".docx")] + ".pdf" for n in files]

        def complete(folder: Path) -> None:
            convert_pdf(soffice, folder, list(files))

    return write_files(files, Path(out_dir), force=force, unchanged_ok=unchanged_ok, extra_names=extra, complete=complete,
                       check=_same_market(reference) if reference is not None else None)


def render_pack(profile: Profile, out_dir, *, documents=None, force: bool = False, templates=None, pdf: bool = False, strict: bool = True,
                unchanged_ok: bool = False, plan=None) -> list[Path]:
    """Render the documents of ``profile`` that apply into ``out_dir``. Returns the written paths.

    All or nothing (see ``write_pack``); the folder never mixes two markets' documents. ``plan``: the
    profile's clause plan when the caller already has it (it is built here otherwise)."""
    files = render_documents(profile, documents, templates=Path(templates) if templates else None, strict=strict, plan=plan)
    return write_pack(files, out_dir, force=force, pdf=pdf, reference=profile.marche.reference, unchanged_ok=unchanged_ok)
