"""DECP per lot (issue 21): each lot's own CPV, place, duration, prices, innovation and environmental
considerations (defaulting to the market's), the draft marker, what ``--strict`` refuses, holders and
groupement, accord-cadre maximum, amounts under 1 €, notifications before the v2 format. Every complete
file is validated against the official schema as shipped (``schema_decp_v2.0.3.json``), read here directly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from jsonschema import Draft7Validator

from clausegen.cli import cli
from clausegen.export.decp import export_decp
from clausegen.export.eforms import export_eforms
from clausegen.profile.load import load_profile

ROOT = Path(__file__).resolve().parent.parent
COMPLETE = ROOT / "docs" / "exemples" / "profil-attribue.yaml"
TEXT = COMPLETE.read_text(encoding="utf-8")
SCHEMA = json.loads((ROOT / "src" / "clausegen" / "law" / "data" / "schema_decp_v2.0.3.json").read_text(encoding="utf-8"))
PUBLISHED = dt.date(2027, 5, 10)
LOT2 = "  - numero: 2\n    intitule: Nettoyage des bâtiments communautaires\n"
LOT2_OWN = LOT2 + """\
    cpv: 90911200-8
    duree_mois: 12
    lieu_execution_code:
      type: commune
      code: "21231"
    forme_prix: unitaire
    types_prix: [definitif_ferme, definitif_actualisable]
    innovant: true
    considerations_environnementales: [aucune]
"""


def variant(tmp_path, old: str, new: str) -> Path:
    assert old in TEXT, old
    path = tmp_path / "profil.yaml"
    path.write_text(TEXT.replace(old, new, 1), encoding="utf-8")
    return path


def records(result) -> list[dict]:
    return json.loads(result.to_json())["marches"]["marche"]


def official_errors(result) -> list[str]:
    return [e.message for e in Draft7Validator(SCHEMA).iter_errors(json.loads(result.to_json()))]


def test_travaux_qpv_lot_5_has_its_own_cpv():
    result = export_decp(load_profile(ROOT / "profiles" / "travaux-qpv.yaml"))
    assert [r["codeCPV"] for r in records(result)] == ["45453000"] * 4 + ["90911200"]
    assert [r["considerationsSociales"]["considerationSociale"] for r in records(result)][4] == ["Marché réservé"]
    assert result.draft and "tous les champs obligatoires remplis" not in " ".join(result.notes)


def test_lot_facts_are_the_lots_own_else_the_markets(tmp_path):
    prof = load_profile(variant(tmp_path, LOT2, LOT2_OWN))
    result = export_decp(prof, date_publication_donnees=PUBLISHED)
    assert result.strict_errors() == [] and not result.draft and official_errors(result) == []
    first, second, third = records(result)
    assert second["codeCPV"] == "90911200" and first["codeCPV"] == third["codeCPV"] == "77310000"
    assert second["dureeMois"] == 12 and first["dureeMois"] == 24
    assert second["lieuExecution"] == {"code": "21231", "typeCode": "Code commune"} and first["lieuExecution"] == {"code": "21", "typeCode": "Code département"}
    assert second["formePrix"] == "Unitaire" and first["formePrix"] == "Mixte"
    assert second["typesPrix"] == {"typePrix": ["Définitif ferme", "Définitif actualisable"]}
    assert second["marcheInnovant"] is True and first["marcheInnovant"] is False
    assert second["considerationsEnvironnementales"] == {"considerationEnvironnementale": ["Pas de considération environnementale"]}
    assert first["considerationsEnvironnementales"] == {"considerationEnvironnementale": ["Clause environnementale", "Critère environnemental"]}
    # the plan's codes, which eForms writes too: no env-imp on the lot without environmental consideration
    lots = export_eforms(prof).data["lots"]
    assert [[c["code"] for c in lot["BT-06-Lot"]] for lot in lots] == [["soc-obj", "env-imp"], ["soc-obj"], ["soc-obj", "env-imp"]]


def test_a_publishable_file_has_no_draft_marker_and_a_draft_says_so():
    complete = export_decp(load_profile(COMPLETE), date_publication_donnees=PUBLISHED)
    assert list(json.loads(complete.to_json())) == ["marches"]
    draft = export_decp(load_profile(COMPLETE))
    data = json.loads(draft.to_json())
    assert list(data) == ["brouillon", "marches"] and data["brouillon"]["publiable"] is False
    assert data["brouillon"]["marches"][0] == {"lot": 1, "id": "CAVF-2027-007-1", "champsManquants": ["datePublicationDonnees"], "refus": []}
    assert official_errors(draft)  # the records themselves are not valid either


@pytest.mark.parametrize("old,new,expected", [
    ("    id_decp: CAVF27-007-SIAE\n", "    id_decp: \" \"\n", "id : l'identifiant « lots[].id_decp » est blanc"),
    ("    id_decp: CAVF27-007-SIAE\n", "    id_decp: CAVF27&007;SIAE\n", "id : « CAVF27&007;SIAE » contient des caractères que le schéma DECP demande d'éviter (« & » et « ; »)."),
    ("    date_notification: 2027-04-20\n    offres_recues: 2\n", "    date_notification: 2027-01-10\n    offres_recues: 2\n",
     "dateNotification : la notification précède le lancement de la consultation"),
])
def test_strict_refuses_what_the_schema_lets_through(tmp_path, old, new, expected):
    path = variant(tmp_path, old, new)
    result = export_decp(load_profile(path), date_publication_donnees=PUBLISHED)
    assert any(expected in e for e in result.strict_errors()), result.strict_errors()
    assert result.draft
    run = CliRunner().invoke(cli, ["export", "decp", str(path), "--strict", "--date-publication-donnees", "2027-05-10"], prog_name="clausegen")
    assert run.exit_code == 1 and run.stdout == ""
    assert expected in run.stderr


def test_publication_before_notification_is_refused():
    result = export_decp(load_profile(COMPLETE), date_publication_donnees=dt.date(2027, 4, 21))
    assert result.schema_errors() == []  # the schema cannot see it
    assert result.strict_errors() == ["lot n° 2, marché « CAVF-2027-007-2 » : datePublicationDonnees : les données seraient publiées avant "
                                      "la notification du marché ; vérifiez les deux dates."]


def test_holders_and_groupement_agree(tmp_path):
    path = variant(tmp_path, '        siret: "672 938 415 00011"\n', '        siret: "531 628 497 00020"\n')
    result = export_decp(load_profile(path), date_publication_donnees=PUBLISHED)
    second = records(result)[1]
    assert second["titulaires"] == [{"titulaire": {"typeIdentifiant": "SIRET", "id": "53162849700020"}}]
    assert "typeGroupementOperateurs" not in second  # never « Solidaire » for one holder
    refused = result.records[1].refused
    assert refused[0].startswith("titulaires : le cotraitant « Nettoyage Solidaire SCOP » a le SIRET 53162849700020 d'un autre membre")
    assert refused[1].startswith("typeGroupementOperateurs : groupement solidaire avec un seul titulaire")


def test_accord_cadre_maximum_is_never_replaced_by_the_awarded_amount(tmp_path):
    path = variant(tmp_path, "      maximum_ht: 500000\n", "      maximum_ht: 500000\n    montant_attribue_ht: 420000\n")
    result = export_decp(load_profile(path), date_publication_donnees=PUBLISHED)
    assert records(result)[1]["montant"] == 500000 and not result.draft
    notes = [n.replace("\u202f", " ").replace("\xa0", " ") for n in result.notes]
    assert any(n.startswith("Lot n° 2 : montant : le lot est un accord-cadre ; son montant DECP est son maximum, 500 000,00 € HT")
               and "et non le montant attribué de 420 000,00 € HT (« montant_attribue_ht »), qui n'est pas publié." in n for n in notes)


def test_amount_under_one_euro_is_explained(tmp_path):
    path = variant(tmp_path, '    montant_attribue_ht: "381 250,40 €"\n', "    montant_attribue_ht: 0.5\n")
    result = export_decp(load_profile(path), date_publication_donnees=PUBLISHED)
    assert "montant" not in records(result)[0] and "montant" in result.records[0].missing
    assert any("inférieur à 1 €, le minimum du schéma DECP" in n for n in result.notes)


def test_notification_before_the_v2_format_gets_a_note(tmp_path):
    path = variant(tmp_path, "    date_notification: 2027-04-22\n", "    date_notification: 2023-12-20\n")
    notes = export_decp(load_profile(path), date_publication_donnees=PUBLISHED).notes
    assert any(n.startswith("Lot n° 2 : dateNotification : un marché notifié avant le 1er\xa0janvier 2024 relève du schéma 1.5 (arrêté du 22 mars 2019)")
               for n in notes), notes


def test_export_reads_the_plan_it_is_given():
    from clausegen.plan import build_plan

    prof = load_profile(COMPLETE)
    plan = build_plan(prof)
    result = export_decp(prof, plan=plan, date_publication_donnees=PUBLISHED)
    assert [r["considerationsSociales"]["considerationSociale"] for r in records(result)] == [list(lp.codes.decp_social) for lp in plan.lots]


def test_lot_keys_are_checked_like_the_markets(tmp_path):
    from clausegen.errors import ProfileError

    bad_place = LOT2 + "    lieu_execution_code:\n      type: commune\n      code: 2123\n"
    with pytest.raises(ProfileError) as caught:
        load_profile(variant(tmp_path, LOT2, bad_place))
    assert "lots[2].lieu_execution_code.code" in str(caught.value) and "n'est pas un code de type « commune »" in str(caught.value)
    with pytest.raises(ProfileError) as caught:
        load_profile(variant(tmp_path, LOT2, LOT2 + "    cpv: 9091120\n"))
    assert "lots[2].cpv" in str(caught.value)
