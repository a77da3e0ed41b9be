"""The web application in a real browser: uvicorn on a free local port, headless Chromium driven by Selenium.

What a buyer does: create a market from scratch through the form and watch the hours appear, fix an error
the page points at, download the documents and open them, upload a folder of profiles for a PFRA review and
read its table; the same without JavaScript; and axe-core finds no violation of WCAG level A or AA on any
page. Chromium and its driver are found by ``tests/browser.py``: without them the tests are skipped with the
way to install them, and fail where ``CI`` is set (.ci/run installs them); CLAUSEGEN_SKIP_BROWSER=1 skips
them on purpose. CLAUSEGEN_CAPTURES=1 saves the README's screenshots in docs/.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import socket
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CAPTURES = os.environ.get("CLAUSEGEN_CAPTURES") == "1"
WAIT = 15  # seconds for a page or a refresh; they take a fraction of a second

pytestmark = pytest.mark.skipif(os.environ.get("CLAUSEGEN_SKIP_BROWSER") == "1", reason="CLAUSEGEN_SKIP_BROWSER=1")


# -- the application and the browser --------------------------------------------------------------------


@contextlib.contextmanager
def _serving(app):
    """``app`` served by uvicorn in a thread, on a free port of 127.0.0.1, as ``clausegen serve`` does."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # TCP_NODELAY on its connections
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    port = sock.getsockname()[1]
    app_server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="off"))
    thread = threading.Thread(target=app_server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + WAIT
    while not app_server.started:
        assert time.monotonic() < deadline, "uvicorn n'a pas démarré"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app_server.should_exit = True
        thread.join(WAIT)
        sock.close()


@pytest.fixture(scope="module")
def server():
    from clausegen.web import create_app

    with _serving(create_app()) as url:
        yield url


def _chrome(downloads: Path):
    from browser import chromium_or_skip  # skipped without Chromium, failed where CI is set
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, chromedriver = chromium_or_skip()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    profile = tempfile.mkdtemp(prefix="clausegen-chromium-")
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                     "--window-size=1200,900", "--lang=fr-FR", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False, "intl.accept_languages": "fr-FR,fr"}
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(chromedriver), options=options)
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)})
    driver.profile_dir = profile
    return driver


@pytest.fixture(scope="module")
def downloads(tmp_path_factory):
    return tmp_path_factory.mktemp("telechargements")


@pytest.fixture(scope="module")
def browser(downloads):
    driver = _chrome(downloads)
    yield driver
    driver.quit()
    shutil.rmtree(driver.profile_dir, ignore_errors=True)


@pytest.fixture
def browser_without_js(browser):
    """The same browser with scripts disabled (DevTools: no second browser to start)."""
    browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": True})
    try:
        yield browser
    finally:
        browser.execute_cdp_cmd("Emulation.setScriptExecutionDisabled", {"value": False})


def wait(driver, condition, timeout: float = WAIT):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout, poll_frequency=0.03).until(condition)


def by_id(driver, element_id: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.ID, element_id)


def css(driver, selector: str):
    from selenium.webdriver.common.by import By

    return driver.find_element(By.CSS_SELECTOR, selector)


def type_in(driver, element_id: str, text: str) -> None:
    field = by_id(driver, element_id)
    field.clear()
    field.send_keys(text)


def choose(driver, element_id: str, value: str) -> None:
    """Pick ``value`` in a list or among radio buttons (the form uses buttons when the labels are sentences)."""
    from selenium.webdriver.support.ui import Select

    element = by_id(driver, element_id)
    if element.tag_name == "select":
        Select(element).select_by_value(value)
    else:
        name = element.get_attribute("name")
        css(driver, f"input[type='radio'][name='{name}'][value='{value}']").click()


def fill_market(driver, buyer: str, buyer_type: str, reference: str, objet: str, nature: str, months: str, published: str | None = None) -> None:
    """The first step of the profile form, as a buyer types it: the buyer, then the market."""
    type_in(driver, "champ-acheteur-nom", buyer)
    choose(driver, "champ-acheteur-type", buyer_type)
    type_in(driver, "champ-marche-reference", reference)
    type_in(driver, "champ-marche-objet", objet)
    choose(driver, "champ-marche-nature", nature)
    type_in(driver, "champ-marche-duree_mois", months)
    if published is not None:
        type_in(driver, "champ-marche-date_publication", published)


def click_and_load(driver, element) -> None:
    """Click a submit button and wait for the new page."""
    old = driver.find_element("tag name", "html")
    element.click()
    wait(driver, lambda d: _stale(old))
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def go_step(driver, key: str) -> None:
    """Go to the step ``key`` with the step menu (a button: what this step holds is saved on the way)."""
    click_and_load(driver, css(driver, f"nav.etapes button[value='etape:{key}']"))
    assert css(driver, "nav.etapes [aria-current='step']").get_attribute("value") == f"etape:{key}"


def _stale(element) -> bool:
    """Whether ``element`` left the document (the page was replaced). Chromium says so with a stale reference,
    or, when asked during the navigation itself, with « Node with given id does not belong to the document »."""
    from selenium.common.exceptions import StaleElementReferenceException, WebDriverException

    try:
        element.tag_name
        return False
    except StaleElementReferenceException:
        return True
    except WebDriverException as exc:
        if "does not belong to the document" in str(exc):
            return True
        raise


def active_id(driver) -> str:
    return driver.switch_to.active_element.get_attribute("id")


def wait_download(folder: Path, suffix: str, before: set) -> Path:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix and p.name not in before]
        if done and not any(p.suffix == ".crdownload" for p in folder.iterdir()):
            return done[0]
        time.sleep(0.05)
    raise AssertionError(f"aucun fichier {suffix} téléchargé dans {folder}")


def capture(driver, name: str, element_id: str | None = None) -> None:
    """The README's screenshots (docs/NAME.png, 1200 px wide), saved with CLAUSEGEN_CAPTURES=1."""
    if not CAPTURES:
        return
    if element_id:
        driver.execute_script("document.getElementById(arguments[0]).scrollIntoView({block: 'start'}); window.scrollBy(0, -16);", element_id)
    else:
        driver.execute_script("window.scrollTo(0, 0);")
    driver.execute_script("document.activeElement && document.activeElement.blur && document.activeElement.blur();")
    time.sleep(0.2)
    driver.save_screenshot(str(ROOT / "docs" / f"{name}.png"))


# -- accessibility ----------------------------------------------------------------------------------------


def _axe_script() -> str:
    """The most recent axe-core bundled by the installed packages (axe-selenium-python, axe-core-python)."""
    candidates = []
    for module, parts in (("axe_selenium_python", ("node_modules", "axe-core", "axe.min.js")), ("axe_core_python", ("axe.min.js",))):
        try:
            package = __import__(module)
        except ImportError:
            continue
        path = Path(package.__file__).parent.joinpath(*parts)
        if path.is_file():
            head = path.read_text(encoding="utf-8", errors="replace")[:200]
            match = re.search(r"axe v(\d+)\.(\d+)\.(\d+)", head)
            version = tuple(int(n) for n in match.groups()) if match else (0, 0, 0)
            candidates.append((version, path))
    assert candidates, "axe-core is required: pip install '.[test]' (axe-selenium-python)"
    return str(max(candidates)[1])


def check_accessibility(driver, where: str) -> None:
    """axe-core on the current page: no violation of WCAG 2.0 and 2.1, levels A and AA."""
    import json

    from axe_selenium_python import Axe

    axe = Axe(driver, script_url=_axe_script())
    axe.inject()
    options = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}, "resultTypes": ["violations"]}
    result = axe.run(options=json.dumps(options))
    violations = result["violations"]
    details = "\n".join(f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}" for v in violations)
    assert not violations, f"{where} : {len(violations)} violation(s) axe-core\n{details}"


# -- scenarios ------------------------------------------------------------------------------------------


def test_create_a_market_from_scratch_and_get_its_documents(browser, server, downloads):
    from docx import Document

    from clausegen.docx.extract import docx_text

    driver = browser
    driver.get(f"{server}/profil")
    fill_market(driver, "Commune de Tourcoing", "collectivite", "2027-TX-09", "Rénovation de l'école Brossolette", "travaux", "12", "2027-03-01")
    go_step(driver, "execution")  # the first action saves the draft: its own address from now on
    assert re.search(r"/profil/[A-Za-z0-9_-]{12}\?etape=execution$", driver.current_url)
    type_in(driver, "champ-facilitateur-nom", "Samia Benali")
    type_in(driver, "champ-facilitateur-structure", "PLIE de la métropole lilloise")
    go_step(driver, "calcul")
    type_in(driver, "champ-calcul-cout_horaire", "32")
    type_in(driver, "champ-calcul-taux_insertion", "7 %")
    go_step(driver, "lots")
    type_in(driver, "champ-lots-1-intitule", "Gros œuvre")
    by_id(driver, "champ-lots-1-base_legale").click()  # condition d'exécution, the first basis
    type_in(driver, "champ-lots-1-montant_ht", "850000")
    type_in(driver, "champ-lots-1-part_main_oeuvre", "40 %")
    # the script recomputes as the user types: the hours appear beside the form
    wait(driver, lambda d: "744" in by_id(d, "resultats-contenu").text and "Total : 744 heures" in by_id(d, "etat").text)
    assert "Gros œuvre" in by_id(driver, "resultats-contenu").text
    assert "Revue" in by_id(driver, "resultats-contenu").text

    # a second lot, added in place (the button posts the form: it works without the script too)
    click_and_load(driver, by_id(driver, "ajouter-lot"))
    assert active_id(driver) == "champ-lots-2-intitule"
    assert by_id(driver, "champ-lots-1-intitule").get_attribute("value") == "Gros œuvre"
    type_in(driver, "champ-lots-2-intitule", "Nettoyage de fin de chantier")
    css(driver, "input[name='lots[2].base_legale'][value='reserve_siae']").click()
    type_in(driver, "champ-lots-2-montant_ht", "45000")
    click_and_load(driver, css(driver, "button[value='calculer']"))
    table = by_id(driver, "resultats-contenu").text
    assert "1 — Gros œuvre" in table and "2 — Nettoyage de fin de chantier" in table
    assert re.search(r"Total\s+744", table)
    check_accessibility(driver, "/profil calculé")
    capture(driver, "web-formulaire")

    # the documents: a .zip of .docx files that open, from the last step
    go_step(driver, "relecture")
    answers = css(driver, "section.relecture").text
    assert "Commune de Tourcoing" in answers and "Samia Benali" in answers and "Gros œuvre" in answers
    check_accessibility(driver, "/profil, relecture")
    before = {p.name for p in downloads.iterdir()}
    css(driver, "button[value='zip']").click()
    archive = wait_download(downloads, ".zip", before)
    with zipfile.ZipFile(archive) as pack:
        names = pack.namelist()
        assert "ccap.docx" in names and "avis.docx" in names
        for name in names:
            document = Document(io.BytesIO(pack.read(name)))
            assert document.paragraphs, name
        ccap = docx_text(pack.read("ccap.docx"))
    assert "744 heures" in ccap.replace("\u202f", " ").replace("\u00a0", " ")

    # the profile itself, as commented YAML that clausegen loads
    before = {p.name for p in downloads.iterdir()}
    css(driver, "button[value='telecharger']").click()
    downloaded = wait_download(downloads, ".yaml", before)
    from clausegen import compute_hours, load_profile

    profile = load_profile(downloaded)
    assert profile.marche.reference == "2027-TX-09"
    assert compute_hours(profile).total_heures == 744

    # a document's text in the page
    click_and_load(driver, css(driver, "button[value='apercu:ccap']"))
    assert active_id(driver) == "apercu"
    assert "744" in by_id(driver, "apercu").text
    check_accessibility(driver, "/profil avec aperçu")


def test_fix_an_error_the_page_points_at(browser, server, tmp_path):
    driver = browser
    bad = (ROOT / "profiles" / "travaux-qpv.yaml").read_text(encoding="utf-8").replace("nature: travaux", "nature: service", 1)
    path = tmp_path / "marche-a-corriger.yaml"
    path.write_text(bad, encoding="utf-8")
    driver.get(f"{server}/ouvrir")
    check_accessibility(driver, "/ouvrir")
    by_id(driver, "fichier").send_keys(str(path))
    click_and_load(driver, css(driver, "form button[type='submit']"))
    assert active_id(driver) == "resume-erreurs"  # the error summary takes the focus
    summary = by_id(driver, "resume-erreurs")
    assert "Le profil contient une erreur" in summary.text
    assert "« service » n'est pas une valeur admise" in summary.text and "Vouliez-vous dire « Services » ?" in summary.text
    assert "ligne 60, colonne 11" in summary.text
    assert by_id(driver, "champ-marche-nature").get_attribute("aria-invalid") == "true"
    check_accessibility(driver, "/ouvrir → profil en erreur")
    css(driver, "#resume-erreurs a[href='#champ-marche-nature']").click()
    assert active_id(driver) == "champ-marche-nature"
    choose(driver, "champ-marche-nature", "travaux")
    # the script recomputes: the corrected field loses its error, the summary goes, the hours appear
    wait(driver, lambda d: not d.find_elements("id", "resume-erreurs"))
    assert by_id(driver, "champ-marche-nature").get_attribute("aria-invalid") is None
    wait(driver, lambda d: "1 752" in by_id(d, "etat").text.replace("\u202f", " "))
    click_and_load(driver, css(driver, "button[value='calculer']"))
    assert not driver.find_elements("id", "resume-erreurs")
    assert "1 752" in by_id(driver, "resultats-contenu").text.replace("\u202f", " ")


def test_a_pfra_reviews_a_folder_of_profiles(browser, server, tmp_path):
    driver = browser
    folder = tmp_path / "portefeuille"
    folder.mkdir()
    for name in ("travaux-qpv.yaml", "services-sans-facilitateur.yaml", "nettoyage-accord-cadre.yaml"):
        shutil.copy(ROOT / "profiles" / name, folder / name)
    (folder / "brouillon.yaml").write_text("version: 1\nacheteur:\n  nom: Ville\n", encoding="utf-8")
    (folder / "notes.txt").write_text("ignoré", encoding="utf-8")
    driver.get(f"{server}/revue")
    check_accessibility(driver, "/revue")
    by_id(driver, "dossier").send_keys(str(folder))  # a whole folder (webkitdirectory)
    click_and_load(driver, css(driver, "form[action='/revue'] button[type='submit']"))
    rows = driver.find_elements("css selector", "#tableau-revue tbody tr")
    table = {row.find_element("css selector", "th").text: [c.text for c in row.find_elements("css selector", "td")] for row in rows}
    assert set(table) == {f"portefeuille/{n}" for n in ("brouillon.yaml", "nettoyage-accord-cadre.yaml", "services-sans-facilitateur.yaml", "travaux-qpv.yaml")}
    assert table["portefeuille/brouillon.yaml"][-1] == "Invalide"
    assert table["portefeuille/travaux-qpv.yaml"][1].replace("\u202f", " ") == "1 752"
    assert table["portefeuille/services-sans-facilitateur.yaml"][-1] in ("À corriger", "Sans erreur")
    check_accessibility(driver, "/revue avec résultats")
    capture(driver, "web-revue", "tableau-titre")
    css(driver, "#tableau-revue a[href='#profil-1']").click()
    assert active_id(driver) == "profil-1"


def test_every_page_is_accessible_and_keyboard_usable(browser, server):
    from selenium.webdriver.common.keys import Keys

    driver = browser
    for path in ("/", "/profil", "/api/docs", "/page-inconnue"):
        driver.get(f"{server}{path}")
        check_accessibility(driver, path)
    driver.get(f"{server}/")
    body = css(driver, "body")
    body.send_keys(Keys.TAB)
    skip = driver.switch_to.active_element
    assert skip.text == "Aller au contenu" and skip.is_displayed()
    skip.send_keys(Keys.ENTER)
    assert active_id(driver) == "contenu"
    driver.get(f"{server}/profil")
    field = by_id(driver, "champ-acheteur-nom")
    field.click()
    outline = driver.execute_script("var s = getComputedStyle(arguments[0]); return [s.outlineStyle, s.outlineWidth];", field)
    assert outline[0] != "none" and outline[1] != "0px"  # visible focus


def test_the_form_works_without_javascript(browser_without_js, server):
    driver = browser_without_js
    driver.get(f"{server}/profil")
    fill_market(driver, "Préfecture de la Gironde", "etat", "2026-TRX-014", "Réhabilitation de la cité administrative", "travaux", "24",
                "31/02/2027")  # refused: no such day
    assert "Remplissez le formulaire" in by_id(driver, "etat").text  # no script: nothing computed yet
    click_and_load(driver, css(driver, "button[value='etape:lots']"))  # « Suivant » or the step menu
    type_in(driver, "champ-lots-1-intitule", "Gros œuvre")
    by_id(driver, "champ-lots-1-base_legale").click()
    type_in(driver, "champ-lots-1-montant_ht", "850000")
    type_in(driver, "champ-lots-1-part_main_oeuvre", "40 %")
    go_step(driver, "calcul")
    type_in(driver, "champ-calcul-cout_horaire", "32")
    type_in(driver, "champ-calcul-taux_insertion", "7")  # a percentage: the field says so
    click_and_load(driver, css(driver, "button[value='calculer']"))
    summary = by_id(driver, "resume-erreurs")
    assert "« 31/02/2027 » n'existe pas : février 2027 n'a que 28 jours." in summary.text
    # the field is on another step: the summary's entry is a button of the form, which saves and goes there
    click_and_load(driver, css(driver, "#resume-erreurs button[value='etape:marche:champ-marche-date_publication']"))
    assert driver.current_url.endswith("#champ-marche-date_publication")
    type_in(driver, "champ-marche-date_publication", "15/03/2027")
    go_step(driver, "lots")
    assert driver.find_elements("css selector", "fieldset.lot")[0].is_displayed()
    click_and_load(driver, by_id(driver, "ajouter-lot"))
    assert len(driver.find_elements("css selector", "fieldset.lot")) == 2
    assert driver.current_url.endswith("#champ-lots-2-intitule")  # no script: the address's fragment leads to the new lot
    type_in(driver, "champ-lots-2-intitule", "Peinture")
    css(driver, "input[name='lots[2].base_legale'][value='reserve_siae']").click()
    click_and_load(driver, css(driver, "button[value='calculer']"))
    assert not driver.find_elements("id", "resume-erreurs")
    assert re.search(r"Total\s+744", by_id(driver, "resultats-contenu").text)
    click_and_load(driver, css(driver, "button[value='retirer-lot:2']"))
    assert len(driver.find_elements("css selector", "fieldset.lot")) == 1


def test_the_token_page_lets_a_user_in(browser):
    from clausegen.web import create_app

    token = "jeton-du-test-navigateur-0123"
    with _serving(create_app(token)) as url:
        driver = browser
        driver.get(f"{url}/revue")
        assert css(driver, "h1").text == "Accès protégé"
        check_accessibility(driver, "page du jeton")
        type_in(driver, "jeton", token)
        click_and_load(driver, css(driver, "button[type='submit']"))
        assert driver.current_url == f"{url}/revue"  # the token left the address; a cookie holds the session
        assert css(driver, "h1").text == "Revue PFRA de plusieurs profils"
        driver.get(f"{url}/profil")
        assert css(driver, "h1").text == "Profil du marché"
        driver.delete_all_cookies()
