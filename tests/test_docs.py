"""The README stays true: its two first commands, CI running the README's test command, every command
and every review rule documented."""

from __future__ import annotations

from pathlib import Path

from clausegen.cli import cli
from clausegen.review.rules import RULES

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_readme_starts_with_install_and_test_commands():
    block = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert block[0] == "pip install . && clausegen render profiles/travaux-qpv.yaml -o dce/"
    assert block[1] == 'pip install ".[test]" && python -m pytest -q'


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = README.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()[1].split("&&")[1].strip()
    assert ci.strip().splitlines()[-1] == test_command
    assert "pip install --quiet \".[test]\"" in ci and "-e" not in ci.split("pip install")[-1].split("\n")[0]


def test_every_command_and_rule_is_documented():
    for name in cli.list_commands(None):
        assert f"clausegen {name}" in README, name
    for rule in RULES:
        assert f"`{rule.ID}`" in README, rule.ID


def test_example_profile_of_the_first_command_exists():
    assert (ROOT / "profiles" / "travaux-qpv.yaml").is_file()
    assert (ROOT / "docs" / "ccap-page1.png").is_file()


def test_committed_schema_matches_the_command():
    """profiles/*.yaml point editors at profil.schema.json: it must be what `clausegen schema` prints."""
    import json

    from clausegen.profile.schema import profile_schema

    committed = json.loads((ROOT / "profil.schema.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(profile_schema(), ensure_ascii=False))
