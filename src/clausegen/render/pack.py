"""The document pack: render the seven documents of a profile and write them safely.

Everything is rendered in memory first; files are written into a temporary folder inside the output
folder, then moved into place. On any error the output folder is left as it was.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .. import __version__
from ..errors import OutputError
from ..model import Profile
from .engine import builtin_template_dir, document_date, render_docx, template_bytes


@dataclass(frozen=True)
class Document:
    name: str  # file stem, a contract: avis.docx, rc.docx…
    title: str


DOCUMENTS = (
    Document("avis", "Avis d'appel public à la concurrence — considérations sociales"),
    Document("rc", "Règlement de la consultation — clause sociale d'insertion"),
    Document("ccap", "CCAP — action d'insertion professionnelle"),
    Document("annexe-ae", "Annexe à l'acte d'engagement — engagement d'insertion"),
    Document("memoire", "Mémoire d'insertion — cadre de réponse"),
    Document("fiche-caracterisation", "Fiche de caractérisation du marché"),
    Document("suivi", "Document de suivi des compétences du bénéficiaire"),
)
DOCUMENT_NAMES = tuple(d.name for d in DOCUMENTS)


def select_documents(names) -> tuple[Document, ...]:
    if not names:
        return DOCUMENTS
    wanted = [n.strip() for n in names if n.strip()]
    unknown = [n for n in wanted if n not in DOCUMENT_NAMES]
    if unknown:
        raise OutputError(f"document inconnu : {', '.join(unknown)}. Documents disponibles : {', '.join(DOCUMENT_NAMES)}.")
    return tuple(d for d in DOCUMENTS if d.name in wanted)


def template_path(name: str, custom_dir: Path | None = None) -> Path:
    if custom_dir is not None:
        candidate = Path(custom_dir) / f"{name}.docx"
        if candidate.is_file():
            return candidate
    return builtin_template_dir() / f"{name}.docx"


def choose_documents(context: dict, names=None, *, strict: bool = True) -> tuple[tuple[Document, ...], dict[str, str]]:
    """The documents to produce and ``{name: reason}`` of those left out because they do not apply to
    this market (no mémoire without a scored lot, no annexe when it would say « sans objet »…). Naming
    such a document explicitly is an ``OutputError`` that explains it (``strict``), or is skipped."""
    from .wording import not_applicable

    skipped = not_applicable(context)
    chosen = select_documents(names)
    if names and strict:
        refused = [d.name for d in chosen if d.name in skipped]
        if refused:
            raise OutputError(
                "document sans objet pour ce marché : "
                + " ; ".join(f"{name}.docx ({skipped[name]})" for name in refused)
                + ". Retirez-le de --documents."
            )
    return tuple(d for d in chosen if d.name not in skipped), {n: r for n, r in skipped.items() if not names or n in [d.name for d in chosen]}


def skipped_documents(profile: Profile, documents=None) -> dict[str, str]:
    """``{name: reason}`` of the documents ``render`` leaves out for ``profile``."""
    from .context import build_context

    return choose_documents(build_context(profile), documents, strict=False)[1]


def render_documents(profile: Profile, documents=None, *, templates: Path | None = None, context: dict | None = None, strict: bool = True) -> dict[str, bytes]:
    """Render the documents that apply in memory: ``{"ccap.docx": bytes, …}``. Raises ``RenderError``,
    or ``OutputError`` when ``documents`` names one that does not apply (``strict``)."""
    from .context import build_context

    context = context if context is not None else build_context(profile)
    date = document_date(profile.marche.date_publication)
    out = {}
    chosen, _ = choose_documents(context, documents, strict=strict)
    for doc in chosen:
        path = template_path(doc.name, templates)
        props = {
            "title": f"{doc.title} — {profile.marche.reference}",
            "subject": profile.marche.objet,
            "author": profile.acheteur.nom,
            "comments": f"Produit par clausegen {__version__} à partir du profil du marché {profile.marche.reference}.",
            "date": date,
        }
        out[f"{doc.name}.docx"] = render_docx(path.name, template_bytes(path), {**context, "document": {"nom": doc.name, "titre": doc.title}}, props)
    return out


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def write_files(files: dict[str, bytes], out_dir: Path, *, force: bool = False, pdf: bool = False) -> list[Path]:
    """Write ``files`` into ``out_dir`` all or nothing; with ``pdf``, convert them in one LibreOffice call."""
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} existe et n'est pas un dossier.")
    names = list(files)
    if pdf:
        names += [n[: -len(".docx")] + ".pdf" for n in files]
        soffice = soffice_path()
        if soffice is None:
            raise OutputError("--pdf demande LibreOffice, introuvable sur cette machine (commande « soffice »). Installez-le (paquet libreoffice-writer) ou retirez --pdf.")
    for name in names:
        if Path(name).name != name or name.startswith("."):
            raise OutputError(f"nom de fichier refusé : {name!r}.")
    existing = [n for n in names if (out_dir / n).exists()]
    if existing and not force:
        raise OutputError(
            f"{len(existing)} fichier(s) existent déjà dans {out_dir} : {', '.join(existing)}. "
            "Rien n'a été écrit. Ajoutez --force pour les remplacer ou choisissez un autre dossier."
        )
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".clausegen-", dir=out_dir) as tmp:
            tmp_path = Path(tmp)
            for name, data in files.items():
                (tmp_path / name).write_bytes(data)
            if pdf:
                _convert_pdf(soffice, tmp_path, list(files))
            for name in names:
                os.replace(tmp_path / name, out_dir / name)
    except OSError as exc:
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise OutputError(f"écriture impossible dans {out_dir} : {exc.strerror or exc}.") from None
    except OutputError:
        if created:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    return [out_dir / n for n in names]


def _convert_pdf(soffice: str, folder: Path, names: list[str]) -> None:
    with tempfile.TemporaryDirectory(prefix="clausegen-lo-") as profile_dir:
        cmd = [soffice, f"-env:UserInstallation=file://{profile_dir}", "--headless", "--convert-to", "pdf", "--outdir", str(folder), *[str(folder / n) for n in names]]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise OutputError(f"la conversion PDF par LibreOffice a échoué : {exc}.") from None
    missing = [n for n in names if not (folder / (n[:-5] + ".pdf")).is_file()]
    if proc.returncode != 0 or missing:
        raise OutputError(f"la conversion PDF par LibreOffice a échoué ({', '.join(missing) or proc.returncode}) : {proc.stderr.strip()[:300]}")


def render_pack(profile: Profile, out_dir, *, documents=None, force: bool = False, templates=None, pdf: bool = False, strict: bool = True) -> list[Path]:
    """Render the documents of ``profile`` that apply into ``out_dir``. Returns the written paths."""
    files = render_documents(profile, documents, templates=Path(templates) if templates else None, strict=strict)
    return write_files(files, Path(out_dir), force=force, pdf=pdf)
