"""Running many profiles: the files a list of paths stands for, worker processes that one profile cannot
take down, and the French messages of a failure that is not the profile's fault.

``run_isolated`` runs a module-level function on many items in worker processes: a worker that dies
(killed, out of memory) is reported for the item that killed it, the others are produced. Ctrl-C and
SIGTERM stop the workers, which clean up (``finally`` clauses) before the exception goes on.

May import: ``errors`` and ``files`` (signals). Never a product, the plan or the engine.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from .files.signals import exit_on_sigterm, signals_deferred


CRASH_MESSAGE = (
    "le processus qui traitait ce profil s'est arrêté brutalement (mémoire insuffisante ou arrêt forcé ?). "
    "Relancez ce profil seul pour en savoir plus."
)


def internal_error_message(exc: BaseException) -> str:
    """French message for an unexpected exception on one profile (a bug of clausegen, not of the profile)."""
    detail = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return (
        f"erreur inattendue de clausegen sur ce profil ({exc.__class__.__name__}{' : ' + detail if detail else ''}). "
        "Merci de signaler ce problème, avec ce profil."
    )


_TERMINATING = False  # in a worker: SIGTERM received, exit once its files are cleaned up


def _worker_sigterm(signum, frame):
    global _TERMINATING
    _TERMINATING = True
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second SIGTERM (the pool's own) must not cut the cleanup short
    raise SystemExit(128 + signum)


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:  # orphaned: the main process was killed; clean up and leave
            os.kill(os.getpid(), signal.SIGTERM)
            return


def _worker_init() -> None:
    """In each worker: Ctrl-C is the main process's business (it stops the workers with SIGTERM), SIGTERM
    raises SystemExit so that the ``finally`` clauses remove the temporary folders, and a worker whose
    parent disappeared (main process killed with SIGKILL) terminates itself."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _worker_sigterm)
    if os.name != "nt":  # the parent is the main process, or the forkserver that dies with it
        threading.Thread(target=_watch_parent, args=(os.getppid(),), name="clausegen-watch-parent", daemon=True).start()


def _run_chunk(func, chunk: list) -> list:
    try:
        return [func(item) for item in chunk]
    except BaseException:
        if _TERMINATING:
            os._exit(143)  # the cleanup (finally clauses) is done; do not go back to the pool
        raise


def _stop_workers(pool) -> None:
    """Stop the workers (SIGTERM: they remove their temporary folders; SIGKILL after 10 s), then the pool
    and its manager thread, so that nothing is left running nor half-closed at exit. Signals wait."""
    with signals_deferred():
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(Exception):
                if process.is_alive():
                    process.terminate()
        deadline = time.monotonic() + 10
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(max(0.1, deadline - time.monotonic()))
                if process.is_alive():
                    process.kill()
                    process.join(2)
        with contextlib.suppress(Exception):
            pool.shutdown(wait=True, cancel_futures=True)


def run_isolated(func, items, *, jobs: int, chunksize: int = 1, again: Callable | None = None) -> Iterator[tuple[int, bool, object]]:
    """``func(item)`` for each of ``items`` in ``jobs`` worker processes: yields ``(index, True, result)``,
    or ``(index, False, French message)`` for an item whose worker died or whose call raised.

    ``func`` is a module-level function that catches its own errors. When a worker dies (killed, out of
    memory, ``os._exit``), every item it may have taken down is run again one at a time in a fresh
    single-worker pool, so that only the item that kills its worker is reported; the others are produced.
    ``again(item)``, when given, is the item to run instead for those re-runs.
    Ctrl-C or SIGTERM in the main process stops the workers (they clean up) before the exception goes on.
    """
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    items = list(items)
    todo = list(range(len(items)))
    serial = False
    with exit_on_sigterm():
        while todo:
            size = 1 if serial else max(1, chunksize)
            chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
            pool = ProcessPoolExecutor(max_workers=1 if serial else max(1, min(jobs, len(chunks))), initializer=_worker_init)
            suspects: list[int] = []
            try:
                futures = {pool.submit(_run_chunk, func, [items[i] for i in chunk]): chunk for chunk in chunks}
                order = list(futures) if serial else as_completed(futures)  # one worker: the first broken is the culprit
                culprit_found = False
                for future in order:
                    chunk = futures[future]
                    try:
                        results = future.result()
                    except BrokenProcessPool:
                        if serial and not culprit_found:
                            culprit_found = True
                            yield chunk[0], False, CRASH_MESSAGE
                        else:
                            suspects += chunk
                        continue
                    except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                        for index in chunk:
                            yield index, False, internal_error_message(exc)
                        continue
                    for index, value in zip(chunk, results):
                        yield index, True, value
            except BaseException:
                _stop_workers(pool)
                raise
            pool.shutdown(wait=True)
            todo = sorted(suspects)
            if again is not None and todo and not serial:
                rerun = set(todo)
                items = [again(item) if i in rerun else item for i, item in enumerate(items)]
            serial = True


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)


PROFILE_SUFFIXES = (".yaml", ".yml")  # compared without case: « PROFIL.YAML », written by Windows tools, counts


def expand_paths(paths) -> list[Path]:
    """Files as given; folders give their *.yaml / *.yml files (any case: « .YAML », « .Yml »), sorted."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix.lower() in PROFILE_SUFFIXES and p.is_file())
        else:
            out.append(path)
    return out
