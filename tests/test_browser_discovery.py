"""tests/browser.py: Chromium, its driver and LibreOffice are found where systems put them; without them the
tests that need them are skipped with the reason, and fail where ``CI`` is set (issue 23: a fresh machine
without them gave « 1 failed, 6 errors »)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import browser


def _program(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("#!/bin/sh\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


@pytest.fixture
def nowhere(monkeypatch, tmp_path):
    """No browser on the PATH, in the usual places, in Selenium Manager's cache or in the environment."""
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser, "BROWSER_PLACES", ())
    monkeypatch.setattr(browser, "DRIVER_PLACES", ())
    monkeypatch.setenv("SE_CACHE_PATH", str(tmp_path / "selenium"))
    for name in ("CLAUSEGEN_CHROMIUM", "CLAUSEGEN_CHROMEDRIVER", "CLAUSEGEN_SKIP_BROWSER", "CI"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_found_under_other_names_on_the_path(nowhere, monkeypatch):
    found = {"chromium-browser": "/usr/bin/chromium-browser", "chromedriver": "/usr/local/bin/chromedriver"}
    monkeypatch.setattr(browser.shutil, "which", lambda name: found.get(name))
    assert browser.find_chromium() == "/usr/bin/chromium-browser"
    assert browser.find_chromedriver() == "/usr/local/bin/chromedriver"


def test_found_in_selenium_managers_cache_newest_first(nowhere):
    cache = nowhere / "selenium"
    for version in ("119.0.6045.105", "131.0.6778.85", "99.0.1"):
        _program(cache / "chrome" / "linux64" / version / "chrome")
        _program(cache / "chromedriver" / "linux64" / version / "chromedriver")
    assert browser.find_chromium() == str(cache / "chrome" / "linux64" / "131.0.6778.85" / "chrome")
    assert browser.find_chromedriver() == str(cache / "chromedriver" / "linux64" / "131.0.6778.85" / "chromedriver")


def test_environment_names_other_programs(nowhere, monkeypatch):
    chromium = _program(nowhere / "opt" / "chrome")
    monkeypatch.setenv("CLAUSEGEN_CHROMIUM", str(chromium))
    assert browser.find_chromium() == str(chromium)
    monkeypatch.setenv("CLAUSEGEN_CHROMIUM", str(nowhere / "absent"))
    assert browser.find_chromium() is None


def test_missing_browser_skips_outside_ci(nowhere):
    with pytest.raises(pytest.skip.Exception, match="Chromium et chromedriver introuvable.*obligatoire quand la variable CI"):
        browser.chromium_or_skip()


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_missing_browser_fails_in_ci(nowhere, monkeypatch, value):
    monkeypatch.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="obligatoire quand la variable CI est définie"):
        browser.chromium_or_skip()


def test_skip_on_purpose_even_in_ci(nowhere, monkeypatch):
    monkeypatch.setenv("CI", "1")
    monkeypatch.setenv("CLAUSEGEN_SKIP_BROWSER", "1")
    with pytest.raises(pytest.skip.Exception, match="CLAUSEGEN_SKIP_BROWSER=1"):
        browser.chromium_or_skip()


def test_missing_libreoffice_skips_outside_ci_and_fails_in_it(monkeypatch):
    from clausegen.render import pdf

    monkeypatch.setattr(pdf, "soffice_path", lambda *a, **k: None)
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("CLAUSEGEN_SKIP_LIBREOFFICE", raising=False)
    with pytest.raises(pytest.skip.Exception, match="LibreOffice"):
        browser.soffice_or_skip()
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match="LibreOffice"):
        browser.soffice_or_skip()


def test_ci_script_sets_ci():
    run = (Path(__file__).resolve().parents[1] / ".ci" / "run").read_text(encoding="utf-8")
    assert "\nexport CI=1\n" in run and run.index("export CI=1") < run.index("python -m pytest -q")
    assert os.access(Path(__file__).resolve().parents[1] / ".ci" / "run", os.X_OK)
