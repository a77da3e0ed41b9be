"""The legal registry as a reviewer applies it: dated thresholds over every period the loader accepts,
the corrected facts (L2112-4, State public establishments, the 2026 obligation), the closed list of
derogations and the required maximum of an accord-cadre, from the loader to the documents."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import BASE, write_profile

from clausegen import compute_hours, load_profile
from clausegen.cli import cli as main
from clausegen.errors import ProfileError
from clausegen.law.registry import load_registry
from clausegen.docx.extract import docx_text
from clausegen.render.pack import render_documents
from clausegen.review.run import review_profile

ROOT = Path(__file__).resolve().parents[1]
LAW = load_registry()


# -- registry facts -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "works", "central", "other", "utilities"),
    [
        ("2019-04-01", 5548000, 144000, 221000, 443000),
        ("2021-06-01", 5350000, 139000, 214000, 428000),
        ("2023-12-31", 5382000, 140000, 215000, 431000),
        ("2024-01-01", 5538000, 143000, 221000, 443000),
        ("2027-12-31", 5404000, 140000, 216000, 432000),
    ],
)
def test_thresholds_of_every_two_year_period(day, works, central, other, utilities):
    on = dt.date.fromisoformat(day)
    got = [LAW.threshold(c, on).value for c in ("travaux", "fournitures_services_etat", "fournitures_services_autres", "fournitures_services_entites_adjudicatrices")]
    assert got == [Decimal(works), Decimal(central), Decimal(other), Decimal(utilities)]
    for category in ("travaux", "fournitures_services_etat"):
        assert LAW.threshold(category, on).source.startswith("RD-")  # a delegated regulation, dated


def test_no_threshold_is_known_after_2027_and_none_is_reused():
    on = dt.date(2028, 1, 1)
    assert LAW.threshold_or_none("travaux", on) is None
    assert LAW.last_threshold_day("travaux") == dt.date(2027, 12, 31)
    # the fixed amounts of the directives do not end
    assert LAW.threshold("services_sociaux", on).value == Decimal(750000)
    assert LAW.threshold("services_sociaux_entites_adjudicatrices", on).value == Decimal(1000000)


def test_state_public_establishments_are_central_authorities_but_not_epic():
    assert LAW.threshold_category("etablissement_public_etat", "services") == "fournitures_services_etat"
    assert LAW.threshold_category("epic_etat", "fournitures") == "fournitures_services_autres"
    assert LAW.social_threshold_category("entite_adjudicatrice") == "services_sociaux_entites_adjudicatrices"
    assert LAW.is_state_buyer("etablissement_public_etat") and not LAW.is_state_buyer("collectivite")


def test_l2112_4_is_not_a_basis_of_the_insertion_condition():
    assert LAW.articles("condition_execution", dt.date(2026, 12, 1)).value == ["L2112-2", "L2112-3"]
    assert "n'est pas un fondement" in LAW.data["articles"]["L2112-4"]["summary"]


def test_2026_obligation_starts_on_22_august_with_a_primary_source():
    assert LAW.rule_start("clause_sociale_obligatoire") == dt.date(2026, 8, 22)
    fact = LAW.data["rules"]["clause_sociale_obligatoire"]["applies_from"][dt.date(2026, 8, 22)]
    title = LAW.source(fact["source"])["title"]
    assert "L2112-2-1" in title and "22 août 2026" in title and "LEGITEXT000037701019" in title


def test_no_abrogated_legifrance_identifier():
    # the 2019 version of annexe 2 (the thresholds' avis) is abrogated: its identifier is never a source
    text = (ROOT / "src" / "clausegen" / "law" / "registry.yaml").read_text(encoding="utf-8")
    cited = [line for line in text.splitlines() if "LEGIARTI000038319378" in line and not line.lstrip().startswith("#")]
    assert cited == []


def test_derogations_are_a_closed_list_with_their_confidence():
    cases = LAW.derogations()
    # L. 2112-2-1, II: four cases, in the order and numbering of the article, verbatim
    assert list(cases) == ["solution_immediatement_disponible", "lien_objet_insuffisant", "restriction_concurrence", "travaux_moins_de_six_mois"]
    assert [c["number"] for c in cases.values()] == ["1°", "2°", "3°", "4°"]
    assert [c["confidence"] for c in cases.values()] == ["V", "V", "V", "V"]
    assert cases["solution_immediatement_disponible"]["label"] == "Le besoin peut être satisfait par une solution immédiatement disponible"
    assert cases["travaux_moins_de_six_mois"]["label"] == "Lorsqu'il s'agit d'un marché de travaux d'une durée inférieure à six mois"
    assert cases["travaux_moins_de_six_mois"]["natures"] == ["travaux"] and cases["travaux_moins_de_six_mois"]["duree_max_mois"] == 5


def test_every_source_is_a_primary_reference_or_a_named_practice_and_none_is_a_local_file():
    text = (ROOT / "src" / "clausegen" / "law" / "registry.yaml").read_text(encoding="utf-8")
    assert ".md" not in text and "shared/" not in text
    for key, source in LAW.data["sources"].items():
        assert source["title"].strip(), key
    used = set(re.findall(r"source: ([A-Za-z0-9-]+)", text))
    assert used <= set(LAW.data["sources"]), used - set(LAW.data["sources"])


# -- profiles of any accepted date calculate, review and render -------------------------------------


def test_a_profile_dated_2021_calculates_reviews_and_renders(tmp_path):
    path = write_profile(tmp_path, BASE.replace("2026-12-15", "2021-06-01"))
    profile = load_profile(path)
    assert compute_hours(profile).total_heures == 744
    assert not [f for f in review_profile(profile) if f.rule == "clause-sociale-obligatoire"]
    fiche = docx_text(render_documents(profile, ["fiche-caracterisation"])["fiche-caracterisation.docx"])
    assert "5\u202f350\u202f000,00\u00a0€ HT" in fiche  # the 2020-2021 works threshold
    result = CliRunner().invoke(main, ["render", str(path), "-o", str(tmp_path / "dce")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "dce").glob("*.docx"))) == 6  # no mémoire: no lot is scored on insertion
    assert "memoire.docx n'est pas produit" in result.output


def test_a_profile_dated_2028_is_reviewed_with_a_finding_not_a_crash(tmp_path):
    path = write_profile(tmp_path, BASE.replace("2026-12-15", "2028-03-01"))
    profile = load_profile(path)
    found = [f for f in review_profile(profile) if f.rule == "clause-sociale-obligatoire"]
    assert len(found) == 1 and found[0].severity == "avertissement"
    assert "aucun seuil européen" in found[0].message and "31\u00a0décembre 2027" in found[0].message
    assert (found[0].line, found[0].column) == (10, 21)  # marche.date_publication
    fiche = docx_text(render_documents(profile, ["fiche-caracterisation"])["fiche-caracterisation.docx"])
    plain = fiche.replace("\u00a0", " ").replace("\u202f", " ")
    assert "Aucune valeur connue à cette date (valeurs connues jusqu'au 31 décembre 2027) : à vérifier avant publication" in plain
    assert "À vérifier : seuil ou valeur estimée inconnus" in plain


# -- loader: derogations and accords-cadres -------------------------------------------------------


def _issues(tmp_path, text):
    with pytest.raises(ProfileError) as info:
        load_profile(write_profile(tmp_path, text))
    return info.value.issues


def test_a_free_text_derogation_is_refused_with_the_list_of_cases(tmp_path):
    text = BASE.replace("  date_publication: 2026-12-15\n", "  date_publication: 2026-12-15\n  derogation_clause_sociale: marché très technique\n")
    (issue,) = _issues(tmp_path, text)
    assert (issue.line, issue.column, issue.field) == (11, 30, "marche.derogation_clause_sociale")
    assert "lien_objet_insuffisant" in issue.expected and "restriction_concurrence" in issue.expected
    assert "cas" in issue.expected and "motif" in issue.expected


def test_an_unknown_derogation_case_is_refused_with_a_suggestion(tmp_path):
    text = BASE.replace(
        "  date_publication: 2026-12-15\n",
        "  date_publication: 2026-12-15\n  derogation_clause_sociale:\n    cas: restriction_concurence\n    motif: Deux opérateurs seulement.\n",
    )
    (issue,) = _issues(tmp_path, text)
    assert issue.field == "marche.derogation_clause_sociale.cas" and issue.line == 12
    assert "restriction_concurrence" in (issue.suggestion or "")


def test_a_derogation_without_motif_is_refused(tmp_path):
    text = BASE.replace("  date_publication: 2026-12-15\n", "  date_publication: 2026-12-15\n  derogation_clause_sociale:\n    cas: lien_objet_insuffisant\n")
    (issue,) = _issues(tmp_path, text)
    assert "motif" in issue.message


def test_an_accord_cadre_without_maximum_exits_2_with_its_position(tmp_path):
    text = BASE.replace("    montant_ht: 850000\n", "    accord_cadre:\n      minimum_ht: 200000\n")
    path = write_profile(tmp_path, text)
    result = CliRunner().invoke(main, ["calc", str(path)])
    assert result.exit_code == 2
    assert f"{path}:18:5: lots[1].accord_cadre.maximum_ht" in result.output
    assert "R2162-4" in result.output


def test_the_estimated_value_of_an_accord_cadre_is_its_maximum(tmp_path):
    text = BASE.replace("    montant_ht: 850000\n", "    montant_ht: 850000\n    accord_cadre:\n      minimum_ht: 200000\n      maximum_ht: 1200000\n")
    assert load_profile(write_profile(tmp_path, text)).valeur_estimee_ht == Decimal(1200000)


def test_derogations_are_printed_in_the_fiche_only():
    profile = load_profile(ROOT / "tests" / "data" / "derogations.yaml")
    files = {name: docx_text(data) for name, data in render_documents(profile).items()}
    fiche = files.pop("fiche-caracterisation.docx")
    assert "Deux fabricants seulement assurent la maintenance agréée" in fiche
    assert "Enlèvement ponctuel par le fabricant" in fiche
    assert "restreindre la concurrence" in fiche
    for name, text in files.items():
        assert "Deux fabricants seulement" not in text, name


def test_no_document_cites_l2112_4():
    for path in sorted((ROOT / "profiles").glob("*.yaml")):
        for name, data in render_documents(load_profile(path)).items():
            assert "2112-4" not in docx_text(data), (path.name, name)
