"""Programs some tests need that pip does not install: Chromium with its driver (browser tests of the web
application) and LibreOffice (every generated document opened). Imported by the test modules
(``from browser import chromium_or_skip``) and by ``conftest``.

Where they are missing, the tests that need them are *skipped* with the reason and the way to install
them in pytest's summary (``-ra``); where the ``CI`` environment variable is set (``.ci/run`` sets it and
installs them), a missing program *fails* those tests instead, so CI never passes without them.
``CLAUSEGEN_SKIP_BROWSER=1`` / ``CLAUSEGEN_SKIP_LIBREOFFICE=1`` still skip them on purpose, even in CI.

Chromium is looked for where the systems put it, not only in /usr/bin: ``CLAUSEGEN_CHROMIUM`` and
``CLAUSEGEN_CHROMEDRIVER`` first, then the PATH (``chromium``, ``chromium-browser``, ``google-chrome``,
``google-chrome-stable``, ``chrome``; ``chromedriver``), the Debian, Ubuntu, Fedora, snap, macOS and Windows
locations, and Selenium Manager's cache (``~/.cache/selenium`` or ``SE_CACHE_PATH``: ``chrome/<os>/<version>/``
and ``chromedriver/<os>/<version>/``, newest version first).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
DRIVER_NAMES = ("chromedriver",)
BROWSER_PLACES = (
    "/usr/bin/chromium", "/usr/lib/chromium/chromium", "/usr/lib/chromium-browser/chromium-browser", "/usr/lib64/chromium-browser/chromium-browser",
    "/snap/bin/chromium", "/opt/google/chrome/chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium", "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    r"C:\Program Files\Google\Chrome\Application\chrome.exe", r"C:\Program Files (x86)\Google\Chrome\Application\chrome.exe",
)
DRIVER_PLACES = (
    "/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver", "/usr/lib/chromium-browser/chromedriver", "/usr/lib64/chromium-browser/chromedriver",
    "/snap/bin/chromium.chromedriver",
)
INSTALL_BROWSER = ("apt-get install chromium chromium-driver (Debian, Ubuntu), dnf install chromium chromedriver (Fedora), "
                   "ou Selenium Manager (téléchargement dans ~/.cache/selenium) ; CLAUSEGEN_CHROMIUM et CLAUSEGEN_CHROMEDRIVER "
                   "désignent d'autres programmes")
INSTALL_LIBREOFFICE = ("apt-get install libreoffice-writer-nogui (Debian, Ubuntu) ou l'installateur de libreoffice.org ; "
                       "CLAUSEGEN_SOFFICE désigne un autre programme")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "non", "no")


def _executable(path) -> str | None:
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return str(path)
    return None


def _version_key(path: Path):
    return [int(n) for n in re.findall(r"\d+", path.name)] or [0]


def selenium_cache(kind: str, program: str, home: Path | None = None) -> str | None:
    """The newest ``program`` Selenium Manager downloaded: ``<cache>/<kind>/<os>/<version>/…/<program>``."""
    root = Path(os.environ["SE_CACHE_PATH"]) if os.environ.get("SE_CACHE_PATH") else (home or Path.home()) / ".cache" / "selenium"
    base = root / kind
    if not base.is_dir():
        return None
    names = (program, program + ".exe")
    found = [p for p in base.rglob("*") if p.name in names and _executable(p)]
    found.sort(key=lambda p: _version_key(p.parent), reverse=True)
    return str(found[0]) if found else None


def find_program(env: str, names, places, cache: tuple[str, str] | None = None) -> str | None:
    """The program named by ``env``, else on the PATH under one of ``names``, else in ``places``, else in
    Selenium Manager's cache (``cache``: its folder and the program's name there). None when absent."""
    if os.environ.get(env):
        return _executable(os.environ[env]) or None
    for name in names:
        found = shutil.which(name)
        if found:
            return found
    for place in places:
        if _executable(place):
            return place
    if cache:
        return selenium_cache(*cache)
    return None


def find_chromium() -> str | None:
    return find_program("CLAUSEGEN_CHROMIUM", BROWSER_NAMES, BROWSER_PLACES, ("chrome", "chrome"))


def find_chromedriver() -> str | None:
    return find_program("CLAUSEGEN_CHROMEDRIVER", DRIVER_NAMES, DRIVER_PLACES, ("chromedriver", "chromedriver"))


def require(what: str, found, install: str, skip_variable: str):
    """``found`` when truthy; else skip the test (outside CI) or fail it (``CI`` set) with the reason."""
    if os.environ.get(skip_variable) == "1":
        pytest.skip(f"{skip_variable}=1")
    if found:
        return found
    message = f"{what} introuvable sur cette machine ; installation : {install}"
    if in_ci():
        pytest.fail(f"{message} (obligatoire quand la variable CI est définie, comme dans .ci/run)", pytrace=False)
    pytest.skip(f"{message} (test obligatoire quand la variable CI est définie)")


def chromium_or_skip() -> tuple[str, str]:
    """(Chromium, chromedriver), or the test is skipped (failed in CI) with the way to install them."""
    browser, driver = find_chromium(), find_chromedriver()
    missing = " et ".join(n for n, p in (("Chromium", browser), ("chromedriver", driver)) if not p)
    require(missing or "Chromium", browser and driver, INSTALL_BROWSER, "CLAUSEGEN_SKIP_BROWSER")
    return browser, driver


def soffice_or_skip() -> str:
    """LibreOffice's ``soffice`` as clausegen finds it (``render.pdf.soffice_path``), or skip (fail in CI)."""
    from clausegen.render.pdf import soffice_path

    return require("LibreOffice (soffice)", soffice_path(), INSTALL_LIBREOFFICE, "CLAUSEGEN_SKIP_LIBREOFFICE")
