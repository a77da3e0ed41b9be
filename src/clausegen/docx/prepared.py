"""Templates prepared at build time (issue 20): the cache entries a render of the built-in templates needs
(their XML checked, their parts patched and deflated, their Jinja code compiled, the data files parsed) written once by
``python templates/build.py`` into a bundle shipped beside the templates, so that a first run with an empty
cache loads them instead of computing them.

An entry of the bundle is used only when its name, which holds the digest of its source, is the one asked
for: a changed template or data file is computed as before. Jinja's compiled code carries the Python
version it was compiled for and the checksum of its source; another Python compiles it again.
"""

from __future__ import annotations

import os
from pathlib import Path

BUNDLE = "prepared.bin"
# Entries that depend only on the digest in their name: compared whole by ``--check``. The others (Jinja's
# compiled code, pickled data, the template parts with their deflated fixed parts, whose bytes depend on the
# zlib library) are compared by name: their bytes may differ from one build to the next.
_EXACT = ("checked-docx-",)
# Entries whose name stays when their content changes: the table of the methods dataclasses writes
# (``clausegen.compiled``), one per bytecode format, compared by the texts it holds.
_KEYED = ("dataclass-code-",)


def ship(folder: Path) -> None:
    """Use the bundle of the templates folder ``folder``, if it has one (the built-in templates)."""
    from ..cache import ship as use

    use(folder / BUNDLE)


def collect(profiles: list[Path]) -> dict[str, bytes]:
    """The cache entries written by rendering ``profiles`` with the built-in templates, in a fresh process
    whose cache folder starts empty."""
    import subprocess  # here: build time only (importing it took about 5 ms of every render)
    import sys
    import tempfile

    from ..cache import unseal

    with tempfile.TemporaryDirectory(prefix="clausegen-prepared-") as tmp:
        env = {**os.environ, "XDG_CACHE_HOME": tmp, "CLAUSEGEN_NO_BUNDLE": "1"}
        env.pop("CLAUSEGEN_NO_CACHE", None)
        # then the table of the methods dataclasses wrote (``clausegen.compiled``), once the modules of the usual
        # commands are imported too
        code = ("import sys\nfrom clausegen.profile.load import load_profile\nfrom clausegen.render.pack import render_documents\n"
                "for p in sys.argv[1:]:\n    render_documents(load_profile(p))\n"
                "import clausegen.cli, clausegen.review.run, clausegen.report, clausegen.export, clausegen.render.batch, clausegen.web.app\n"
                "from clausegen import cache, compiled\n"
                "cache.write_entry(cache.cache_dir() / compiled.entry_name(), compiled.table_entry())\n")
        subprocess.run([sys.executable, "-c", code, *map(str, profiles)], check=True, env=env)
        entries = {}
        for path in Path(tmp).rglob("*.bin"):
            data = unseal(path.read_bytes())
            if data is not None:
                entries[path.name] = data
        return entries


def write(folder: Path, entries: dict[str, bytes]) -> None:
    from ..cache import write_bundle

    write_bundle(folder / BUNDLE, entries)


def read(folder: Path) -> dict[str, bytes] | None:
    from ..cache import read_bundle

    path = folder / BUNDLE
    return read_bundle(path) if path.is_file() else None


def up_to_date(folder: Path, entries: dict[str, bytes]) -> bool:
    """Whether the bundle of ``folder`` holds ``entries`` (see ``_EXACT``)."""
    shipped = read(folder)
    if shipped is None or sorted(shipped) != sorted(entries):
        return False
    return all(shipped[k] == v for k, v in entries.items() if k.startswith(_EXACT)) and all(
        _texts(shipped[k]) == _texts(v) for k, v in entries.items() if k.startswith(_KEYED))


def _texts(table: bytes) -> list | None:
    import marshal

    try:
        return sorted(marshal.loads(table))
    except (ValueError, EOFError, TypeError):
        return None
