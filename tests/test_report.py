"""``clausegen report``: portfolio indicators, the xlsx and html reports, mutualisation, the command.

Expected figures are worked by hand from the example profiles (``clausegen calc`` gives the hours of each
lot; every sum below is written out) and from ``tests/data/portfolio/`` (three markets, two companies
holding several lots: the arithmetic is in the comments of those files and here).
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import BASE, write_profile

from clausegen.cli import cli as main_cli
from clausegen.cli.report import report
from clausegen.report import build_report, format_for, load_portfolio, report_bytes
from clausegen.report.html import bar_chart, page
from clausegen.report.indicators import SIZE_BANDS, size_band
from clausegen.report.mutualisation import add_months, mutualisation_as_text, spread_by_year

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "profiles"
# The five examples whose figures are worked out below (later examples are left out of these sums).
FIVE = [PROFILES / f"{n}.yaml" for n in ("fournitures-lot-reserve", "marche-insertion", "nettoyage-accord-cadre", "services-sans-facilitateur", "travaux-qpv")]
PORTFOLIO = Path(__file__).resolve().parent / "data" / "portfolio"
SIRET_A, SIRET_B, SIRET_C = "73282932000074", "55210055400013", "44201123400014"

# Hours per market of profiles/ (clausegen calc):
#   DREETS-OCC-2027-F-004  état, fournitures        lot 1: 196 ; lot 2 réservé EA/ESAT: —           = 196
#   VDB-2027-MI-02         collectivité, services   lot 1 marché d'insertion: — ; lot 2 imposé: 1200 = 1 200
#   CD21-2027-015          collectivité, services   lots 1 and 2 (accords-cadres): 533 + 560         = 1 093
#   2027014                santé, services          lot 1: 2268                                      = 2 268
#   PREF80-2027-TX-003     état, travaux            744 + 459 + 74 + 475 ; lot 5 réservé SIAE: —     = 1 752
EXAMPLE_TOTAL = 196 + 1200 + 1093 + 2268 + 1752  # 6 509


@pytest.fixture(scope="module")
def examples():
    return load_portfolio(FIVE)


@pytest.fixture(scope="module")
def portfolio():
    return load_portfolio([PORTFOLIO])


@pytest.fixture
def run():
    group = click.Group(commands={"report": report})

    def invoke(*args):
        return CliRunner().invoke(group, ["report", *map(str, args)], catch_exceptions=False)

    return invoke


def _row(breakdown, key):
    return next(r for r in breakdown.rows if r.key == key)


# -- indicators ----------------------------------------------------------------------------------------

def test_summary_of_the_examples(examples):
    s = examples.indicators().summary
    assert (s.profils, s.marches, s.marches_clause) == (5, 5, 5)
    assert s.lots == 2 + 2 + 2 + 1 + 5
    assert s.lots_heures == 1 + 1 + 2 + 1 + 4
    assert s.lots_reserves == 2  # DREETS lot 2 (EA/ESAT), PREF80 lot 5 (SIAE)
    assert s.lots_insertion == 2  # both lots of VDB-2027-MI-02
    assert s.heures == EXAMPLE_TOTAL == 6509
    assert s.parcours == Decimal("21.7")  # 6 509 ÷ 300 = 21,697
    assert s.etp == Decimal("4.05")  # 6 509 ÷ 1 607 = 4,0504
    assert s.marches_facilitateur == 4  # all but the hospital's draft
    assert s.derniere_publication == dt.date(2027, 3, 1)


def test_breakdowns_of_the_examples(examples):
    ind = examples.indicators()
    buyers = ind.breakdown("acheteur")
    assert _row(buyers, "etat").heures == 196 + 1752
    assert _row(buyers, "etat").marches == 2
    assert _row(buyers, "collectivite").heures == 1200 + 1093
    assert _row(buyers, "etablissement_sante").heures == 2268
    assert _row(buyers, "bailleur_social").marches == 0
    assert _row(buyers, "etat").label.startswith("État")
    nature = ind.breakdown("nature")
    assert [(r.key, r.heures) for r in nature.rows] == [("travaux", 1752), ("fournitures", 196), ("services", 1200 + 1093 + 2268)]
    basis = ind.breakdown("base")
    assert _row(basis, "condition_execution").heures == 196 + 1093 + 2268 + 1752
    assert _row(basis, "condition_execution").lots == 1 + 2 + 1 + 4
    assert _row(basis, "marche_insertion").heures == 1200
    assert (_row(basis, "marche_insertion").lots, _row(basis, "marche_insertion").lots_heures) == (2, 1)
    assert (_row(basis, "reserve_siae").lots, _row(basis, "reserve_siae").heures) == (1, 0)
    assert _row(basis, "critere_attribution").lots == 0  # PREF80 lot 1's main basis is the condition
    size = ind.breakdown("taille")
    # DREETS 380 000 + 60 000 = 440 000 ; VDB 240 000 + 90 000 = 330 000 → 215 000 € – 1 M€
    # CD21 maxima 1 600 000 + 1 200 000 ; hospital 1 250 000,50 ; PREF80 1 935 000 → 1 – 5,4 M€
    assert (_row(size, "215k_1m").marches, _row(size, "215k_1m").heures) == (2, 196 + 1200)
    assert (_row(size, "1m_5m4").marches, _row(size, "1m_5m4").heures) == (3, 1093 + 2268 + 1752)
    assert [r.key for r in size.rows] == [b.key for b in SIZE_BANDS]
    for b in ind.breakdowns:
        assert b.total.heures == EXAMPLE_TOTAL
        assert sum(r.heures for r in b.rows) == EXAMPLE_TOTAL


def test_market_rows(examples):
    markets = {m.reference: m for m in examples.indicators().markets}
    cd21 = markets["CD21-2027-015"]
    assert cd21.valeur_estimee == Decimal(2_800_000)  # accords-cadres at their maximum, not the 800 000 € estimate
    assert (cd21.lots, cd21.lots_heures, cd21.heures, cd21.parcours, cd21.etp) == (2, 2, 1093, Decimal("3.64"), Decimal("0.68"))
    assert markets["2027014"].facilitateur is False
    assert markets["2027014"].valeur_estimee == Decimal("1250000.50")
    assert list(markets) == sorted(markets)


@pytest.mark.parametrize(("value", "key"), [
    (Decimal(0), "moins_40k"), (Decimal("39999.99"), "moins_40k"), (Decimal(40000), "40k_90k"),
    (Decimal(214999), "90k_215k"), (Decimal(215000), "215k_1m"), (Decimal(1_000_000), "1m_5m4"),
    (Decimal(5_399_999), "1m_5m4"), (Decimal(5_400_000), "5m4_plus"), (None, "inconnu"),
])
def test_size_bands(value, key):
    assert size_band(value).key == key


def test_estimated_value_without_amount(make_profile):
    from clausegen.profile.load import load_profile

    text = BASE.replace("    montant_ht: 850000\n", "    heures: 400\n").replace("    part_main_oeuvre: 40 %\n", "")
    profile = load_profile(make_profile(text))
    assert profile.valeur_estimee_ht is None
    ind = load_portfolio([profile.source]).indicators()
    assert _row(ind.breakdown("taille"), "inconnu").heures == 400


def test_duplicate_reference_is_reported(tmp_path):
    write_profile(tmp_path, BASE, "a.yaml")
    write_profile(tmp_path, BASE, "b.yaml")
    ind = load_portfolio([tmp_path]).indicators()
    assert len(ind.warnings) == 1 and "2026-TRX-014" in ind.warnings[0] and "2 fois" in ind.warnings[0]


# -- xlsx ----------------------------------------------------------------------------------------------

def test_xlsx_content(examples):
    openpyxl = pytest.importorskip("openpyxl")
    import io

    data = report_bytes(examples, "xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["Synthèse", "Par acheteur", "Par nature", "Par base juridique", "Par taille", "Marchés"]
    synth = wb["Synthèse"]
    values = {synth.cell(r, 1).value: synth.cell(r, 2).value for r in range(1, synth.max_row + 1)}
    assert values["Heures d'insertion prévues"] == 6509
    assert values["Marchés"] == 5
    assert values["Lots réservés (EA/ESAT, SIAE, ESS)"] == 2
    assert synth["A1"].value.startswith("Rapport de portefeuille")
    assert "5 profils" in synth["A2"].value and "1er\u00a0mars 2027" in synth["A2"].value
    assert synth.freeze_panes == "A6"
    hours_cell = next(synth.cell(r, 2) for r in range(1, synth.max_row + 1) if synth.cell(r, 1).value == "Heures d'insertion prévues")
    assert hours_cell.number_format == "#,##0"
    nature = wb["Par nature"]
    rows = {nature.cell(r, 1).value: [c.value for c in nature[r]] for r in range(6, 10)}
    assert rows["Travaux"][7] == 1752 and rows["Total"][7] == 6509
    assert nature.cell(5, 8).value == "Heures prévues"
    markets = wb["Marchés"]
    assert [c.value for c in markets[5]][:3] == ["Référence", "Acheteur", "Type d'acheteur"]
    assert markets.cell(6, 1).value == "2027014" and markets.cell(6, 13).value == "non"
    assert markets.column_dimensions["B"].width > 30


def test_xlsx_charts_and_reproducibility(examples, portfolio):
    import io

    data = report_bytes(examples, "xlsx")
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert charts == [f"xl/charts/chart{i}.xml" for i in range(1, 5)]
        chart = z.read("xl/charts/chart1.xml").decode()
        assert "<c:barChart>" in chart and "Heures prévues par type d'acheteur" in chart
        core = z.read("docProps/core.xml").decode()
        assert "2027-03-01T00:00:00Z" in core  # latest publication, not the time of generation
    assert report_bytes(examples, "xlsx") == data
    reverse = load_portfolio(sorted(FIVE, reverse=True))
    assert report_bytes(reverse, "xlsx") == data  # the order of the arguments does not matter
    with zipfile.ZipFile(io.BytesIO(report_bytes(portfolio, "xlsx", mutualisation=True))) as z:
        assert "xl/worksheets/sheet7.xml" in z.namelist()
        assert "Mutualisation" in z.read("xl/workbook.xml").decode()


def test_xlsx_mutualisation_sheet(portfolio):
    openpyxl = pytest.importorskip("openpyxl")
    import io

    wb = openpyxl.load_workbook(io.BytesIO(report_bytes(portfolio, "xlsx", mutualisation=True)))
    ws = wb["Mutualisation"]
    assert [c.value for c in ws[5]][:7] == ["Entreprise", "SIRET", "Marchés", "Heures dues", "Parcours séparés", "Parcours mutualisés", "Gain"]
    assert [c.value for c in ws[6]][:7] == ["Bâtir Nord SAS", "732 829 320 00074", 2, 1200, 3, 4, 1]
    assert [c.value for c in ws[7]][:7] == ["Propreté & Services du Littoral", "552 100 554 00013", 3, 740, 0, 1, 1]
    texts = [ws.cell(r, 1).value or "" for r in range(1, ws.max_row + 1)]
    assert any(t.startswith("Chaque marché garde son obligation d'insertion") for t in texts)
    header = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Entreprise" and ws.cell(r, 3).value == "Marché")
    assert [ws.cell(header, c).value for c in (9, 10, 11)] == ["Heures 2027", "Heures 2028", "Heures 2029"]


# -- html ----------------------------------------------------------------------------------------------

def test_html_page(examples, portfolio):
    text = report_bytes(examples, "html").decode("utf-8")
    assert text.startswith("<!DOCTYPE html>") and '<html lang="fr">' in text
    assert text.count("<svg") == 4 and "<script" not in text and "http://" not in text.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert '<th scope="col">Heures prévues</th>' in text and "<caption>" in text and "<tfoot>" in text
    for title in ("Synthèse", "Par acheteur", "Par nature", "Par base juridique", "Par taille", "Marchés"):
        assert f">{title}</h2>" in text
    assert "6\u202f509" in text  # French thousands separator
    assert "21,7" in text and "4,05" in text
    assert report_bytes(examples, "html").decode("utf-8") == text
    pooled = page(portfolio.indicators(), portfolio.mutualisation())
    assert "Propreté &amp; Services du Littoral" in pooled and ">Mutualisation</h2>" in pooled


def test_bar_chart_helper():
    svg = bar_chart("g", "Heures <par> type", [("A & B", 300), ("C", 150), ("D", 0)])
    assert svg.startswith("<svg") and svg.endswith("</svg>")
    assert 'role="img"' in svg and 'aria-labelledby="g-titre g-desc"' in svg
    assert "<title id=\"g-titre\">Heures &lt;par&gt; type</title>" in svg and "A &amp; B" in svg
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths[0] == 330.0 and widths[1] == 165.0 and widths[2] == 0.0
    assert "A &amp; B : 300 heures; C : 150 heures; D : 0 heures" in svg
    empty = bar_chart("z", "Rien", [("A", 0)])
    assert 'width="0.0"' in empty


# -- mutualisation ---------------------------------------------------------------------------------------

def test_spread_by_year():
    # 290 h over October 2027 – March 2029: 3, 12 and 3 months → 48,33 ; 193,33 ; 48,33 → 48 + 193 + 48 = 289,
    # the missing hour goes to the earliest year.
    assert spread_by_year(290, dt.date(2027, 10, 1), 18) == ((2027, 49), (2028, 193), (2029, 48))
    assert spread_by_year(400, dt.date(2027, 7, 1), 24) == ((2027, 100), (2028, 200), (2029, 100))
    # 0,5 + 0,5 rounds to 1 + 1: one hour is taken back from the latest year
    assert spread_by_year(1, dt.date(2027, 12, 1), 2) == ((2027, 1), (2028, 0))
    for hours in (1, 7, 299, 301, 1234):
        for months in (1, 5, 13, 37):
            spread = spread_by_year(hours, dt.date(2026, 11, 1), months)
            assert sum(h for _, h in spread) == hours
    assert add_months(dt.date(2027, 10, 10), 17) == dt.date(2029, 3, 1)


def test_mutualisation_figures(portfolio):
    m = portfolio.mutualisation()
    a, b = m.companies
    # Bâtir Nord: 600 (voirie, lot 1) + 400 + 200 (résidences, lots 1 and 2) = 1 200 h
    #   separately 2 + 1 + 0 = 3 parcours ; pooled 1 200 ÷ 300 = 4 ; gain 1
    assert (a.siret, a.marches, a.heures, a.parcours_separes, a.parcours_mutualises, a.gain) == (SIRET_A, 2, 1200, 3, 4, 1)
    assert a.par_annee == ((2027, 600 + 100 + 50), (2028, 200 + 100), (2029, 100 + 50))
    # Propreté & Services: 250 + 200 poolable, 290 in a market excluding pooling = 740 h
    #   separately 0 + 0 + 0 ; pooled 450 ÷ 300 = 1, plus 290 ÷ 300 = 0 alone → 1 (not 740 ÷ 300 = 2)
    assert (b.siret, b.marches, b.heures, b.parcours_separes, b.parcours_mutualises, b.gain) == (SIRET_B, 3, 740, 0, 1, 1)
    assert b.par_annee == ((2027, 250 + 50 + 49), (2028, 100 + 193), (2029, 50 + 48))
    assert [lot.mutualisable for lot in b.lots] == [True, True, False]
    # Espaces Verts (one lot of 250 h) is left out; lot 3 of the voirie (150 h) has no titulaire
    assert SIRET_C not in {c.siret for c in m.companies}
    assert (m.entreprises_un_lot, m.lots_attribues, m.lots_non_attribues, m.heures_non_attribuees) == (1, 7, 1, 150)


def test_mutualisation_text(portfolio):
    text = mutualisation_as_text(portfolio.mutualisation())
    header = next(line for line in text.splitlines() if line.startswith("Entreprise (SIRET)"))
    assert re.split(r"\s{2,}", header) == ["Entreprise (SIRET)", "Marchés", "Heures dues", "Parcours séparés", "Parcours mutualisés", "Gain"]
    row = next(line for line in text.splitlines() if line.startswith("Bâtir Nord SAS (732 829 320 00074)"))
    assert re.split(r"\s{2,}", row)[1:] == ["2", "1 200", "3", "4", "+1"]
    assert "Chaque marché garde son obligation d'insertion" in text and "convention entre les acheteurs" in text
    assert "supposée commencer à la date de publication" in text
    assert "1 lot comportant des heures n'est pas attribué (150 heures" in text
    assert "mutualisation exclue par ce marché" in text
    assert "\u202f" not in text and "\u00a0" not in text


# -- command ---------------------------------------------------------------------------------------------

def test_cli_writes_xlsx_and_html(run, tmp_path):
    out = tmp_path / "rapport.xlsx"
    result = run(*FIVE, "-o", out)
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(out)
    assert "5 marchés, 12 lots, 6 509 heures prévues" in result.output
    html = tmp_path / "rapport.html"
    assert run(*FIVE, "-o", html).exit_code == 0
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    forced = tmp_path / "rapport.bin"
    assert run(*FIVE, "-o", forced, "--format", "html").exit_code == 0
    assert forced.read_bytes() == html.read_bytes()
    assert format_for("x.HTM", None) == "html" and format_for("x.ods", None) == "xlsx" and format_for(None, None) == "xlsx"


def test_cli_existing_output_needs_force(run, tmp_path):
    out = tmp_path / "rapport.xlsx"
    out.write_bytes(b"ancien")
    result = run(*FIVE, "-o", out)
    assert result.exit_code == 2 and "existe déjà" in result.output
    assert out.read_bytes() == b"ancien"
    assert run(*FIVE, "-o", out, "--force").exit_code == 0
    assert zipfile.is_zipfile(out)
    assert [p.name for p in tmp_path.iterdir()] == ["rapport.xlsx"]  # no temporary file left


def test_cli_invalid_profile_writes_nothing(tmp_path):
    folder = tmp_path / "marches"
    folder.mkdir()
    write_profile(folder, BASE, "bon.yaml")
    write_profile(folder, BASE.replace("nature: travaux", "nature: service").replace("type: etat", "type: etatt"), "mauvais.yaml")
    out = tmp_path / "rapport.xlsx"
    group = click.Group(commands={"report": report})
    result = CliRunner().invoke(group, ["report", str(folder), "-o", str(out)])
    assert result.exit_code == 2
    lines = result.stderr.splitlines() if hasattr(result, "stderr") else result.output.splitlines()
    located = [line for line in lines if re.match(rf"{re.escape(str(folder / 'mauvais.yaml'))}:\d+:\d+: ", line)]
    assert len(located) == 2 and "acheteur.type" in located[0] and "marche.nature" in located[1]
    assert "rien n'a été produit" in result.output
    assert not out.exists() and list(tmp_path.iterdir()) == [folder]
    skipped = CliRunner().invoke(group, ["report", str(folder), "-o", str(out), "--ignorer-invalides"])
    assert skipped.exit_code == 0
    assert "1 profil invalide ignoré sur 2" in skipped.output and "1 marché, 1 lot, 744 heures prévues" in skipped.output
    assert out.exists()


def test_cli_usage_errors(run, tmp_path):
    assert run(*FIVE).exit_code == 2  # neither -o nor --mutualisation
    assert run("-o", tmp_path / "r.xlsx").exit_code == 2  # no profile
    empty = tmp_path / "vide"
    empty.mkdir()
    result = run(empty, "-o", tmp_path / "r.xlsx")
    assert result.exit_code == 2 and "aucun fichier .yaml" in result.output
    missing = run(tmp_path / "absent.yaml", "-o", tmp_path / "r.xlsx")
    assert missing.exit_code == 2 and not (tmp_path / "r.xlsx").exists()
    no_dir = run(*FIVE, "-o", tmp_path / "nulle" / "part.xlsx")
    assert no_dir.exit_code == 2 and "n'existe pas" in no_dir.output


def test_cli_mutualisation(run, tmp_path):
    result = run(PORTFOLIO, "--mutualisation")
    assert result.exit_code == 0
    assert "Propreté & Services du Littoral (552 100 554 00013)" in result.output
    assert "Rapport" not in result.output and not list(tmp_path.iterdir())
    out = tmp_path / "r.html"
    with_file = run(PORTFOLIO, "--mutualisation", "-o", out)
    assert with_file.exit_code == 0 and "Mutualisation" in out.read_text(encoding="utf-8")


def test_cli_help_and_lazy_imports():
    main_cli.add_command(report)
    try:
        result = CliRunner().invoke(main_cli, ["report", "--help"])
    finally:
        main_cli.commands.pop("report", None)
    assert result.exit_code == 0 and "clausegen report profiles/ -o rapport.xlsx" in result.output
    code = "import sys, clausegen.cli.report; print(sorted(m for m in ('xlsxwriter', 'babel', 'clausegen.report', 'clausegen.calc') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[]"


def test_build_report_library(portfolio, tmp_path):
    path = build_report(portfolio, tmp_path / "r.xlsx", mutualisation=True)
    assert path.exists() and zipfile.is_zipfile(path)
