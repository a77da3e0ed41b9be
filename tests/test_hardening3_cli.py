"""Hardening, round 3 (issue 23), the command line's left-overs: each attack reproduced, with its clean outcome.

French range and number messages of click; ``*.YAML`` found in folders; ``calc -`` and ``check -`` read the
standard input, named « <entrée standard> »; ``calc --format json`` on an invalid profile prints its issues as
JSON; ``check --rules CODE`` shows that rule's documentation; the ``--type-acheteur`` help lists every buyer
type of the registry; ``clausegen cache`` and ``--vider``; shell completion gives a script.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.law.registry import load_registry

ROOT = Path(__file__).resolve().parents[1]
QPV = ROOT / "profiles" / "travaux-qpv.yaml"
DRAFT = ROOT / "profiles" / "services-sans-facilitateur.yaml"
SRC = str(ROOT / "src")


def invoke(*args, input=None, env=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, env=env, prog_name="clausegen", catch_exceptions=False)


# -- click's own messages, in French ---------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "65", "-3"])
def test_range_refusal_is_french(value, tmp_path):
    result = invoke("render", QPV, "-o", tmp_path / "out", "-j", value)
    assert result.exit_code == 2
    assert f"{value} n'est pas admis : valeur de 1 à 64 attendue." in result.stderr
    assert "<=" not in result.stderr and "range" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_number_refusal_is_french(tmp_path):
    result = invoke("check", QPV, "--jobs", "beaucoup")
    assert result.exit_code == 2
    assert "'beaucoup' n'est pas un nombre entier valide." in result.stderr
    assert "integer" not in result.stderr


def test_range_in_help_is_french():
    for command in ("render", "check"):
        text = invoke(command, "--help").stdout
        assert "[de 1 à 64]" in text and "1<=x<=64" not in text


# -- *.YAML in folders -----------------------------------------------------------------------------------------


def test_upper_case_suffixes_are_profiles(tmp_path):
    from clausegen.many import expand_paths

    for name in ("a.YAML", "b.Yml", "c.yaml", "sub/d.YML"):
        target = tmp_path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(QPV.read_text(encoding="utf-8").replace("PREF80-2027-TX-003", f"REF-{name[0]}"), encoding="utf-8")
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.YAML", "b.Yml", "c.yaml", "d.YML"]
    result = invoke("check", tmp_path)
    assert "4 profils relus" in result.stdout


# -- the standard input ------------------------------------------------------------------------------------------


def test_calc_reads_the_standard_input():
    result = invoke("calc", "-", input=QPV.read_bytes())
    assert result.exit_code == 0, result.stderr
    assert result.stdout == invoke("calc", QPV).stdout


def test_calc_standard_input_errors_are_located():
    text = QPV.read_text(encoding="utf-8").replace("nature: travaux", "nature: travau")
    result = invoke("calc", "-", input=text)
    assert result.exit_code == 2
    line = next(n for n, row in enumerate(text.splitlines(), 1) if "nature: travau" in row)
    assert f"<entrée standard>:{line}:" in result.stderr and "Vouliez-vous dire « travaux » ?" in result.stderr
    assert "clausegen-" not in result.stderr  # never the temporary file's name


def test_calc_standard_input_as_a_real_pipe():
    env = {**os.environ, "PYTHONPATH": SRC}
    proc = subprocess.run([sys.executable, "-m", "clausegen", "calc", "-", "--format", "json"], input=QPV.read_bytes(),
                          capture_output=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["total_heures"] == 1752


def test_calc_standard_input_too_big_is_refused():
    from clausegen.profile.load import MAX_BYTES

    result = invoke("calc", "-", input=b"#" * (MAX_BYTES + 10))
    assert result.exit_code == 2
    assert result.stderr.startswith("<entrée standard>:")


def test_check_reads_the_standard_input():
    result = invoke("check", "-", input=DRAFT.read_bytes())
    from_file = invoke("check", DRAFT)
    assert result.exit_code == from_file.exit_code
    assert result.stdout.splitlines()[0] == "<entrée standard>"
    assert result.stdout.splitlines()[1:] == from_file.stdout.splitlines()[1:]


def test_check_standard_input_invalid_exit_2():
    result = invoke("check", "-", "--format", "json", input="version: 1\n")
    assert result.exit_code == 2
    data = json.loads(result.stdout)
    assert data["profils"] == ["<entrée standard>"] and data["invalides"][0]["fichier"] == "<entrée standard>"


def test_check_standard_input_alone():
    result = invoke("check", "-", QPV, input="")
    assert result.exit_code == 2 and "ne se combine pas" in result.stderr


# -- calc --format json on an invalid profile ------------------------------------------------------------------------


def test_calc_json_of_an_invalid_profile_is_json(tmp_path):
    bad = tmp_path / "ex.yaml"
    bad.write_text(QPV.read_text(encoding="utf-8").replace("taux_insertion: 7 %", "taux_insertion: 7"), encoding="utf-8")
    result = invoke("calc", bad, "--format", "json")
    assert result.exit_code == 2
    issues = json.loads(result.stdout)["erreurs"]
    assert [i["champ"] for i in issues] == ["calcul.taux_insertion"]
    assert set(issues[0]) == {"fichier", "ligne", "colonne", "champ", "message", "attendu", "suggestion"}
    assert "Vouliez-vous dire « 7 % » ?" == issues[0]["suggestion"]
    assert "calcul.taux_insertion" in result.stderr  # and in French for the person


def test_calc_json_of_a_missing_file_is_json(tmp_path):
    result = invoke("calc", tmp_path / "absent.yaml", "--format", "json")
    assert result.exit_code == 2
    assert json.loads(result.stdout)["erreurs"][0]["message"].startswith("fichier introuvable")


# -- check --rules CODE ----------------------------------------------------------------------------------------------


def test_rules_code_shows_its_documentation():
    result = invoke("check", "--rules", "documents-divergents")
    assert result.exit_code == 0
    text = result.stdout
    assert text.startswith("documents-divergents  (erreur)\n")
    for heading in ("Ce que vérifie la règle :", "Pourquoi :", "Exemple signalé :", "À la place :", "Référence juridique :"):
        assert heading in text
    assert "heures-sous-un-parcours" not in text  # only the rule asked for


def test_rules_codes_in_json():
    data = json.loads(invoke("check", "--rules", "a-completer", "facilitateur-absent", "--format", "json").stdout)
    assert [r["regle"] for r in data] == ["a-completer", "facilitateur-absent"]
    assert all(r["documentation"].count("Pourquoi :") == 1 for r in data)


def test_rules_unknown_code_is_refused_with_a_suggestion():
    result = invoke("check", "--rules", "documents-divergent")
    assert result.exit_code == 2
    assert "règle inconnue : « documents-divergent » (vouliez-vous dire « documents-divergents » ?)" in result.stderr


def test_rules_alone_still_lists_every_rule():
    from clausegen.review.rules import RULES

    text = invoke("check", "--rules").stdout
    assert all(rule.ID in text for rule in RULES)


# -- --type-acheteur help from the registry --------------------------------------------------------------------------


def test_type_acheteur_help_lists_every_registry_type():
    text = " ".join(invoke("init", "--help").stdout.split())
    for code in load_registry().buyer_types():
        assert code in text, code
    assert "epic_etat" in text


# -- clausegen cache ----------------------------------------------------------------------------------------------------


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    from clausegen import cache

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("CLAUSEGEN_NO_CACHE", raising=False)
    cache.cache_dir.cache_clear()
    yield tmp_path / "xdg" / "clausegen"
    cache.cache_dir.cache_clear()


def test_cache_command_shows_and_empties(own_cache, tmp_path):
    from clausegen import cache

    cache.cached_text("essai", "source", lambda: "x" * 5000)
    shown = invoke("cache")
    assert shown.exit_code == 0
    assert f"Cache : {own_cache}" in shown.stdout and "1 fichier, 5 Kio" in shown.stdout
    emptied = invoke("cache", "--vider")
    assert emptied.exit_code == 0 and "Cache vidé" in emptied.stdout and "1 fichier" in emptied.stdout
    assert not own_cache.exists() or not any(p.is_file() for p in own_cache.rglob("*"))
    assert cache.cached_text("essai", "source", lambda: "recomputed") == "recomputed"  # still usable afterwards


def test_cache_is_pruned_by_age_and_size(own_cache):
    from clausegen import cache

    folder = cache.cache_dir()
    old, new = folder / "old.bin", folder / "new.bin"
    old.write_bytes(b"o" * 1000)
    new.write_bytes(b"n" * 1000)
    os.utime(old, (0, 0))  # 1970
    stale_version = own_cache / "0.0.1-clausegen-cache-1"
    stale_version.mkdir()
    (stale_version / "x.bin").write_bytes(b"x")
    os.utime(stale_version / "x.bin", (0, 0))
    assert cache.prune(own_cache) == 2
    assert not old.exists() and new.exists() and not stale_version.exists()
    for i in range(5):
        (folder / f"e{i}.bin").write_bytes(b"e" * 1000)
        os.utime(folder / f"e{i}.bin", (1_000_000 + i, 1_000_000 + i + 1e9))
    cache.prune(own_cache, max_bytes=2500)
    assert sum(p.stat().st_size for p in own_cache.rglob("*") if p.is_file()) <= 2500
    assert new.exists()  # the most recent stays


def test_cache_prunes_itself_once_a_day(own_cache):
    from clausegen import cache

    cache.cached_text("a", "1", lambda: "a")
    folder = cache.cache_dir()
    stale = folder / "stale.bin"
    stale.write_bytes(b"s")
    os.utime(stale, (0, 0))
    os.utime(own_cache, (0, 0))  # the last pruning was long ago
    cache.cached_text("b", "2", lambda: "b")
    assert not stale.exists()
    stale.write_bytes(b"s")
    os.utime(stale, (0, 0))
    cache.cached_text("c", "3", lambda: "c")  # pruned less than a day ago: not again
    assert stale.exists()


def test_tests_do_not_use_the_users_cache():
    from clausegen import cache

    root = cache.cache_root()
    assert root is not None and not str(root).startswith(str(Path.home() / ".cache"))


# -- shell completion ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("shell,marker", [("bash", "_clausegen_completion()"), ("zsh", "#compdef clausegen"), ("fish", "complete --no-files --command clausegen")])
def test_completion_script(shell, marker):
    env = {**os.environ, "PYTHONPATH": SRC, "_CLAUSEGEN_COMPLETE": f"{shell}_source"}
    proc = subprocess.run([sys.executable, "-c", "from clausegen.cli import main; main()"], capture_output=True, text=True, env=env, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert marker in proc.stdout


def test_completion_completes_commands_and_options():
    env = {**os.environ, "PYTHONPATH": SRC, "_CLAUSEGEN_COMPLETE": "bash_complete", "COMP_WORDS": "clausegen render --mo", "COMP_CWORD": "2"}
    proc = subprocess.run([sys.executable, "-c", "from clausegen.cli import main; main()"], capture_output=True, text=True, env=env, timeout=60)
    assert "plain,--modeles" in proc.stdout.splitlines()
    env.update(COMP_WORDS="clausegen ca", COMP_CWORD="1")
    proc = subprocess.run([sys.executable, "-c", "from clausegen.cli import main; main()"], capture_output=True, text=True, env=env, timeout=60)
    assert {"plain,cache", "plain,calc"} <= set(proc.stdout.splitlines())
