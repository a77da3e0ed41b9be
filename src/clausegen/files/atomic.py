"""One file written atomically: readers see the old file or the whole new one, never a part."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from ..errors import OutputError
from .oserrors import os_error_reason
from .signals import exit_on_sigterm


def check_target(path: Path, *, force: bool, example: str = "rapport.xlsx") -> os.stat_result | None:
    """``OutputError`` unless ``path`` may receive a file: absent, or (with ``force``) a regular file one
    may write. A folder, a device (``/dev/null``, ``mknod``), a pipe or a socket is never replaced, even
    with ``force``. Returns the ``stat`` of the existing file, or None. Every writer of a single file
    (``write_atomic``, ``clausegen init``) runs this one check."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"{path} est inaccessible ({os_error_reason(exc)}) : rien n'a été écrit.") from None
    if stat.S_ISDIR(st.st_mode):
        raise OutputError(f"{path} est un dossier : indiquez un nom de fichier, comme « {example} ».")
    if not stat.S_ISREG(st.st_mode):
        raise OutputError(f"{path} n'est pas un fichier ordinaire (périphérique, tube ou socket) : rien n'a été écrit, "
                          "même avec --force. Indiquez un nom de fichier.")
    if not force:
        raise OutputError(f"{path} existe déjà : rien n'a été écrit. Ajoutez --force pour le remplacer, ou choisissez un autre nom.")
    if not st.st_mode & 0o222:
        raise OutputError(f"{path} est en lecture seule : rien n'a été écrit. Retirez la protection ou choisissez un autre nom.")
    return st


def write_atomic(path: str | Path, data: bytes, *, force: bool = False) -> Path:
    """Write ``data`` to ``path`` through a temporary file of the same folder, then an atomic rename.

    Never a partial file: readers see the old file or the whole new one, and an error, Ctrl-C or SIGTERM
    leaves no temporary file. ``path`` must be a regular file or not exist: a folder, a device
    (``/dev/null``), a pipe is refused, and so is a read-only file. Without ``force`` an existing file is
    an error, even one created by another process while this one was writing (no-clobber rename). Errors
    are ``OutputError`` in French: which file, and why (« disque plein », « accès refusé »…).
    """
    path = Path(path)
    check_target(path, force=force)
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
