"""One table of exit codes, true for every command (README « Codes de sortie », issue 23).

0 done; 1 findings — the command examined what it was given and found at least one error, and only
``check``, ``templates lint``, ``export decp --strict`` and ``export eforms --strict`` return it; 2 unusable input or output; 3 a bug;
130 Ctrl+C. Each command is run here in the cases that give each of its codes (3 and 130 for every command:
tests/test_hardening_cli.py, and below for the commands it does not list).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.cli.base import EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, FINDINGS_COMMANDS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
QPV = ROOT / "profiles" / "travaux-qpv.yaml"
PROFILES = ROOT / "profiles"
ATTRIBUTED = ROOT / "docs" / "exemples" / "profil-attribue.yaml"
INVALID = ROOT / "docs" / "exemples" / "ex.yaml"
INIT = ("--non-interactif", "--acheteur", "Commune", "--type-acheteur", "collectivite", "--reference", "R-1", "--objet", "Objet",
        "--nature", "travaux", "--duree-mois", "12", "--cout-horaire", "32", "--taux-insertion", "7 %", "--lot", "Lot;art38;850000;40 %")


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, prog_name="clausegen")


def _with_error(tmp_path: Path) -> Path:
    """A valid profile on which the review finds an « erreur » (apprentices counted without eligibility, State buyer)."""
    text = QPV.read_text(encoding="utf-8")
    text = text.replace("apprentissage: eligibles_uniquement", "apprentissage: sans_condition")
    assert "apprentissage: sans_condition" in text
    path = tmp_path / "erreur.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _broken_template(tmp_path: Path) -> Path:
    from docx import Document

    from clausegen.render.templates import builtin_template_dir

    folder = tmp_path / "modeles"
    folder.mkdir()
    document = Document(str(builtin_template_dir() / "ccap.docx"))
    document.add_paragraph("{{ marche.refrence }}")
    document.save(str(folder / "ccap.docx"))
    return folder


CASES = [  # (command, arguments, code) — "{tmp}" is a fresh folder
    ("calc", ["calc", QPV], EXIT_OK),
    ("calc", ["calc", INVALID], EXIT_INPUT),
    ("calc", ["calc", INVALID, "--format", "json"], EXIT_INPUT),
    ("calc", ["calc", "{tmp}/absent.yaml"], EXIT_INPUT),
    ("schema", ["schema"], EXIT_OK),
    ("render", ["render", QPV, "-o", "{tmp}/dce"], EXIT_OK),
    ("render", ["render", INVALID, "-o", "{tmp}/dce"], EXIT_INPUT),
    ("render", ["render", QPV, "-o", "{tmp}/dce", "--documents", "inconnu"], EXIT_INPUT),
    ("check", ["check", QPV], EXIT_OK),
    ("check", ["check", "{error}"], EXIT_FINDINGS),
    ("check", ["check", INVALID], EXIT_INPUT),
    ("check", ["check", "--rules"], EXIT_OK),
    ("check", ["check", "--rules", "inconnue"], EXIT_INPUT),
    ("init", ["init", "{tmp}/p.yaml", *INIT], EXIT_OK),
    ("init", ["init", "{tmp}/p.yaml", "--non-interactif"], EXIT_INPUT),
    ("report", ["report", PROFILES, "-o", "{tmp}/r.xlsx"], EXIT_OK),
    ("report", ["report", INVALID, "-o", "{tmp}/r.xlsx"], EXIT_INPUT),
    ("report", ["report", PROFILES, "-o", "{tmp}/r.pdf"], EXIT_INPUT),
    ("export decp", ["export", "decp", QPV], EXIT_OK),
    ("export decp --strict", ["export", "decp", ATTRIBUTED, "--strict", "--date-publication-donnees", "2027-05-10"], EXIT_OK),
    ("export decp --strict", ["export", "decp", QPV, "--strict"], EXIT_FINDINGS),
    ("export decp", ["export", "decp", INVALID], EXIT_INPUT),
    ("export eforms", ["export", "eforms", QPV], EXIT_OK),
    ("export eforms", ["export", "eforms", INVALID], EXIT_INPUT),
    ("export eforms --strict", ["export", "eforms", ATTRIBUTED, "--format", "xml", "--strict"], EXIT_OK),
    ("export eforms --strict", ["export", "eforms", ROOT / "tests" / "data" / "eforms-refuse.yaml", "--type-avis", "20", "--strict"], EXIT_FINDINGS),
    ("templates export", ["templates", "export", "{tmp}/m"], EXIT_OK),
    ("templates vars", ["templates", "vars"], EXIT_OK),
    ("templates lint", ["templates", "lint", "{builtin}"], EXIT_OK),
    ("templates lint", ["templates", "lint", "{broken}"], EXIT_FINDINGS),
    ("templates lint", ["templates", "lint", "{tmp}/absent"], EXIT_INPUT),
    ("cache", ["cache"], EXIT_OK),
    ("cache", ["cache", "--inconnue"], EXIT_INPUT),
    ("serve", ["serve", "--host", "0.0.0.0", "--sans-navigateur"], EXIT_INPUT),  # no token: refused before starting
]


@pytest.mark.parametrize("command,args,code", CASES, ids=[f"{c}-{code}-{i}" for i, (c, _, code) in enumerate(CASES)])
def test_exit_code(tmp_path, monkeypatch, command, args, code):
    monkeypatch.delenv("CLAUSEGEN_JETON", raising=False)
    places = {"{tmp}": str(tmp_path)}
    if "{error}" in args:
        places["{error}"] = str(_with_error(tmp_path))
    if "{broken}" in args:
        places["{broken}"] = str(_broken_template(tmp_path))
    if "{builtin}" in args:
        from clausegen.render.templates import builtin_template_dir

        places["{builtin}"] = str(builtin_template_dir())
    final = []
    for a in args:
        text = str(a)
        for key, value in places.items():
            text = text.replace(key, value)
        final.append(text)
    result = run(*final)
    assert result.exit_code == code, (final, result.stdout[-500:], result.stderr[-1500:])
    assert "Traceback" not in result.output and "Erreur interne" not in result.output


def test_only_the_findings_commands_return_1():
    """Every command that returns 1 above is in ``FINDINGS_COMMANDS``, and each of them returns 1 in some case."""
    returning = {command for command, _, code in CASES if code == EXIT_FINDINGS}
    assert returning == set(FINDINGS_COMMANDS)


def test_every_command_has_cases():
    from clausegen.cli.base import _FrenchGroup

    tested = {c.split()[0] for c, _, _ in CASES}
    assert set(_FrenchGroup.LAZY) <= tested, set(_FrenchGroup.LAZY) - tested


def _readme_rows() -> dict[str, tuple[str, str]]:
    section = README.split("## Codes de sortie", 1)[1].split("\n## ", 1)[0]
    return {code: (meaning, commands) for code, meaning, commands in re.findall(r"^\| `(\d+)` \| (.+?) \| (.+?) \|$", section, re.M)}


def test_readme_table_is_the_programs():
    rows = _readme_rows()
    assert set(rows) == {str(c) for c in (EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, 130)}
    assert all(rows[c][1] == "toutes" for c in ("0", "2", "3", "130"))
    assert re.findall(r"`([^`]+)`", rows["1"][1]) == list(FINDINGS_COMMANDS)
    assert "Ctrl+C" in rows["130"][0] and "--debug" in rows["3"][0]


def test_root_help_states_the_same_codes():
    text = " ".join(run("--help").stdout.split())
    assert "1 constats (erreur trouvée par check, templates lint, export decp --strict ou export eforms --strict)" in text
    for command in ("check", "templates lint", "export decp"):
        assert command.split()[-1] in run(*command.split(), "--help").stdout or command == "export decp"


@pytest.mark.parametrize("args,target", [
    (["cache"], "clausegen.cache.usage"),
    (["templates", "lint", "{tmp}"], "clausegen.render.templates.lint_templates"),
])  # fmt: skip
def test_internal_error_is_3_for_the_other_commands(tmp_path, monkeypatch, args, target):
    import importlib

    module, attr = target.rsplit(".", 1)
    importlib.import_module(module)

    def fail(*a, **k):
        raise RuntimeError("boum")

    (tmp_path / "x.docx").write_bytes(b"")
    monkeypatch.setattr(target, fail)
    result = run(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == EXIT_INTERNAL and "Erreur interne de clausegen" in result.stderr
