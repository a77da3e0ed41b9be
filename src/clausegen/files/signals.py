"""Signals while files are written: SIGTERM turned into an exception (so ``finally`` clauses clean up), and
SIGINT/SIGTERM held back while files are moved into place."""

from __future__ import annotations

import contextlib
import signal
import threading


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
def signals_deferred():
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
