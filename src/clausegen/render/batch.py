"""Many markets at once: one sub-folder per profile, worker processes, every failure named.

Profiles are read first (an unreadable profile is a failure, the others go on); two profiles whose
references give the same folder name stop everything before a single file is written. Each pack is then
rendered and written all-or-nothing by ``pack.render_pack``, in worker processes when ``jobs`` > 1.
One profile never stops the others: an unexpected exception, or a worker process that dies
(``run_isolated``), is a French failure for that profile alone.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..errors import ClausegenError, OutputError, ProfileError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
# Windows device names, reserved with any extension (« CON.2027 ») and whatever the case; the superscript
# digits (« COM¹ ») are devices too and become plain digits under NFKD below.
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME = 80  # well under Windows' 255, leaving room for the path of the output folder (MAX_PATH 260)


def safe_folder_name(reference: str) -> str:
    """A folder name from a market reference, safe on every file system and never leaving the output folder.

    Accents are dropped (« Réf » → « Ref »), anything but letters, digits, « . », « _ » and « - » becomes « - »
    (so ``<>:"/\\|?*``, control characters and spaces never reach the disk), leading and trailing dots,
    dashes, underscores and spaces are removed (no hidden folder, no « .. », nothing Windows would drop),
    the length is capped at ``MAX_NAME``. A Windows device name (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with
    or without an extension) gets « _ » after its device part: « CON » → « CON_ », « nul.2027 » → « nul_.2027 ».
    """
    text = unicodedata.normalize("NFKD", str(reference)).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("-", text).strip(".-_ ")
    text = re.sub(r"-{2,}", "-", text)[:MAX_NAME].rstrip(".-_ ")
    if not text:
        text = "marche"
    device, dot, rest = text.partition(".")
    if device.lower() in _WINDOWS_RESERVED:
        text = f"{device}_{dot}{rest}"[:MAX_NAME].rstrip(". -")  # the « _ » stays: no trailing dot for Windows to drop
    return text


@dataclass
class BatchResult:
    produced: dict[str, Path] = field(default_factory=dict)  # profile path → its folder
    failures: dict[str, str] = field(default_factory=dict)  # profile path → French message
    documents: int = 0

    @property
    def exit_code(self) -> int:
        return 2 if self.failures else 0


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


def _render_one(job: tuple) -> tuple[str, str | None, int]:
    """Worker: render one profile's pack. Returns (profile path, error message or None, files written)."""
    from .pack import render_pack

    source, profile, folder, documents, force, templates, pdf, *again = job
    try:
        written = render_pack(profile, folder, documents=documents, force=force, templates=templates, pdf=pdf, strict=False,
                              unchanged_ok=bool(again and again[0]))
    except ClausegenError as exc:
        return source, str(exc), 0
    except Exception as exc:  # noqa: BLE001 - one profile never stops the others
        return source, internal_error_message(exc), 0
    return source, None, len(written)


def plan_batch(paths, out_dir: Path, result: BatchResult) -> list[tuple[str, object, Path]]:
    """Load every profile and give each its folder; raises OutputError on clashing folder names."""
    from ..profile.load import load_profile
    from ..review.run import expand_paths

    planned: list[tuple[str, object, Path]] = []
    by_name: dict[str, str] = {}
    for path in expand_paths(paths):
        try:
            profile = load_profile(path)
            name = safe_folder_name(profile.marche.reference)
        except ProfileError as exc:
            result.failures[str(path)] = str(exc)
            continue
        except Exception as exc:  # noqa: BLE001 - one profile never stops the others
            result.failures[str(path)] = internal_error_message(exc)
            continue
        other = by_name.get(name.lower())
        if other is not None:
            raise OutputError(
                f"{other} et {path} donnent le même dossier de sortie « {name} » (référence « {profile.marche.reference} ») : "
                "rien n'a été écrit. Donnez à chaque marché une référence distincte."
            )
        by_name[name.lower()] = str(path)
        planned.append((str(path), profile, out_dir / name))
    return planned


def render_batch(
    paths,
    out_dir,
    *,
    documents=None,
    force: bool = False,
    templates=None,
    pdf: bool = False,
    jobs: int = 1,
    progress: Callable[[int], None] | None = None,
) -> BatchResult:
    """Render the pack of every profile under ``paths`` into ``out_dir/<référence>/``.

    A profile that fails (invalid, unwritable folder, unexpected exception, worker process killed) is
    named in ``failures``; the others are produced. SIGTERM and Ctrl-C stop the workers and leave no
    temporary folder (``pack.write_files``)."""
    from .pack import exit_on_sigterm

    out_dir = Path(out_dir)
    result = BatchResult()
    with exit_on_sigterm():
        planned = plan_batch(paths, out_dir, result)
        if progress and result.failures:
            progress(len(result.failures))
        jobs_list = [(src, profile, folder, documents, force, templates, pdf) for src, profile, folder in planned]
        outcomes: dict[int, tuple[str | None, int]] = {}
        if jobs > 1 and len(jobs_list) > 1:
            # one pack per task: a worker that dies loses no other market's result (its files may be written)
            for index, ok, value in run_isolated(_render_one, jobs_list, jobs=jobs, again=_again):
                outcomes[index] = (value[1], value[2]) if ok else (value, 0)
                if progress:
                    progress(1)
        else:
            for index, job in enumerate(jobs_list):
                _, error, count = _render_one(job)
                outcomes[index] = (error, count)
                if progress:
                    progress(1)
    for index, (source, _, folder) in enumerate(planned):  # in the order of the profiles
        error, count = outcomes[index]
        if error is None:
            result.produced[source] = folder
            result.documents += count
        else:
            result.failures[source] = error
    return result


# --------------------------------------------------------------------------------------------------
# Worker processes that cannot take the others down
# --------------------------------------------------------------------------------------------------

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
    from .pack import _signals_deferred

    with _signals_deferred():
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


def _again(job: tuple) -> tuple:
    """A pack run again after its worker died: the files it may have written before are no conflict."""
    return (*job[:7], True)


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

    from .pack import exit_on_sigterm

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
