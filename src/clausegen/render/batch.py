"""Many markets at once: one sub-folder per profile, worker processes, every failure named.

Profiles are read first (an unreadable profile is a failure, the others go on); two profiles whose
references give the same folder name stop everything before a single file is written. Each pack is then
rendered and written all-or-nothing by ``pack.render_pack``, in worker processes when ``jobs`` > 1.
"""

from __future__ import annotations

import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import ClausegenError, OutputError, ProfileError

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
MAX_NAME = 80


def safe_folder_name(reference: str) -> str:
    """A folder name from a market reference, safe on every file system and never leaving the output folder.

    Accents are dropped (« Réf » → « Ref »), anything but letters, digits, « . », « _ » and « - » becomes « - »,
    leading dots and dashes are removed (no hidden folder, no « .. »), the length is capped.
    """
    text = unicodedata.normalize("NFKD", str(reference)).encode("ascii", "ignore").decode("ascii")
    text = _UNSAFE.sub("-", text).strip(".-_ ")
    text = re.sub(r"-{2,}", "-", text)[:MAX_NAME].rstrip(".-_ ")
    if not text:
        text = "marche"
    if text.lower().split(".")[0] in _WINDOWS_RESERVED:
        text = f"{text}_"
    return text


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

    source, profile, folder, documents, force, templates, pdf = job
    try:
        written = render_pack(profile, folder, documents=documents, force=force, templates=templates, pdf=pdf, strict=False)
    except ClausegenError as exc:
        return source, str(exc), 0
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
        except ProfileError as exc:
            result.failures[str(path)] = str(exc)
            continue
        name = safe_folder_name(profile.marche.reference)
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
    """Render the pack of every profile under ``paths`` into ``out_dir/<référence>/``."""
    out_dir = Path(out_dir)
    result = BatchResult()
    planned = plan_batch(paths, out_dir, result)
    if progress and result.failures:
        progress(len(result.failures))
    jobs_list = [(src, profile, folder, documents, force, templates, pdf) for src, profile, folder in planned]
    if jobs > 1 and len(jobs_list) > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(jobs_list))) as pool:
            outcomes = pool.map(_render_one, jobs_list, chunksize=max(1, len(jobs_list) // (jobs * 16)))
            _collect(outcomes, planned, result, progress)
    else:
        _collect(map(_render_one, jobs_list), planned, result, progress)
    return result


def _collect(outcomes, planned, result: BatchResult, progress) -> None:
    folders = {src: folder for src, _, folder in planned}
    for source, error, count in outcomes:
        if error is None:
            result.produced[source] = folders[source]
            result.documents += count
        else:
            result.failures[source] = error
        if progress:
            progress(1)


def default_jobs() -> int:
    return max(1, os.cpu_count() or 1)
