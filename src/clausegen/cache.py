"""A small on-disk cache for work that only depends on clausegen's own files (templates, schema).

``$XDG_CACHE_HOME/clausegen/<version>/`` (``~/.cache/…`` by default). Entries are keyed by the SHA-256 of
their input and written atomically (temporary file, then rename). The cache only saves time, so it can
never make a command fail nor change what it produces:

* every entry carries a header (magic, length, SHA-256 of the content): an empty, truncated or corrupt
  entry is ignored (and removed), its content computed again;
* an unusable folder (``HOME`` or ``XDG_CACHE_HOME`` read-only, a file instead of a folder, a relative
  path, no home at all), a full disk or any I/O error bypasses the cache, silently;
* ``CLAUSEGEN_NO_CACHE=1`` turns it off;
* it is bounded: entries older than ``MAX_AGE_DAYS`` and, beyond ``MAX_BYTES``, the oldest ones are removed
  (``prune``, run at most once a day, after a write), and so are the folders of other versions left unused;
  ``empty()`` removes everything (``clausegen cache --vider``), ``usage()`` says where and how big it is.

``cached_data()`` keeps parsed data files (the code lists, the registry) so that no render parses YAML but
the profile. ``bytecode_cache()`` is Jinja's bytecode cache with the same guarantees.
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
        root = cache_root()
        if root is None:
            return None
        # the entry format is part of the folder name: an older clausegen of the same version number (a
        # development checkout) never reads entries it cannot parse, and vice versa
        base = root / f"{__version__}-{MAGIC.strip().decode('ascii')}"
        base.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(dir=base, prefix=".probe-")
        os.close(fd)
        os.unlink(probe)
    except (OSError, RuntimeError, ValueError, KeyError):  # RuntimeError/KeyError: no home directory
        return None
    return base


def cache_root() -> Path | None:
    """``$XDG_CACHE_HOME/clausegen`` (``~/.cache/clausegen``), not created; None without a usable home."""
    try:
        xdg = os.environ.get("XDG_CACHE_HOME") or ""
        root = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"  # a relative XDG path is ignored (spec)
    except (RuntimeError, KeyError, ValueError):  # no home directory
        return None
    if not root.is_absolute():  # no home directory (Python < 3.12 leaves « ~ » as is)
        return None
    return root / "clausegen"


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
    prune_now_and_then(path.parent)


# ---------------------------------------------------------------------------------------------------
# Entries shipped with the package (issue 20): what the built-in templates need, prepared at build time
# (``python templates/build.py``), so that a first run with an empty cache loads it instead of computing it
# ---------------------------------------------------------------------------------------------------

_SHIPPED: list[Path] = []


def ship(path: Path) -> None:
    """Use the entries of the bundle ``path`` (written by ``write_bundle``) when the cache folder lacks them."""
    if os.environ.get("CLAUSEGEN_NO_BUNDLE") == "1":  # templates/build.py, which writes the bundle
        return
    path = _resolved(path)
    if path not in _SHIPPED:
        _SHIPPED.append(path)
        if path not in _READ:  # the built-in bundle, found before its templates were asked for, is not read twice
            _bundles.cache_clear()


def _resolved(path: Path) -> Path:
    try:
        return path.resolve()
    except (OSError, RuntimeError):
        return path


def _default_bundle() -> Path | None:
    """The bundle beside the built-in templates (``render.templates.builtin_template_dir``: in the installed
    package, or ``templates/orme`` of a source checkout), found here because the data files (registry, code
    lists, schema) are loaded before any template is asked for."""
    here = Path(__file__).resolve().parent
    for folder in (here / "templates" / "orme", here.parents[1] / "templates" / "orme"):
        if (folder / "prepared.bin").is_file():
            return folder / "prepared.bin"
    return None


_READ: list[Path] = []  # the bundles ``_bundles`` read


@lru_cache(maxsize=1)
def _bundles() -> dict[str, bytes]:
    entries: dict[str, bytes] = {}
    default = _default_bundle()
    default = _resolved(default) if default else None
    _READ[:] = ([default] if default and default not in _SHIPPED else []) + _SHIPPED
    for path in _READ:
        entries.update(read_bundle(path))
    return entries


# The bundle's header: magic, content length (8 bytes, big-endian), CRC-32 of the content (4 bytes). A CRC, not
# the SHA-256 of the cache's entries: it is there to catch a damaged or truncated file, and hashing the 2 Mo of
# the bundle with SHA-256 took about 2 ms of every command.
BUNDLE_MAGIC = b"clausegen-bundle-2\n"
_BUNDLE_HEADER = len(BUNDLE_MAGIC) + 8 + 4


def read_bundle(path: Path) -> dict[str, bytes]:
    """The entries of one bundle; none for an absent or damaged one (everything is computed, as without it).
    The bundle is not compressed: inflating its 2 Mo took about 10 ms of every command (the wheel that ships
    it is a zip archive, which compresses it anyway)."""
    import marshal
    import zlib

    try:
        blob = path.read_bytes()
        if len(blob) < _BUNDLE_HEADER or not blob.startswith(BUNDLE_MAGIC):
            return {}
        size = int.from_bytes(blob[len(BUNDLE_MAGIC): len(BUNDLE_MAGIC) + 8], "big")
        content = memoryview(blob)[_BUNDLE_HEADER:]
        if len(content) != size or zlib.crc32(content).to_bytes(4, "big") != blob[_BUNDLE_HEADER - 4: _BUNDLE_HEADER]:
            return {}
        bundle = marshal.loads(content)
    except (OSError, ValueError, EOFError, TypeError):
        return {}
    if not isinstance(bundle, dict):
        return {}
    return {k: v for k, v in bundle.items() if isinstance(k, str) and isinstance(v, bytes)}


def shipped(name: str) -> bytes | None:
    """The content of the shipped entry called ``name`` (an entry's file name in the cache folder), or None."""
    if os.environ.get("CLAUSEGEN_NO_BUNDLE") == "1":  # templates/build.py, which writes it, and tests of the cache
        return None
    return _bundles().get(name)


def write_bundle(path: Path, entries: dict[str, bytes]) -> None:
    """The bundle ``ship`` reads: the entries, in the order of their names (the same entries, the same file)."""
    import marshal
    import zlib

    content = marshal.dumps({k: entries[k] for k in sorted(entries)})
    path.write_bytes(BUNDLE_MAGIC + len(content).to_bytes(8, "big") + zlib.crc32(content).to_bytes(4, "big") + content)


def _entry(path: Path) -> bytes | None:
    data = read_entry(path)
    return data if data is not None else shipped(path.name)


def _cached(kind: str, source: bytes | str, compute: Callable[[], object], dump: Callable[[object], bytes],
            load: Callable[[bytes], object], unreadable: tuple[type[BaseException], ...] = (), source_digest: str | None = None):
    """``compute()``'s value, stored as ``dump(value)`` under the digest of ``source`` (``source_digest``, when
    the caller has it already) for the next runs; an entry ``load`` cannot read back (one of ``unreadable``)
    is computed again."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / f"{kind}-{source_digest or digest(source)}.bin"
    data = _entry(path)
    if data is not None:
        try:
            return load(data)
        except unreadable:
            pass
    value = compute()
    write_entry(path, dump(value))
    return value


def cached_bytes(kind: str, source: bytes | str, compute: Callable[[], bytes]) -> bytes:
    """``compute()``'s bytes, stored under the digest of ``source`` for the next runs."""
    return _cached(kind, source, compute, bytes, bytes)


def cached_text(kind: str, source: bytes | str, compute: Callable[[], str]) -> str:
    """``compute()``'s text, stored under the digest of ``source`` for the next runs."""
    return _cached(kind, source, compute, lambda text: text.encode("utf-8"), lambda data: data.decode("utf-8"), (UnicodeDecodeError,))


def cached_data(kind: str, source: bytes | str, compute: Callable[[], object], source_digest: str | None = None):
    """``compute()``'s plain data (dicts, lists, strings, numbers, dates, ``Decimal``…), stored pickled under
    the digest of ``source``: clausegen's own data files (code lists, registry) are parsed from YAML once,
    then loaded in a millisecond. The folder holds only what clausegen wrote (like Jinja's compiled code and
    the compiled schema beside it); an entry that cannot be unpickled is computed again. Change ``kind``
    whenever the shape of the data changes."""
    import pickle

    # written by clausegen in the user's own cache folder (or shipped with it): any failure is computed again
    return _cached(kind, source, compute, lambda value: pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL),
                   pickle.loads, (Exception,), source_digest)  # noqa: S301


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
            data = _entry(self._path(bucket))
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


# ---------------------------------------------------------------------------------------------------
# Bounds: age and size, and emptying (``clausegen cache``)
# ---------------------------------------------------------------------------------------------------

MAX_BYTES = 100 * 1024 * 1024  # all versions together; a version's entries weigh a few megabytes
MAX_AGE_DAYS = 30  # an entry written longer ago is computed again (a few hundred milliseconds)
PRUNE_EVERY = 24 * 3600  # seconds between two prunings: the modification time of the cache's root folder


def _files(root: Path):
    """(path, size, mtime) of every file under ``root``."""
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            with contextlib.suppress(OSError):
                info = path.stat()
                yield path, info.st_size, info.st_mtime


def prune_now_and_then(folder: Path) -> None:
    """``prune()`` of the root of ``folder`` unless it ran less than ``PRUNE_EVERY`` seconds ago: the root's
    modification time (touched by each pruning, and changed only when a version's folder comes or goes)
    says when; otherwise one ``stat``, and no marker file."""
    import time

    root = folder.parent
    try:
        if time.time() - root.stat().st_mtime < PRUNE_EVERY:
            return
        os.utime(root)
    except OSError:
        return
    prune(root)


def prune(root: Path | None = None, *, max_bytes: int = MAX_BYTES, max_age_days: float = MAX_AGE_DAYS, now: float | None = None) -> int:
    """Remove the entries older than ``max_age_days``, then the oldest ones until all the versions' folders
    of ``root`` (``cache_root()`` by default) hold at most ``max_bytes``; empty folders go too. Returns the
    number of files removed. Never raises."""
    import shutil
    import time

    root = root if root is not None else cache_root()
    if root is None or not root.is_dir():
        return 0
    now = time.time() if now is None else now
    removed = 0
    entries = sorted(_files(root), key=lambda e: e[2])
    total = sum(size for _, size, _ in entries)
    for path, size, mtime in entries:
        if now - mtime <= max_age_days * 86400 and total <= max_bytes:
            break
        with contextlib.suppress(OSError):
            path.unlink()
            removed += 1
            total -= size
    with contextlib.suppress(OSError):
        for child in root.iterdir():
            if child.is_dir() and not any(True for _ in _files(child)):
                shutil.rmtree(child, ignore_errors=True)
    return removed


def usage() -> tuple[Path | None, int, int]:
    """(cache folder, number of files, bytes) of every version's cache; (None, 0, 0) without a home."""
    root = cache_root()
    if root is None:
        return None, 0, 0
    files = [size for _, size, _ in _files(root)] if root.is_dir() else []
    return root, len(files), sum(files)


def empty() -> tuple[int, int]:
    """Remove the whole cache folder (every version); returns (files, bytes) removed. The next commands
    compute their entries again. An error on one file leaves it and goes on."""
    import shutil

    root = cache_root()
    if root is None or not root.is_dir():
        return 0, 0
    files = list(_files(root))
    shutil.rmtree(root, ignore_errors=True)
    cache_dir.cache_clear()
    left = {p for p, _, _ in _files(root)} if root.exists() else set()
    gone = [(p, size) for p, size, _ in files if p not in left]
    return len(gone), sum(size for _, size in gone)
