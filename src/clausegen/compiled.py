"""The methods ``dataclasses`` writes for clausegen's classes, compiled once, at build time (issue 20).

``dataclasses`` writes the ``__init__`` of each class (and, for a frozen one, its ``__setattr__`` and
``__delattr__``) as source text and compiles that text when the class is defined: some 200 compilations,
about 45 ms of every command. The bundle shipped with the built-in templates holds the compiled code of
each text clausegen's classes give, for one bytecode format (``entry_name``, written by
``templates/build.py``); ``install``, run by ``clausegen/__init__`` before any class is defined, lets
``dataclasses`` execute that code instead of compiling the same text again.

The methods are the same either way: the code is that of the very same text, compiled as ``exec`` compiles
it (no inherited ``__future__`` flag). A text the table lacks — a class changed since the bundle was
built, another Python, another library's class — is compiled as before. ``tests/test_render_imports.py``
checks that a render compiles none.

May import: ``cache``.
"""

import builtins
import dataclasses
import marshal
from importlib.util import MAGIC_NUMBER

_KIND = "dataclass-code-1"
_table: dict | None = None
_seen: dict = {}  # every text executed through ``_exec`` in this process, with its code (for the build)
compilations = 0  # texts this process had to compile (counted by the tests)


def entry_name() -> str:
    """The bundle's entry for this bytecode format (every 3.11.x shares one)."""
    return f"{_KIND}-{MAGIC_NUMBER.hex()}.bin"


def _load() -> dict:
    global _table
    _table = {}
    from .cache import shipped

    data = shipped(entry_name())
    if data is None:
        return _table
    try:
        table = marshal.loads(data)
    except (ValueError, EOFError, TypeError):
        return _table
    if isinstance(table, dict):
        code_type = type(_load.__code__)
        _table = {k: v for k, v in table.items() if isinstance(k, str) and isinstance(v, code_type)}
    return _table


def _exec(source, globals=None, locals=None, /, **kwargs):
    """``exec``, with the compiled code of a known text instead of compiling it again."""
    global compilations
    if not isinstance(source, str) or kwargs:
        return builtins.exec(source, globals, locals, **kwargs)
    table = _table if _table is not None else _load()
    code = table.get(source)
    if code is None:
        code = compile(source, "<string>", "exec", dont_inherit=True)
        compilations += 1
    _seen[source] = code
    return builtins.exec(code, globals, locals)


def install() -> None:
    """``dataclasses`` executes through ``_exec`` from now on (once per process)."""
    if getattr(dataclasses, "exec", None) is not _exec:
        dataclasses.exec = _exec


def table_entry() -> bytes:
    """The table of every text this process executed through ``_exec``, for the bundle (in a stable order)."""
    return marshal.dumps({k: _seen[k] for k in sorted(_seen)})
