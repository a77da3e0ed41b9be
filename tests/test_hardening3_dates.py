"""Hardening, round 3 (issue 23): dates the registry cannot answer are refused by the loader, and every
computation on dates is total.

* 2019-04-01 to 2019-04-10 passed validation, then ``calc`` and ``render`` crashed: the registry knows
  ``parcours_heures`` only from 2019-04-11. The loader's first date is now read from the registry.
* 9999-12-31 with a titulaire crashed ``report --mutualisation`` (``year 10000 is out of range``), and one such
  profile ended ``report DIR --ignorer-invalides``.
"""

from __future__ import annotations

import ast
import datetime as _dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.errors import ProfileError
from clausegen.law.registry import load_registry
from clausegen.profile.build import DATED_FIGURES, publication_range
from clausegen.profile.load import load_profile
from clausegen.report.mutualisation import compute_mutualisation, mutualisation_as_text, spread_by_year

ROOT = Path(__file__).resolve().parents[1]
PORTFOLIO = ROOT / "tests" / "data" / "portfolio"
RESIDENCES = PORTFOLIO / "residences-2027.yaml"  # two lots of one titulaire


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="clausegen", catch_exceptions=False)


def dated(tmp_path, day: str, months: int | None = None, source: Path = RESIDENCES, name: str = "p.yaml") -> Path:
    text = source.read_text(encoding="utf-8")
    text = re.sub(r"date_publication: \S+", f"date_publication: {day}", text)
    if months is not None:
        text = re.sub(r"duree_mois: \d+", f"duree_mois: {months}", text)
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# -- the first date, from the registry ------------------------------------------------------------------------------------


def test_first_publication_date_is_the_registrys():
    law = load_registry()
    first, last = publication_range(law)
    assert first == _dt.date(2019, 4, 11)
    starts = [law.start_date()] + [min(_dt.date.fromisoformat(str(k)) for k in law.practice_entry(n)["values"]) for n in DATED_FIGURES]
    assert first == max(starts) and last == _dt.date(2099, 12, 31)


@pytest.mark.parametrize("day", ["2019-04-01", "2019-04-05", "2019-04-10"])
def test_days_before_the_registry_answers_are_refused(tmp_path, day):
    path = dated(tmp_path, day)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    (issue,) = caught.value.issues
    assert issue.field == "marche.date_publication" and issue.line == 13
    assert f"« {day} » précède le 2019-04-11" in issue.message and issue.expected == "une date à partir du 2019-04-11"
    for command in (("calc", path), ("render", path, "-o", tmp_path / "out"), ("check", path)):
        result = invoke(*command)
        assert result.exit_code == 2 and "Erreur interne" not in result.stderr, command
    assert not (tmp_path / "out").exists()


def test_first_day_computes_and_renders(tmp_path):
    path = dated(tmp_path, "2019-04-11")
    assert invoke("calc", path).exit_code == 0
    result = invoke("render", path, "-o", tmp_path / "out", "--documents", "ccap,fiche-caracterisation")
    assert result.exit_code == 0, result.stderr


def test_the_bound_follows_the_registry(monkeypatch):
    """Move the start of a figure the calculation needs: the loader's bound moves with it (no second constant)."""
    law = load_registry()
    entry = law.practice_entry("parcours_heures")
    (since, value), = entry["values"].items()
    monkeypatch.setitem(entry, "values", {_dt.date(2020, 1, 1): value})
    publication_range.cache_clear()
    try:
        assert publication_range(law)[0] == _dt.date(2020, 1, 1)
    finally:
        monkeypatch.setitem(entry, "values", {since: value})
        publication_range.cache_clear()


def _dated_calls(path: Path) -> set[str]:
    """Names given to ``law.decimal("x", on)`` / ``law.practice("x", on)`` (a date argument) in a module."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("decimal", "practice"):
            if len(node.args) >= 2 and isinstance(node.args[0], ast.Constant):
                names.add(node.args[0].value)
    return names


def test_every_dated_figure_the_calculation_reads_is_bounded():
    src = ROOT / "src" / "clausegen"
    used = set()
    for module in ("calc.py", "working.py", "render/context.py", "render/wording.py", "report/indicators.py"):
        used |= _dated_calls(src / module)
    assert used and used <= set(DATED_FIGURES), sorted(used - set(DATED_FIGURES))


# -- the last date, and total computations --------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "2100-01-01", "10000-01-01"])
def test_far_dates_are_refused(tmp_path, day):
    path = dated(tmp_path, day)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert caught.value.issues[0].field == "marche.date_publication"


def test_far_notification_dates_are_refused(tmp_path):
    text = RESIDENCES.read_text(encoding="utf-8").replace("    titulaire:\n", "    date_notification: 9999-12-31\n    titulaire:\n", 1)
    path = tmp_path / "n.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    assert [i.field for i in caught.value.issues] == ["lots[1].date_notification"]
    assert "du 2000-01-01 au 2099-12-31" in caught.value.issues[0].expected


def test_latest_day_and_longest_duration_pool_their_hours(tmp_path):
    path = dated(tmp_path, "2099-12-31", months=600)
    result = invoke("report", path, PORTFOLIO / "batiments-etat-2027.yaml", "--mutualisation")
    assert result.exit_code == 0, result.stderr
    assert "novembre 2149" in result.stdout  # 600 months from December 2099


def test_one_bad_date_does_not_end_a_report_of_a_folder(tmp_path):
    folder = tmp_path / "marches"
    folder.mkdir()
    for source in PORTFOLIO.glob("*.yaml"):
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    dated(folder, "9999-12-31", name="zz-lointain.yaml")
    result = invoke("report", folder, "--mutualisation", "--ignorer-invalides", "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 0, result.stderr
    assert "zz-lointain.yaml" in result.stderr and "1 profil invalide ignoré sur 4" in result.stderr
    assert (tmp_path / "r.xlsx").is_file() and "Bâtir Nord SAS" in result.stdout


def test_spreading_over_years_is_total():
    spread = spread_by_year(1200, _dt.date(9999, 12, 1), 600)
    assert sum(h for _, h in spread) == 1200 and spread[0][0] == 9999 and spread[-1][0] == 10049


def test_pooling_of_a_far_profile_built_by_a_program(tmp_path):
    """A library caller may build a profile with any date: the pooling still answers."""
    import dataclasses

    profile = load_profile(RESIDENCES)
    far = dataclasses.replace(profile, marche=dataclasses.replace(profile.marche, date_publication=_dt.date(9999, 12, 31)))
    far = dataclasses.replace(far, today=None) if hasattr(far, "today") else far
    text = mutualisation_as_text(compute_mutualisation([far, load_profile(PORTFOLIO / "batiments-etat-2027.yaml")]))
    assert "décembre 9999" in text and "10001" in text
