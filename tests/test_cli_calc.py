"""The command line, through click's CliRunner: calc (text and JSON), schema, --version, --help, errors."""

from __future__ import annotations

import json
import re

import pytest
from click.testing import CliRunner
from conftest import BASE, write_profile
from jsonschema import Draft202012Validator

from clausegen import __version__
from clausegen.cli import cli

TWO_LOTS = BASE + """\
  - numero: 2
    intitule: Espaces verts
    base_legale: art36-2
    montant_ht: 120000
  - numero: 3
    intitule: Menuiseries
    base_legale: [art38, art52]
    montant_ht: 300000
    part_main_oeuvre: 40 %
"""


@pytest.fixture
def runner():
    return CliRunner()


def run(runner, *args):
    return runner.invoke(cli, list(args), prog_name="clausegen", catch_exceptions=False)


# --------------------------------------------------------------------------------------------------
# calc, text
# --------------------------------------------------------------------------------------------------


def test_calc_text_shows_table_and_working(runner, tmp_path):
    path = write_profile(tmp_path, BASE)
    result = run(runner, "calc", str(path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "2026-TRX-014" in out
    assert "Réhabilitation de la cité administrative" in out
    # the table: header, the lot row, the total
    assert re.search(r"^Lot\s+Intitulé\s+Base juridique\s+Heures$", out, re.M)
    assert re.search(r"^1\s+Gros œuvre\s+condition d'exécution\s+744$", out, re.M)
    assert re.search(r"^Total\s+744$", out, re.M)
    # the working
    assert "Détail du calcul" in out
    assert "850 000,00 € × 40 %" in out
    assert "743,75" in out
    assert "744 heures" in out
    assert "(bloc calcul du profil)" in out and "(lot n° 1)" in out
    # ratios
    assert "2,48 parcours de 300 heures" in out
    assert "0,46 ETP" in out
    assert "372 heures par année d'exécution" in out and "0,23 ETP en moyenne sur les 24 mois" in out
    assert result.stderr == ""


def test_calc_text_several_lots(runner, tmp_path):
    path = write_profile(tmp_path, TWO_LOTS)
    result = run(runner, "calc", str(path))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert re.search(r"^2\s+Espaces verts\s+réservé SIAE\s+—$", out, re.M)
    assert re.search(r"^3\s+Menuiseries\s+condition d'exécution \+ crit\S*.*\s263$", out, re.M)
    assert re.search(r"^Total\s+1 007$", out, re.M)  # 744 + 263


# --------------------------------------------------------------------------------------------------
# calc, JSON
# --------------------------------------------------------------------------------------------------


def test_calc_json_structure(runner, tmp_path):
    path = write_profile(tmp_path, TWO_LOTS)
    result = run(runner, "calc", str(path), "--format", "json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["reference"] == "2026-TRX-014"
    assert data["date_reference"] == "2026-12-15"
    assert data["total_heures"] == 1007 and type(data["total_heures"]) is int
    assert data["parcours"] == 3.36  # 1007 ÷ 300 = 3.3567 → 3.36
    assert data["etp"] == 0.63  # 1007 ÷ 1607 = 0.627 → 0.63
    assert data["heures_par_an"] == 504  # 1007 × 12 ÷ 24 = 503.5 → 504
    lots = data["lots"]
    assert [lot["numero"] for lot in lots] == [1, 2, 3]
    assert [lot["base_legale"] for lot in lots] == ["condition_execution", "reserve_siae", "condition_execution"]
    assert lots[2]["bases_legales"] == ["condition_execution", "critere_attribution"]
    assert [lot["heures"] for lot in lots] == [744, None, 263]
    assert type(lots[0]["heures"]) is int
    assert [lot["methode"] for lot in lots] == ["formule", "sans_objet", "formule"]
    assert lots[1]["parcours"] is None and lots[1]["donnees"] == [] and lots[1]["etapes"] == []
    assert lots[0]["accord_cadre"] is None
    donnees = {d["nom"]: d for d in lots[0]["donnees"]}
    assert donnees["montant_ht"]["valeur"] == 850000
    assert donnees["part_main_oeuvre"]["valeur"] == 0.4
    assert donnees["cout_horaire"]["origine"] == "bloc calcul du profil"
    assert lots[0]["etapes"][-1]["resultat"] == 744
    assert lots[0]["etapes"][-2]["resultat"] == 743.75


def test_calc_json_accord_cadre(runner, tmp_path):
    text = BASE.replace("    montant_ht: 850000\n", "    accord_cadre:\n      minimum_ht: 200000\n      maximum_ht: 1200000\n")
    result = run(runner, "calc", str(write_profile(tmp_path, text)), "--format", "json")
    assert result.exit_code == 0, result.output
    lot = json.loads(result.stdout)["lots"][0]
    assert lot["heures"] == 175
    assert lot["accord_cadre"] == {
        "minimum_ht": 200000,
        "maximum_ht": 1200000,
        "heures_fermes": 175,
        "tranche_ht": 100000,
        "heures_par_tranche": 87.5,
        "heures_max_indicatives": 1050,
    }


def test_calc_json_keeps_aliases_canonical(runner, tmp_path):
    text = BASE.replace("base_legale: condition_execution", "base_legale: art38")
    data = json.loads(run(runner, "calc", str(write_profile(tmp_path, text)), "--format", "json").stdout)
    assert data["lots"][0]["base_legale"] == "condition_execution"


def test_calc_bad_format_option(runner, tmp_path):
    result = runner.invoke(cli, ["calc", str(write_profile(tmp_path, BASE)), "--format", "xml"])
    assert result.exit_code == 2


# --------------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------------


def test_schema_is_a_valid_json_schema_and_validates_a_profile(runner, tmp_path):
    result = run(runner, "schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert set(schema["required"]) == {"version", "acheteur", "marche", "lots"}

    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(TWO_LOTS)
    data = json.loads(json.dumps(data, default=str))  # dates as ISO text, as the loader reads them
    errors = list(Draft202012Validator(schema).iter_errors(data))
    assert errors == []

    bad = dict(data, marche=dict(data["marche"], nature="travau"))
    assert list(Draft202012Validator(schema).iter_errors(bad))


# --------------------------------------------------------------------------------------------------
# --version and --help
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("flag", ["--version", "-V"])
def test_version(runner, flag):
    result = run(runner, flag)
    assert result.exit_code == 0
    assert result.stdout.strip() == f"clausegen {__version__}"


@pytest.mark.parametrize(
    ("args", "french"),
    [
        (["--help"], ["Rédige les clauses sociales d'insertion", "Usage : clausegen", "Affiche la version et quitte.", "calc", "schema"]),
        (["-h"], ["Rédige les clauses sociales d'insertion"]),
        (["calc", "--help"], ["Calcule le volume d'heures d'insertion de chaque lot", "Formule : heures = montant HT", "Forme de la sortie"]),
        (["schema", "--help"], ["Affiche le schéma JSON des profils", "yaml-language-server"]),
    ],
)
def test_help_in_french(runner, args, french):
    result = run(runner, *args)
    assert result.exit_code == 0
    for text in french:
        assert text in result.stdout


@pytest.mark.parametrize("args", [["--help"], ["calc", "--help"], ["schema", "--help"]], ids=["groupe", "calc", "schema"])
def test_help_has_no_english_boilerplate(runner, args):
    """Regression (fixed): the help is only partly French: click's own strings remain in English (« Show this message
    and exit. », the « Options: » and « Commands: » headings, « [default: texte] », and « Usage: » on
    the sub-commands, whereas the group prints « Usage : »)."""
    out = run(runner, *args).stdout
    for english in ("Show this message and exit", "Options:", "Commands:", "Usage:", "[default:"):
        assert english not in out, english


# --------------------------------------------------------------------------------------------------
# Errors: exit code 2, positions on stderr, no traceback
# --------------------------------------------------------------------------------------------------


def test_bad_profile_exit_2_with_positions(runner, tmp_path):
    text = BASE.replace("nature: travaux", "nature: travau").replace("taux_insertion: 7 %", "taux_insertion: 7")
    text = text.replace("montant_ht: 850000", "montant_ht: -850000")
    path = write_profile(tmp_path, text)
    result = runner.invoke(cli, ["calc", str(path)])
    assert result.exit_code == 2
    assert result.stdout == ""
    err = result.stderr
    assert f"{path}:8:11: marche.nature : « travau » n'est pas une valeur admise." in err
    assert f"{path}:13:19: calcul.taux_insertion :" in err
    assert f"{path}:18:17: lots[1].montant_ht :" in err
    assert "Vouliez-vous dire « travaux » ?" in err
    assert "3 problèmes : rien n'a été produit." in err
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an uncaught exception


def test_bad_profile_json_format_also_exit_2(runner, tmp_path):
    """Exit 2; the issues as JSON on stdout for the program (issue 23), in French on stderr for the person."""
    path = write_profile(tmp_path, BASE.replace("montant_ht:", "montant_h:"))
    result = runner.invoke(cli, ["calc", str(path), "--format", "json"])
    assert result.exit_code == 2
    issues = json.loads(result.stdout)["erreurs"]
    assert [(i["fichier"], i["ligne"], i["colonne"], i["champ"]) for i in issues] == [(str(path), 18, 5, "lots[1].montant_h")]
    assert "clé inconnue" in issues[0]["message"]
    assert re.search(rf"^{re.escape(str(path))}:18:5: lots\[1\]\.montant_h : clé inconnue", result.stderr, re.M)


def test_missing_file_exit_2(runner, tmp_path):
    path = tmp_path / "absent.yaml"
    result = runner.invoke(cli, ["calc", str(path)])
    assert result.exit_code == 2
    assert f"{path}:1:1: fichier introuvable." in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_yaml_syntax_error_exit_2(runner, tmp_path):
    path = write_profile(tmp_path, BASE.replace("  objet: Réhab", "\tobjet: Réhab"))
    result = runner.invoke(cli, ["calc", str(path)])
    assert result.exit_code == 2
    assert f"{path}:7:1:" in result.stderr
    assert "tabulation" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_command_exit_2(runner):
    result = runner.invoke(cli, ["calcul"])
    assert result.exit_code == 2
