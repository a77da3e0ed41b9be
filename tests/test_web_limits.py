"""What one request may ask of the web server (``clausegen.web.limits``): a pack is bounded in lots, a review
in lots and time with each profile it cannot take reported alone, a library error is a French 422 (never a
500), LibreOffice conversions wait in a bounded lane (503 with Retry-After beyond it)."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from clausegen.web import create_app, limits, security, work

from conftest import BASE

YAML = {"content-type": "application/yaml"}


def many_lots(count: int) -> bytes:
    head = BASE[: BASE.index("lots:")]
    lots = "".join(
        f"  - numero: {n}\n    intitule: Lot {n}\n    base_legale: condition_execution\n    montant_ht: 100000\n    part_main_oeuvre: 40 %\n"
        for n in range(1, count + 1)
    )
    return (head + "lots:\n" + lots).encode("utf-8")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def test_pack_beyond_the_lot_budget_is_a_french_413(client):
    response = client.post("/api/pack", content=many_lots(limits.PACK_LOTS + 1), headers=YAML)
    assert response.status_code == 413
    text = response.text
    assert f"Ce marché compte {limits.PACK_LOTS + 1} lots" in text and "clausegen render PROFIL" in text


def test_library_value_error_is_422_not_500(client, monkeypatch):
    def boom(*args, **kwargs):
        raise OverflowError("date value out of range")

    monkeypatch.setattr(work, "calc_json", boom)
    response = client.post("/api/calc", content=BASE.encode(), headers=YAML)
    assert response.status_code == 422
    assert "dépasse ce que clausegen sait calculer" in response.text


def test_review_reports_a_bad_profile_alone(monkeypatch):
    real = work.evaluate

    def evaluate(data, name):
        if name == "lointain.yaml":
            raise OverflowError("date value out of range")
        return real(data, name)

    monkeypatch.setattr(work, "evaluate", evaluate)
    out = work.review_many([("bon.yaml", BASE.encode()), ("lointain.yaml", BASE.encode()), ("autre.yaml", BASE.encode())])
    assert [r.name for r in out] == ["bon.yaml", "lointain.yaml", "autre.yaml"]
    assert out[0].outcome.hours is not None and out[2].outcome.hours is not None
    assert out[1].outcome.hours is None
    assert limits.VALUE_MESSAGE in out[1].outcome.issues[0].message


def test_review_budget_in_lots_and_time():
    budget = limits.ReviewBudget(lots=3)
    assert budget.over(2) is None
    assert "dépasserait 3 lots en tout" in budget.over(2)
    assert budget.over(1) is None  # what is left still fits
    now = [0.0]
    timed = limits.ReviewBudget(seconds=10, clock=lambda: now[0])
    assert timed.over(1) is None
    now[0] = 11.0
    assert "la revue a déjà pris 10 secondes" in timed.over(1)
    out = work.review_many([("a.yaml", BASE.encode()), ("b.yaml", BASE.encode())], budget=limits.ReviewBudget(lots=1))
    assert out[0].outcome.hours is not None
    assert "Profil non relu" in out[1].outcome.issues[0].message


def test_pdf_lane_admits_a_bounded_line_then_refuses_with_retry_after():
    lane = limits.PdfLane(at_once=1, waiting=1)
    lane.admit()
    lane.admit()
    with pytest.raises(security.Refusal) as info:
        lane.admit()
    assert info.value.status_code == 503
    assert info.value.headers["retry-after"] == str(limits.PDF_RETRY_AFTER)
    lane.leave()
    lane.admit()  # a place freed is taken again
    assert lane.run(lambda x: x * 2, 21) == 42


@pytest.mark.parametrize("extra,expected", [
    ({"marche.objet": "x" * (1100 * 1024)}, "Un champ ou un fichier du formulaire dépasse 1 Mio"),
])
def test_a_field_past_its_limit_is_a_french_413(client, extra, expected):
    import re

    html = client.get("/profil").text
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    response = client.post("/profil", data={"csrf": csrf, "action": "calculer", **extra})
    assert response.status_code == 413 and expected in response.text


def test_too_many_fields_is_a_french_413():
    status, text = limits.form_refusal("Too many fields. Maximum number of fields is 20000.", 400)
    assert status == 413 and "plus de 20000 champs" in text
    assert limits.form_refusal("Invalid multipart data.", 400) == (400, None)
