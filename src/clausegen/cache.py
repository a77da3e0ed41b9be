"""A small on-disk cache for work that only depends on clausegen's own files (templates, schema).

``$XDG_CACHE_HOME/clausegen/<version>/`` (``~/.cache/…`` by default). Entries are keyed by the SHA-256 of
their input and written atomically (temporary file, then rename). The cache only saves time, so it can
never make a command fail nor change what it produces:

* every entry carries a header (magic, length, SHA-256 of the content): an empty, truncated or corrupt
  entry is ignored (and removed), its content computed again;
* an unusable folder (``HOME`` or ``XDG_CACHE_HOME`` read-only, a file instead of a folder, a relative
  path, no home at all), a full disk or any I/O error bypasses the cache, silently;
* ``CLAUSEGEN_NO_CACHE=1`` turns it off.

``bytecode_cache()`` is Jinja's bytecode cache with the same guarantees.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Callable

from ._version import __version__

MAGIC = b"clausegen-cache-1\n"
_HEADER = len(MAGIC) + 8 + 32  # magic, content length (8 bytes, big-endian), SHA-256 of the content


@lru_cache(maxsize=1)
def cache_dir() -> Path | None:
    """The cache folder, created if needed, or None when the cache is off or the folder unusable."""
    if os.environ.get("CLAUSEGEN_NO_CACHE") == "1":
        return None
    try:
        xdg = os.environ.get("XDG_CACHE_HOME") or ""
        root = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # a relative XDG path is ignored (spec)
        if not root.is_absolute():  # no home directory (Python < 3.12 leaves « ~ » as is)
            return None
        # the entry format is part of the folder name: an older clausegen of the same version number (a
        # development checkout) never reads entries it cannot parse, and vice versa
        base = root / "clausegen" / f"{__version__}-{MAGIC.strip().decode('ascii')}"
        base.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=base, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except (OSError, RuntimeError, ValueError, KeyError):  # RuntimeError/KeyError: no home directory
        return None
    return base


def digest(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def seal(data: bytes) -> bytes:
    """``data`` with the header that lets ``unseal`` check it."""
    return MAGIC + len(data).to_bytes(8, "big") + hashlib.sha256(data).digest() + data


def unseal(blob: bytes) -> bytes | None:
    """The content of an entry written by ``seal``, or None if it is empty, truncated or corrupt."""
    if len(blob) < _HEADER or not blob.startswith(MAGIC):
        return None
    size = int.from_bytes(blob[len(MAGIC) : len(MAGIC) + 8], "big")
    data = blob[_HEADER:]
    if len(data) != size or hashlib.sha256(data).digest() != blob[len(MAGIC) + 8 : _HEADER]:
        return None
    return data


def read_entry(path: Path) -> bytes | None:
    """The checked content of the entry ``path``; None when absent, unreadable or invalid (then removed)."""
    try:
        with open(path, "rb") as f:
            blob = f.read()
    except (OSError, ValueError):
        return None
    data = unseal(blob)
    if data is None:
        with contextlib.suppress(OSError):
            os.unlink(path)
    return data


def write_entry(path: Path, data: bytes) -> None:
    """Store ``data`` at ``path`` atomically; any failure (disk full, read-only…) is ignored."""
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(seal(data))
        os.replace(tmp, path)
        tmp = None
    except (OSError, ValueError):
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def cached_bytes(kind: str, source: bytes | str, compute: Callable[[], bytes]) -> bytes:
    """``compute()``'s bytes, stored under the digest of ``source`` for the next runs."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{kind}-{digest(source)}.bin"
    data = read_entry(path)
    if data is not None:
        return data
    data = compute()
    write_entry(path, data)
    return data


def cached_text(kind: str, source: bytes | str, compute: Callable[[], str]) -> str:
    """``compute()``'s text, stored under the digest of ``source`` for the next runs."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{kind}-{digest(source)}.bin"
    data = read_entry(path)
    if data is not None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            pass
    text = compute()
    write_entry(path, text.encode("utf-8"))
    return text


def bytecode_cache(pattern: str = "jinja-%s.bin"):
    """Jinja's bytecode cache in the cache folder (None when the cache is off), whose entries are checked
    like the others: a corrupt or truncated entry is compiled again, a write that fails is ignored. (Jinja's
    own ``FileSystemBytecodeCache`` raises on a truncated entry or a full disk.)"""
    folder = cache_dir()
    if folder is None:
        return None
    return _safe_bytecode_cache_class()(folder, pattern)


@lru_cache(maxsize=1)
def _safe_bytecode_cache_class():
    from jinja2 import BytecodeCache

    class SafeBytecodeCache(BytecodeCache):
        def __init__(self, folder: Path, pattern: str):
            self.folder = Path(folder)
            self.pattern = pattern

        def _path(self, bucket) -> Path:
            return self.folder / (self.pattern % bucket.key)

        def load_bytecode(self, bucket) -> None:
            data = read_entry(self._path(bucket))
            if data is None:
                return
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # noqa: BLE001 - compiled again
                bucket.reset()

        def dump_bytecode(self, bucket) -> None:
            try:
                data = bucket.bytecode_to_string()
            except Exception:  # noqa: BLE001
                return
            write_entry(self._path(bucket), data)

        def clear(self) -> None:
            for entry in self.folder.glob(self.pattern % "*"):
                with contextlib.suppress(OSError):
                    entry.unlink()

    return SafeBytecodeCache
