"""Frozen records: ``dataclass(frozen=True)`` classes made faster to define.

A frozen dataclass has six methods written as source text and compiled when its class is defined
(``__init__``, ``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__``, ``__delattr__``): with the 35
classes of the profile and of the clause plan, about 40 ms of every command's start. ``record`` lets
``dataclass`` write the first and the last two, and gives the class shared ``__eq__``, ``__hash__`` and
``__repr__`` that read the fields' names from the class: the same answers as the dataclass ones (fields
with ``compare=False`` or ``repr=False`` left out alike, ``NotImplemented`` for another class), a third of
the cost. The class stays a dataclass: ``dataclasses.fields``, ``replace`` and pickling work as before
(``tests/test_records.py``).

May import: nothing of clausegen.
"""

from __future__ import annotations

import reprlib
from dataclasses import dataclass, fields
from operator import attrgetter

__all__ = ["record"]


def _getter(names: tuple[str, ...]):
    """The tuple of the fields ``names`` of an instance (as the dataclass methods compare and hash it)."""
    if len(names) >= 2:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _eq(self, other):
    if other.__class__ is self.__class__:
        compared = self.__record_compare__
        return compared(self) == compared(other)
    return NotImplemented


def _hash(self) -> int:
    return hash(self.__record_hash__(self))


@reprlib.recursive_repr()
def _repr(self) -> str:
    shown = ", ".join(f"{n}={getattr(self, n)!r}" for n in self.__record_repr__)
    return f"{self.__class__.__qualname__}({shown})"


def record(cls):
    """``@dataclass(frozen=True)``, faster to define (see the module's docstring)."""
    own = set(cls.__dict__)
    cls = dataclass(frozen=True, eq=False, repr=False)(cls)
    every = fields(cls)
    cls.__record_compare__ = staticmethod(_getter(tuple(f.name for f in every if f.compare)))
    cls.__record_hash__ = staticmethod(_getter(tuple(f.name for f in every if (f.compare if f.hash is None else f.hash))))
    cls.__record_repr__ = tuple(f.name for f in every if f.repr)
    if "__eq__" not in own:
        cls.__eq__ = _eq
        if "__hash__" not in own:
            cls.__hash__ = _hash
    if "__repr__" not in own:
        cls.__repr__ = _repr
    return cls
