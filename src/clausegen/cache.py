"""A small on-disk cache for work that only depends on clausegen's own files (templates, schema).

``$XDG_CACHE_HOME/clausegen/<version>/`` (``~/.cache/…`` by default). Entries are keyed by the SHA-256 of
their input, written atomically, and the cache is silently skipped when the folder is not writable or
``CLAUSEGEN_NO_CACHE=1``. It only saves time: every entry can be recomputed.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

from . import __version__


@lru_cache(maxsize=1)
def cache_dir() -> Path | None:
    if os.environ.get("CLAUSEGEN_NO_CACHE") == "1":
        return None
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "clausegen" / __version__
    try:
        base.mkdir(parents=True, exist_ok=True)
        probe = base / ".probe"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError:
        return None
    return base


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def cached_bytes(kind: str, source: bytes | str, compute: Callable[[], bytes]) -> bytes:
    """``compute()``'s bytes, stored under the digest of ``source`` for the next runs."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{kind}-{digest(source)}.bin"
    try:
        return path.read_bytes()
    except OSError:
        pass
    data = compute()
    try:
        with tempfile.NamedTemporaryFile("wb", dir=folder, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    except OSError:
        pass
    return data


def cached_text(kind: str, source: bytes | str, compute: Callable[[], str]) -> str:
    """``compute()``'s text, stored under the digest of ``source`` for the next runs."""
    return cached_bytes(kind, source, lambda: compute().encode("utf-8")).decode("utf-8")
