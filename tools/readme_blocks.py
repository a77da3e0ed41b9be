"""Keep the README the program's own words: each block of command output marked in README.md is what its
commands print, run now (in the manner of cog or of sqlite-utils' documentation).

A block is marked by this HTML comment on the line before its fence::

    <!-- sortie vérifiée : python tools/readme_blocks.py -->
    ```
    $ clausegen calc profiles/travaux-qpv.yaml
    Marché PREF80-2027-TX-003 — …
    ```

* Each line starting with « $ clausegen » is a command (continued on the next line when it ends with « \\ »);
  the lines after it, up to the next command, are what it prints — standard output and error, in order, as
  a terminal shows them. A « # comment » at the end of a command is kept and not run; « > FICHIER » sends the
  standard output to that file (only the error output is then shown).
* A line holding only « … » (indented or not) stands for lines left out: the lines above it are the first
  ones of the output, those below it the last ones. Regenerating keeps as many lines above and below it.
* The commands of a block run one after the other, in a fresh folder holding copies of ``profiles/``,
  ``docs/exemples/`` and ``tests/data/`` (``-o dce/`` writes nothing in the repository), with this checkout's
  clausegen (``python -m clausegen``), 100 columns, UTF-8, an empty cache of their own, no terminal.
* What depends on the day or the machine is normalised: the temporary folder's path disappears, and today's
  date (« 2026-12-07 », « 7 décembre 2026 ») becomes « [date du jour] ».

Usage::

    python tools/readme_blocks.py --check   # exit 1 and a diff of each block that differs (tests/test_readme_blocks.py)
    python tools/readme_blocks.py           # rewrite the blocks of README.md with what the commands print now
    python tools/readme_blocks.py --list    # the commands the README shows and this tool runs
"""

from __future__ import annotations

import argparse
import datetime as _dt
import difflib
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
MARKER = "<!-- sortie vérifiée : python tools/readme_blocks.py -->"
COPIED = ("profiles", "docs/exemples", "tests/data", "profil.schema.json")
ELLIPSIS = "…"
TIMEOUT = 300  # seconds for one command
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre")


@dataclass
class Command:
    lines: list[str]  # as written in the README (« $ clausegen … \\ », continuation lines)
    output: list[str] = field(default_factory=list)  # as written in the README

    @property
    def text(self) -> str:
        """The command without « $ », continuations joined."""
        joined = " ".join(line.rstrip("\\").strip() for line in self.lines)
        return joined[1:].strip() if joined.startswith("$") else joined


@dataclass
class Block:
    start: int  # index of the first line inside the fence
    end: int  # index of the closing fence
    commands: list[Command]


def parse(lines: list[str]) -> list[Block]:
    """The marked blocks of a README's lines."""
    blocks = []
    i = 0
    while i < len(lines):
        if lines[i].strip() == MARKER:
            if i + 1 >= len(lines) or not lines[i + 1].startswith("```"):
                raise ValueError(f"README.md:{i + 1}: le repère doit précéder immédiatement un bloc ``` .")
            start = i + 2
            end = next((k for k in range(start, len(lines)) if lines[k].startswith("```")), None)
            if end is None:
                raise ValueError(f"README.md:{i + 2}: bloc jamais fermé.")
            blocks.append(Block(start, end, _commands(lines[start:end], start)))
            i = end
        i += 1
    return blocks


def _commands(body: list[str], offset: int) -> list[Command]:
    commands: list[Command] = []
    k = 0
    while k < len(body):
        line = body[k]
        if line.startswith("$ "):
            command = Command([line])
            while command.lines[-1].rstrip().endswith("\\") and k + 1 < len(body):
                k += 1
                command.lines.append(body[k])
            commands.append(command)
        elif commands:
            commands[-1].output.append(line)
        else:
            raise ValueError(f"README.md:{offset + k + 1}: un bloc vérifié commence par une commande « $ clausegen … ».")
        k += 1
    for command in commands:
        if not command.text.startswith("clausegen"):
            raise ValueError(f"README.md : seules les commandes clausegen sont vérifiées : « {command.text} ».")
    return commands


def _arguments(command: str) -> tuple[list[str], str | None]:
    """(arguments after « clausegen », file of a « > » redirection or None)."""
    words = shlex.split(command, comments=True)
    target = None
    if ">" in words:
        at = words.index(">")
        target = words[at + 1]
        words = words[:at] + words[at + 2:]
    return words[1:], target


def _environment(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CLAUSEGEN_", "PYTHON")) and k not in ("COLUMNS", "LINES", "CI")}
    env.update(PYTHONPATH=str(ROOT / "src"), PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", PYTHONDONTWRITEBYTECODE="1",
               COLUMNS="100", LINES="40", LANG="C.UTF-8", LC_ALL="C.UTF-8", XDG_CACHE_HOME=str(home / ".cache"),
               HOME=str(home), NO_COLOR="1")
    return env


def _today_patterns(today: _dt.date) -> list[str]:
    day = "1er" if today.day == 1 else str(today.day)
    return [today.isoformat(), f"{day} {MONTHS[today.month - 1]} {today.year}", today.strftime("%d/%m/%Y")]


def normalise(text: str, folder: Path, today: _dt.date | None = None) -> str:
    for path in {str(folder), os.path.realpath(folder)}:
        text = text.replace(path + os.sep, "").replace(path, ".")
    for pattern in _today_patterns(today or _dt.date.today()):
        text = text.replace(pattern, "[date du jour]")
    return text


def run_block(block: Block) -> list[list[str]]:
    """What each command of ``block`` prints now (lines, normalised, trailing blank lines dropped)."""
    outputs = []
    with tempfile.TemporaryDirectory(prefix="clausegen-readme-") as tmp:
        folder = Path(tmp) / "travail"
        folder.mkdir()
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                shutil.copytree(source, folder / name)
            elif source.is_file():
                (folder / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, folder / name)
        env = _environment(Path(tmp))
        for command in block.commands:
            arguments, target = _arguments(command.text)
            sink = open(folder / target, "wb") if target else None
            try:
                proc = subprocess.run([sys.executable, "-m", "clausegen", *arguments], cwd=folder, env=env, timeout=TIMEOUT,
                                      stdin=subprocess.DEVNULL, stdout=sink or subprocess.PIPE, stderr=subprocess.STDOUT if sink is None else subprocess.PIPE)
            finally:
                if sink is not None:
                    sink.close()
            shown = proc.stderr if sink is not None else proc.stdout
            text = normalise(shown.decode("utf-8", "replace"), folder)
            lines = text.replace("\r\n", "\n").split("\n")
            while lines and not lines[-1].strip():
                lines.pop()
            outputs.append([line.rstrip() for line in lines])
    return outputs


def excerpt(written: list[str], actual: list[str]) -> list[str]:
    """``actual`` in the shape of ``written``: with a « … » line, as many first and last lines as it keeps."""
    marks = [k for k, line in enumerate(written) if line.strip() == ELLIPSIS]
    if not marks:
        return actual
    head, tail = marks[0], len(written) - marks[-1] - 1
    if len(actual) <= head + tail:
        return actual
    return actual[:head] + [written[marks[0]]] + (actual[len(actual) - tail:] if tail else [])


def regenerate(text: str) -> tuple[str, list[str]]:
    """(README text with every marked block rewritten, the commands run)."""
    lines = text.split("\n")
    blocks = parse(lines)
    for block in reversed(blocks):  # from the end: the line numbers of the blocks above stay right
        body = []
        for command, actual in zip(block.commands, run_block(block)):
            body += command.lines + excerpt(command.output, actual)
        lines[block.start:block.end] = body
    return "\n".join(lines), [command.text for block in blocks for command in block.commands]


def differences(text: str) -> str:
    """A unified diff between the README and its regenerated blocks (empty when they agree)."""
    new, _ = regenerate(text)
    return "".join(difflib.unified_diff(text.splitlines(keepends=True), new.splitlines(keepends=True), "README.md", "README.md (commandes lancées)"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Vérifie ou régénère les sorties de commandes du README.")
    parser.add_argument("--check", action="store_true", help="n'écrit rien ; code 1 et différences si un bloc n'est plus à jour")
    parser.add_argument("--list", action="store_true", help="liste les commandes vérifiées")
    parser.add_argument("--readme", type=Path, default=README, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    text = args.readme.read_text(encoding="utf-8")
    if args.list:
        for block in parse(text.split("\n")):
            for command in block.commands:
                print(command.text)
        return 0
    if args.check:
        diff = differences(text)
        if diff:
            sys.stdout.write(diff)
            print("\nLe README n'est plus à jour : lancez « python tools/readme_blocks.py » puis relisez le diff.", file=sys.stderr)
            return 1
        return 0
    new, ran = regenerate(text)
    if new != text:
        args.readme.write_text(new, encoding="utf-8")
    print(f"{len(ran)} commande(s) lancée(s) ; README {'mis à jour' if new != text else 'déjà à jour'}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
