"""Unit tests of the value parsers used by the profile builder: rates, amounts, dates, SIRET."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from clausegen.profile.lots import MAX_HOURLY_COST
from clausegen.profile.builder import luhn_ok
from clausegen.profile.build import parse_amount, parse_date, parse_rate, parse_siret
from clausegen.profile.values import MAX_AMOUNT, ValueProblem, invalid_xml_char

NBSP = "\u00a0"
NNBSP = "\u202f"


# --------------------------------------------------------------------------------------------------
# parse_rate
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7 %", "0.07"),
        ("7%", "0.07"),
        ("7,5 %", "0.075"),
        ("7.5 %", "0.075"),
        ("7,5%", "0.075"),
        (f"7{NBSP}%", "0.07"),
        (f"7{NNBSP}%", "0.07"),
        ("  40 %  ", "0.4"),
        ("100 %", "1"),
        ("0,5 %", "0.005"),
        ("0.07", "0.07"),
        ("0,07", "0.07"),
        (" 0.4 ", "0.4"),
        (0.07, "0.07"),
        (0.4, "0.4"),
        (0.075, "0.075"),
        (Decimal("0.12"), "0.12"),
        ("1e-2", "0.01"),
    ],
)
def test_parse_rate_accepts_the_usual_spellings(raw, expected):
    rate = parse_rate(raw)
    assert isinstance(rate, Decimal)
    assert rate == Decimal(expected)


def test_parse_rate_keeps_decimal_exactness_of_floats():
    # 0.07 as a float is 0.07000000000000000666…; the parser must give exactly 7/100.
    assert parse_rate(0.07) == Decimal("0.07")
    assert parse_rate(0.1) * 3 == Decimal("0.3")


@pytest.mark.parametrize(
    ("raw", "suggestion"),
    [(7, "« 7 % »"), (7.5, "« 7,5 % »"), (40, "« 40 % »"), (Decimal("12.50"), "« 12,5 % »"), ("7", "« 7 % »"), ("1.5", "« 1,5 % »"), ("7,5", "« 7,5 % »")],
)
def test_parse_rate_bare_number_above_one_suggests_a_percentage(raw, suggestion):
    with pytest.raises(ValueProblem) as info:
        parse_rate(raw)
    problem = info.value
    assert "n'est pas un taux" in problem.message
    assert "fraction entre 0 et 1" in problem.message
    assert problem.suggestion == f"Vouliez-vous dire {suggestion} ?"
    assert "7 %" in problem.expected


@pytest.mark.parametrize("raw", [1, 1.0, "1", Decimal("1")])
def test_parse_rate_bare_one_is_ambiguous(raw):
    # 1 could be « 1 % » or « 100 % »: refused, both spellings suggested.
    with pytest.raises(ValueProblem) as info:
        parse_rate(raw)
    assert "ambigu" in info.value.message
    assert "1 %" in info.value.suggestion and "100 %" in info.value.suggestion


@pytest.mark.parametrize("raw", ["120 %", "100,5 %", "150%"])
def test_parse_rate_above_hundred_percent(raw):
    with pytest.raises(ValueProblem) as info:
        parse_rate(raw)
    assert "dépasse 100 %" in info.value.message
    assert info.value.expected == "un taux entre 0 % et 100 %"


@pytest.mark.parametrize("raw", ["0 %", 0, 0.0, "0", "0,0 %", -0.05, "-0.05", Decimal("-1")])
def test_parse_rate_zero_or_negative_refused(raw):
    with pytest.raises(ValueProblem) as info:
        parse_rate(raw)
    assert "strictement positif" in info.value.message


def test_parse_rate_zero_allowed_on_request():
    assert parse_rate("0 %", allow_zero=True) == 0
    assert parse_rate(0, allow_zero=True) == 0
    with pytest.raises(ValueProblem):
        parse_rate(-0.01, allow_zero=True)


@pytest.mark.parametrize(
    "raw",
    ["sept pour cent", "7 pourcent", "%", "", "  ", "7 %%", "-5 %", "7 % 5", "1/2", "nan", "NaN", "Infinity", "-inf", "sNaN",
     True, False, None, [7], {"taux": 7}, float("nan"), float("inf")],
)
def test_parse_rate_garbage_is_a_value_problem(raw):
    with pytest.raises(ValueProblem) as info:
        parse_rate(raw)
    assert "taux" in info.value.message or "100 %" in info.value.message
    assert info.value.expected


# --------------------------------------------------------------------------------------------------
# parse_amount
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (850000, "850000"),
        (850000.5, "850000.5"),
        (Decimal("850000.50"), "850000.50"),
        ("850000", "850000"),
        ("850 000", "850000"),
        ("850 000 €", "850000"),
        ("850 000 € HT", "850000"),
        ("850 000 €HT", "850000"),
        ("850 000 euros", "850000"),
        ("850 000 EUR", "850000"),
        ("850 000 H.T.", "850000"),
        ("1 250 000,50 €", "1250000.50"),
        (f"1{NNBSP}250{NNBSP}000,50{NBSP}€", "1250000.50"),
        (f"1{NBSP}250{NBSP}000,50 €", "1250000.50"),
        ("1.250.000,50", "1250000.50"),
        ("1.250.000,50 €", "1250000.50"),
        ("1.250.000", "1250000"),  # several dotted groups: thousands (« 850.000 » alone is ambiguous)
        ("850.000,50 €", "850000.50"),  # dotted thousands before cents
        ("1'250'000", "1250000"),
        ("1_250_000", "1250000"),
        ("32,50 €", "32.50"),
        ("32.50", "32.50"),
        ("0,01", "0.01"),
        ("1e6", "1000000"),
    ],
)
def test_parse_amount_accepts_french_writing(raw, expected):
    amount = parse_amount(raw)
    assert isinstance(amount, Decimal)
    assert amount == Decimal(expected)


@pytest.mark.parametrize("raw", [0, 0.0, "0", "0,00 €", -1, -850000, "-850 000 €", Decimal("-0.01")])
def test_parse_amount_zero_or_negative(raw):
    with pytest.raises(ValueProblem) as info:
        parse_amount(raw)
    assert "strictement positif" in info.value.message
    assert info.value.expected == "un montant supérieur à 0 € HT"


def test_parse_amount_upper_bound_is_inclusive():
    assert parse_amount(MAX_AMOUNT) == MAX_AMOUNT
    assert MAX_AMOUNT == Decimal("100000000000")
    with pytest.raises(ValueProblem) as info:
        parse_amount(MAX_AMOUNT + 1)
    problem = info.value
    assert "invraisemblable" in problem.message
    assert f"plus de 100{NBSP}000{NBSP}000{NBSP}000 € HT" in problem.message
    assert problem.suggestion == "Vérifiez le nombre de zéros."


def test_parse_amount_custom_maximum_and_unit():
    assert parse_amount(500, maximum=MAX_HOURLY_COST, unit="€ HT de l'heure") == 500
    with pytest.raises(ValueProblem) as info:
        parse_amount("500,01", maximum=MAX_HOURLY_COST, unit="€ HT de l'heure")
    assert "plus de 500 € HT de l'heure" in info.value.message
    with pytest.raises(ValueProblem) as info:
        parse_amount(0, unit="€ HT par heure")
    assert info.value.expected == "un montant supérieur à 0 € HT par heure"


@pytest.mark.parametrize(
    "raw",
    ["beaucoup", "", "€", "HT", "1,250,000.50", "1 250 000,50,00", "12 k€", "nan", "Infinity", "-inf",
     True, False, None, [850000], {"montant": 1}, float("nan"), float("inf")],
)
def test_parse_amount_garbage_is_a_value_problem(raw):
    with pytest.raises(ValueProblem) as info:
        parse_amount(raw)
    assert "n'est pas un montant" in info.value.message
    assert info.value.expected == "un montant en euros, comme 850000 ou « 1 250 000,50 € »"


def test_parse_amount_float_is_exact_decimal():
    assert parse_amount(0.1) == Decimal("0.1")
    assert parse_amount(1250000.5) == Decimal("1250000.5")


# --------------------------------------------------------------------------------------------------
# parse_date
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2026-12-15", dt.date(2026, 12, 15)),
        (" 2026-12-15 ", dt.date(2026, 12, 15)),
        ("2028-02-29", dt.date(2028, 2, 29)),
        (dt.date(2026, 12, 15), dt.date(2026, 12, 15)),
        (dt.datetime(2026, 12, 15, 9, 30), dt.date(2026, 12, 15)),
    ],
)
def test_parse_date_accepts_iso_dates(raw, expected):
    value = parse_date(raw)
    assert value == expected
    assert type(value) is dt.date


@pytest.mark.parametrize("raw", ["15/12/2026", "2026-02-30", "2027-02-29", "2026-13-01", "demain", "", "15 décembre 2026", None])
def test_parse_date_refuses_other_forms(raw):
    with pytest.raises(ValueProblem) as info:
        parse_date(raw)
    assert "n'est pas une date" in info.value.message
    assert info.value.expected == "une date au format AAAA-MM-JJ, comme 2026-12-15"


# --------------------------------------------------------------------------------------------------
# parse_siret and the Luhn key
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("73282932000074", "73282932000074"),
        ("732 829 320 00074", "73282932000074"),
        (f"732{NBSP}829{NBSP}320{NBSP}00074", "73282932000074"),
        (73282932000074, "73282932000074"),
        ("44306184100047", "44306184100047"),
        # La Poste's establishments: sum of the digits divisible by 5 instead of the Luhn key
        ("35600000000001", "35600000000001"),
    ],
)
def test_parse_siret_accepts_valid_numbers(raw, expected):
    assert parse_siret(raw) == expected


@pytest.mark.parametrize("raw", ["7328293200007", "732829320000745", "7328293200007A", "732.829.320.00074", "", "SIRET", 7328293200007])
def test_parse_siret_refuses_wrong_shapes(raw):
    with pytest.raises(ValueProblem) as info:
        parse_siret(raw)
    assert "n'est pas un SIRET" in info.value.message
    assert "14 chiffres" in info.value.expected


@pytest.mark.parametrize("raw", ["73282932000075", "73282932000073", "73282932000070"])  # « 12345678901234 »: a placeholder, see test_hardening_loader
def test_parse_siret_refuses_wrong_luhn_key(raw):
    with pytest.raises(ValueProblem) as info:
        parse_siret(raw)
    assert "la clé de contrôle du SIRET est fausse" in info.value.message
    assert info.value.suggestion == "Recopiez-le depuis l'avis de situation SIRENE."


def test_parse_siret_la_poste_rule_refuses_bad_sum():
    with pytest.raises(ValueProblem) as info:
        parse_siret("35600000000014")  # 3+5+6+1+4 = 19, not a multiple of 5
    assert "clé de contrôle du SIRET est fausse" in info.value.message


def test_parse_siret_accepts_la_poste_head_office():
    """Regression (fixed): La Poste's head office, SIRET 356 000 000 00048 (a real, active SIRET), keeps the Luhn key
    (it passes Luhn; its digit sum, 26, is not a multiple of 5). python-stdnum and other validators
    special-case it; clausegen applies the « sum divisible by 5 » rule to every 356000000… SIRET and
    rejects it."""
    assert luhn_ok("35600000000048")
    assert parse_siret("35600000000048") == "35600000000048"


@pytest.mark.parametrize(("digits", "ok"), [("73282932000074", True), ("73282932000075", False), ("0", True), ("18", True), ("19", False)])
def test_luhn(digits, ok):
    assert luhn_ok(digits) is ok


# --------------------------------------------------------------------------------------------------
# invalid_xml_char
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "bad"), [("ok", None), ("tab\tnewline\nret\r", None), ("bip\x07", "\x07"), ("nul\x00", "\x00"), ("\x1f", "\x1f"), ("\ufffe", "\ufffe"), ("é€œ\u202f", None)])
def test_invalid_xml_char(text, bad):
    assert invalid_xml_char(text) == bad
