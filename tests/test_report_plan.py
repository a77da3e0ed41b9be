"""The portfolio report reads the clause plan (issue 18): what a lot is (reserved, marché d'insertion) and
which hours bind it come from ``LotPlan``, never decided again from the lot's bases; each profile is planned
once, its hours computed once, and the report keeps only a small ``MarketEntry`` of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clausegen import load_profile
from clausegen.plan import build_plan
from clausegen.report import load_portfolio
from clausegen.report.entries import MarketEntry, market_entry
from clausegen.report.indicators import compute_indicators
from clausegen.report.mutualisation import compute_mutualisation

from test_plan import hour_computations  # noqa: F401 - the fixture counting compute_hours wherever it is bound
from test_prepare_once import _count_calls

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = sorted((ROOT / "profiles").glob("*.yaml"))
EDGES = sorted((ROOT / "tests" / "data" / "plan").glob("*.yaml"))


@pytest.fixture
def plans_built(monkeypatch):
    import clausegen.plan  # noqa: F401

    return _count_calls(monkeypatch, "clausegen.plan", "build_plan")


def test_un_plan_et_un_calcul_par_profil(tmp_path, plans_built, hour_computations):  # noqa: F811
    folder = tmp_path / "profils"
    folder.mkdir()
    for path in EXAMPLES + EDGES:
        shutil.copy(path, folder / path.name)
    portfolio = load_portfolio([folder])
    assert len(portfolio.results) == len(EXAMPLES + EDGES)
    assert all(isinstance(entry, MarketEntry) for entry in portfolio.results)
    assert len(plans_built) == len(EXAMPLES + EDGES)
    assert len(hour_computations) == len(EXAMPLES + EDGES)
    portfolio.indicators()
    portfolio.mutualisation()
    assert len(plans_built) == len(EXAMPLES + EDGES)  # the indicators and the pooling plan nothing again
    assert len(hour_computations) == len(EXAMPLES + EDGES)


@pytest.mark.parametrize("path", EXAMPLES + EDGES, ids=[p.stem for p in EXAMPLES + EDGES])
def test_les_indicateurs_disent_ce_que_dit_le_plan(path):
    plan = build_plan(load_profile(path))
    row = compute_indicators([plan]).markets[0]
    assert row.lots == len(plan.lots)
    assert row.lots_reserves == sum(lp.reserved for lp in plan.lots)
    assert row.lots_insertion == sum(lp.insertion for lp in plan.lots)
    assert row.lots_heures == sum(lp.terms.binds for lp in plan.lots)
    assert row.heures == plan.hours.total_heures


def test_lot_reserve_avec_heures_compte_comme_reserve_et_avec_heures():
    plan = build_plan(load_profile(ROOT / "tests" / "data" / "plan" / "reserve-heures.yaml"))
    [lot] = [lp for lp in plan.lots if lp.regime == "reserve_condition"]
    entry = market_entry(plan)
    [mine] = [e for e in entry.lots if e.numero == lot.numero]
    assert mine.reserved and mine.heures == lot.terms.total and mine.heures > 0
    summary = compute_indicators([entry]).summary
    assert summary.lots_reserves >= 1 and summary.heures == plan.hours.total_heures


def test_un_lot_sans_heures_qui_lient_nest_pas_mutualise(monkeypatch):
    """A lot whose hours do not bind its holder (a criterion alone: the holder's offer sets them) is left out
    of the pooling, whatever the calculator estimated: the plan says which hours bind."""
    from dataclasses import replace

    from clausegen.model import Holder

    profile = load_profile(ROOT / "profiles" / "travaux-qpv.yaml")
    plan = build_plan(profile)
    holder = Holder("Entreprise Une", "73282932000074")
    lots = tuple(replace(lp, lot=replace(lp.lot, titulaire=holder)) for lp in plan.lots)
    bound = replace(plan, lots=lots)
    unbound = replace(plan, lots=tuple(replace(lp, terms=replace(lp.terms, binds=False, total=None)) for lp in lots))
    assert compute_mutualisation([bound, bound]).lots_attribues == 2 * sum(bool(lp.terms.total) for lp in lots)
    assert compute_mutualisation([unbound]).lots_attribues == 0


def test_a_large_portfolio_read_by_workers_gives_the_same_report(tmp_path):
    folder = tmp_path / "profils"
    folder.mkdir()
    for n in range(60):
        source = (EXAMPLES + EDGES)[n % len(EXAMPLES + EDGES)]
        (folder / f"{n:02d}-{source.name}").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "casse.yaml").write_text("version: 1\nacheteur:\n  nom: Ville\n", encoding="utf-8")
    alone = load_portfolio([folder], skip_invalid=True, jobs=1)
    pooled = load_portfolio([folder], skip_invalid=True, jobs=2)
    assert pooled.results == alone.results and len(pooled.results) == 60
    assert pooled.invalid_files == alone.invalid_files == [str(folder / "casse.yaml")]
    assert [i.message for i in pooled.invalid] == [i.message for i in alone.invalid]
    assert pooled.indicators() == alone.indicators()
