"""Hardening, round 3 (issue 23): ``check --documents`` on hostile documents.

A document holding a 5 000- or 400-digit number of hours said « erreur inattendue » and counted a correct
profile as invalid; a 28 KB ccap.docx holding ``"123 " * 40000`` took 46 s (a quadratic regular expression).
Now: linear (work counted, never timed), bounded (figures of more than 12 digits are a finding, not a
number), and French.
"""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from clausegen.cli import cli
from clausegen.review.rules import documents as rule

ROOT = Path(__file__).resolve().parents[1]
QPV = ROOT / "profiles" / "travaux-qpv.yaml"
OLD = re.compile(r"(?<![\d,])(\d{1,3}(?:[\u202f\u00a0 ]\d{3})*|\d+)[\u00a0 ]heures?\b")  # the former expression


def old_figures(text: str) -> set[int]:
    return {int(re.sub(r"\D", "", m)) for m in OLD.findall(text)}


PIECES = ["0", "1", "12", "123", "1234", "٣", " ", "\u00a0", "\u202f", ",", "x", "-", " heures", " heure", "\u00a0heures", "heuresx", "\n"]


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16))
def test_figures_are_those_the_former_expression_read(pieces):
    text = "".join(pieces)
    expected = old_figures(text)
    if all(len(str(f)) <= rule.MAX_DIGITS for f in expected):
        assert rule.hours_figures(text) == expected
    else:
        assert rule.oversized_figures(text) >= 1


class Counting(str):
    """A text that counts how many characters the rule reads (indexing and slicing)."""

    reads = 0

    def __getitem__(self, key):
        Counting.reads += 1 if isinstance(key, int) else max(0, len(range(*key.indices(len(self)))))
        return str.__getitem__(self, key)


def reads(text: str) -> int:
    Counting.reads = 0
    rule.hours_figures(Counting(text))
    rule.oversized_figures(Counting(text))
    return Counting.reads


def test_work_is_linear_on_groups_of_digits():
    for unit in ("123 ", "1 ", "1234 ", "12\u00a0", "9"):
        small, large = reads(unit * 2000 + " heures"), reads(unit * 8000 + " heures")
        assert large <= 4.5 * small, unit
        assert large <= 6 * len(unit * 8000), unit


def test_many_figures_cost_linear_work():
    text = "744 heures, " * 20_000
    assert reads(text) <= 4 * len(text)
    assert rule.hours_figures(text) == {744}


def test_huge_figures_are_bounded():
    assert rule.hours_figures("1" * 5000 + " heures") == set()
    assert rule.oversized_figures("1" * 5000 + " heures et " + "9" * 400 + " heures") == 2
    assert rule.hours_figures("1 234 567 890 123 heures") == set()  # 13 digits
    assert rule.hours_figures("123 456 789 012 heures") == {123_456_789_012}


def _tampered_pack(tmp_path: Path, *paragraphs: str) -> Path:
    out = tmp_path / "dce"
    assert CliRunner().invoke(cli, ["render", str(QPV), "-o", str(out)]).exit_code == 0
    document = Document(str(out / "ccap.docx"))
    for text in paragraphs:
        document.add_paragraph(text)
    document.save(str(out / "ccap.docx"))
    return out


def test_check_documents_with_huge_numbers_is_a_french_finding(tmp_path):
    out = _tampered_pack(tmp_path, "Le titulaire réalise " + "7" * 5000 + " heures.", "Soit " + "4" * 400 + " heures au total.")
    result = CliRunner().invoke(cli, ["check", str(QPV), "--documents", str(out)])
    assert result.exit_code == 1, result.stderr  # a finding, not an invalid profile (2) nor a crash (3)
    assert "erreur inattendue" not in result.stdout + result.stderr and "invalide" not in result.stdout
    assert "ccap.docx mentionne 2 volume(s) d'heures de plus de 12 chiffres" in result.stdout
    assert "[documents-divergents]" in result.stdout


def test_check_documents_on_a_long_run_of_groups(tmp_path):
    out = _tampered_pack(tmp_path, "123 " * 40000, "123 " * 40000 + "heures")
    before = reads("123 " * 40000 + "heures")
    assert before <= 6 * len("123 " * 40000)  # both functions, each reading every character about twice
    result = CliRunner().invoke(cli, ["check", str(QPV), "--documents", str(out), "--format", "json"])
    assert result.exit_code == 1
    assert "erreur inattendue" not in result.stdout
