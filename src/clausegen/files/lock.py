"""One writer per folder: ``FolderLock`` holds ``.clausegen.lock`` while a command checks and replaces the
files of a folder; a lock whose holder died, or that is older than ``LOCK_STALE_AFTER``, is taken over."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from ..errors import OutputError
from .oserrors import os_error_reason


def _host() -> str:
    """This machine's name, as ``socket.gethostname()`` gives it (``os.uname`` where it exists: importing
    ``socket`` cost every pack some milliseconds)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


TEMP_PREFIX = ".clausegen-"  # temporary folders, always inside the output folder, removed by a finally
_BACKUPS = "remplaces"  # inside the temporary folder: the files being replaced, until the end


LOCK_NAME = ".clausegen.lock"  # present while a render checks and replaces the files of a folder


LOCK_WAIT = 10.0  # seconds a render waits for another one writing into the same folder


LOCK_STALE_AFTER = 30 * 60  # seconds after which a lock is taken over, whoever holds it


LOCK_EMPTY_STALE_AFTER = 5.0  # seconds after which an empty or unreadable lock is taken over: its writer
# got no further than creating it (full disk, killed at that instant); a live writer fills it at once


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
    """What a lock file says of the process holding it."""

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
            token = f"{os.getpid()}\n{_host()}\n{time.time():.3f}\n{uuid.uuid4().hex}\n"
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
                    who = f"processus {holder.pid}" + (f" sur {holder.host}" if holder.host and holder.host != _host() else "") if holder.pid else "un autre processus"
                    raise OutputError(
                        f"un autre rendu écrit dans {self.folder} ({who}, depuis {since}) : rien n'a été écrit. "
                        f"Réessayez quand il aura fini ; si aucun rendu ne tourne, supprimez le fichier {self.path}."
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.25)
                continue
            self._write_token(fd, token)
            self.token = token
            if taken_over:  # now that no other writer can start here
                self._remove_leftovers()
            return self

    def _write_token(self, fd: int, token: str) -> None:
        """Fill the lock just created; when that fails (full disk, quota), remove it: an empty lock left
        behind would block the folder, and nothing has been written."""
        data = token.encode("utf-8")
        try:
            try:
                written = os.write(fd, data)
                if written != len(data):
                    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            finally:
                os.close(fd)
        except OSError as exc:
            with contextlib.suppress(OSError):
                os.unlink(self.path)
            raise OutputError(f"impossible de poser le verrou {self.path} ({os_error_reason(exc)}) : rien n'a été écrit.") from None

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
        dead = pid is not None and host == _host() and not pid_alive(pid)
        unfinished = pid is None and age > LOCK_EMPTY_STALE_AFTER  # empty, truncated or unreadable
        return _Holder(text, pid, host, since, age > LOCK_STALE_AFTER or dead or unfinished)

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
