"""A folder of files written all or nothing: every target checked first, the files written into a
temporary folder inside the destination, then moved into place under the folder's lock, the replaced files
kept aside until the end and put back if anything fails."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import OutputError
from .lock import _BACKUPS, TEMP_PREFIX, FolderLock
from .oserrors import os_error_reason
from .signals import signals_deferred, exit_on_sigterm






def _check_targets(out_dir: Path, files: dict[str, bytes], names: list[str], force: bool, unchanged_ok: bool) -> None:
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


def write_files(files: dict[str, bytes], out_dir: Path, *, force: bool = False, unchanged_ok: bool = False,
                extra_names=(), complete: Callable[[Path], None] | None = None,
                check: Callable[[Path, list[str]], None] | None = None) -> list[Path]:
    """Write ``files`` into ``out_dir`` all or nothing.

    Under the folder's lock (``FolderLock``), every target is checked first (existing file without
    ``force``, a folder or a read-only file in its place), then ``check(out_dir, names)`` may refuse with
    its own ``OutputError``; the files are written into a temporary folder inside ``out_dir``, where
    ``complete(folder)`` may add the files ``extra_names`` (the PDF copies), then moved into place, the
    replaced files being kept aside until the end: if one move fails, those already moved are put back. On
    any error, or SIGINT/SIGTERM, ``out_dir`` is left as it was (created folder removed, no temporary folder)
    and the ``OutputError`` says which file and why. ``unchanged_ok``: an existing file identical to the
    new one is no conflict without ``force`` (a batch running a pack again after its worker died).
    """
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"{out_dir} existe et n'est pas un dossier.")
    names = list(files) + [n for n in extra_names if n not in files]
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
                _check_targets(out_dir, files, names, force, unchanged_ok)
                if check is not None:
                    check(out_dir, names)
                _write_and_replace(files, out_dir, names, complete)
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


def _write_and_replace(files: dict[str, bytes], out_dir: Path, names: list[str], complete) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=TEMP_PREFIX, dir=out_dir))
    keep = False
    try:
        for name, data in files.items():
            _write_new(tmp / name, data)
        if complete is not None:
            complete(tmp)
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
    with signals_deferred():
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
