"""The README is the program's own words (issue 23): every block of command output it shows is run and compared
(``tools/readme_blocks.py``), and the facts around them — the profile table, the example files — hold.

When a command's output changes on purpose, ``python tools/readme_blocks.py`` rewrites the blocks; read the diff.
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NOT_RUN = {  # commands shown in the README that the tool does not run, and why
    "clausegen serve": "starts a server that runs until Ctrl+C (its start is tested by tests/test_web_*.py)",
}


def _tool():
    spec = importlib.util.spec_from_file_location("readme_blocks", ROOT / "tools" / "readme_blocks.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["readme_blocks"] = module
    spec.loader.exec_module(module)
    return module


tool = _tool()


def test_every_marked_block_is_what_its_commands_print():
    diff = tool.differences(README)
    assert not diff, "README.md n'est plus à jour ; lancez « python tools/readme_blocks.py » :\n" + diff


def test_every_command_output_shown_is_checked():
    """A fenced block showing « $ clausegen … » is marked, so that the tool runs it (except NOT_RUN)."""
    lines = README.split("\n")
    checked = {c.text for b in tool.parse(lines) for c in b.commands}
    shown = set()
    inside, fence_start = False, 0
    for i, line in enumerate(lines):
        if line.startswith("```"):
            inside, fence_start = not inside, i
            continue
        if inside and line.startswith("$ clausegen"):
            text = line[2:].rstrip("\\").strip()
            if not any(c.startswith(text) for c in checked) and text not in NOT_RUN:
                shown.add(f"README.md:{i + 1}: {text}")
    assert not shown, "commandes montrées mais jamais lancées :\n" + "\n".join(sorted(shown))
    assert len(checked) >= 12


def test_profile_table_lists_every_example_profile():
    section = README.split("## Le profil du marché", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"^\| `([^`]+\.yaml)` \|", section, re.M))
    assert listed == {p.name for p in (ROOT / "profiles").glob("*.yaml")}


def test_files_the_readme_names_exist():
    for relative in re.findall(r"`((?:docs|profiles|tests/data|tools|src/clausegen)/[^`\s]+\.(?:yaml|py|png|json))`", README):
        assert any(ROOT.glob(relative)) if "*" in relative else (ROOT / relative).is_file(), relative
    for relative in ("docs/exemples/ex.yaml", "docs/exemples/profil-attribue.yaml", "tools/readme_blocks.py"):
        assert (ROOT / relative).is_file(), relative


# -- the mechanism itself ----------------------------------------------------------------------------------------------


SAMPLE = """Texte.

{marker}
```
$ clausegen calc profiles/travaux-qpv.yaml --format json   # commentaire non lancé
{{
  …
}}
$ clausegen export decp docs/exemples/profil-attribue.yaml --strict --date-publication-donnees 2027-05-10 > decp.json
ancienne sortie
```

```
$ clausegen serve
non vérifié
```
"""


def test_regenerate_fills_blocks_keeps_excerpts_and_redirections():
    text = SAMPLE.format(marker=tool.MARKER)
    new, ran = tool.regenerate(text)
    assert ran == ["clausegen calc profiles/travaux-qpv.yaml --format json   # commentaire non lancé",
                   "clausegen export decp docs/exemples/profil-attribue.yaml --strict --date-publication-donnees 2027-05-10 > decp.json"]
    block = new.split("```")[1].split("\n")
    assert block[1].endswith("# commentaire non lancé") and block[2] == "{" and block[3] == "  …" and block[4] == "}"
    assert block[6] == "Données essentielles (DECP 2.0.3) : 3 marchés, un par lot, tous les champs obligatoires remplis."
    assert "non vérifié" in new  # an unmarked block is left alone
    assert tool.differences(new) == "" and tool.differences(text) != ""


def test_excerpt_keeps_the_lines_around_the_ellipsis():
    assert tool.excerpt(["a", "…", "z"], list("abcdefz")) == ["a", "…", "z"]
    assert tool.excerpt(["a", "b", "  …"], list("abcdef")) == ["a", "b", "  …"]
    assert tool.excerpt(["a", "…", "z"], ["a", "z"]) == ["a", "z"]  # short enough: shown whole
    assert tool.excerpt(["x"], ["y", "z"]) == ["y", "z"]


def test_paths_and_today_are_normalised(tmp_path):
    import datetime as dt

    day = dt.date(2026, 12, 1)
    text = f"{tmp_path}/dce/ccap.docx écrit le 2026-12-01, soit le 1er décembre 2026 ({tmp_path})"
    assert tool.normalise(text, tmp_path, day) == "dce/ccap.docx écrit le [date du jour], soit le [date du jour] (.)"


@pytest.mark.parametrize("broken,message", [
    ("{marker}\nsans bloc\n", "doit précéder immédiatement"),
    ("{marker}\n```\nsortie sans commande\n```\n", "commence par une commande"),
    ("{marker}\n```\n$ ls -l\n```\n", "seules les commandes clausegen"),
    ("{marker}\n```\n$ clausegen calc x\n", "jamais fermé"),
])  # fmt: skip
def test_malformed_blocks_are_refused(broken, message):
    with pytest.raises(ValueError, match=message):
        tool.parse(broken.format(marker=tool.MARKER).split("\n"))


def test_check_mode_exit_codes(tmp_path, capsys):
    readme = tmp_path / "README.md"
    readme.write_text(SAMPLE.format(marker=tool.MARKER), encoding="utf-8")
    assert tool.main(["--check", "--readme", str(readme)]) == 1
    assert "+Données essentielles" in capsys.readouterr().out
    assert tool.main(["--readme", str(readme)]) == 0
    assert tool.main(["--check", "--readme", str(readme)]) == 0
