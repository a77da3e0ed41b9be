"""PDF copies of the pack, by LibreOffice: where its program is, and one conversion of the whole pack."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
from pathlib import Path

from ..errors import OutputError
from ..files.oserrors import os_error_reason


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


PDF_TIMEOUT = 300  # seconds for LibreOffice to convert a pack


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


def convert_pdf(soffice: str, folder: Path, names: list[str]) -> None:
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
