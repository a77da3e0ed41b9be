"""``clausegen init``: the guided start, interactive (CliRunner ``input=``) and from options, and the library
behind it (``clausegen.init``): every written profile is loaded back and computed."""

from __future__ import annotations

from decimal import Decimal

import click
import pytest
from click.testing import CliRunner

from clausegen.cli import init as cli_init
from clausegen.calc import compute_hours
from clausegen.cli.init import init
from clausegen.cli.guided import _umask, Answers, InvalidAnswer, LotAnswers, check_bases, check_rate, write_profile
from clausegen.law.registry import load_registry
from clausegen.profile.load import load_profile
from clausegen.review.run import review_profile

CLASSIC = [
    "--acheteur", "Préfecture de la Gironde",
    "--type-acheteur", "etat",
    "--reference", "2026-TRX-014",
    "--objet", "Réhabilitation de la cité administrative",
    "--nature", "travaux",
    "--duree-mois", "24",
    "--date-publication", "2026-12-15",
    "--cout-horaire", "32",
    "--taux-insertion", "7 %",
]  # fmt: skip
REQUIRED_OPTIONS = ("--acheteur", "--type-acheteur", "--reference", "--objet", "--nature", "--duree-mois", "--lot")


@pytest.fixture
def app():
    group = click.Group("clausegen")
    group.add_command(init)
    return group


def run(app, *args, input=None):
    return CliRunner().invoke(app, ["init", *map(str, args)], input=input, prog_name="clausegen", catch_exceptions=False)


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------------------------------
# non-interactive
# --------------------------------------------------------------------------------------------------


def test_options_write_a_profile_that_loads_and_gives_744_hours(app, tmp_path):
    path = tmp_path / "marche.yaml"
    result = run(app, path, "--non-interactif", *CLASSIC, "--lot", "Gros œuvre;art38;850000;40 %")
    assert result.exit_code == 0, result.output
    profile = load_profile(path)
    hours = compute_hours(profile)
    assert hours.lot(1).heures == 744  # 850 000 × 40 % ÷ 32 × 7 % = 743,75
    assert hours.total_heures == 744
    lot = profile.lots[0]
    assert (lot.intitule, lot.bases, lot.montant_ht, lot.part_main_oeuvre) == ("Gros œuvre", ("condition_execution",), Decimal(850000), Decimal("0.4"))
    assert profile.calcul.cout_horaire == 32 and profile.calcul.taux_insertion == Decimal("0.07")
    assert profile.acheteur.nom == "Préfecture de la Gironde" and profile.marche.duree_mois == 24
    assert profile.marche.qpv is False and profile.facilitateur is None
    out = result.stdout
    assert f"Profil écrit : {path}" in out and "744\u00a0heures d'insertion au total" in out
    assert out.index(f"clausegen calc {path}") < out.index(f"clausegen render {path} -o dce/")
    assert leftovers(tmp_path) == []


def test_every_option_reaches_the_profile(app, tmp_path):
    path = tmp_path / "p.yaml"
    result = run(
        app, path, "--non-interactif", *CLASSIC, "--qpv",
        "--facilitateur", "Samir Benali", "--facilitateur-structure", "PLIE du Grand Amiénois",
        "--facilitateur-courriel", "clauses@example.org",
        "--lot", "Curage et gros œuvre;art38+art52;850000;40 %",
        "--lot", "Nettoyage;art38;300 000 à 1 200 000 €;80 %",
        "--lot", "Espaces verts;art36-2;95000",
        "--ponderation", "1=10 %", "--penalite-par-heure", "50", "--periodicite-suivi", "mensuelle",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    profile = load_profile(path)
    hours = compute_hours(profile)
    assert profile.marche.qpv is True
    assert (profile.facilitateur.nom, profile.facilitateur.structure, profile.facilitateur.courriel) == ("Samir Benali", "PLIE du Grand Amiénois", "clauses@example.org")
    assert profile.lots[0].bases == ("condition_execution", "critere_attribution")
    assert profile.lots[0].critere.ponderation == Decimal("0.1")
    assert hours.lot(1).heures == 744
    assert hours.lot(2).accord_cadre.heures_fermes == 525  # 300 000 × 80 % ÷ 32 × 7 %
    assert hours.lot(2).accord_cadre.heures_max == 2100  # 1 200 000 × 80 % ÷ 32 × 7 %
    assert hours.lot(3).heures is None and profile.lots[2].bases == ("reserve_siae",)
    assert profile.execution.penalite_par_heure == 50 and profile.execution.periodicite_suivi == "mensuelle"
    rules = {f.rule for f in review_profile(profile)}
    assert not rules & {"facilitateur-absent", "critere-sans-ponderation"}


def test_missing_answers_are_all_listed_and_nothing_is_written(app, tmp_path):
    path = tmp_path / "p.yaml"
    result = run(app, path, "--non-interactif", "--nature", "travaux")
    assert result.exit_code == 2
    err = result.stderr
    for option in REQUIRED_OPTIONS:
        if option != "--nature":
            assert f"{option} " in err, option
    assert "--nature" not in err
    assert "problèmes : rien n'a été produit" in err
    assert "Traceback" not in result.output
    assert not path.exists() and leftovers(tmp_path) == []


def test_missing_lot_details_and_calculation_values_are_listed(app, tmp_path):
    options = [o for o in CLASSIC if o not in ("--cout-horaire", "32")]
    result = run(app, tmp_path / "p.yaml", "--non-interactif", *options, "--lot", "Gros œuvre;art38+art52", "--lot", "Espaces verts;art36-2")
    assert result.exit_code == 2
    err = result.stderr
    assert "--cout-horaire : réponse manquante" in err
    assert "--lot (3e champ) : lot 1 (« Gros œuvre ») : montant HT manquant" in err
    assert "--lot (4e champ) : lot 1 (« Gros œuvre ») : part de main-d'œuvre manquante" in err
    assert "--ponderation : lot 1 (« Gros œuvre ») : pondération du critère d'insertion manquante" in err
    assert "lot 2" not in err  # a reserved lot needs neither amount nor labour share
    assert not (tmp_path / "p.yaml").exists()


def test_invalid_option_values_get_the_loader_messages(app, tmp_path):
    options = [o for o in CLASSIC if o not in ("--taux-insertion", "7 %")]
    result = run(app, tmp_path / "p.yaml", "--non-interactif", *options, "--taux-insertion", "7", "--nature", "service",
                 "--lot", "Gros œuvre;art38;850000;40", "--lot", "Menuiserie;art83;1;1 %", "--lot", "Nettoyage;art38;900000 à 100000;50 %")
    assert result.exit_code == 2
    err = result.stderr
    assert "--taux-insertion : « 7 » n'est pas un taux" in err and "Vouliez-vous dire « 7 % » ?" in err
    assert "« service » n'est pas une valeur admise" in err and "Vouliez-vous dire « services » ?" in err
    assert "Vouliez-vous dire « 40 % » ?" in err
    assert "base juridique « art83 » inconnue" in err and "(ou les alias art38, art52, art28" in err
    assert err.count("--nature") == 1  # refused, so not also reported missing
    assert "le minimum de l'accord-cadre dépasse son maximum" in err
    assert not (tmp_path / "p.yaml").exists()


def test_without_a_terminal_nothing_is_asked(app, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_init, "_stdin_is_tty", lambda: False)
    result = run(app, tmp_path / "p.yaml", input="Préfecture\n")
    assert result.exit_code == 2
    assert "Nom de l'acheteur" not in result.output and "--acheteur : réponse manquante" in result.stderr


def test_default_file_name_is_profil_yaml(app, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["init", "--non-interactif", *CLASSIC, "--lot", "Gros œuvre;art38;850000;40 %"])
    assert result.exit_code == 0, result.output
    assert compute_hours(load_profile(tmp_path / "profil.yaml")).total_heures == 744
    assert "clausegen calc profil.yaml" in result.stdout


# --------------------------------------------------------------------------------------------------
# existing file
# --------------------------------------------------------------------------------------------------


def test_existing_file_is_kept_without_force(app, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("# mon brouillon\n", encoding="utf-8")
    result = run(app, path, "--non-interactif", *CLASSIC, "--lot", "Gros œuvre;art38;850000;40 %")
    assert result.exit_code == 2
    assert "existe déjà" in result.stderr and "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "# mon brouillon\n"
    # interactive: refused before the first question
    result = run(app, path, "--interactif", input="Préfecture\n")
    assert result.exit_code == 2 and "Nom de l'acheteur" not in result.output
    assert path.read_text(encoding="utf-8") == "# mon brouillon\n"
    result = run(app, path, "--non-interactif", "--force", *CLASSIC, "--lot", "Gros œuvre;art38;850000;40 %")
    assert result.exit_code == 0, result.output
    assert compute_hours(load_profile(path)).total_heures == 744
    assert leftovers(tmp_path) == []


def test_destination_folder_must_exist(app, tmp_path):
    result = run(app, tmp_path / "absent" / "p.yaml", "--non-interactif", *CLASSIC, "--lot", "Gros œuvre;art38;850000;40 %")
    assert result.exit_code == 2 and "n'existe pas" in result.stderr
    result = run(app, tmp_path, "--non-interactif", *CLASSIC, "--lot", "Gros œuvre;art38;850000;40 %")
    assert result.exit_code == 2 and "est un dossier" in result.stderr


# --------------------------------------------------------------------------------------------------
# interactive
# --------------------------------------------------------------------------------------------------

INTERVIEW = [
    "Préfecture de la Gironde",  # acheteur
    "1",  # type: etat, by its number in the menu
    "2026-TRX-014",
    "Réhabilitation de la cité administrative",
    "travaux",
    "24",
    "oui",  # QPV
    "2026-12-15",
    "Samir Benali",  # facilitateur
    "PLIE de Bordeaux",
    "samir.benali@example.org",
    "32",  # coût horaire
    "7",  # wrong: a bare 7 is refused, then asked again
    "7 %",
    "2",  # two lots
    "Gros œuvre",
    "art38+art52",
    "non",  # not an accord-cadre
    "850 000",
    "40 %",
    "10 %",  # weighting of the criterion
    "Espaces verts",
    "5",  # reserve_siae
    "",  # amount left empty
    "",  # penalty: later
    "",  # periodicity: later
]


def test_interview_writes_the_profile_and_asks_again_after_a_wrong_answer(app, tmp_path):
    path = tmp_path / "p.yaml"
    result = run(app, path, "--interactif", input="\n".join(INTERVIEW) + "\n")
    assert result.exit_code == 0, result.output
    out = result.output
    # menus drawn from the registry
    assert "1. etat — État (administration centrale ou déconcentrée)" in out
    assert "condition_execution — condition d'exécution à caractère social" in out
    assert "art38" in out and load_registry().basis("reserve_siae")["summary"][:40] in out
    assert "peinture intérieure : 70 %" in out and "suggestions" in out
    assert "5 %, 7 % ou 10 %" in out
    # the wrong rate, its French message and the question asked again
    assert "Erreur : « 7 » n'est pas un taux" in result.stderr and "Vouliez-vous dire « 7 % » ?" in result.stderr
    assert out.count("Taux d'insertion (comme « 7 % ») :") == 2
    assert "la revue le signalera" in out
    assert f"Profil écrit : {path}" in out and f"clausegen render {path} -o dce/" in out
    profile = load_profile(path)
    hours = compute_hours(profile)
    assert hours.lot(1).heures == 744 and hours.lot(2).heures is None
    assert profile.marche.qpv is True and profile.facilitateur.courriel == "samir.benali@example.org"
    assert profile.lots[0].critere.ponderation == Decimal("0.1")
    assert profile.lots[1].montant_ht is None
    rules = {f.rule for f in review_profile(profile)}
    blanks = {f.field for f in review_profile(profile) if f.rule == "a-completer"}
    assert {"execution.penalite_par_heure", "execution.periodicite_suivi"} <= blanks


def test_options_given_are_not_asked_again(app, tmp_path, monkeypatch):
    monkeypatch.setattr(cli_init, "_stdin_is_tty", lambda: True)  # a terminal: interactive by default
    answers = ["2026-TRX-014", "Réhabilitation", "travaux", "12", "non", "", "", "32", "7 %", "", ""]
    result = run(app, tmp_path / "p.yaml", "--acheteur", "Préfecture", "--type-acheteur", "etat",
                 "--lot", "Gros œuvre;art38;850000;40 %", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Nom de l'acheteur" not in result.output and "Types d'acheteur" not in result.output
    assert "Intitulé du lot" not in result.output
    assert compute_hours(load_profile(tmp_path / "p.yaml")).total_heures == 744


def test_interview_completes_a_lot_given_without_its_figures(app, tmp_path):
    answers = ["Préfecture", "etat", "R-1", "Travaux", "travaux", "12", "non", "", "", "32", "7 %",
               "non", "850000", "toto", "40 %", "10 %", "", ""]
    result = run(app, tmp_path / "p.yaml", "--interactif", "--lot", "Gros œuvre;art38+art52", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Lot 1 (« Gros œuvre »)" in result.output and "Intitulé du lot" not in result.output
    assert "« toto » n'est pas un taux" in result.stderr
    profile = load_profile(tmp_path / "p.yaml")
    assert compute_hours(profile).total_heures == 744 and profile.lots[0].critere.ponderation == Decimal("0.1")


def test_accord_cadre_interview(app, tmp_path):
    answers = ["Département", "collectivite", "CD21-2027-015", "Nettoyage des locaux", "services", "48 mois", "non", "",
               "", "30", "5 %", "1", "Nettoyage", "1", "oui", "400000", "300000",  # minimum above maximum: asked again
               "400000", "1 600 000", "80 %", "40", "trimestrielle"]
    result = run(app, tmp_path / "p.yaml", "--interactif", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "le minimum dépasse le maximum" in result.stderr
    ac = compute_hours(load_profile(tmp_path / "p.yaml")).lot(1).accord_cadre
    assert (ac.heures_fermes, ac.heures_max) == (533, 2133)  # as profiles/nettoyage-accord-cadre.yaml


def test_abandoned_interview_writes_nothing(app, tmp_path):
    result = run(app, tmp_path / "p.yaml", "--interactif", input="Préfecture\netat\n")
    assert result.exit_code == 1
    assert not (tmp_path / "p.yaml").exists() and leftovers(tmp_path) == []


# --------------------------------------------------------------------------------------------------
# the written profile
# --------------------------------------------------------------------------------------------------


def test_written_profile_keeps_its_french_comments(app, tmp_path):
    path = tmp_path / "p.yaml"
    assert run(app, path, "--non-interactif", *CLASSIC, "--lot", "Gros œuvre;art38+art52;850000;40 %", "--ponderation", "10 %").exit_code == 0
    text = path.read_text(encoding="utf-8")
    comments = [line.strip() for line in text.splitlines() if line.strip().startswith("#")]
    assert len(comments) > 40
    for expected in (
        "# L'ACHETEUR",
        "# LES LOTS",
        "# Nom tel qu'il doit apparaître dans les pièces du marché.",
        "# Part de la main-d'œuvre dans le montant du lot.",
        "# Heures : 850 000,00 € × 40 % ÷ 32,00 € × 7 % = 743,75",
        "# Taux d'effort d'insertion couramment retenus : 5 %, 7 % ou 10 % (à confirmer)",
        "# Condition d'exécution à caractère social : articles L. 2112-2 et L. 2112-3",
        "# Aucun facilitateur n'est indiqué : la revue le signalera",
        "# penalite_par_heure:",
        "#   clausegen render p.yaml -o dce/",
    ):
        assert any(expected in " ".join(comments[i:i + 2]) for i in range(len(comments))), expected
    assert "\u00a0" not in text and "\u202f" not in text  # plain spaces in the file a buyer edits
    assert all(len(line) <= 112 for line in text.splitlines())
    # the comments survive a second run with --force, and the same answers give the same file
    assert run(app, path, "--non-interactif", "--force", *CLASSIC, "--lot", "Gros œuvre;art38+art52;850000;40 %", "--ponderation", "10 %").exit_code == 0
    assert path.read_text(encoding="utf-8") == text


@pytest.mark.parametrize("basis", load_registry().basis_names())
def test_round_trip_with_each_legal_basis(app, tmp_path, basis):
    law = load_registry()
    alias = law.basis(basis)["former"][0]["alias"]
    extra = ["--ponderation", "12,5 %"] if basis == "critere_attribution" else []
    path = tmp_path / "p.yaml"
    result = run(app, path, "--non-interactif", *[o if o != "travaux" else "services" for o in CLASSIC], "--lot", f"Lot unique;{alias};850000;40 %", *extra)
    assert result.exit_code == 0, result.output
    profile = load_profile(path)
    lot = profile.lots[0]
    assert lot.bases == (basis,) and lot.montant_ht == 850000
    hours = compute_hours(profile).lot(1)
    assert hours.heures == (744 if law.basis(basis)["obligation_heures"] else None)
    if basis == "critere_attribution":
        assert lot.critere.ponderation == Decimal("0.125")
    assert f"base_legale: {basis}" in path.read_text(encoding="utf-8")


def test_awkward_texts_and_amounts_round_trip(tmp_path):
    answers = Answers(
        acheteur='"Ville" de Saint-Denis : service # achats',
        type_acheteur="collectivite",
        reference="2027014",
        objet="- true",
        nature="travaux",
        duree_mois=12,
        date_publication=None,
        cout_horaire=Decimal("31.5"),
        taux_insertion=Decimal("0.075"),
        lots=[LotAnswers("null", ["condition_execution"], montant_ht=Decimal("1250000.50"), part_main_oeuvre=Decimal("0.755"))],
    )
    result = write_profile(answers, tmp_path / "p.yaml")
    profile = load_profile(tmp_path / "p.yaml")
    assert (profile.acheteur.nom, profile.marche.reference, profile.marche.objet, profile.lots[0].intitule) == (answers.acheteur, "2027014", "- true", "null")
    assert profile.lots[0].montant_ht == Decimal("1250000.50") and profile.calcul.cout_horaire == Decimal("31.5")
    assert profile.calcul.taux_insertion == Decimal("0.075") and profile.lots[0].part_main_oeuvre == Decimal("0.755")
    assert result.lot(1).heures == compute_hours(profile).lot(1).heures == 2247  # 1 250 000,50 × 75,5 % ÷ 31,5 × 7,5 % = 2 247,04


def test_reserved_lots_only_need_no_calculation_values(app, tmp_path):
    options = [o for o in CLASSIC if o not in ("--cout-horaire", "32", "--taux-insertion", "7 %")]
    path = tmp_path / "p.yaml"
    result = run(app, path, "--non-interactif", *options, "--lot", "Espaces verts;art36-2;95 000 €", "--periodicite-suivi", "trimestrielle")
    assert result.exit_code == 0, result.output
    assert "aucune heure d'insertion calculée" in result.stdout
    profile = load_profile(path)
    assert profile.calcul.cout_horaire is None and profile.lots[0].montant_ht == 95000
    assert profile.execution.periodicite_suivi == "trimestrielle" and profile.execution.penalite_par_heure is None
    text = path.read_text(encoding="utf-8")
    assert "\n# calcul:\n" in text and "\nexecution:\n" in text and "  # penalite_par_heure:" in text
    assert path.stat().st_mode & 0o777 == 0o666 & ~_umask()  # not the 0600 of a temporary file


def test_library_checks_use_the_loader_parsers(tmp_path):
    with pytest.raises(InvalidAnswer) as caught:
        check_rate("7")
    assert caught.value.suggestion == "Vouliez-vous dire « 7 % » ?"
    assert check_rate("7,5 %") == Decimal("0.075")
    assert check_bases("1+art52") == ["condition_execution", "critere_attribution"]
    incomplete = Answers("Préfecture", "etat", "R1", "Objet", "travaux", 12, lots=[LotAnswers("Gros œuvre", ["condition_execution"])])
    with pytest.raises(Exception) as caught:
        write_profile(incomplete, tmp_path / "p.yaml")
    assert "montant HT manquant" in str(caught.value) and "coût horaire manquant" in str(caught.value)
    assert getattr(caught.value, "exit_code", None) == 2
    assert not (tmp_path / "p.yaml").exists()


def test_help_is_french_with_an_example(app):
    result = run(app, "--help")
    assert result.exit_code == 0
    assert "Crée un profil de marché commenté" in result.output and "Exemples" in result.output
    assert "--non-interactif" in result.output and "--lot" in result.output


def test_an_accord_cadre_without_maximum_is_refused_as_an_answer():
    from clausegen.cli.init import check_lot_spec
    from clausegen.cli.guided import InvalidAnswer

    with pytest.raises(InvalidAnswer, match="sans maximum"):
        check_lot_spec("Entretien;art38;300000 à;40 %")
