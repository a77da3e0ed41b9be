"""The web server's two lanes (issue 22): a heavy request (a pack, a review) runs in a worker process of its
own, so calc and check never wait behind it; the heavy lane's line is bounded (503 with Retry-After)."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import pytest

from clausegen.web import lanes, security


def blocked_until(path: str) -> int:
    """Heavy work that lasts until ``path`` exists (at most a minute); returns the process that did it."""
    deadline = time.monotonic() + 60
    while not os.path.exists(path) and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.getpid()


def test_light_work_never_waits_behind_heavy_work(tmp_path):
    signal = tmp_path / "fin"
    lane = lanes.HeavyLane(workers=1, waiting=1)

    async def scenario():
        pack = asyncio.ensure_future(lane.run(blocked_until, str(signal)))
        await asyncio.sleep(0.05)
        answers = [await lanes.light(lambda n=n: n * 2) for n in range(20)]  # while the pack is still running
        assert not pack.done()
        Path(signal).write_text("", encoding="utf-8")
        return answers, await pack

    try:
        answers, worker = asyncio.run(scenario())
    finally:
        lane.close(wait=True)
    assert answers == [n * 2 for n in range(20)]
    assert worker != os.getpid()  # the heavy work ran in the lane's own process
    assert lane.started == 1


def test_the_heavy_lane_refuses_beyond_its_line_with_retry_after():
    lane = lanes.HeavyLane(workers=1, waiting=1)
    lane.admit()
    lane.admit()
    with pytest.raises(security.Refusal) as refused:
        lane.admit()
    assert refused.value.status_code == 503 and refused.value.headers["retry-after"] == str(lanes.HEAVY_RETRY_AFTER)
    assert "réessayez dans une minute" in refused.value.detail
    lane.leave()
    lane.admit()


def test_errors_of_the_heavy_lane_come_back_whole():
    """A profile refused in the worker process is the same ``ProfileError`` (its issues), a pack past the
    budget the same French 413."""
    from clausegen.errors import ProfileError
    from clausegen.web import limits, work

    from conftest import BASE

    lane = lanes.HeavyLane()
    try:
        with pytest.raises(ProfileError) as refused:
            asyncio.run(lane.run(work.pack, BASE.replace("nature: travaux", "nature: service"), "marche.yaml"))
        assert "« service » n'est pas une valeur admise" in str(refused.value) and refused.value.issues[0].field == "marche.nature"
        many = BASE + "".join(f"  - numero: {n}\n    intitule: Lot {n}\n    base_legale: [reserve_siae]\n    montant_ht: 1000\n"
                              for n in range(2, limits.PACK_LOTS + 2))
        with pytest.raises(security.Refusal) as budget:
            asyncio.run(lane.run(work.pack, many, "marche.yaml"))
        assert budget.value.status_code == 413 and "clausegen render PROFIL" in budget.value.detail
    finally:
        lane.close(wait=True)
