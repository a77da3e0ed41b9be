"""A portfolio's memory grows as little as it can with its size (issue 20: report's memory at most 1.5×
from 1 000 to 10 000 profiles, measured by benchmarks/all.py). Guarded here by what is kept, not by timing
or by measuring memory: nothing per profile is left in the YAML reader, repeated figures are one object, the
workbook's rows are written out as they come."""

from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

from clausegen.profile.load import _yaml, load_profile
from clausegen.report import load_portfolio, report_bytes

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))


def test_the_yaml_reader_keeps_nothing_of_the_profiles_it_read():
    for _ in range(3):
        for path in PROFILES:
            load_profile(path)
    assert len(_yaml().doc_infos) <= 1


def test_entries_share_repeated_figures_and_texts(tmp_path):
    for i in range(3):
        shutil.copytree(ROOT / "profiles", tmp_path / f"copie-{i}")
    entries = load_portfolio([tmp_path]).results
    assert len(entries) == 3 * len(PROFILES)
    assert len({id(e.parcours_heures) for e in entries}) == len({e.parcours_heures.as_tuple() for e in entries})
    assert len({id(e.acheteur) for e in entries}) == len({e.acheteur for e in entries})
    assert all(not hasattr(e, "__dict__") for e in entries)  # slots
    # the entry's source is the portfolio's own string for the file, not a copy
    portfolio = load_portfolio([tmp_path])
    assert all(any(e.source is f for f in portfolio.files) for e in portfolio.results)


def test_the_workbook_writes_its_rows_out_as_they_come():
    data = report_bytes(load_portfolio(PROFILES), "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        sheets = [archive.read(n).decode("utf-8") for n in names if n.startswith("xl/worksheets/sheet")]
    # XlsxWriter's constant-memory mode writes texts inline, row after row: no table of shared strings is kept
    assert "xl/sharedStrings.xml" not in names
    assert all('t="inlineStr"' in sheet for sheet in sheets)
    assert report_bytes(load_portfolio(PROFILES), "xlsx") == data  # still the same bytes for the same inputs


def test_market_rows_are_made_when_read():
    from clausegen.report.indicators import MarketRows, _market_row

    portfolio = load_portfolio(PROFILES)
    markets = portfolio.indicators().markets
    assert isinstance(markets, MarketRows) and not hasattr(markets, "__dict__")
    entries = sorted(portfolio.results, key=lambda e: (e.reference, e.source))
    assert tuple(markets) == tuple(_market_row(e) for e in entries) == markets[:]
    assert len(markets) == len(entries) and markets[0] == _market_row(entries[0])
    assert markets == portfolio.indicators().markets and hash(markets) == hash(portfolio.indicators().markets)
