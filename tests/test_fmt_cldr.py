"""clausegen writes French figures and dates itself (``clausegen.fmt``): every one must be what Babel's CLDR
formatting for fr_FR gives, the reference the documents were first written with."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from decimal import ROUND_HALF_UP, Decimal

from babel.dates import format_date, get_month_names
from babel.numbers import format_decimal
from hypothesis import given, settings
from hypothesis import strategies as st

from clausegen import fmt

# Babel quantizes to 15 decimals within the 28 digits of the context: its range is below 10^13
DECIMALS = st.decimals(min_value=Decimal("-1e11"), max_value=Decimal("1e11"), allow_nan=False, allow_infinity=False, places=None)


def babel_nombre(value: Decimal, places: int | None) -> str:
    if places is not None:
        value = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        pattern = "#,##0" + ("." + "0" * places if places else "")
    else:
        value = value.normalize() if value == value.to_integral_value() else value
        pattern = "#,##0.###############"
    return format_decimal(value, format=pattern, locale="fr_FR", decimal_quantization=places is not None)


@settings(max_examples=400, deadline=None)
@given(DECIMALS.filter(lambda d: abs(d.as_tuple().exponent) <= 12), st.sampled_from([None, 0, 1, 2, 4]))
def test_numbers_are_babels(value, places):
    assert fmt.nombre(value, places) == babel_nombre(value, places)


def test_hand_worked_numbers():
    assert fmt.nombre(Decimal("1250000")) == "1\u202f250\u202f000"
    assert fmt.nombre(Decimal("743.750")) == "743,75"
    assert fmt.nombre(Decimal("-1234.5"), 2) == "-1\u202f234,50"
    assert fmt.nombre(Decimal("0.005"), 2) == "0,01"  # half up
    assert fmt.nombre(Decimal("999.5"), 0) == "1\u202f000"
    assert fmt.nombre(Decimal("1E+3")) == "1\u202f000"
    assert fmt.montant(Decimal("1250000")) == "1\u202f250\u202f000,00\u00a0€"
    assert fmt.taux(Decimal("0.075")) == "7,5\u00a0%"
    # more digits than Decimal's context holds: shown exactly, where Babel's quantization fails
    assert fmt.nombre(Decimal("12345678901234567890.123456789")) == "12\u202f345\u202f678\u202f901\u202f234\u202f567\u202f890,123456789"


@given(st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_dates_are_babels(day):
    expected = format_date(day, "d MMMM y", locale="fr_FR")
    expected = ("1er" + expected[1:] if day.day == 1 else expected).replace(" ", "\u00a0", 1)
    assert fmt.date_longue(day) == expected


def test_months_are_babels():
    names = get_month_names("wide", locale="fr_FR")
    assert [fmt.mois(2027, m) for m in range(1, 13)] == [f"{names[m]} 2027" for m in range(1, 13)]
    assert fmt.date_longue(dt.date(2026, 12, 1)) == "1er\u00a0décembre 2026"


def test_a_pack_does_not_load_babel():
    code = ("import sys\nfrom clausegen.cli import main\n"
            "sys.argv = ['clausegen', 'render', sys.argv[1], '-o', sys.argv[2], '-q']\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print('babel' in sys.modules)")
    import pathlib
    import tempfile

    root = pathlib.Path(__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([sys.executable, "-c", code, str(root / "profiles" / "travaux-qpv.yaml"), out + "/dce"],
                              capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "False"
