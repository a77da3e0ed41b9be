"""``clausegen check``: exit codes, expansion of folders, text and JSON outputs, the rule list, usage errors."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.review.rules import RULES


def _load_helpers():
    spec = importlib.util.spec_from_file_location("_clausegen_rule_helpers", Path(__file__).parent / "rules" / "helpers.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_h = _load_helpers()
variant, without = _h.variant, _h.without
# the rules' BASE, declaring its environmental clause and criterion (line 12), so that it triggers no rule
BASE = variant(_h.BASE, ("  procedure: procedure_adaptee\n", "  procedure: procedure_adaptee\n  considerations_environnementales: [clause, critere]\n"))

# one « erreur » (apprentissage-sans-eligibilite at line 23, column 18)
ERROR = variant(BASE, ("  periodicite_suivi: trimestrielle\n", "  periodicite_suivi: trimestrielle\n  apprentissage: sans_condition\n"))
# one « avertissement » (facilitateur-absent, 1:1) and one « conseil » (heures-sous-un-parcours: 175 h)
WARNINGS = variant(without(BASE, "facilitateur"), ("montant_ht: 850000", "montant_ht: 200000"))
# invalid: unknown buyer type at line 4, column 9
INVALID = variant(BASE, ("type: etat", "type: etatt"))


@pytest.fixture
def run():
    def invoke(*args):
        return CliRunner().invoke(cli, ["check", *map(str, args)], catch_exceptions=False)

    return invoke


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- exit codes --------------------------------------------------------------------------------------------


def test_profil_propre_code_0(run, tmp_path):
    result = run(write(tmp_path, "propre.yaml", BASE))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().splitlines()[-1] == "1 profil relu : 0 erreur, 0 avertissement, 0 conseil."


def test_avertissements_et_conseils_seuls_code_0(run, tmp_path):
    result = run(write(tmp_path, "avertissements.yaml", WARNINGS))
    assert result.exit_code == 0, result.output
    assert "[facilitateur-absent]" in result.stdout and "[heures-sous-un-parcours]" in result.stdout
    assert "1 profil relu : 0 erreur, 1 avertissement, 1 conseil." in result.stdout


def test_une_erreur_code_1(run, tmp_path):
    result = run(write(tmp_path, "erreur.yaml", ERROR))
    assert result.exit_code == 1, result.output
    assert "23:18  erreur  [apprentissage-sans-eligibilite]" in result.stdout
    assert "1 profil relu : 1 erreur, 0 avertissement, 0 conseil." in result.stdout


def test_un_profil_invalide_parmi_d_autres_code_2(run, tmp_path):
    good = write(tmp_path, "a-erreur.yaml", ERROR)
    bad = write(tmp_path, "b-invalide.yaml", INVALID)
    result = run(good, bad)
    assert result.exit_code == 2, result.output
    # the loader's message, positioned « fichier:ligne:colonne »
    assert f"{bad}:4:9: acheteur.type : « etatt » n'est pas une valeur admise." in result.stderr
    assert "Vouliez-vous dire « etat » ?" in result.stderr
    # the valid profile is still reviewed
    assert "[apprentissage-sans-eligibilite]" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "2 profils relus : 1 erreur, 0 avertissement, 0 conseil. 1 profil invalide (voir les messages ci-dessus)."


def test_profil_introuvable_code_2(run, tmp_path):
    missing = tmp_path / "absent.yaml"
    result = run(missing)
    assert result.exit_code == 2
    assert f"{missing}:1:1:" in result.stderr and "fichier introuvable" in result.stderr


# -- folders ------------------------------------------------------------------------------------------------


def test_dossiers_parcourus_recursivement(run, tmp_path):
    write(tmp_path, "a.yaml", BASE)
    write(tmp_path, "sous/b.yml", WARNINGS)
    write(tmp_path, "sous/plus/bas/c.yaml", ERROR)
    write(tmp_path, "sous/notes.txt", "pas un profil")
    result = run(tmp_path, "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert data["profils"] == [str(tmp_path / "a.yaml"), str(tmp_path / "sous/b.yml"), str(tmp_path / "sous/plus/bas/c.yaml")]
    assert {c["fichier"] for c in data["constats"]} == {str(tmp_path / "sous/b.yml"), str(tmp_path / "sous/plus/bas/c.yaml")}


def test_dossier_sans_profil_erreur_d_usage(run, tmp_path):
    write(tmp_path, "lisez-moi.txt", "rien")
    result = run(tmp_path)
    assert result.exit_code == 2
    assert "aucun fichier .yaml" in result.output


# -- outputs ------------------------------------------------------------------------------------------------


def test_format_json(run, tmp_path):
    path = write(tmp_path, "erreur.yaml", ERROR)
    result = run(path, "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert set(data) >= {"profils", "constats", "invalides", "resume"}
    assert data["profils"] == [str(path)]
    assert data["invalides"] == []
    assert data["resume"] == {"erreur": 1, "avertissement": 0, "conseil": 0}
    (constat,) = data["constats"]
    assert set(constat) >= {"fichier", "ligne", "colonne", "gravite", "regle", "message", "reference"}
    assert constat["fichier"] == str(path)
    assert (constat["ligne"], constat["colonne"]) == (23, 18)
    assert constat["gravite"] == "erreur"
    assert constat["regle"] == "apprentissage-sans-eligibilite"
    assert "sans_condition" in constat["message"]
    assert constat["reference"].strip()


def test_format_json_profil_invalide(run, tmp_path):
    path = write(tmp_path, "invalide.yaml", INVALID)
    result = run(path, "--format", "json")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["constats"] == []
    (issue,) = data["invalides"]
    assert (issue["fichier"], issue["ligne"], issue["colonne"], issue["champ"]) == (str(path), 4, 9, "acheteur.type")


def test_sortie_texte_groupee_par_fichier(run, tmp_path):
    first = write(tmp_path, "a.yaml", WARNINGS)
    second = write(tmp_path, "b.yaml", ERROR)
    clean = write(tmp_path, "c.yaml", BASE)
    result = run(tmp_path)
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 14, lines
    # first file: its name, then per finding « ligne:colonne  gravité  [règle] », the message, the reference
    assert lines[0] == str(first)
    assert lines[1] == "  1:1  avertissement  [facilitateur-absent]"
    assert lines[2].startswith("      Aucun facilitateur")
    assert lines[3].startswith("      Référence : CCAG 2021")
    assert lines[4] == "  24:5  conseil  [heures-sous-un-parcours]"
    assert lines[5].startswith("      Le lot 1 porte 175")
    assert lines[6].startswith("      Référence : ")
    assert lines[7] == ""
    # second file
    assert lines[8] == str(second)
    assert lines[9] == "  23:18  erreur  [apprentissage-sans-eligibilite]"
    assert lines[10].startswith("      Les contrats d'apprentissage")
    assert lines[11].startswith("      Référence : instruction")
    assert lines[12] == ""
    # the summary line
    assert lines[13] == "3 profils relus : 1 erreur, 1 avertissement, 1 conseil."
    assert str(clean) not in result.stdout  # a file without findings is not listed


# -- the rule list --------------------------------------------------------------------------------------------


def test_rules_liste_toutes_les_regles(run):
    result = run("--rules")
    assert result.exit_code == 0
    listed = [line.split("  (", 1)[0] for line in result.stdout.splitlines() if line and not line.startswith(" ")]
    assert listed == [r.ID for r in RULES]
    for rule in RULES:
        assert f"{rule.ID}  ({rule.SEVERITY})" in result.stdout
    assert result.stdout.count("Référence : ") == len(RULES)


def test_alias_regles(run):
    assert run("--regles").stdout == run("--rules").stdout


def test_rules_en_json(run):
    result = run("--rules", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert [d["regle"] for d in data] == [r.ID for r in RULES]
    for entry, rule in zip(data, RULES):
        assert entry["gravite"] == rule.SEVERITY
        assert entry["titre"] and entry["reference"]
        assert "Ce que vérifie la règle" in entry["documentation"]


# -- usage errors and help ---------------------------------------------------------------------------------------


def test_documents_avec_deux_profils_sans_leurs_sous_dossiers_code_2(run, tmp_path):
    # several profiles are compared with the sub-folders « render » gives them (tests/test_hardening_cli.py);
    # none here: refused, every missing folder named, nothing reviewed
    a = write(tmp_path, "a.yaml", BASE)
    b = write(tmp_path, "b.yaml", BASE)
    folder = tmp_path / "dce"
    folder.mkdir()
    result = run(a, b, "--documents", folder)
    assert result.exit_code == 2
    assert "2 marchés sans sous-dossier de documents ; rien n'a été relu." in result.output
    assert f"dossier {folder / '2026-TRX-014'} introuvable" in result.output


def test_documents_avec_un_profil(run, tmp_path):
    path = write(tmp_path, "a.yaml", BASE)
    folder = tmp_path / "dce"
    folder.mkdir()
    result = run(path, "--documents", folder)
    assert result.exit_code == 0, result.output  # absent documents are avertissements
    assert result.stdout.count("[documents-divergents]") == 5
    assert "1 profil relu : 0 erreur, 5 avertissements, 0 conseil." in result.stdout


def test_sans_argument_erreur_d_usage(run):
    result = run()
    assert result.exit_code == 2
    assert "indiquez au moins un profil ou un dossier (ou --rules)" in result.output


def test_aide_en_francais(run):
    result = run("--help")
    assert result.exit_code == 0
    for text in (
        "Revue d'un ou plusieurs profils",
        "fichiers .yaml ou dossiers (parcourus récursivement)",
        "Code de sortie : 0 sans erreur, 1 si au moins une erreur, 2 si un profil est invalide.",
        "Forme de la sortie.",
        "Dossier de documents produits à comparer au profil",
        "Liste les règles de la revue et quitte.",
        "--regles",
    ):
        assert text in result.output, text
    assert run("-h").output == result.output
