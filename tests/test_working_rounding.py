"""The working shown agrees with its rounding: the figure printed before « arrondi » rounds, by the rule
stated, to the hours retained (« 721,50 … arrondi … 721 heures » was shown before)."""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from conftest import BASE, write_profile
from hypothesis import given, settings
from hypothesis import strategies as st

from clausegen import compute_hours, fmt, load_profile
from clausegen.calc import formula

MODES = {"au_plus_proche": ROUND_HALF_UP, "inferieur": ROUND_FLOOR, "superieur": ROUND_CEILING}


def _shown_value(text: str) -> Decimal:
    return Decimal(text.rstrip("…").replace("\u202f", "").replace(",", "."))


def test_850334_at_33_euros_shows_721_4955_and_rounds_to_721(tmp_path):
    text = BASE.replace("850000", "850334").replace("cout_horaire: 32", "cout_horaire: 33")
    result = compute_hours(load_profile(write_profile(tmp_path, text)))
    lot = result.lots[0]
    assert lot.heures == 721
    assert "= 721,4955…, arrondi à l'heure la plus proche" in lot.raison
    assert "721,50" not in lot.raison


def test_exact_values_are_shown_whole():
    assert fmt.exact(Decimal("743.75")) == "743,75"
    assert fmt.exact(Decimal("750")) == "750"
    assert fmt.exact(Decimal("186.666666")) == "186,6666…"
    assert fmt.exact(Decimal("721.49999999")) == "721,4999…"


@settings(max_examples=300, deadline=None)
@given(
    amount=st.integers(1_000, 10_000_000_000),
    part=st.integers(1, 100),
    cost=st.integers(1_000, 50_000),
    rate=st.integers(1, 100),
    mode=st.sampled_from(sorted(MODES)),
    step=st.sampled_from([1, 5, 10]),
)
def test_the_shown_figure_rounds_like_the_exact_one(amount, part, cost, rate, mode, step):
    raw = formula(Decimal(amount), Decimal(part) / 100, Decimal(cost) / 100, Decimal(rate) / 100)
    shown = _shown_value(fmt.exact(raw))
    quantum = Decimal(step)

    def rounded(value: Decimal) -> Decimal:
        return (value / quantum).quantize(Decimal(1), rounding=MODES[mode]) * quantum

    if mode == "superieur" and shown != raw:
        # « 721,0000… » announces more digits: rounding up a truncated figure is read with its « … »
        assert rounded(raw) in (rounded(shown), rounded(shown) + quantum)
    else:
        assert rounded(shown) == rounded(raw)
