"""``records.record`` answers as ``dataclass(frozen=True)`` does: equality, hashing, representation,
immutability, ``dataclasses`` functions and pickling, for the records of the profile and of the plan."""

from __future__ import annotations

import dataclasses
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clausegen.plan.build import build_plan
from clausegen.profile.load import load_profile
from clausegen.records import record

ROOT = Path(__file__).resolve().parents[1]


@record
class Ours:
    a: object
    b: object = 0
    hidden: object = dataclasses.field(default=None, compare=False, repr=False)


@dataclasses.dataclass(frozen=True)
class Theirs:
    a: object
    b: object = 0
    hidden: object = dataclasses.field(default=None, compare=False, repr=False)


VALUES = st.one_of(st.integers(), st.text(max_size=5), st.decimals(allow_nan=True).filter(lambda d: not d.is_snan()), st.tuples(st.integers()), st.none())


@given(VALUES, VALUES, VALUES, VALUES, VALUES)
def test_the_same_answers_as_a_frozen_dataclass(a, b, c, d, hidden):
    ours, theirs = (Ours(a, b, hidden), Ours(c, d)), (Theirs(a, b, hidden), Theirs(c, d))
    assert (ours[0] == ours[1]) == (theirs[0] == theirs[1])
    assert (ours[0] == ours[0]) == (theirs[0] == theirs[0])  # a NaN field: equal to itself, as in a tuple
    assert repr(ours[0]).replace("Ours", "Theirs") == repr(theirs[0])
    if ours[0] == ours[1]:
        assert hash(ours[0]) == hash(ours[1])
    assert hash(ours[0]) == hash(theirs[0])


def test_frozen_and_a_dataclass_still():
    one = Ours(1, 2, hidden="x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        one.a = 3
    assert [f.name for f in dataclasses.fields(one)] == ["a", "b", "hidden"]
    assert dataclasses.replace(one, b=5) == Ours(1, 5)
    assert (one == Theirs(1, 2)) is False and one.__eq__(Theirs(1, 2)) is NotImplemented
    assert Ours.__match_args__ == ("a", "b", "hidden")


@pytest.mark.parametrize("path", sorted((ROOT / "profiles").glob("*.yaml")), ids=lambda p: p.stem)
def test_profiles_and_plans_compare_hash_and_pickle(path):
    profile, again = load_profile(path), load_profile(path)
    assert profile == again and hash(profile.marche) == hash(again.marche)
    assert pickle.loads(pickle.dumps(profile)) == profile
    plan = build_plan(profile)
    assert plan == build_plan(again) and pickle.loads(pickle.dumps(plan)) == plan
    assert repr(profile.lots[0]).startswith("Lot(numero=")
    changed = dataclasses.replace(profile.lots[0], intitule=profile.lots[0].intitule + " bis")
    assert changed != profile.lots[0]
