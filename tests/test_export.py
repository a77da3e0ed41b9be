"""Open-data exports: DECP v2 (one market per lot) and eForms, against the bundled official files.

The allowed values are read here straight from ``src/clausegen/law/data/codelists.yaml``, the bundled DECP schema
(``data/schema_decp_v2.0.3.json``) and the code lists generated from the eForms SDK (``data/eforms-sdk.yaml``),
not through the module's own checker, so a value that slipped past the bug guard would still fail these tests.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
from importlib import resources
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from conftest import BASE
from jsonschema import Draft7Validator

from clausegen.calc import compute_hours
from clausegen.cli.export import export
from clausegen.errors import ClausegenError, ProfileError
from clausegen.export import CodeListError, load_codelists
from clausegen.export.decp import export_decp, validate_decp
from clausegen.export.eforms import export_eforms
from clausegen.law.registry import load_registry
from clausegen.profile.load import load_profile

ROOT = Path(__file__).resolve().parent.parent
PROFILES = sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "tests" / "data" / "hostile.yaml"]
COMPLETE = ROOT / "docs" / "exemples" / "profil-attribue.yaml"  # shipped: the README and « export decp --help » name it
EXPORT = ROOT / "src" / "clausegen" / "law"
CODELISTS = EXPORT / "data" / "codelists.yaml"


def _yaml(path: Path) -> dict:
    from ruamel.yaml import YAML

    return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8"))


RAW = _yaml(CODELISTS)
SDK = _yaml(EXPORT / "data" / "eforms-sdk.yaml")
SCHEMA = json.loads((EXPORT / "data" / "schema_decp_v2.0.3.json").read_text(encoding="utf-8"))
MARCHE = SCHEMA["definitions"]["marche"]
REQUIRED = MARCHE["required"]
AFTER_AWARD = {name for name, e in RAW["lists"]["decp.required_fields"]["values"].items() if e["apres_attribution"]}


def allowed(name: str) -> list[str]:
    return list(RAW["lists"][name]["values"])


def profile(name: str):
    return load_profile(ROOT / "profiles" / f"{name}.yaml")


def decp_records(prof, **kwargs) -> list[dict]:
    result = export_decp(prof, **kwargs)
    data = json.loads(result.to_json())
    # a draft says so at the top (« brouillon », beside « marches »); a publishable file has only « marches »
    assert list(data) == (["brouillon", "marches"] if result.strict_errors() else ["marches"]) and list(data["marches"]) == ["marche"]
    assert (data.get("brouillon") or {}).get("publiable", False) is False
    return data["marches"]["marche"]


def decp_record(prof) -> dict:
    """The only record of a market that is not divided into lots."""
    records = decp_records(prof)
    assert len(records) == 1
    return records[0]


def by_lot(prof) -> dict[int, dict]:
    return dict(zip((lot.numero for lot in prof.lots), decp_records(prof)))


def social(record: dict) -> list[str]:
    return record["considerationsSociales"]["considerationSociale"]


def lots_by_number(prof, **kwargs) -> dict:
    kwargs.setdefault("notice_type", "16")  # the ordinary contract notice; the profile's own: tests/test_export_eforms.py
    data = json.loads(export_eforms(prof, **kwargs).to_json())
    return {lot["numero"]: lot for lot in data["lots"]}


def articles(basis: str, prof) -> list[str]:
    return [a for a in load_registry().articles(basis, prof.reference_date).value if a.startswith("L")]


def schema_without(required_out: set[str]) -> dict:
    """The DECP schema with ``required_out`` taken out of the market's required list."""
    schema = copy.deepcopy(SCHEMA)
    schema["definitions"]["marche"]["required"] = [n for n in REQUIRED if n not in required_out]
    return schema


# --------------------------------------------------------------------------------------------------
# The bundled official files
# --------------------------------------------------------------------------------------------------


def test_bundled_decp_schema_is_the_recorded_official_file():
    readme = (EXPORT / "data" / "README.md").read_text(encoding="utf-8")
    digest = hashlib.sha256((EXPORT / "data" / "schema_decp_v2.0.3.json").read_bytes()).hexdigest()
    assert digest in readme
    assert "139bercy/format-commande-publique" in readme and "79fed6c8e6265239171c1d6ceb66efc390461191" in readme
    assert SCHEMA["$schema"] == "http://json-schema.org/draft-07/schema#"
    Draft7Validator.check_schema(SCHEMA)


def test_bundled_files_are_installed_with_the_package():
    """CI installs clausegen without -e: these reads go through the installed package."""
    data = resources.files("clausegen.law").joinpath("data")
    for name in ("schema_decp_v2.0.3.json", "eforms-sdk.yaml", "README.md"):
        assert data.joinpath(name).is_file(), name


@pytest.mark.parametrize(
    "name,definition",
    [
        ("decp.nature", ["properties", "nature", "enum"]),
        ("decp.procedure", ["properties", "procedure", "enum"]),
        ("decp.ccag", ["properties", "ccag", "enum"]),
        ("decp.technique", ["definitions", "techniqueArray", "items", "enum"]),
        ("decp.modalite_execution", ["definitions", "modaliteExecutionArray", "items", "enum"]),
        ("decp.consideration_sociale", ["definitions", "considerationSocialeArray", "items", "enum"]),
        ("decp.consideration_environnementale", ["definitions", "considerationEnvironnementaleArray", "items", "enum"]),
        ("decp.type_identifiant", ["definitions", "Titulaire", "properties", "typeIdentifiant", "enum"]),
        ("decp.type_groupement", ["properties", "typeGroupementOperateurs", "enum"]),
        ("decp.lieu_type_code", ["properties", "lieuExecution", "properties", "typeCode", "enum"]),
        ("decp.forme_prix", ["properties", "formePrix", "enum"]),
        ("decp.type_prix", ["definitions", "typePrixArray", "items", "enum"]),
    ],
)
def test_decp_lists_are_the_schema_lists(name, definition):
    node = MARCHE
    for key in definition:
        node = node[key]
    assert allowed(name) == node


def test_decp_required_fields_are_the_schema_required_list():
    assert allowed("decp.required_fields") == REQUIRED
    assert AFTER_AWARD == {"offresRecues", "attributionAvance", "typeGroupementOperateurs", "dateNotification", "datePublicationDonnees", "montant", "sousTraitanceDeclaree", "titulaires"}


def test_eforms_file_records_the_sdk_and_its_labels():
    assert SDK["sdk"]["version"] == "1.15.1" and SDK["sdk"]["repository"] == "OP-TED/eForms-SDK"
    assert SDK["sdk"]["commit"] == "184afa7dd27d4c017eaf0b3ed345410e853425a4"
    assert "tools/eforms_codelists.py" in SDK["sdk"]["command"] and (ROOT / "tools" / "eforms_codelists.py").is_file()
    lists = SDK["codelists"]
    # the SDK's French labels since 1.9 (« Sans objet » before)
    assert lists["strategic-procurement"]["values"]["none"] == "Pas de passation de marché stratégique"
    assert lists["reserved-procurement"]["values"]["none"] == "La participation n’est pas réservée."
    assert lists["strategic-procurement"]["values"]["soc-obj"] == "Réalisation d’objectifs sociaux"
    assert lists["social-objective"]["values"]["opp"].startswith("Possibilités d’emploi des chômeurs de longue durée")
    assert lists["reserved-procurement"]["values"]["res-ws"].startswith("La participation est réservée à des ateliers protégés")
    assert lists["reserved-execution"]["values"] == {"no": "Non", "not-known": "Pas encore connu", "yes": "Oui"}
    assert set(lists) == {"strategic-procurement", "social-objective", "reserved-procurement", "reserved-execution"}
    names = {bt: f["name"] for bt, f in SDK["fields"].items()}
    assert names["BT-06-Lot"] == "Objectif du marché public stratégique"
    assert names["BT-71-Lot"] == "Participation réservée"
    assert names["BT-775-Lot"] == "Objectif social promu"
    assert SDK["fields"]["BT-777-Lot"]["max_length"] == 6000
    assert "16" in SDK["fields"]["BT-71-Lot"]["mandatory_in"] and "16" in SDK["fields"]["BT-736-Lot"]["mandatory_in"]
    assert "E3" not in SDK["fields"]["BT-71-Lot"]["mandatory_in"]
    assert SDK["rules"]["BR-BT-00036-0150"]["max"] == "P3Y"
    cpv = SDK["rules"]["BR-BT-00262-0200"]["cpv"]
    assert len(cpv) == 115 and "85312110" in cpv and "90919200" not in cpv


def test_no_eforms_label_is_copied_into_codelists_yaml():
    """One file holds the eForms labels: codelists.yaml only maps to its codes."""
    assert not [name for name in RAW["lists"] if name.startswith("eforms.")]
    codes = load_codelists()
    for list_name, entry in SDK["codelists"].items():
        assert codes.lists[f"eforms.{list_name}"]["values"] == entry["values"]
        assert codes.lists[f"eforms.{list_name}"]["version"] == "1.15.1"


# --------------------------------------------------------------------------------------------------
# DECP: one record per lot, every value in its list, valid once the after-award fields are set aside
# --------------------------------------------------------------------------------------------------

DECP_FIELDS = {"nature": "decp.nature", "procedure": "decp.procedure", "ccag": "decp.ccag"}
DECP_LISTS = {
    ("techniques", "technique"): "decp.technique",
    ("modalitesExecution", "modaliteExecution"): "decp.modalite_execution",
    ("considerationsSociales", "considerationSociale"): "decp.consideration_sociale",
    ("considerationsEnvironnementales", "considerationEnvironnementale"): "decp.consideration_environnementale",
}


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_decp_gives_one_record_per_lot_with_values_of_the_schema_lists(path):
    prof = load_profile(path)
    records = decp_records(prof)
    assert len(records) == len(prof.lots)
    ids = [r["id"] for r in records if "id" in r]
    assert len(ids) == len(set(ids))
    for lot, record in zip(prof.lots, records):
        assert set(record) <= set(MARCHE["properties"])
        for key, name in DECP_FIELDS.items():
            if key in record:
                assert record[key] in allowed(name), (key, record[key])
        for (outer, inner), name in DECP_LISTS.items():
            if outer in record:
                values = record[outer][inner]
                assert values and len(values) == len(set(values))
                assert set(values) <= set(allowed(name)), (outer, values)
        assert isinstance(record["dureeMois"], int) and record["dureeMois"] >= 1
        if "id" in record:
            assert 1 <= len(record["id"]) <= 16
        if "codeCPV" in record:
            assert len(record["codeCPV"]) == 8 and record["codeCPV"].isdigit()
        if len(prof.lots) > 1 and "objet" in record:
            assert record["objet"].endswith(f"lot n° {lot.numero} : {lot.intitule}")
        if "montant" in record:  # never an estimate: the accord-cadre's maximum or the amount notified
            assert lot.accord_cadre or lot.attribution.montant_ht
        # never written as facts when the profile does not state them
        assert ("considerationsEnvironnementales" in record) == bool(prof.marche.donnees.considerations_environnementales)
        assert ("techniques" in record) == bool(prof.marche.donnees.techniques or lot.accord_cadre)


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_example_output_is_valid_once_the_listed_missing_fields_are_set_aside(path):
    """Every error of the full schema is a required field the notes list for that record, and nothing else;
    without the after-award fields, what remains missing is exactly what the profile could still say."""
    result = export_decp(load_profile(path))
    data = json.loads(result.to_json())
    errors = list(Draft7Validator(SCHEMA).iter_errors(data))
    seen: dict[int, set[str]] = {}
    for error in errors:
        assert error.validator == "required", error.message
        path_ = list(error.absolute_path)
        assert path_[:2] == ["marches", "marche"] and len(path_) == 3, path_
        seen.setdefault(path_[2], set()).add(error.message.split("'")[1])
    for index, info in enumerate(result.records):
        assert set(info.missing) == seen.get(index, set()), info
        names = ", ".join(n for n in info.missing if n not in AFTER_AWARD)
        if names:
            assert f"{info.designation()} : {names}" in result.notes[1]
    relaxed = Draft7Validator(schema_without(AFTER_AWARD | {n for i in result.records for n in i.missing}))
    assert list(relaxed.iter_errors(data)) == []
    assert result.notes[0].startswith("Brouillon des données essentielles (DECP 2.0.3) pré-rempli d'après le profil")


def test_hostile_texts_survive_the_json_unchanged():
    prof = load_profile(ROOT / "tests" / "data" / "hostile.yaml")
    records = decp_records(prof)
    assert records[0]["objet"].startswith(prof.marche.objet)
    assert "{{ 7*7 }}" in records[0]["objet"] and "49" not in records[0]["objet"]
    lots = lots_by_number(prof)
    assert lots[2]["intitule"] == prof.lots[1].intitule
    # the reference is longer than the 16 characters of a DECP identifier: no lot gets one, and it is said
    result = export_decp(prof)
    assert all("id" not in r for r in records)
    assert all(i.missing[0] == "id" for i in result.records)
    assert any(n.startswith("Lot n° 1 : id : la référence suivie du numéro du lot") and "16 au plus" in n and "lots[].id_decp" in n for n in result.notes)


# --------------------------------------------------------------------------------------------------
# DECP: expectations per example
# --------------------------------------------------------------------------------------------------


def test_travaux_qpv_decp_one_market_per_lot():
    prof = profile("travaux-qpv")
    records = by_lot(prof)
    assert sorted(records) == [1, 2, 3, 4, 5]
    assert social(records[1]) == ["Clause sociale", "Critère social"]
    assert [social(records[n]) for n in (2, 3, 4)] == [["Clause sociale"]] * 3
    assert social(records[5]) == ["Marché réservé"]
    for record in records.values():
        assert record["nature"] == "Marché" and record["procedure"] == "Procédure adaptée" and record["ccag"] == "Travaux"
        assert record["codeCPV"] == ("90911200" if record is records[5] else "45453000") and record["dureeMois"] == 18  # lot 5: its own
        assert "id" not in record  # « PREF80-2027-TX-003-1 » has 20 characters
        assert "montant" not in record  # estimates, not amounts notified
        assert "techniques" not in record and "modalitesExecution" not in record  # not stated by the profile
        assert "considerationsEnvironnementales" not in record and "titulaires" not in record
    assert records[3]["objet"] == f"{prof.marche.objet} – lot n° 3 : {prof.lots[2].intitule}"


def test_nettoyage_accord_cadre():
    prof = profile("nettoyage-accord-cadre")
    records = by_lot(prof)
    assert [r["id"] for r in records.values()] == ["CD21-2027-015-1", "CD21-2027-015-2"]
    for record in records.values():
        assert record["techniques"] == {"technique": ["Accord-cadre"]}
        assert record["modalitesExecution"] == {"modaliteExecution": ["Bons de commande"]}
        assert social(record) == ["Clause sociale"] and record["dureeMois"] == 48
    # « montant forfaitaire ou estimé maximum » : each accord-cadre's own maximum, never a sum
    assert records[1]["montant"] == 1600000 and records[2]["montant"] == 1200000
    assert all([v["code"] for v in lot["BT-06-Lot"]] == ["soc-obj"] for lot in lots_by_number(prof).values())


def test_marche_insertion():
    prof = profile("marche-insertion")
    result = export_decp(prof)
    records = result.data["marches"]["marche"]
    assert [social(r) for r in records] == [["Clause sociale"], ["Clause sociale"]]
    assert [r["id"] for r in records] == ["VDB-2027-MI-02-1", "VDB-2027-MI-02-2"]
    assert all(r["procedure"] == "Procédure adaptée" and r["codeCPV"] == "85312510" for r in records)
    # the marché d'insertion → « Clause sociale » mapping is clausegen's choice, and the notes say so
    assert any("marché d'insertion" in n and "à confirmer" in n for n in result.notes)
    lots = lots_by_number(prof)
    assert all([v["code"] for v in lot["BT-775-Lot"]] == ["opp"] for lot in lots.values())


def test_fournitures_lot_reserve():
    prof = profile("fournitures-lot-reserve")
    records = by_lot(prof)
    assert social(records[1]) == ["Clause sociale"] and social(records[2]) == ["Marché réservé"]
    assert records[1]["ccag"] == "Fournitures courantes et services"
    assert records[2]["procedure"] == "Appel d'offres ouvert"
    lots = lots_by_number(prof)
    assert [v["code"] for v in lots[2]["BT-71-Lot"]] == ["res-ws"]
    assert lots[2]["reservation"]["articles"] == articles("reserve_ea_esat", prof) == ["L2113-12"]


def test_single_lot_market_keeps_its_reference_and_object():
    prof = profile("services-sans-facilitateur")
    record = decp_record(prof)
    assert record["id"] == "2027014" and record["objet"] == prof.marche.objet
    assert "montant" not in record  # 1 250 000,50 € is the estimate; the amount notified is not known yet
    result = export_decp(prof)
    assert "montant" in result.records[0].missing
    assert "lot n° 1, marché « 2027014 » :" in result.notes[1] and "après l'attribution : " in result.notes[1]
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
# DECP: a profile after award
# --------------------------------------------------------------------------------------------------


def test_complete_profile_gives_a_complete_valid_decp():
    import datetime as dt

    prof = load_profile(COMPLETE)
    result = export_decp(prof, date_publication_donnees=dt.date(2027, 5, 10))
    assert result.complete and result.schema_errors() == []
    data = json.loads(result.to_json())
    assert list(Draft7Validator(SCHEMA).iter_errors(data)) == []
    records = dict(zip((1, 2, 3), data["marches"]["marche"]))
    assert [r["id"] for r in records.values()] == ["CAVF-2027-007-1", "CAVF-2027-007-2", "CAVF27-007-SIAE"]
    assert all(r["acheteur"] == {"id": "34182736500014"} for r in records.values())
    assert records[1]["montant"] == 381250.4 and records[2]["montant"] == 500000 and records[3]["montant"] == 58900
    assert records[1]["titulaires"] == [{"titulaire": {"typeIdentifiant": "SIRET", "id": "42871593600012"}}]
    assert [t["titulaire"]["id"] for t in records[2]["titulaires"]] == ["53162849700020", "67293841500011"]  # its groupement only
    assert records[2]["typeGroupementOperateurs"] == "Solidaire" and records[1]["typeGroupementOperateurs"] == "Pas de groupement"
    assert records[2]["techniques"] == {"technique": ["Accord-cadre"]}  # « sans_objet » does not apply to an accord-cadre
    assert records[1]["techniques"] == {"technique": ["Sans objet"]}
    assert social(records[1]) == ["Clause sociale", "Critère social"] and social(records[3]) == ["Marché réservé"]
    assert records[1]["considerationsEnvironnementales"] == {"considerationEnvironnementale": ["Clause environnementale", "Critère environnemental"]}
    assert records[1]["lieuExecution"] == {"code": "21", "typeCode": "Code département"}
    assert records[1]["typesPrix"] == {"typePrix": ["Définitif révisable"]} and records[1]["formePrix"] == "Mixte"
    assert records[1]["dateNotification"] == "2027-04-20" and records[1]["datePublicationDonnees"] == "2027-05-10"
    assert records[1]["offresRecues"] == 4 and records[1]["attributionAvance"] is True and records[2]["sousTraitanceDeclaree"] is True
    assert records[1]["marcheInnovant"] is False
    assert list(records[1]) == [k for k in MARCHE["properties"] if k in records[1]]  # the schema's order
    assert result.notes[0] == "Données essentielles (DECP 2.0.3) : 3 marchés, un par lot, tous les champs obligatoires remplis."


def test_complete_profile_without_publication_date_lists_it():
    result = export_decp(load_profile(COMPLETE))
    assert [i.missing for i in result.records] == [["datePublicationDonnees"]] * 3
    assert "datePublicationDonnees : date de publication des données essentielles ; option --date-publication-donnees" in result.notes[2]


def test_dates_out_of_order_are_pointed_out():
    import datetime as dt

    prof = load_profile(COMPLETE)
    result = export_decp(prof, date_publication_donnees=dt.date(2027, 4, 21))
    assert "Lot n° 2 : datePublicationDonnees : les données seraient publiées avant la notification du marché ; vérifiez les deux dates." in result.notes
    assert not any(n.startswith("Lot n° 1 : datePublicationDonnees") for n in result.notes)
    early = dataclasses.replace(prof.lots[0], attribution=dataclasses.replace(prof.lots[0].attribution, date_notification=dt.date(2027, 1, 2)))
    prof = dataclasses.replace(prof, lots=(early, *prof.lots[1:]))
    notes = export_decp(prof, hours=compute_hours(prof)).notes
    assert any(n.startswith("Lot n° 1 : dateNotification : la notification précède le lancement de la consultation") for n in notes)


def test_schema_errors_are_french_and_name_the_record_and_field():
    result = export_decp(load_profile(COMPLETE))
    data = copy.deepcopy(result.data)
    data["marches"]["marche"][1]["ccag"] = "Autre"
    data["marches"]["marche"][1]["lieuExecution"]["typeCode"] = "Code INSEE"
    messages = validate_decp(data, result.records)
    assert any(m.startswith("marché n° 2 (lot n° 2, marché « CAVF-2027-007-2 ») : ccag : « Autre » n'est pas une valeur admise") for m in messages)
    assert any("lieuExecution.typeCode : « Code INSEE » n'est pas une valeur admise" in m for m in messages)
    assert any(m.startswith("marché n° 1 (lot n° 1, marché « CAVF-2027-007-1 ») : champ obligatoire absent : datePublicationDonnees.") for m in messages)


# --------------------------------------------------------------------------------------------------
# DECP: profiles written for the test
# --------------------------------------------------------------------------------------------------

ESS = BASE.replace("nature: travaux", "nature: services").replace("base_legale: condition_execution", "base_legale: art37")
HOLDER = "    titulaire:\n      nom: Bâtir SA\n      siret: \"732 829 320 00009\"\n"


def test_ess_reservation_gives_res_pub_ser(make_profile):
    prof = load_profile(make_profile(ESS))
    lot = lots_by_number(prof)[1]
    assert [v["code"] for v in lot["BT-71-Lot"]] == ["res-pub-ser"]
    assert lot["reservation"]["articles"] == articles("reserve_ess", prof)
    assert "L2113-15" in lot["reservation"]["articles"]
    assert social(decp_record(prof)) == ["Marché réservé"]


def test_criterion_only_lot(make_profile):
    text = BASE.replace("base_legale: condition_execution", "base_legale: critere_attribution\n    critere:\n      ponderation: 10 %")
    prof = load_profile(make_profile(text))
    assert social(decp_record(prof)) == ["Critère social"]
    assert [v["code"] for v in lots_by_number(prof)[1]["BT-06-Lot"]] == ["soc-obj"]


def test_lot_without_social_basis_says_so(base_profile):
    """A loader refuses a lot without a basis; a profile built in code may still have one."""
    prof = load_profile(base_profile)
    bare = dataclasses.replace(prof, lots=(dataclasses.replace(prof.lots[0], bases=(), bases_saisies=()),))
    assert social(json.loads(export_decp(bare, hours=compute_hours(prof)).to_json())["marches"]["marche"][0]) == ["Clause sociale"]
    bare_hours = dataclasses.replace(compute_hours(prof), lots=(dataclasses.replace(compute_hours(prof).lots[0], lot=bare.lots[0], heures=None, methode="sans_objet"),))
    record = json.loads(export_decp(bare, hours=bare_hours).to_json())["marches"]["marche"][0]
    assert social(record) == ["Pas de considération sociale"]


def test_accord_cadre_amount_is_its_maximum(make_profile):
    text = BASE.replace("    montant_ht: 850000\n", "    accord_cadre:\n      minimum_ht: 200000\n      maximum_ht: 900000\n")
    record = decp_record(load_profile(make_profile(text)))
    assert record["montant"] == 900000


def test_each_lot_lists_only_its_own_holder(make_profile):
    second = "  - numero: 2\n    intitule: Lot réservé\n    base_legale: reserve_siae\n    montant_ht: 100000\n"
    text = BASE + HOLDER + second + "    titulaire:\n      nom: Insertion Plus\n      siret: \"428 715 936 00012\"\n"
    records = decp_records(load_profile(make_profile(text)))
    assert records[0]["titulaires"] == [{"titulaire": {"typeIdentifiant": "SIRET", "id": "73282932000009"}}]
    assert records[1]["titulaires"] == [{"titulaire": {"typeIdentifiant": "SIRET", "id": "42871593600012"}}]
    assert [r["id"] for r in records] == ["2026-TRX-014-1", "2026-TRX-014-2"]
    assert social(records[0]) == ["Clause sociale"] and social(records[1]) == ["Marché réservé"]


def test_lot_identifiers_are_unique(make_profile):
    second = "  - numero: 2\n    intitule: Second œuvre\n    base_legale: reserve_siae\n    id_decp: 2026-TRX-014-1\n"
    result = export_decp(load_profile(make_profile(BASE + second)))
    records = result.data["marches"]["marche"]
    assert records[0]["id"] == "2026-TRX-014-1" and "id" not in records[1]
    assert "Lot n° 2 : id : « 2026-TRX-014-1 » est déjà l'identifiant du marché du lot n° 1 ; chaque marché a le sien (« lots[].id_decp »)." in result.notes


def test_identifier_with_characters_to_avoid_is_kept_with_a_note(make_profile):
    result = export_decp(load_profile(make_profile(BASE.replace('"2026-TRX-014"', '"A&B 1"'))))
    assert result.data["marches"]["marche"][0]["id"] == "A&B 1"
    assert "id : « A&B 1 » contient des caractères que le schéma DECP demande d'éviter (« & » et espace)." in result.notes


def test_defense_market_and_no_ccag(make_profile):
    text = BASE.replace("  date_publication: 2026-12-15\n", "  date_publication: 2026-12-15\n  defense_securite: true\n  ccag: aucun\n")
    record = decp_record(load_profile(make_profile(text)))
    assert record["nature"] == "Marché de défense ou de sécurité" and record["ccag"] == "Pas de CCAG"


def test_contradictory_environmental_considerations_are_left_to_fill(make_profile):
    text = BASE.replace("  date_publication: 2026-12-15\n", "  date_publication: 2026-12-15\n  considerations_environnementales: [aucune, clause]\n")
    result = export_decp(load_profile(make_profile(text)))
    assert "considerationsEnvironnementales" in result.records[0].missing
    assert any(n.startswith("considerationsEnvironnementales : « aucune » est donnée avec") for n in result.notes)


# --------------------------------------------------------------------------------------------------
# The profile keys of the essential data
# --------------------------------------------------------------------------------------------------


def _issues(make_profile, text: str) -> list[str]:
    with pytest.raises(ProfileError) as info:
        load_profile(make_profile(text))
    return [i.format() for i in info.value.issues]


def test_buyer_siret_is_checked_like_a_holder_siret(make_profile):
    buyer = "  type: etat\n"
    (issue,) = _issues(make_profile, BASE.replace(buyer, buyer + '  siret: "123 456 789 00012"\n'))
    assert "acheteur.siret" in issue and "SIRET de remplissage" in issue and "pas celui de l'acheteur" in issue
    (issue,) = _issues(make_profile, BASE.replace(buyer, buyer + '  siret: "341 827 365 00015"\n'))
    assert "acheteur.siret" in issue and "clé de contrôle du SIRET est fausse" in issue
    assert load_profile(make_profile(BASE.replace(buyer, buyer + '  siret: "341 827 365 00014"\n'))).acheteur.siret == "34182736500014"


@pytest.mark.parametrize(
    "kind,code,ok",
    [("commune", '"21231"', True), ("commune", '"2B002"', True), ("commune", "1053", False), ("departement", "21", True),
     ("departement", '"2C"', False), ("postal", '"21000"', True), ("region", '"027"', False), ("pays", "99100", True)],
)  # fmt: skip
def test_place_code_is_checked_by_type(make_profile, kind, code, ok):
    text = BASE.replace("  date_publication: 2026-12-15\n", f"  date_publication: 2026-12-15\n  lieu_execution_code:\n    type: {kind}\n    code: {code}\n")
    if ok:
        place = load_profile(make_profile(text)).marche.donnees.lieu_execution_code
        assert place.type == kind and place.code == code.strip('"')
    else:
        (issue,) = _issues(make_profile, text)
        assert "marche.lieu_execution_code.code" in issue and f"n'est pas un code de type « {kind} »" in issue
        if code == "1053":
            assert "entre guillemets" in issue


def test_award_keys_are_checked(make_profile):
    award = "    cotraitants:\n      - nom: Autre SA\n        siret: \"428 715 936 00012\"\n"
    (issue,) = _issues(make_profile, BASE + HOLDER + award)
    assert "lots[1].cotraitants" in issue and "sans groupement" in issue
    issues = _issues(make_profile, BASE + "    id_decp: ABCDEFGHIJKLMNOPQ\n    offres_recues: 0\n    groupement: mixte\n")
    assert any("lots[1].id_decp" in i and "trop long" in i for i in issues)
    assert any("lots[1].offres_recues" in i and "trop petit" in i for i in issues)
    assert any("lots[1].groupement" in i and "n'est pas une valeur admise" in i for i in issues)


# --------------------------------------------------------------------------------------------------
# eForms
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_eforms_codes_and_labels_are_those_of_the_bundled_code_lists(path):
    prof = load_profile(path)
    data = json.loads(export_eforms(prof, notice_type="16").to_json())
    assert data["format"] == "eForms SDK 1.15.1"
    assert data["typeAvis"] == {"code": "16", "libelle": "Avis de marché – directive générale, régime ordinaire"}
    assert data["champs"] == {bt: SDK["fields"][bt]["name"] for bt in ("BT-06-Lot", "BT-777-Lot", "BT-775-Lot", "BT-71-Lot", "BT-736-Lot")}
    assert [lot["numero"] for lot in data["lots"]] == [lot.numero for lot in prof.lots]
    for lot in data["lots"]:
        assert lot["id"] == f"LOT-{lot['numero']:04d}"
        for bt in ("BT-06-Lot", "BT-775-Lot", "BT-71-Lot", "BT-736-Lot"):  # all present for notice type 16
            entry = SDK["codelists"][SDK["fields"][bt]["code_list"]]
            for value in lot[bt] if isinstance(lot[bt], list) else [lot[bt]]:
                assert value["listName"] == SDK["fields"][bt]["code_list"]
                assert value["libelle"] == entry["values"][value["code"]], (bt, value)
        codes = [v["code"] for v in lot["BT-06-Lot"]]
        # BT-775 only accompanies the social-objective strategic code; BT-777 whenever BT-06 is not « none »
        assert bool(lot["BT-775-Lot"]) == ("soc-obj" in codes)
        assert ("BT-777-Lot" in lot) == (codes != ["none"])
        if "BT-777-Lot" in lot:
            assert lot["BT-777-Lot"]["langue"] == "FRA" and 0 < len(lot["BT-777-Lot"]["texte"]) <= 6000
        assert (lot["reservation"] is None) == ([v["code"] for v in lot["BT-71-Lot"]] == ["none"])


def test_travaux_qpv_eforms():
    prof = profile("travaux-qpv")
    lots = lots_by_number(prof)
    for n in (1, 2, 3, 4):
        assert [v["code"] for v in lots[n]["BT-06-Lot"]] == ["soc-obj"]
        assert [v["code"] for v in lots[n]["BT-775-Lot"]] == ["opp"]
        assert lots[n]["BT-71-Lot"] == [{"code": "none", "listName": "reserved-procurement", "libelle": "La participation n’est pas réservée."}]
        assert lots[n]["reservation"] is None
    assert "744\u00a0heures d'insertion professionnelle" in lots[1]["BT-777-Lot"]["texte"]
    assert "L.\u00a02112-2" in lots[1]["BT-777-Lot"]["texte"] and "pondéré à 10\u00a0%" in lots[1]["BT-777-Lot"]["texte"]
    assert "fiche 1" in lots[2]["BT-777-Lot"]["texte"]
    lot5 = lots[5]
    assert lot5["id"] == "LOT-0005"
    # A reserved lot is « soc-obj » (the SDK's meaning of BT-06), never « none », as the DECP says « Marché réservé ».
    assert lot5["BT-06-Lot"] == [{"code": "soc-obj", "listName": "strategic-procurement", "libelle": "Réalisation d’objectifs sociaux"}]
    assert [v["code"] for v in lot5["BT-775-Lot"]] == ["opp"]
    assert "SIAE" in lot5["BT-777-Lot"]["texte"] and "2113-13" in lot5["BT-777-Lot"]["texte"]
    assert lot5["BT-71-Lot"] == [{"code": "res-ws", "listName": "reserved-procurement", "libelle": SDK["codelists"]["reserved-procurement"]["values"]["res-ws"]}]
    assert lot5["BT-736-Lot"] == {"code": "no", "listName": "reserved-execution", "libelle": "Non"}
    assert lot5["reservation"]["bases"] == ["reserve_siae"]
    assert lot5["reservation"]["articles"] == articles("reserve_siae", prof) == ["L2113-13"]
    assert "2113-13" in lot5["reservation"]["citation"] and "code de la commande publique" in lot5["reservation"]["citation"]


def test_accord_cadre_description_gives_firm_hours_and_ratio():
    text = lots_by_number(profile("nettoyage-accord-cadre"))[1]["BT-777-Lot"]["texte"]
    assert "au moins 533\u00a0heures d'insertion professionnelle sur le montant minimum, puis 133,33\u00a0heures par tranche" in text


def test_national_notice_declares_only_reservations():
    """Type E3 (national notice): BT-71 and BT-736 are optional, so only a reserved lot declares BT-71."""
    lots = lots_by_number(profile("travaux-qpv"), notice_type="E3")
    assert all("BT-736-Lot" not in lot for lot in lots.values())
    assert all("BT-71-Lot" not in lots[n] for n in (1, 2, 3, 4))
    assert [v["code"] for v in lots[5]["BT-71-Lot"]] == ["res-ws"]
    with pytest.raises(ClausegenError, match="type d'avis eForms « 29 » non pris en charge"):
        export_eforms(profile("travaux-qpv"), notice_type="29")  # a contract award notice forbids BT-71


def test_ess_lot_is_checked_against_the_sdk_rules(make_profile):
    assert not any("BR-BT-" in n for n in export_eforms(profile("services-ess")).notes)  # CPV 85312110, 36 months
    text = ESS.replace("  duree_mois: 24\n", "  duree_mois: 48\n  cpv: 90919200-4\n")
    notes = export_eforms(load_profile(make_profile(text))).notes
    assert any("code CPV 90919200 n'est pas dans la liste de la règle BR-BT-00262-0200" in n for n in notes)
    assert any("durée de 48 mois ; la règle BR-BT-00036-0150 du SDK eForms limite la durée (BT-36-Lot) à 3 ans" in n for n in notes)
    notes = export_eforms(load_profile(make_profile(ESS))).notes
    assert any("pas de code CPV" in n and "BR-BT-00262-0200" in n for n in notes)


def test_lot_number_beyond_eforms_identifiers(base_profile):
    """The loader stops at 9999; a profile built in code may go further."""
    prof = load_profile(base_profile)
    prof = dataclasses.replace(prof, lots=(dataclasses.replace(prof.lots[0], numero=10000),))
    with pytest.raises(ClausegenError, match="LOT-0001 à LOT-9999"):
        export_eforms(prof, hours=compute_hours(prof))
    assert decp_records(prof, hours=compute_hours(prof))[0]["dureeMois"] == 24  # the DECP export needs no lot identifier


def test_value_outside_its_list_is_a_bug_guard(monkeypatch, base_profile):
    broken = copy.deepcopy(load_codelists())
    broken.mappings["decp.nature"]["value"] = "Marché public"
    monkeypatch.setattr("clausegen.export.decp.load_codelists", lambda: broken)
    with pytest.raises(CodeListError) as info:
        export_decp(load_profile(base_profile))
    assert isinstance(info.value, ClausegenError)
    assert "« Marché public » absente de la liste « decp.nature »" in str(info.value)


# --------------------------------------------------------------------------------------------------
# The fiche reads the same codes
# --------------------------------------------------------------------------------------------------


def test_fiche_codes_are_those_of_the_export():
    from clausegen.render.context import build_context

    prof = profile("travaux-qpv")
    publication = build_context(prof)["publication"]
    lots = lots_by_number(prof)
    assert publication["eforms_version"] == "eForms SDK 1.15.1"
    assert publication["champs"]["bt06"] == "Objectif du marché public stratégique (BT-06)"
    assert publication["champs"]["bt71"] == "Participation réservée (BT-71)"
    for shown in publication["lots"]:
        lot = lots[shown["numero"]]
        assert shown["bt71"] == " ; ".join(f"« {v['code']} » ({v['libelle']})" for v in lot["BT-71-Lot"])
        assert shown["bt777"] == (lot["BT-777-Lot"]["texte"] if "BT-777-Lot" in lot else None)
    assert "La participation n’est pas réservée." in publication["lots"][0]["bt71"]
    assert publication["lots"][4]["decp"] == "« Marché réservé »"


# --------------------------------------------------------------------------------------------------
# The code list file
# --------------------------------------------------------------------------------------------------


def test_every_code_list_has_a_source_version_and_confidence():
    codes = load_codelists()
    assert codes.problems() == []
    for name, entry in codes.lists.items():
        assert entry["source"] in RAW["sources"], name
        assert RAW["sources"][entry["source"]]["title"], name
        assert entry["version"] and entry["confidence"] in ("V", "V2", "B", "U"), name
    assert {e["version"] for n, e in codes.lists.items() if n.startswith("decp.")} == {"2.0.3"}
    assert {e["version"] for n, e in codes.lists.items() if n.startswith("eforms.")} == {"1.15.1"}


def test_clausegen_choices_are_marked_as_such():
    m = RAW["mappings"]
    for name in ("eforms.social", "eforms.reserved_execution", "eforms.notice_type"):
        assert m[name]["source"] == "CLAUSEGEN" and m[name]["confidence"] == "B", name
    for basis in ("reserve_ea_esat", "reserve_siae", "reserve_ess"):
        assert m["eforms.reservation"]["by_basis"][basis]["confidence"] == "B"
    assert m["decp.consideration_sociale"]["by_basis"]["marche_insertion"]["confidence"] == "B"
    # every mapped value is itself an allowed value
    for name, entry in m.items():
        if name.startswith("decp.") and "values" in entry:
            assert set(entry["values"].values()) <= set(allowed(entry["list"])), name


def test_mappings_cover_the_profile_vocabulary():
    from clausegen.profile.schema import profile_schema

    schema = profile_schema()
    marche = schema["properties"]["marche"]["properties"]
    lot = schema["properties"]["lots"]["items"]["properties"]
    m = RAW["mappings"]
    assert set(marche["procedure"]["enum"]) == set(m["decp.procedure"]["values"])
    assert set(marche["ccag"]["enum"]) == set(m["decp.ccag"]["values"])
    assert set(marche["techniques"]["items"]["enum"]) == set(m["decp.technique"]["values"])
    assert set(marche["modalites_execution"]["items"]["enum"]) == set(m["decp.modalite_execution"]["values"])
    assert set(marche["types_prix"]["items"]["enum"]) == set(m["decp.type_prix"]["values"])
    assert set(marche["forme_prix"]["enum"]) == set(m["decp.forme_prix"]["values"])
    assert set(marche["considerations_environnementales"]["items"]["enum"]) == set(m["decp.consideration_environnementale"]["values"])
    assert set(marche["lieu_execution_code"]["properties"]["type"]["enum"]) == set(m["decp.lieu_type_code"]["values"])
    assert set(lot["groupement"]["enum"]) == set(m["decp.type_groupement"]["values"])
    assert lot["id_decp"]["maxLength"] == MARCHE["definitions"]["IdentifiantMarche"]["maxLength"]
    assert set(load_registry().basis_names()) == set(m["decp.consideration_sociale"]["by_basis"])


def test_every_required_field_names_the_profile_key_that_fills_it():
    from clausegen.profile.schema import profile_schema

    schema = profile_schema()
    for name, entry in RAW["lists"]["decp.required_fields"]["values"].items():
        words = entry["rempli_par"].split()
        if words[0] == "option":
            continue
        for key in (w for w in words if "." in w):
            node = schema
            for part in key.replace("[]", "").split("."):
                node = node["properties"][part] if "properties" in node else node["items"]["properties"][part]
            assert node, (name, key)


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
    records = json.loads(result.stdout)["marches"]["marche"]
    assert len(records) == 2 and records[0]["techniques"]["technique"] == ["Accord-cadre"]
    assert "Brouillon des données essentielles (DECP 2.0.3)" in result.stderr
    assert "Champs obligatoires des DECP que le profil ne permet pas de remplir, marché par marché" in result.stderr
    assert "  - lot n° 2, marché « CD21-2027-015-2 » : acheteur," in result.stderr
    assert "acheteur : numéro SIRET de l'acheteur (acheteur.id, 14 chiffres) ; clé acheteur.siret" in result.stderr
    assert "considerationsEnvironnementales : considérations environnementales ; clé lots[].considerations_environnementales ou, pour tous les lots, marche.considerations_environnementales" in result.stderr
    assert json.loads(result.stdout)["brouillon"]["publiable"] is False  # a draft says so in the file itself


def test_cli_decp_strict_refuses_a_draft(run):
    result = run("export", "decp", "--strict", str(ROOT / "profiles" / "nettoyage-accord-cadre.yaml"))
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("Le fichier n'est pas une DECP publiable : incomplète, invalide au regard du schéma officiel (DECP 2.0.3) ou refusée :")
    assert "  - marché n° 1 (lot n° 1, marché « CD21-2027-015-1 ») : champs obligatoires absents : acheteur, marcheInnovant, offresRecues" in result.stderr
    assert "dateNotification : date de notification du marché ; clé lots[].date_notification" in result.stderr


def test_cli_decp_strict_accepts_a_complete_profile(run):
    result = run("export", "decp", str(COMPLETE), "--strict", "--date-publication-donnees", "2027-05-10")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(Draft7Validator(SCHEMA).iter_errors(data)) == []
    assert len(data["marches"]["marche"]) == 3
    result = run("export", "decp", str(COMPLETE), "--date-publication-donnees", "2027-02-30")
    assert result.exit_code == 2 and "« 2027-02-30 » n'est pas une date" in result.stderr


def test_cli_eforms(run):
    result = run("export", "eforms", str(ROOT / "profiles" / "fournitures-lot-reserve.yaml"))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [lot["id"] for lot in data["lots"]] == ["LOT-0001", "LOT-0002"]
    assert "Pour le lot n° 2, BT-71-Lot : code choisi par clausegen" in result.stderr
    assert "à confirmer" in result.stderr
    result = run("export", "eforms", "--type-avis", "E3", str(ROOT / "profiles" / "fournitures-lot-reserve.yaml"))
    assert result.exit_code == 0 and json.loads(result.stdout)["typeAvis"]["code"] == "E3"


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
    assert "Exemples :" in result.stdout and "clausegen export decp" in result.stdout and "--strict" in result.stdout
