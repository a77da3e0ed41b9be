"""sous-criteres-total: les points des sous-critères d'un lot font 100."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "sous-criteres-total"


def with_points(*points) -> str:
    subs = "".join(f"        - libelle: Sous-critère {i + 1}\n          points: {p}\n" for i, p in enumerate(points))
    return variant(
        BASE,
        ("base_legale: condition_execution", "base_legale: [art38, art52]"),
        ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n      sous_criteres:\n" + subs),
    )


def test_110_points_avertissement():
    f = only(findings(with_points(40, 40, 30), RULE))
    # line 34 « sous_criteres: », the list starts line 35 column 9
    assert_finding(f, rule=RULE, severity="avertissement", line=35, column=9, phrase="totalisent 110 points au lieu de 100")
    assert "L.\u00a03 " in f.reference


@pytest.mark.parametrize("points", [(40, 40), (99,), (50, 51)])
def test_autre_total_avertissement(points):
    f = only(findings(with_points(*points), RULE))
    assert f"totalisent {sum(points)} points" in f.message


@pytest.mark.parametrize("points", [(100,), (40, 40, 20), (15, 15, 20, 20, 20, 10)])
def test_100_points_rien(points):
    assert findings(with_points(*points), RULE) == []


def test_sans_sous_criteres_rien():
    text = variant(
        BASE,
        ("base_legale: condition_execution", "base_legale: [art38, art52]"),
        ("    part_main_oeuvre: 40 %\n", "    part_main_oeuvre: 40 %\n    critere:\n      ponderation: 10 %\n"),
    )
    assert findings(text, RULE) == []
