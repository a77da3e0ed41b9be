"""The source archive holds what its own tests and the README need, and the license its metadata announces
(issue 23: the sdist lacked profil.schema.json, docs/, .ci/ and tools/, and there was no LICENSE).

Building and reading the archive takes seconds; installing it and running its whole suite is the documented
command ``python tools/check_sdist.py`` (minutes: the suite runs a second time).
"""

from __future__ import annotations

import importlib.util
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _tool():
    spec = importlib.util.spec_from_file_location("check_sdist", ROOT / "tools" / "check_sdist.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["check_sdist"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    if importlib.util.find_spec("build") is None and importlib.util.find_spec("hatchling") is None:
        pytest.skip("ni build ni hatchling : pip install hatchling (extra « test »)")
    if not (ROOT / "pyproject.toml").is_file():
        pytest.skip("pas de pyproject.toml : ces tests tournent depuis une archive déjà installée")
    return _tool().build_sdist(tmp_path_factory.mktemp("sdist"))


def test_sdist_holds_what_its_tests_and_readme_need(archive):
    assert _tool().missing(archive) == []


def test_sdist_ships_the_license_its_metadata_names(archive):
    with tarfile.open(archive) as tar:
        top = tar.getnames()[0].split("/", 1)[0]
        license_text = tar.extractfile(f"{top}/LICENSE").read().decode("utf-8")
        metadata = tar.extractfile(f"{top}/PKG-INFO").read().decode("utf-8")
    assert license_text.startswith("MIT License") and "Copyright (c) 2026 clausegen contributors" in license_text
    assert "License: MIT" in metadata and "License-File: LICENSE" in metadata


def test_sdist_holds_no_cache_nor_build_output(archive):
    names = _tool().members(archive)
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc") or n.startswith((".venv", ".hypothesis", "dce/"))]
