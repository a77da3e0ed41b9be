"""What the commands read besides files: a profile on the standard input (``clausegen calc -``,
``clausegen check -``), named « <entrée standard> » in every message (``<entrée standard>:12:19: …``)."""

from __future__ import annotations

import sys

STDIN = "-"
STDIN_NAME = "<entrée standard>"


def read_stdin() -> bytes:
    """The bytes of the standard input, at most one byte more than a profile may hold (the loader then
    refuses the size, naming « <entrée standard> »)."""
    from ..profile.load import MAX_BYTES

    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:  # a text stream (tests, embedded interpreters)
        return (sys.stdin.read(MAX_BYTES + 1) if sys.stdin is not None else "").encode("utf-8")
    if _is_tty(sys.stdin):
        print("Lecture du profil sur l'entrée standard (Ctrl+D pour terminer, Ctrl+Z puis Entrée sous Windows)…", file=sys.stderr)
    return stream.read(MAX_BYTES + 1)


def _is_tty(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def load_profile_arg(path: str):
    """The profile named on the command line: a file, or « - » for the standard input."""
    if path == STDIN:
        from ..profile.text import load_profile_text

        return load_profile_text(read_stdin(), STDIN_NAME)
    from ..profile.load import load_profile

    return load_profile(path)
