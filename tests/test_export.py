"""Open-data exports: DECP v2 and eForms, against the allowed values of codelists.yaml.

The allowed values are read here straight from ``src/clausegen/export/codelists.yaml`` (not through the
module's own checker), so a value that slipped past the bug guard would still fail these tests.
"""

from __future__ import annotations

import copy
import dataclasses
import json
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import BASE

from clausegen.calc import compute_hours
from clausegen.cli_export import export
from clausegen.errors import ClausegenError
from clausegen.export import CodeListError, load_codelists
from clausegen.export.decp import export_decp
from clausegen.export.eforms import export_eforms
from clausegen.law.registry import load_registry
from clausegen.profile.load import load_profile

ROOT = Path(__file__).resolve().parent.parent
PROFILES = sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "tests" / "data" / "hostile.yaml"]
CODELISTS = ROOT / "src" / "clausegen" / "export" / "codelists.yaml"


def _raw_codelists() -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(CODELISTS.read_text(encoding="utf-8"))


RAW = _raw_codelists()


def allowed(name: str) -> list[str]:
    values = RAW["lists"][name]["values"]
    return list(values)


def profile(name: str):
    return load_profile(ROOT / "profiles" / f"{name}.yaml")


def decp_record(prof) -> dict:
    result = export_decp(prof)
    data = json.loads(result.to_json())
    assert list(data) == ["marches"] and list(data["marches"]) == ["marche"]
    assert len(data["marches"]["marche"]) == 1
    return data["marches"]["marche"][0]


def lots_by_number(prof) -> dict:
    data = json.loads(export_eforms(prof).to_json())
    return {lot["numero"]: lot for lot in data["lots"]}


def articles(basis: str, prof) -> list[str]:
    return [a for a in load_registry().articles(basis, prof.reference_date).value if a.startswith("L")]


# --------------------------------------------------------------------------------------------------
# Every example and the hostile fixture: valid JSON, every value in its list
# --------------------------------------------------------------------------------------------------

DECP_FIELDS = {
    "nature": "decp.nature",
    "procedure": "decp.procedure",
    "ccag": "decp.ccag",
}
DECP_LISTS = {
    ("techniques", "technique"): "decp.technique",
    ("modalitesExecution", "modaliteExecution"): "decp.modalite_execution",
    ("considerationsSociales", "considerationSociale"): "decp.consideration_sociale",
    ("considerationsEnvironnementales", "considerationEnvironnementale"): "decp.consideration_environnementale",
}


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_decp_values_belong_to_the_schema_lists(path):
    record = decp_record(load_profile(path))
    schema_fields = set(allowed("decp.required_fields")) | {"idAccordCadre", "tauxAvance", "origineUE", "origineFrance", "actesSousTraitance", "modificationsActesSousTraitance", "modifications"}
    assert set(record) <= schema_fields, set(record) - schema_fields
    for key, name in DECP_FIELDS.items():
        if key in record:
            assert record[key] in allowed(name), (key, record[key])
    for (outer, inner), name in DECP_LISTS.items():
        values = record[outer][inner]
        assert values and len(values) == len(set(values))
        assert set(values) <= set(allowed(name)), (outer, values)
    assert isinstance(record["dureeMois"], int) and record["dureeMois"] >= 1
    if "id" in record:
        assert 1 <= len(record["id"]) <= 16
    if "codeCPV" in record:
        assert len(record["codeCPV"]) == 8 and record["codeCPV"].isdigit()
    if "montant" in record:
        assert isinstance(record["montant"], (int, float)) and record["montant"] >= 1
    assert "acheteur" not in record  # the DECP wants the buyer's SIRET, which a profile does not hold


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_eforms_values_belong_to_the_code_lists(path):
    prof = load_profile(path)
    data = json.loads(export_eforms(prof).to_json())
    assert [lot["numero"] for lot in data["lots"]] == [lot.numero for lot in prof.lots]
    lists = {"BT-06-Lot": "eforms.strategic-procurement", "BT-775-Lot": "eforms.social-objective", "BT-71-Lot": "eforms.reserved-procurement", "BT-736-Lot": "eforms.reserved-execution"}
    for lot in data["lots"]:
        assert lot["id"] == f"LOT-{lot['numero']:04d}"
        for bt, name in lists.items():
            values = lot[bt] if isinstance(lot[bt], list) else [lot[bt]]
            for value in values:
                entry = RAW["lists"][name]
                assert value["code"] in entry["values"], (bt, value)
                assert value["listName"] == entry["list_name"]
                assert value["libelle"] == entry["values"][value["code"]]
        codes = [v["code"] for v in lot["BT-06-Lot"]]
        # BT-775 only accompanies the social-objective strategic code
        assert bool(lot["BT-775-Lot"]) == ("soc-obj" in codes)
        assert (lot["reservation"] is None) == ([v["code"] for v in lot["BT-71-Lot"]] == ["none"])


def test_hostile_texts_survive_the_json_unchanged():
    prof = load_profile(ROOT / "tests" / "data" / "hostile.yaml")
    record = decp_record(prof)
    assert record["objet"] == prof.marche.objet
    assert "{{ 7*7 }}" in record["objet"] and "49" not in record["objet"]
    lots = lots_by_number(prof)
    assert lots[2]["intitule"] == prof.lots[1].intitule
    # the reference is longer than the 16 characters of a DECP identifier: left out, and said so
    assert "id" not in record
    assert any(n.startswith("id : ") and "16" in n for n in export_decp(prof).notes)


# --------------------------------------------------------------------------------------------------
# Expectations per example
# --------------------------------------------------------------------------------------------------


def test_travaux_qpv_decp():
    prof = profile("travaux-qpv")
    record = decp_record(prof)
    assert record["considerationsSociales"]["considerationSociale"] == ["Clause sociale", "Critère social", "Marché réservé"]
    assert record["considerationsEnvironnementales"]["considerationEnvironnementale"] == ["Pas de considération environnementale"]
    assert record["techniques"] == {"technique": ["Sans objet"]}
    assert record["modalitesExecution"] == {"modaliteExecution": ["Sans objet"]}
    assert record["nature"] == "Marché"
    assert record["procedure"] == "Procédure adaptée"
    assert record["ccag"] == "Travaux"
    assert record["codeCPV"] == "45453000"
    assert record["dureeMois"] == 18
    assert record["montant"] == 850000 + 420000 + 260000 + 310000 + 95000
    assert "id" not in record  # « PREF80-2027-TX-003 » has 18 characters


def test_travaux_qpv_eforms():
    prof = profile("travaux-qpv")
    lots = lots_by_number(prof)
    for n in (1, 2, 3, 4):
        assert [v["code"] for v in lots[n]["BT-06-Lot"]] == ["soc-obj"]
        assert [v["code"] for v in lots[n]["BT-775-Lot"]] == ["opp"]
        assert [v["code"] for v in lots[n]["BT-71-Lot"]] == ["none"]
        assert lots[n]["reservation"] is None
    lot5 = lots[5]
    assert lot5["id"] == "LOT-0005"
    assert [v["code"] for v in lot5["BT-06-Lot"]] == ["none"] and lot5["BT-775-Lot"] == []
    assert lot5["BT-71-Lot"] == [{"code": "res-ws", "listName": "reserved-procurement", "libelle": RAW["lists"]["eforms.reserved-procurement"]["values"]["res-ws"]}]
    assert lot5["BT-736-Lot"]["code"] == "no"
    assert lot5["reservation"]["bases"] == ["reserve_siae"]
    assert lot5["reservation"]["articles"] == articles("reserve_siae", prof) == ["L2113-13"]
    assert "2113-13" in lot5["reservation"]["citation"] and "code de la commande publique" in lot5["reservation"]["citation"]


def test_nettoyage_accord_cadre():
    prof = profile("nettoyage-accord-cadre")
    record = decp_record(prof)
    assert record["techniques"] == {"technique": ["Accord-cadre"]}
    assert record["modalitesExecution"] == {"modaliteExecution": ["Bons de commande"]}
    assert record["considerationsSociales"]["considerationSociale"] == ["Clause sociale"]
    assert record["id"] == "CD21-2027-015"
    # « montant forfaitaire ou estimé maximum » : the maxima of the two accords-cadres
    assert record["montant"] == 1600000 + 1200000
    assert record["dureeMois"] == 48
    assert all([v["code"] for v in lot["BT-06-Lot"]] == ["soc-obj"] for lot in lots_by_number(prof).values())


def test_marche_insertion():
    prof = profile("marche-insertion")
    result = export_decp(prof)
    record = json.loads(result.to_json())["marches"]["marche"][0]
    assert record["considerationsSociales"]["considerationSociale"] == ["Clause sociale"]
    assert record["procedure"] == "Procédure adaptée"
    assert record["codeCPV"] == "85312510"
    assert record["montant"] == 240000 + 90000
    assert record["id"] == "VDB-2027-MI-02"
    # the marché d'insertion → « Clause sociale » mapping is clausegen's choice, and the notes say so
    assert any("marché d'insertion" in n and "à confirmer" in n for n in result.notes)
    lots = lots_by_number(prof)
    assert all([v["code"] for v in lot["BT-775-Lot"]] == ["opp"] for lot in lots.values())


def test_fournitures_lot_reserve():
    prof = profile("fournitures-lot-reserve")
    record = decp_record(prof)
    assert record["considerationsSociales"]["considerationSociale"] == ["Clause sociale", "Marché réservé"]
    assert record["ccag"] == "Fournitures courantes et services"
    assert record["procedure"] == "Appel d'offres ouvert"
    lots = lots_by_number(prof)
    assert [v["code"] for v in lots[2]["BT-71-Lot"]] == ["res-ws"]
    assert lots[2]["reservation"]["articles"] == articles("reserve_ea_esat", prof) == ["L2113-12"]


def test_services_sans_facilitateur_single_lot():
    prof = profile("services-sans-facilitateur")
    record = decp_record(prof)
    assert record["montant"] == 1250000.5
    assert record["id"] == "2027014"
    notes = export_eforms(prof).notes
    assert any(n.startswith("Pour le marché,") for n in notes)


def test_hostile_combined_reservation_cites_the_combination_article():
    prof = load_profile(ROOT / "tests" / "data" / "hostile.yaml")
    lot3 = lots_by_number(prof)[3]
    assert [v["code"] for v in lot3["BT-71-Lot"]] == ["res-ws"]  # EA/ESAT + SIAE: one code
    combo = load_registry().combination({"reserve_ea_esat", "reserve_siae"})["article"]
    assert lot3["reservation"]["articles"] == articles("reserve_ea_esat", prof) + articles("reserve_siae", prof) + [combo]
    assert lot3["reservation"]["confiance"] == "V"


# --------------------------------------------------------------------------------------------------
# Profiles written for the test
# --------------------------------------------------------------------------------------------------

ESS = BASE.replace("nature: travaux", "nature: services").replace("base_legale: condition_execution", "base_legale: art37")


def test_ess_reservation_gives_res_pub_ser(make_profile):
    prof = load_profile(make_profile(ESS))
    lot = lots_by_number(prof)[1]
    assert [v["code"] for v in lot["BT-71-Lot"]] == ["res-pub-ser"]
    assert lot["reservation"]["articles"] == articles("reserve_ess", prof)
    assert "L2113-15" in lot["reservation"]["articles"]
    assert decp_record(prof)["considerationsSociales"]["considerationSociale"] == ["Marché réservé"]


def test_criterion_only_lot(make_profile):
    text = BASE.replace("base_legale: condition_execution", "base_legale: critere_attribution\n    critere:\n      ponderation: 10 %")
    prof = load_profile(make_profile(text))
    assert decp_record(prof)["considerationsSociales"]["considerationSociale"] == ["Critère social"]
    assert [v["code"] for v in lots_by_number(prof)[1]["BT-06-Lot"]] == ["soc-obj"]


def test_lot_without_social_basis_says_so(base_profile):
    """A loader refuses a lot without a basis; a profile built in code may still have one."""
    prof = load_profile(base_profile)
    bare = dataclasses.replace(prof, lots=(dataclasses.replace(prof.lots[0], bases=(), bases_saisies=()),))
    record = json.loads(export_decp(bare, hours=compute_hours(prof)).to_json())["marches"]["marche"][0]
    assert record["considerationsSociales"]["considerationSociale"] == ["Clause sociale"]  # the hours still bind
    bare_hours = dataclasses.replace(compute_hours(prof), lots=(dataclasses.replace(compute_hours(prof).lots[0], lot=bare.lots[0], heures=None, methode="sans_objet"),))
    record = json.loads(export_decp(bare, hours=bare_hours).to_json())["marches"]["marche"][0]
    assert record["considerationsSociales"]["considerationSociale"] == ["Pas de considération sociale"]


def test_accord_cadre_amount_is_its_maximum(make_profile):
    text = BASE.replace("    montant_ht: 850000\n", "    accord_cadre:\n      minimum_ht: 200000\n      maximum_ht: 900000\n")
    result = export_decp(load_profile(make_profile(text)))
    record = result.data["marches"]["marche"][0]
    assert record["montant"] == 900000


def test_titulaires_when_every_lot_is_attributed(make_profile):
    text = BASE + "    titulaire:\n      nom: Bâtir SA\n      siret: \"732 829 320 00009\"\n"
    record = decp_record(load_profile(make_profile(text)))
    assert record["titulaires"] == [{"titulaire": {"typeIdentifiant": "SIRET", "id": "73282932000009"}}]
    assert record["id"] == "2026-TRX-014"


def test_identifier_with_characters_to_avoid_is_kept_with_a_note(make_profile):
    result = export_decp(load_profile(make_profile(BASE.replace('"2026-TRX-014"', '"A&B 1"'))))
    assert result.data["marches"]["marche"][0]["id"] == "A&B 1"
    assert "id : la référence « A&B 1 » contient des caractères que le schéma DECP demande d'éviter (« & » et espace)." in result.notes


def test_lot_number_beyond_eforms_identifiers(make_profile):
    prof = load_profile(make_profile(BASE.replace("- numero: 1", "- numero: 10000")))
    with pytest.raises(ClausegenError, match="LOT-0001 à LOT-9999"):
        export_eforms(prof)
    assert decp_record(prof)["dureeMois"] == 24  # the DECP export does not need lot identifiers


def test_value_outside_its_list_is_a_bug_guard(monkeypatch, base_profile):
    broken = copy.deepcopy(load_codelists())
    broken.mappings["decp.nature"]["value"] = "Marché public"
    monkeypatch.setattr("clausegen.export.decp.load_codelists", lambda: broken)
    with pytest.raises(CodeListError) as info:
        export_decp(load_profile(base_profile))
    assert isinstance(info.value, ClausegenError)
    assert "« Marché public » absente de la liste « decp.nature »" in str(info.value)


# --------------------------------------------------------------------------------------------------
# The code list file
# --------------------------------------------------------------------------------------------------


def test_every_code_list_has_a_source_version_and_confidence():
    assert load_codelists().problems() == []
    for name, entry in RAW["lists"].items():
        assert entry["source"] in RAW["sources"], name
        assert RAW["sources"][entry["source"]]["title"], name
        assert entry["version"] and entry["confidence"] in ("V", "V2", "B", "U"), name
    assert {e["version"] for n, e in RAW["lists"].items() if n.startswith("decp.")} == {"2.0.3"}
    assert {e["version"] for n, e in RAW["lists"].items() if n.startswith("eforms.")} == {"1.15"}


def test_clausegen_choices_are_marked_as_such():
    m = RAW["mappings"]
    for name in ("eforms.social", "eforms.reserved_execution", "decp.consideration_environnementale"):
        assert m[name]["source"] == "CLAUSEGEN" and m[name]["confidence"] == "B", name
    for basis in ("reserve_ea_esat", "reserve_siae", "reserve_ess"):
        assert m["eforms.reservation"]["by_basis"][basis]["confidence"] == "B"
    assert m["decp.consideration_sociale"]["by_basis"]["marche_insertion"]["confidence"] == "B"
    # every mapped value is itself an allowed value
    assert set(m["decp.procedure"]["values"].values()) <= set(allowed("decp.procedure"))
    assert set(m["decp.ccag"]["values"].values()) <= set(allowed("decp.ccag"))


def test_mappings_cover_the_profile_vocabulary():
    from clausegen.profile.schema import profile_schema

    marche = profile_schema()["properties"]["marche"]["properties"]
    assert set(marche["procedure"]["enum"]) == set(RAW["mappings"]["decp.procedure"]["values"])
    assert set(marche["ccag"]["enum"]) == set(RAW["mappings"]["decp.ccag"]["values"])
    bases = set(load_registry().basis_names())
    assert bases == set(RAW["mappings"]["decp.consideration_sociale"]["by_basis"])


# --------------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def run():
    root = click.Group("clausegen", commands=[export])
    runner = CliRunner()
    return lambda *args: runner.invoke(root, list(args), prog_name="clausegen", catch_exceptions=False)


def test_cli_decp(run):
    result = run("export", "decp", str(ROOT / "profiles" / "nettoyage-accord-cadre.yaml"))
    assert result.exit_code == 0, result.stderr
    record = json.loads(result.stdout)["marches"]["marche"][0]
    assert record["techniques"]["technique"] == ["Accord-cadre"]
    assert "Champs obligatoires des DECP que le profil ne permet pas de remplir" in result.stderr
    assert "acheteur : numéro SIRET de l'acheteur" in result.stderr
    assert "considérations environnementales" in result.stderr


def test_cli_eforms(run):
    result = run("export", "eforms", str(ROOT / "profiles" / "fournitures-lot-reserve.yaml"))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [lot["id"] for lot in data["lots"]] == ["LOT-0001", "LOT-0002"]
    assert "Pour le lot n° 2, BT-71-Lot : code choisi par clausegen" in result.stderr
    assert "à confirmer" in result.stderr


@pytest.mark.parametrize("kind", ["decp", "eforms"])
def test_cli_invalid_profile_exits_2(run, make_profile, kind):
    path = make_profile(BASE.replace("nature: travaux", "nature: service"))
    result = run("export", kind, str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "marche.nature" in result.stderr and "n'est pas une valeur admise" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_help_is_french(run):
    result = run("export", "--help")
    assert result.exit_code == 0
    assert "Commandes :" in result.stdout and "decp" in result.stdout and "eforms" in result.stdout
    result = run("export", "decp", "--help")
    assert "Exemple :" in result.stdout and "clausegen export decp" in result.stdout
