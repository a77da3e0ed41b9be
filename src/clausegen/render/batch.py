"""Many markets at once: one sub-folder per profile, worker processes, every failure named.

Profiles are read first (an unreadable profile is a failure, the others go on); two profiles whose
references give the same folder name stop everything before a single file is written. A large batch
(``PARALLEL_LOAD_FROM`` profiles or more) is read by the worker processes, and each worker reads its
profile again for its pack: the main process keeps only the folders, whatever the number of profiles.
Each pack is rendered and written all-or-nothing by ``pack.render_pack``, in worker processes when
``jobs`` > 1.
One profile never stops the others: an unexpected exception, or a worker process that dies
(``run_isolated``), is a French failure for that profile alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ClausegenError, OutputError, ProfileError
from ..files.names import safe_folder_name
from ..files.signals import exit_on_sigterm
from ..many import expand_paths, internal_error_message, run_isolated


@dataclass
class BatchResult:
    """What a batch produced: the folder of each market, the failures, the exit code."""

    produced: dict[str, Path] = field(default_factory=dict)  # profile path → its folder
    failures: dict[str, str] = field(default_factory=dict)  # profile path → French message
    documents: int = 0

    @property
    def exit_code(self) -> int:
        return 2 if self.failures else 0


def _render_one(job: tuple) -> tuple[str, str | None, int]:
    """Worker: render one profile's pack. Returns (profile path, error message or None, files written).
    A large batch sends the profile's path only (``profile`` None): the worker reads it again, so that no
    process holds every profile of the batch."""
    from .pack import render_pack

    source, profile, folder, documents, force, templates, pdf, *again = job
    try:
        if profile is None:
            from ..profile.load import load_profile

            profile = load_profile(source)
            if safe_folder_name(profile.marche.reference) != folder.name:
                return source, (f"la référence du marché a changé pendant le rendu (« {profile.marche.reference} ») : "
                                "rien n'a été écrit pour ce profil. Relancez la commande."), 0
        written = render_pack(profile, folder, documents=documents, force=force, templates=templates, pdf=pdf, strict=False,
                              unchanged_ok=bool(again and again[0]))
    except ClausegenError as exc:
        return source, str(exc), 0
    except Exception as exc:  # noqa: BLE001 - one profile never stops the others
        return source, internal_error_message(exc), 0
    return source, None, len(written)


def _load_one(path: str, keep: bool = False) -> tuple[object | None, str | None, str | None, str | None]:
    """(profile if ``keep`` else None, its reference, its folder name, None), or (None, None, None, French
    message) for a profile that fails."""
    from ..profile.load import load_profile

    try:
        profile = load_profile(path)
        reference = profile.marche.reference
        return (profile if keep else None), reference, safe_folder_name(reference), None
    except ProfileError as exc:
        return None, None, None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one profile never stops the others
        return None, None, None, internal_error_message(exc)


# From this many profiles on, they are read in the worker processes (twice: for their folder names, then
# for their packs) and no process holds them all: the memory of a batch does not grow with its size.
# Below, the main process reads them and keeps them: starting workers would cost more than it saves.
PARALLEL_LOAD_FROM = 32


def _loaded(paths: list[Path], jobs: int):
    """(path, profile or None, reference, folder name, error) of each profile, in order."""
    if len(paths) < PARALLEL_LOAD_FROM:
        return [(path, *_load_one(str(path), keep=True)) for path in paths]
    if jobs == 1:
        return [(path, *_load_one(str(path))) for path in paths]
    outcomes: dict[int, tuple] = {}
    for index, ok, value in run_isolated(_load_one, [str(p) for p in paths], jobs=jobs, chunksize=8):
        outcomes[index] = value if ok else (None, None, None, value)
    return [(path, *outcomes[i]) for i, path in enumerate(paths)]


def plan_batch(paths, out_dir: Path, result: BatchResult, jobs: int = 1) -> list[tuple[str, object, Path]]:
    """Read every profile (in ``jobs`` worker processes for a large batch) and give each its folder; raises
    OutputError on clashing folder names, before anything is written. (path, profile or None, folder)."""
    planned: list[tuple[str, object, Path]] = []
    by_name: dict[str, str] = {}
    for path, profile, reference, name, error in _loaded(expand_paths(paths), jobs):
        if error is not None:
            result.failures[str(path)] = error
            continue
        other = by_name.get(name.lower())
        if other is not None:
            raise OutputError(
                f"{other} et {path} donnent le même dossier de sortie « {name} » (référence « {reference} ») : "
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
    temporary folder (``files.folder.write_files``)."""
    out_dir = Path(out_dir)
    result = BatchResult()
    with exit_on_sigterm():
        planned = plan_batch(paths, out_dir, result, jobs)
        if progress and result.failures:
            progress(len(result.failures))
        jobs_list = [(src, profile, folder, documents, force, templates, pdf) for src, profile, folder in planned]
        outcomes: dict[int, tuple[str | None, int]] = {}
        if jobs > 1 and len(jobs_list) > 1:
            from .pack import prepare_templates

            prepare_templates(templates)  # once, here: the forked workers inherit it (elsewhere they prepare once each)
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




def _again(job: tuple) -> tuple:
    """A pack run again after its worker died: the files it may have written before are no conflict."""
    return (*job[:7], True)


