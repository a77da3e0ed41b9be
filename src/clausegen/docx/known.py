"""Templates known well-formed: the entry saying that these very bytes passed ``container.read_docx``'s XML
checks before (in the cache folder, or in the bundle shipped with the built-in templates, which also says
which bytes are the built-in templates).

May import: ``cache``.
"""

from __future__ import annotations


CHECKED = "checked-docx-1"  # the kind of the entry saying that a template's XML parts were found well-formed


def checked_entry_name(data: bytes, data_digest: str | None = None) -> str:
    """The entry's name for ``data`` (whose digest the caller may have taken already)."""
    from ..cache import digest

    return f"{CHECKED}-{data_digest or digest(data)}.bin"


def checked_before(data: bytes) -> bool:
    """Whether these very bytes passed the XML checks before (an entry of the cache folder, or of the bundle
    shipped with the built-in templates): then their parts are not parsed again (issue 20)."""
    from ..cache import cache_dir, read_entry, shipped

    name = checked_entry_name(data)
    folder = cache_dir()
    return shipped(name) == b"1" or (folder is not None and read_entry(folder / name) == b"1")


def builtin(data: bytes, data_digest: str | None = None) -> bool:
    """Whether ``data`` is one of the built-in templates, byte for byte (its entry is in the shipped bundle)."""
    from ..cache import shipped

    return shipped(checked_entry_name(data, data_digest)) == b"1"


def mark_checked(data: bytes) -> None:
    from ..cache import cache_dir, write_entry

    folder = cache_dir()
    if folder is not None:
        write_entry(folder / checked_entry_name(data), b"1")
