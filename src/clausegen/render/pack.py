"""The document pack: render the seven documents of a profile and write them safely.

Everything is rendered in memory first; files are written into a temporary folder inside the output
folder (``.clausegen-…``), then moved into place under the folder's lock (``.clausegen.lock``), the
replaced files kept aside until the end. On any error, Ctrl-C or SIGTERM the output folder is left as it
was, and the French message says which file and why.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import signal
import socket
import stat
import subprocess
import tempfile
import threading
import time
import uuid
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
    """The template of document ``name``: ``custom_dir/<name>.docx`` when the buyer provides it under that
    exact name, in lowercase, on every system; else the built-in one. A folder, a named pipe or a link in
    its place is a ``RenderError``. Files whose names are close (``CCAP.docx``, ``ccap (1).docx``…) are not
    used: ``docxcheck.template_warnings(custom_dir)`` gives the warnings to print."""
    if custom_dir is not None:
        from .docxcheck import custom_template

        candidate = custom_template(custom_dir, name)
        if candidate is not None:
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


def soffice_path(*, platform: str | None = None) -> str | None:
    """The LibreOffice executable: ``CLAUSEGEN_SOFFICE`` when set (the program or its install folder), else PATH (soffice, libreoffice), else
    the usual install folders of Windows (``C:\\Program Files\\LibreOffice\\program\\soffice.exe``, also
    « (x86) » and versioned folders), macOS (``/Applications/LibreOffice.app``) and Linux (``/opt/libreoffice*``).
    ``platform`` (``sys.platform`` by default) is for the tests.

    A ``CLAUSEGEN_SOFFICE`` that names no executable is an ``OutputError``: the user asked for that one."""
    import glob
    import ntpath
    import sys

    override = os.environ.get("CLAUSEGEN_SOFFICE", "").strip().strip('"')
    if override:
        expanded = os.path.expanduser(override)
        if os.path.isfile(expanded):
            return expanded
        for inside in ("program/soffice.exe", "program/soffice", "Contents/MacOS/soffice", "soffice.exe", "soffice"):
            if os.path.isdir(expanded) and os.path.isfile(os.path.join(expanded, *inside.split("/"))):
                return os.path.join(expanded, *inside.split("/"))  # the install folder was given
        found = shutil.which(override)
        if found:
            return found
        raise OutputError(
            f"CLAUSEGEN_SOFFICE désigne « {override} », introuvable : indiquez le chemin complet de soffice "
            "(par exemple C:\\Program Files\\LibreOffice\\program\\soffice.exe) ou retirez cette variable."
        )
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found:
        return found
    platform = platform or sys.platform
    candidates: list[str] = []
    if platform == "win32":
        roots = [os.environ.get(v) for v in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)")]
        for root in dict.fromkeys([*(r for r in roots if r), r"C:\Program Files", r"C:\Program Files (x86)"]):
            candidates.append(ntpath.join(root, "LibreOffice", "program", "soffice.exe"))
            candidates += sorted(glob.glob(ntpath.join(glob.escape(root), "LibreOffice*", "program", "soffice.exe")), reverse=True)
    elif platform == "darwin":
        for apps in ("/Applications", os.path.expanduser("~/Applications")):
            candidates.append(f"{apps}/LibreOffice.app/Contents/MacOS/soffice")
    else:
        candidates += sorted(glob.glob("/opt/libreoffice*/program/soffice"), reverse=True)
        candidates += ["/usr/lib/libreoffice/program/soffice", "/snap/bin/libreoffice"]
    return next((c for c in candidates if os.path.isfile(c)), None)


# --------------------------------------------------------------------------------------------------
# Writing the pack: all or nothing, one writer per folder, every failure explained in French
# --------------------------------------------------------------------------------------------------

TEMP_PREFIX = ".clausegen-"  # temporary folders, always inside the output folder, removed by a finally
LOCK_NAME = ".clausegen.lock"  # present while a render checks and replaces the files of a folder
LOCK_WAIT = 10.0  # seconds a render waits for another one writing into the same folder
LOCK_STALE_AFTER = 30 * 60  # seconds after which a lock is taken over, whoever holds it
PDF_TIMEOUT = 300  # seconds for LibreOffice to convert a pack
_BACKUPS = "remplaces"  # inside the temporary folder: the files being replaced, until the end

_ERRNO_REASONS = {
    "EACCES": "accès refusé",
    "EPERM": "accès refusé (opération non permise)",
    "ENOSPC": "disque plein",
    "EDQUOT": "quota de disque dépassé",
    "EROFS": "disque ou dossier en lecture seule",
    "EBUSY": "fichier occupé (ouvert dans une autre application ?)",
    "ETXTBSY": "fichier occupé (ouvert dans une autre application ?)",
    "EISDIR": "c'est un dossier",
    "ENOTDIR": "un élément du chemin n'est pas un dossier",
    "ENOENT": "fichier ou dossier introuvable",
    "EEXIST": "un fichier de ce nom existe déjà",
    "ENOTEMPTY": "dossier non vide",
    "ENAMETOOLONG": "nom de fichier ou chemin trop long",
    "ELOOP": "trop de liens symboliques",
    "EIO": "erreur d'entrée-sortie du disque",
    "EMFILE": "trop de fichiers ouverts",
    "ENFILE": "trop de fichiers ouverts",
    "EXDEV": "déplacement impossible d'un disque à l'autre",
    "EINVAL": "nom de fichier ou opération invalide",
}
_WINERROR_REASONS = {  # Windows system error codes, more precise than errno there
    5: "accès refusé (fichier en lecture seule, ou ouvert dans une autre application comme Word ?)",
    19: "support protégé en écriture",
    32: "fichier ouvert dans une autre application (Word ?)",
    33: "fichier verrouillé par une autre application",
    39: "disque plein",
    112: "disque plein",
    206: "nom de fichier ou chemin trop long",
}


def os_error_reason(exc: OSError) -> str:
    """The cause of ``exc`` in French, from its errno (or Windows error code): « disque plein »…"""
    winerror = getattr(exc, "winerror", None)
    if winerror in _WINERROR_REASONS:
        return _WINERROR_REASONS[winerror]
    name = errno.errorcode.get(exc.errno or 0, "")
    if name in _ERRNO_REASONS:
        reason = _ERRNO_REASONS[name]
        if name in ("EACCES", "EPERM") and os.name == "nt":
            reason += " (fichier en lecture seule, ou ouvert dans une autre application comme Word ?)"
        return reason
    return exc.strerror or str(exc) or exc.__class__.__name__


# --- signals ----------------------------------------------------------------------------------------


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def exit_on_sigterm():
    """While inside, SIGTERM raises ``SystemExit`` (as Ctrl-C raises ``KeyboardInterrupt``), so that the
    ``finally`` clauses remove the temporary files and stop the worker processes. Only in the main thread,
    and only when nobody else handles SIGTERM."""
    if not _in_main_thread() or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def stop(signum, frame):
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: a second SIGTERM must not cut the cleanup short
        raise SystemExit(128 + signum)

    try:
        signal.signal(signal.SIGTERM, stop)
    except (ValueError, OSError):  # not the main interpreter
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


@contextlib.contextmanager
def _signals_deferred():
    """SIGINT and SIGTERM wait for the end of the block (a few renames), then act as usual: the files of
    a folder are all replaced or none is, even on Ctrl-C. Main thread only (elsewhere, a no-op)."""
    if not _in_main_thread():
        yield
        return
    received: list[int] = []
    wanted = [s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None]
    previous = {}
    try:
        for s in wanted:
            previous[s] = signal.getsignal(s)
            signal.signal(s, lambda signum, frame: received.append(signum))
    except (ValueError, OSError):  # not the main interpreter
        pass
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler if handler is not None else signal.SIG_DFL)
        for signum in dict.fromkeys(received):
            signal.raise_signal(signum)


# --- one writer per folder ------------------------------------------------------------------------


def pid_alive(pid: int) -> bool:
    """Whether process ``pid`` of this machine still runs (True when unsure)."""
    if pid <= 0:
        return False
    if os.name == "nt":  # os.kill(pid, 0) would terminate the process on Windows
        import ctypes

        kernel32 = ctypes.windll.kernel32  # type: ignore[attr-defined]
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return kernel32.GetLastError() == 5  # access denied: it exists
        try:
            code = ctypes.c_ulong()
            if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
                return True
            return code.value == 259  # STILL_ACTIVE
        finally:
            kernel32.CloseHandle(handle)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # EPERM: somebody else's process
    return True


@dataclass
class _Holder:
    text: str
    pid: int | None
    host: str
    since: float
    stale: bool


class FolderLock:
    """The file ``.clausegen.lock`` of a folder, created with ``O_CREAT | O_EXCL`` (atomic everywhere, no
    fcntl): one render at a time checks and replaces the files of the folder. It holds the pid, the host,
    the time and a token. A lock whose process is dead (same host) or older than ``LOCK_STALE_AFTER`` is
    taken over; a live one is waited for ``LOCK_WAIT`` seconds, then ``OutputError``."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.path = self.folder / LOCK_NAME
        self.token: str | None = None

    def __enter__(self) -> FolderLock:
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()

    def acquire(self, wait: float | None = None) -> FolderLock:
        deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
        delay = 0.02
        taken_over = False
        while True:
            token = f"{os.getpid()}\n{socket.gethostname()}\n{time.time():.3f}\n{uuid.uuid4().hex}\n"
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = self._holder()
                if holder is None:  # released meanwhile
                    continue
                if holder.stale and self._take_over(holder):
                    taken_over = True
                    continue
                if time.monotonic() >= deadline:
                    since = time.strftime("%H:%M:%S", time.localtime(holder.since))
                    who = f"processus {holder.pid}" + (f" sur {holder.host}" if holder.host and holder.host != socket.gethostname() else "") if holder.pid else "un autre processus"
                    raise OutputError(
                        f"un autre rendu écrit dans {self.folder} ({who}, depuis {since}) : rien n'a été écrit. "
                        f"Réessayez quand il aura fini ; si aucun rendu ne tourne, supprimez le fichier {self.path}."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
                continue
            try:
                os.write(fd, token.encode("utf-8"))
            finally:
                os.close(fd)
            self.token = token
            if taken_over:  # now that no other writer can start here
                self._remove_leftovers()
            return self

    def release(self) -> None:
        token, self.token = self.token, None
        if token is None:
            return
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                mine = f.read() == token
            if mine:  # not taken over meanwhile
                os.unlink(self.path)
        except OSError:
            pass

    def _holder(self) -> _Holder | None:
        try:
            st = os.lstat(self.path)
        except FileNotFoundError:
            return None
        if not stat.S_ISREG(st.st_mode):
            raise OutputError(f"{self.path} n'est pas un fichier de verrou de clausegen : supprimez-le ou choisissez un autre dossier. Rien n'a été écrit.")
        try:
            with open(self.path, encoding="utf-8", errors="replace") as f:
                text = f.read(4096)
        except FileNotFoundError:
            return None
        except OSError:
            text = ""
        lines = text.split("\n")
        pid = int(lines[0]) if lines[0].isdigit() else None
        host = lines[1] if len(lines) > 1 else ""
        try:
            since = float(lines[2])
        except (IndexError, ValueError):
            since = st.st_mtime
        age = time.time() - st.st_mtime
        dead = pid is not None and host == socket.gethostname() and not pid_alive(pid)
        return _Holder(text, pid, host, since, age > LOCK_STALE_AFTER or dead)

    def _take_over(self, holder: _Holder) -> bool:
        """Remove a stale lock, unless it was renewed meanwhile (then it is put back). True to retry at once."""
        aside = self.path.with_name(f"{LOCK_NAME}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        try:
            os.rename(self.path, aside)
        except FileNotFoundError:
            return True
        except OSError:
            return False
        try:
            with open(aside, encoding="utf-8", errors="replace") as f:
                same = f.read(4096) == holder.text
        except OSError:
            same = False
        if not same:  # a live lock taken by mistake: give it back
            with contextlib.suppress(OSError):
                os.link(aside, self.path)
        with contextlib.suppress(OSError):
            os.unlink(aside)
        return same

    def _remove_leftovers(self) -> None:
        """Temporary folders of the dead writer, unless they keep replaced files (kept for the user)."""
        for leftover in self.folder.glob(f"{TEMP_PREFIX}*"):
            backups = leftover / _BACKUPS
            if leftover.is_dir() and not (backups.is_dir() and any(backups.iterdir())):
                shutil.rmtree(leftover, ignore_errors=True)


# --- the pack ---------------------------------------------------------------------------------------

_PRODUCED_FOR = re.compile(r"Produit par clausegen \S+ à partir du profil du marché (.*)\.", re.DOTALL)


def produced_for(path: Path) -> str | None:
    """The market reference of a document clausegen produced (its « commentaires » property), else None."""
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


def _check_targets(out_dir: Path, files: dict[str, bytes], names: list[str], force: bool, reference: str | None, unchanged_ok: bool) -> None:
    """Everything that would stop a replacement, checked before any file is touched."""
    problems, existing = [], []
    for name in names:
        target = out_dir / name
        try:
            st = os.stat(target)
        except FileNotFoundError:
            continue
        except OSError as exc:
            problems.append(f"{name} ({os_error_reason(exc)})")
            continue
        if stat.S_ISDIR(st.st_mode):
            problems.append(f"{name} (un dossier porte ce nom)")
        elif not stat.S_ISREG(st.st_mode):
            problems.append(f"{name} (ce n'est pas un fichier ordinaire)")
        else:
            if not (unchanged_ok and name in files and st.st_size == len(files[name]) and target.read_bytes() == files[name]):
                existing.append(name)
            if force and not st.st_mode & 0o222:
                problems.append(f"{name} (fichier en lecture seule)")
            elif force and os.name == "nt":
                try:  # a document open in Word cannot be opened for writing (nor replaced)
                    with open(target, "r+b"):
                        pass
                except OSError as exc:
                    problems.append(f"{name} ({os_error_reason(exc)})")
    if problems:
        raise OutputError(
            f"impossible de remplacer {', '.join(problems)} dans {out_dir}. "
            "Rien n'a été écrit : le dossier est resté tel qu'il était."
        )
    if existing and not force:
        raise OutputError(
            f"{len(existing)} fichier(s) existent déjà dans {out_dir} : {', '.join(existing)}. "
            "Rien n'a été écrit. Ajoutez --force pour les remplacer ou choisissez un autre dossier."
        )
    if reference is None:
        return
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


def write_files(files: dict[str, bytes], out_dir: Path, *, force: bool = False, pdf: bool = False, reference: str | None = None,
                unchanged_ok: bool = False) -> list[Path]:
    """Write ``files`` into ``out_dir`` all or nothing; with ``pdf``, convert them in one LibreOffice call.

    Under the folder's lock (``FolderLock``), every target is checked first (existing file without
    ``force``, a folder or a read-only file in its place, documents of another market than ``reference``);
    the files are written into a temporary folder inside ``out_dir``, then moved into place, the replaced
    files being kept aside until the end: if one move fails, those already moved are put back. On any
    error, or SIGINT/SIGTERM, ``out_dir`` is left as it was (created folder removed, no temporary folder)
    and the ``OutputError`` says which file and why. ``unchanged_ok``: an existing file identical to the
    new one is no conflict without ``force`` (a batch running a pack again after its worker died).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} existe et n'est pas un dossier.")
    names = list(files)
    soffice = None
    if pdf:
        names += [n[: -len(".docx")] + ".pdf" for n in files]
        soffice = soffice_path()
        if soffice is None:
            raise OutputError("--pdf demande LibreOffice, introuvable sur cette machine (commande « soffice »). Installez-le (paquet libreoffice-writer) ou retirez --pdf.")
    for name in names:
        if Path(name).name != name or name.startswith("."):
            raise OutputError(f"nom de fichier refusé : {name!r}.")
    with exit_on_sigterm():
        try:
            out_dir.mkdir(parents=True)
            created = True
        except FileExistsError:
            created = False
        except OSError as exc:
            raise OutputError(f"impossible de créer le dossier {out_dir} : {os_error_reason(exc)}. Rien n'a été écrit.") from None
        done = False
        try:
            with FolderLock(out_dir):
                _check_targets(out_dir, files, names, force, reference, unchanged_ok)
                _write_and_replace(files, out_dir, names, soffice)
            done = True
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            raise OutputError(f"écriture impossible dans {out_dir}{where} : {os_error_reason(exc)}. Rien n'a été écrit.") from None
        finally:
            if created and not done:
                with contextlib.suppress(OSError):
                    out_dir.rmdir()  # only if empty: another render may be using it by now
    return [out_dir / n for n in names]


def _write_new(path: Path, data: bytes) -> None:
    with open(path, "xb") as f:
        f.write(data)


class _NotRestored(OutputError):
    """A replacement failed and some files could not be put back: the temporary folder is kept."""


def _write_and_replace(files: dict[str, bytes], out_dir: Path, names: list[str], soffice: str | None) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=out_dir))
    keep = False
    try:
        for name, data in files.items():
            _write_new(tmp / name, data)
        if soffice is not None:
            _convert_pdf(soffice, tmp, list(files))
        backups = tmp / _BACKUPS
        backups.mkdir()
        _replace(tmp, backups, out_dir, names)
    except _NotRestored:
        keep = True
        raise
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def _replace(tmp: Path, backups: Path, out_dir: Path, names: list[str]) -> None:
    """Move the new files into place and the old ones aside: all of them, or none (rolled back)."""
    undo: list[tuple[str, Path, Path]] = []  # (kind, from, to), replayed backwards on failure
    current = ""
    with _signals_deferred():
        try:
            for current in names:
                target = out_dir / current
                if os.path.lexists(target):
                    os.replace(target, backups / current)
                    undo.append(("restore", backups / current, target))
                os.replace(tmp / current, target)
                undo.append(("withdraw", target, tmp / current))
        except BaseException as exc:
            restored = {str(to) for kind, _, to in undo if kind == "restore"}
            stuck = []
            for kind, source, destination in reversed(undo):
                try:
                    os.replace(source, destination)
                except OSError:
                    if kind == "restore":
                        stuck.append(destination.name)  # the original is still in the backups
                    elif str(source) not in restored:
                        stuck.append(source.name)  # a new file stays where there was none
            reason = os_error_reason(exc) if isinstance(exc, OSError) else exc.__class__.__name__
            if stuck:
                raise _NotRestored(
                    f"{current} : remplacement impossible dans {out_dir} ({reason}), et {', '.join(stuck)} n'a pas pu être "
                    f"remis dans son état d'origine : les fichiers remplacés sont conservés dans {backups}."
                ) from None
            if isinstance(exc, OSError):
                raise OutputError(
                    f"{current} : remplacement impossible dans {out_dir} ({reason}). "
                    "Aucun fichier n'a été remplacé : le dossier est resté tel qu'il était."
                ) from None
            raise


def _kill_process_tree(proc: subprocess.Popen) -> None:
    try:
        if os.name != "nt":
            os.killpg(proc.pid, signal.SIGKILL)  # soffice starts soffice.bin: the whole session
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError, OSError):
        pass
    with contextlib.suppress(Exception):
        proc.communicate(timeout=5)


def _convert_pdf(soffice: str, folder: Path, names: list[str]) -> None:
    """Convert ``names`` of ``folder`` (the temporary folder) to PDF in one LibreOffice call. LibreOffice's
    user profile lives in ``folder`` too; LibreOffice and its children are killed on any interruption."""
    profile_dir = folder / "profil-libreoffice"
    cmd = [soffice, f"-env:UserInstallation={profile_dir.resolve().as_uri()}", "--headless", "--convert-to", "pdf", "--outdir", str(folder), *[str(folder / n) for n in names]]
    session = {"start_new_session": True} if os.name != "nt" else {"creationflags": getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0)}
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, errors="replace", **session)
    except OSError as exc:
        raise OutputError(f"la conversion PDF par LibreOffice a échoué : {soffice} ne peut pas être lancé ({os_error_reason(exc)}).") from None
    try:
        _, stderr = proc.communicate(timeout=PDF_TIMEOUT)
    except subprocess.TimeoutExpired:
        _kill_process_tree(proc)
        raise OutputError(f"la conversion PDF par LibreOffice n'a pas abouti en {PDF_TIMEOUT} secondes : rien n'a été écrit.") from None
    except BaseException:
        _kill_process_tree(proc)
        raise
    missing = [n for n in names if not (folder / (n[:-5] + ".pdf")).is_file()]
    if proc.returncode != 0 or missing:
        raise OutputError(f"la conversion PDF par LibreOffice a échoué ({', '.join(missing) or proc.returncode}) : {(stderr or '').strip()[:300]}")


def render_pack(profile: Profile, out_dir, *, documents=None, force: bool = False, templates=None, pdf: bool = False, strict: bool = True,
                unchanged_ok: bool = False) -> list[Path]:
    """Render the documents of ``profile`` that apply into ``out_dir``. Returns the written paths.

    All or nothing (see ``write_files``); the folder never mixes two markets' documents."""
    files = render_documents(profile, documents, templates=Path(templates) if templates else None, strict=strict)
    return write_files(files, Path(out_dir), force=force, pdf=pdf, reference=profile.marche.reference, unchanged_ok=unchanged_ok)
