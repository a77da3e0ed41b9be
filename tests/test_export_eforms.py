"""eForms (issue 21): the lot terms of the JSON export (BT-06 from the plan, BT-21, BT-262, BT-36, BT-70, the
award grid as BT-539/734/540/541/5421, no empty BT-775), the notice type the profile calls for, and the XML
contract notice, validated here against the SDK's XSD as shipped (lxml) and checked field by field against
fields.json (patterns, code lists)."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from clausegen.cli import cli
from clausegen.errors import ClausegenError
from clausegen.export.eforms import export_eforms
from clausegen.export.eforms_xml import export_eforms_xml, field_problems
from clausegen.law.codelists import is_social_services_cpv
from clausegen.profile.load import load_profile

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "clausegen" / "law" / "data"
XSD = etree.XMLSchema(etree.parse(str(DATA / "eforms-schemas" / "maindoc" / "UBL-ContractNotice-2.3.xsd")))
FIELDS = json.loads((DATA / "eforms-notice.json").read_text(encoding="utf-8"))["fields"]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "docs" / "exemples" / "profil-attribue.yaml", ROOT / "tests" / "data" / "hostile.yaml"]
NS = {"cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
      "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
      "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
      "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
      "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
      "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1"}


def lots(path, **kwargs) -> dict[int, dict]:
    return {lot["numero"]: lot for lot in export_eforms(load_profile(path), **kwargs).data["lots"]}


def values(path_: str, root) -> list[str]:
    return [e if isinstance(e, str) else e.text for e in root.xpath(FIELDS[path_]["absolute"], namespaces=NS)]


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_every_example_gives_a_notice_valid_against_the_sdk_xsd(path):
    notice = export_eforms_xml(load_profile(path), notice_type="20" if "ess" in path.stem else "16")
    document = etree.fromstring(notice.xml)
    assert XSD.validate(document), XSD.error_log
    assert field_problems(notice) == []
    assert values("BT-02-notice", document) and values("OPP-070-notice", document) == [notice.notice_type]
    prof = load_profile(path)
    assert values("BT-137-Lot", document) == [f"LOT-{lot.numero:04d}" for lot in prof.lots]
    assert values("BT-21-Lot", document) == [lot.intitule for lot in prof.lots]


def test_notice_holds_what_the_profile_knows():
    path = ROOT / "docs" / "exemples" / "profil-attribue.yaml"
    notice = export_eforms_xml(load_profile(path))
    root = etree.fromstring(notice.xml)
    assert values("BT-500-Organization-Company", root) == ["Communauté d'agglomération du Val fictif"]
    assert values("BT-501-Organization-Company", root) == ["34182736500014"]
    assert values("BT-105-Procedure", root) == ["open"] and values("BT-23-Procedure", root) == ["services"]
    assert values("BT-262-Lot", root) == ["77310000"] * 3 and values("BT-36-Lot", root) == ["24"] * 3
    assert values("BT-27-Lot", root) == ["400000.00", "500000.00", "60000.00"]
    assert values("BT-06-Lot", root) == ["soc-obj", "env-imp"] * 3
    assert values("BT-71-Lot", root) == ["none", "none", "res-ws"]
    assert values("BT-539-Lot", root) == ["quality"] and values("BT-541-Lot-WeightNumber", root) == ["10"] and values("BT-5421-Lot", root) == ["per-exa"]
    conditions = values("BT-70-Lot", root)
    assert len(conditions) == 2 and "560 heures d'insertion professionnelle" in conditions[0].replace("\u00a0", " ")
    code = root.xpath("//cac:ContractExecutionRequirement/cbc:ExecutionRequirementCode[@listName='conditions']", namespaces=NS)
    assert [c.text for c in code] == ["performance", "performance"]
    assert notice.xml == export_eforms_xml(load_profile(path)).xml  # the same profile, the same notice


def test_json_lot_terms_from_the_plan():
    lot1 = lots(ROOT / "profiles" / "travaux-qpv.yaml", notice_type="16")[1]
    assert lot1["BT-21-Lot"] == {"langue": "FRA", "texte": "Curage, démolitions partielles et gros œuvre"}
    assert lot1["BT-262-Lot"] == "45453000" and lot1["BT-36-Lot"] == {"valeur": 18, "unite": "MONTH"}
    assert "744\u00a0heures" in lot1["BT-70-Lot"]["texte"]
    [criterion] = lot1["criteres"]
    assert criterion["BT-539-Lot"] == "quality" and criterion["BT-541-Lot"] == Decimal("10") and criterion["BT-5421-Lot"] == "per-exa"
    assert criterion["BT-734-Lot"].startswith("Performances en matière d'insertion")
    assert "Tutorat et accompagnement dans l'emploi (20 points)" in criterion["BT-540-Lot"]
    lot5 = lots(ROOT / "profiles" / "travaux-qpv.yaml", notice_type="16")[5]
    assert lot5["BT-262-Lot"] == "90911200" and "BT-70-Lot" not in lot5 and "criteres" not in lot5
    for path in PROFILES:
        for lot in lots(path, notice_type="16").values():
            assert lot.get("BT-775-Lot", None) != []  # never an empty list


def test_notice_type_follows_the_profile():
    assert export_eforms(load_profile(ROOT / "profiles" / "nettoyage-accord-cadre.yaml")).data["typeAvis"]["code"] == "16"
    below = export_eforms(load_profile(ROOT / "profiles" / "travaux-qpv.yaml"))
    assert below.data["typeAvis"] is None
    assert below.notes[0].startswith("Le marché est sous le seuil européen") and "aucun avis eForms n'est obligatoire" in below.notes[0]
    with pytest.raises(ClausegenError, match="sous le seuil européen.*--type-avis"):
        export_eforms_xml(load_profile(ROOT / "profiles" / "travaux-qpv.yaml"))
    with pytest.raises(ClausegenError, match="avis de concession"):
        export_eforms(load_profile(ROOT / "profiles" / "travaux-qpv.yaml"), notice_type="19")


def test_social_services_cpv_list_is_the_sdks():
    assert is_social_services_cpv("85312110-3") and is_social_services_cpv("85312110")
    assert not is_social_services_cpv("45453000-7") and not is_social_services_cpv(None)


def test_strict_refuses_what_the_sdk_would_refuse(tmp_path):
    text = (ROOT / "profiles" / "services-ess.yaml").read_text(encoding="utf-8").replace("cpv: 85312110-3", "cpv: 45453000-7")
    path = tmp_path / "ess.yaml"
    path.write_text(text, encoding="utf-8")
    run = CliRunner().invoke(cli, ["export", "eforms", str(path), "--type-avis", "20", "--strict"], prog_name="clausegen")
    assert run.exit_code == 1 and run.stdout == ""
    assert "L'avis serait refusé par les règles du SDK eForms :" in run.stderr and "BR-BT-00262-0200" in run.stderr
    fine = CliRunner().invoke(cli, ["export", "eforms", str(ROOT / "docs" / "exemples" / "profil-attribue.yaml"), "--format", "xml", "--strict"], prog_name="clausegen")
    assert fine.exit_code == 0, fine.stderr
    assert XSD.validate(etree.fromstring(fine.stdout_bytes))


def test_shipped_sdk_material_is_recorded():
    notice = json.loads((DATA / "eforms-notice.json").read_text(encoding="utf-8"))
    assert notice["sdk"]["commit"] == "184afa7dd27d4c017eaf0b3ed345410e853425a4" and notice["sdk"]["version"] == "1.15.1"
    assert "Attribution 4.0 International" in (DATA / "eforms-schemas" / "LICENSE").read_text(encoding="utf-8")
    from ruamel.yaml import YAML

    sdk = YAML(typ="safe", pure=True).load((DATA / "eforms-sdk.yaml").read_text(encoding="utf-8"))
    # the social-services list of the code lists is the list of rule BR-BT-00262-0200
    assert set(notice["social_service_cpv"]["values"]) == set(sdk["rules"]["BR-BT-00262-0200"]["cpv"])
    assert notice["social_service_cpv"]["values"]["85312110"]


@pytest.mark.parametrize("subtype", ["15", "16", "17", "18", "20", "21", "22", "E3"])
def test_every_contract_notice_subtype_is_valid_and_writes_no_forbidden_field(subtype):
    notice = export_eforms_xml(load_profile(ROOT / "docs" / "exemples" / "profil-attribue.yaml"), notice_type=subtype)
    assert XSD.validate(etree.fromstring(notice.xml)), XSD.error_log
    assert notice.refusals == [] and not [f for f in notice.written if subtype in FIELDS[f]["forbidden_in"]]
    if subtype == "15":  # a qualification system has no estimated value
        assert "BT-27-Lot" not in notice.written and any("le SDK y interdit BT-27-Procedure, BT-27-Lot" in n for n in notice.notes)


def test_prior_information_types_are_refused_for_the_xml_notice():
    with pytest.raises(ClausegenError, match="avis de préinformation"):
        export_eforms_xml(load_profile(ROOT / "docs" / "exemples" / "profil-attribue.yaml"), notice_type="10")
