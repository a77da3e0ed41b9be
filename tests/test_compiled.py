"""``clausegen.compiled``: the methods dataclasses writes, executed from compiled code, are the same methods."""

from __future__ import annotations

import dataclasses
import marshal

from clausegen import compiled


def _define():
    @dataclasses.dataclass(frozen=True)
    class Lot:
        numero: int
        libelle: str = "sans titre"
        heures: list = dataclasses.field(default_factory=list)

    return Lot


def test_install_is_done_by_the_package_and_idempotent():
    assert dataclasses.exec is compiled._exec
    compiled.install()
    assert dataclasses.exec is compiled._exec


def test_a_known_text_is_not_compiled_again_and_gives_the_same_methods(monkeypatch):
    before = compiled.compilations
    first = _define()
    compiled_now = compiled.compilations - before
    assert compiled_now >= 3  # __init__, __setattr__, __delattr__: texts no table holds
    texts = list(compiled._seen)
    table = marshal.loads(compiled.table_entry())  # what the build ships, read back
    monkeypatch.setattr(compiled, "_table", table)
    before = compiled.compilations
    second = _define()
    assert compiled.compilations == before  # every text came from the table
    assert texts
    for cls in (first, second):
        lot = cls(3, heures=[1])
        assert (lot.numero, lot.libelle, lot.heures) == (3, "sans titre", [1])
        assert cls(1).heures is not cls(1).heures  # the default factory, called each time
        try:
            lot.numero = 4
        except dataclasses.FrozenInstanceError:
            pass
        else:
            raise AssertionError("frozen")
    # the signature's annotations are the types, as with dataclasses' own compilation (no inherited
    # « from __future__ import annotations »)
    assert first.__init__.__annotations__ == second.__init__.__annotations__
    assert second.__init__.__annotations__["return"] is None


def test_a_damaged_table_is_ignored(monkeypatch):
    monkeypatch.setattr(compiled, "_table", None)
    monkeypatch.setattr("clausegen.cache.shipped", lambda name: b"pas du marshal")
    assert compiled._load() == {}
    assert _define()(1).numero == 1


def test_every_dataclass_of_clausegen_has_its_own_docstring():
    """A dataclass without a docstring gets one from ``inspect.signature`` when it is defined: about 70 µs
    per class at every start (issue 20), and a poorer ``help()`` than one sentence saying what it is for."""
    import importlib
    import inspect
    import pkgutil

    import clausegen

    undocumented = []
    for info in pkgutil.walk_packages(clausegen.__path__, "clausegen."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if inspect.isclass(value) and dataclasses.is_dataclass(value) and value.__module__ == info.name \
                    and (value.__doc__ or "").startswith(value.__name__ + "("):
                undocumented.append(f"{info.name}.{value.__name__}")
    assert undocumented == []
