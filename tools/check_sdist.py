"""Build clausegen's source archive (sdist), install it as a user would, and run its own tests in it.

    python tools/check_sdist.py            # build, unpack, install (no editable install), run the whole suite
    python tools/check_sdist.py --contents # build and list what is missing, without installing (seconds)

The sdist is built with ``python -m build --sdist`` when the ``build`` package is there, else with hatchling's
PEP 517 hook. It is unpacked in a temporary folder; clausegen is installed from it with ``pip install
--no-deps --target`` (the dependencies already installed here are used) and the suite runs from the unpacked
folder, importing that installed copy, never this checkout. Exit code: pytest's, or 1 when the archive lacks a
file the tests or the README need (``required_files``). ``tests/test_sdist.py`` runs the ``--contents`` part.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ("LICENSE", "README.md", "pyproject.toml", "profil.schema.json", ".ci/run", "tools/readme_blocks.py",
            "docs/ccap-page1.png", "docs/exemples/ex.yaml", "docs/exemples/profil-attribue.yaml", "templates/build.py",
            "tests/conftest.py", "tests/browser.py", "src/clausegen/law/registry.yaml")


def build_sdist(outdir: Path) -> Path:
    """The .tar.gz built from this checkout into ``outdir``."""
    if importlib.util.find_spec("build") is not None:
        subprocess.run([sys.executable, "-m", "build", "--sdist", "--outdir", str(outdir), str(ROOT)], check=True,
                       stdout=subprocess.DEVNULL)
    else:
        code = "import sys, hatchling.build as b; print(b.build_sdist(sys.argv[1]))"
        subprocess.run([sys.executable, "-c", code, str(outdir)], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    (archive,) = outdir.glob("clausegen-*.tar.gz")
    return archive


def members(archive: Path) -> set[str]:
    """Paths in the archive, without its top folder (« clausegen-0.1.0/ »)."""
    with tarfile.open(archive) as tar:
        return {name.split("/", 1)[1] for name in tar.getnames() if "/" in name}


FOLDERS = ("profiles", "docs", "tools", "tests", "templates", "benchmarks", ".ci", "src")


def _tracked() -> list[str] | None:
    """The files git tracks in this checkout, or None outside a git checkout (an unpacked sdist)."""
    try:
        proc = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return [name for name in proc.stdout.decode("utf-8").split("\0") if name]


def required_files() -> set[str]:
    """Files the archive must hold: ``REQUIRED``, and every file of the folders the tests and README read
    (tracked by git; without git, every file there but caches)."""
    needed = set(REQUIRED)
    tracked = _tracked()
    if tracked is None:
        tracked = [p.relative_to(ROOT).as_posix() for f in FOLDERS for p in (ROOT / f).rglob("*")
                   if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    needed.update(name for name in tracked if name.split("/", 1)[0] in FOLDERS)
    return needed


def missing(archive: Path) -> list[str]:
    return sorted(required_files() - members(archive))


def run_tests(archive: Path, work: Path, pytest_args: list[str]) -> int:
    with tarfile.open(archive) as tar:
        tar.extractall(work, filter="data") if hasattr(tarfile, "data_filter") else tar.extractall(work)  # noqa: S202
    (source,) = [p for p in work.iterdir() if p.is_dir() and p.name.startswith("clausegen-")]
    site = work / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--target", str(site), str(source)],
                   check=True)
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}
    check = subprocess.run([sys.executable, "-c", "import clausegen, sys; print(clausegen.__file__)"], env=env, cwd=source,
                           capture_output=True, text=True, check=True)
    installed = Path(check.stdout.strip()).resolve()
    if site.resolve() not in installed.parents:
        print(f"clausegen importé depuis {installed}, pas depuis l'archive installée : vérification impossible.", file=sys.stderr)
        return 1
    print(f"Tests de l'archive, clausegen installé dans {site}")
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *pytest_args], cwd=source, env=env).returncode


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="Construit l'archive source, l'installe et y lance les tests.")
    parser.add_argument("--contents", action="store_true", help="vérifie seulement le contenu de l'archive")
    parser.add_argument("pytest_args", nargs="*", help="arguments passés à pytest (après --)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="clausegen-sdist-") as tmp:
        archive = build_sdist(Path(tmp))
        absent = missing(archive)
        if absent:
            print("Absents de l'archive source :\n  " + "\n  ".join(absent), file=sys.stderr)
            return 1
        print(f"{archive.name} : {len(members(archive))} fichiers, rien ne manque.")
        if args.contents:
            return 0
        return run_tests(archive, Path(tmp) / "unpacked", args.pytest_args)


if __name__ == "__main__":
    sys.exit(main())
