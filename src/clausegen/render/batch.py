"""Many markets at once: one sub-folder per profile, worker processes, every failure named.

Profiles are read first (an unreadable profile is a failure, the others go on); two profiles whose
references give the same folder name stop everything before a single file is written. Each pack is then
rendered and written all-or-nothing by ``pack.render_pack``, in worker processes when ``jobs`` > 1.
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
    produced: dict[str, Path] = field(default_factory=dict)  # profile path → its folder
    failures: dict[str, str] = field(default_factory=dict)  # profile path → French message
    documents: int = 0

    @property
    def exit_code(self) -> int:
        return 2 if self.failures else 0


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
    temporary folder (``files.folder.write_files``)."""
    out_dir = Path(out_dir)
    result = BatchResult()
    with exit_on_sigterm():
        planned = plan_batch(paths, out_dir, result)
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


