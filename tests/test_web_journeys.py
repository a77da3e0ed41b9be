"""A buyer's journeys through the profile form in headless Chromium (issue 22): the draft kept by the server
whatever they do — Back after every action, a reload, a restart of the server between two actions, two
tabs on one draft — and axe-core on every step, on a desktop and on a phone. CLAUSEGEN_CAPTURES=1 saves the
README's screenshots of each step in docs/."""

from __future__ import annotations

import contextlib
import socket
import threading
import time

import pytest

from test_web_browser import (CAPTURES, ROOT, WAIT, _chrome, by_id, check_accessibility, click_and_load, css, fill_market,
                              go_step, type_in, wait)

pytestmark = pytest.mark.skipif(__import__("os").environ.get("CLAUSEGEN_SKIP_BROWSER") == "1", reason="CLAUSEGEN_SKIP_BROWSER=1")
STEPS = ("marche", "lots", "calcul", "execution", "relecture")


class Server:
    """``clausegen serve``'s application on a fixed local port, which can be stopped and started again on
    the same port and the same drafts' folder (a restart, as the buyer sees it)."""

    def __init__(self, folder):
        self.folder = folder
        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server = None

    def start(self):
        import uvicorn

        from clausegen.web import create_app

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", self.port))
        sock.listen(64)
        self._socket = sock
        self._server = uvicorn.Server(uvicorn.Config(create_app(data_dir=self.folder), log_level="warning", access_log=False, lifespan="off"))
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]}, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + WAIT
        while not self._server.started:
            assert time.monotonic() < deadline, "uvicorn n'a pas démarré"
            time.sleep(0.02)

    def stop(self):
        self._server.should_exit = True
        self._thread.join(WAIT)
        self._socket.close()

    def restart(self):
        self.stop()
        self.start()


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path / "donnees")
    running.start()
    yield running
    with contextlib.suppress(Exception):
        running.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = _chrome(tmp_path_factory.mktemp("telechargements"))
    yield driver
    driver.quit()


def back_shows_the_saved_page(driver, expected: str) -> None:
    """Back: the previous page, loaded again by GET (never « Confirmer le nouvel envoi du formulaire »)."""
    driver.back()
    wait(driver, lambda d: expected in d.page_source and d.execute_script("return document.readyState") == "complete")
    assert "/profil" in driver.current_url
    assert css(driver, "h1").text.startswith("Profil du marché")
    driver.forward()
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")


def test_works_with_a_reserved_lot_through_back_reload_and_restart(browser, server):
    driver = browser
    driver.get(f"{server.url}/profil")
    fill_market(driver, "Ville de Roubaix", "collectivite", "2027-TX-31", "Réhabilitation du groupe scolaire Jules-Ferry", "travaux", "18")
    click_and_load(driver, css(driver, "button[value='etape:lots']"))
    draft = driver.current_url.split("?")[0]
    back_shows_the_saved_page(driver, "Votre dernier brouillon, ")  # the new form, which offers the draft just saved

    type_in(driver, "champ-lots-1-intitule", "Gros œuvre")
    by_id(driver, "champ-lots-1-base_legale").click()  # condition d'exécution
    type_in(driver, "champ-lots-1-montant_ht", "1200000")
    type_in(driver, "champ-lots-1-part_main_oeuvre", "40 %")
    click_and_load(driver, by_id(driver, "ajouter-lot"))
    assert driver.current_url.endswith("#champ-lots-2-intitule")
    back_shows_the_saved_page(driver, "2027-TX-31")
    type_in(driver, "champ-lots-2-intitule", "Espaces verts")
    css(driver, "input[name='lots[2].base_legale'][value='reserve_siae']").click()
    type_in(driver, "champ-lots-2-montant_ht", "90000")
    go_step(driver, "calcul")
    back_shows_the_saved_page(driver, "Espaces verts")

    # a reload keeps everything; so does a restart of the server between two actions
    driver.refresh()
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    type_in(driver, "champ-calcul-cout_horaire", "32")
    type_in(driver, "champ-calcul-taux_insertion", "7 %")
    server.restart()
    click_and_load(driver, css(driver, "button[value='calculer']"))  # posted to the restarted server
    assert "Formulaire refusé" not in driver.page_source
    assert by_id(driver, "champ-calcul-cout_horaire").get_attribute("value") == "32"
    results = by_id(driver, "resultats-contenu").text
    assert "Gros œuvre" in results and "Espaces verts" in results
    back_shows_the_saved_page(driver, "Espaces verts")

    # the next day: the home page lists the draft, which opens as it was left
    driver.get(f"{server.url}/")
    assert "2027-TX-31" in by_id(driver, "brouillons").text
    click_and_load(driver, css(driver, f"#brouillons a[href='{draft[len(server.url):]}']"))
    go_step(driver, "lots")
    assert by_id(driver, "champ-lots-2-intitule").get_attribute("value") == "Espaces verts"
    assert css(driver, "input[name='lots[2].base_legale'][value='reserve_siae']").is_selected()
    go_step(driver, "relecture")
    answers = css(driver, "section.relecture").text
    assert "Ville de Roubaix" in answers and "Espaces verts" in answers
    # « Modifier » leads to the field, on its step
    click_and_load(driver, css(driver, "section.relecture button[value='etape:marche:champ-marche-objet']"))
    assert driver.current_url.endswith("#champ-marche-objet")
    assert css(driver, "nav.etapes [aria-current='step']").get_attribute("value") == "etape:marche"


def test_two_tabs_on_one_draft_never_lose_a_change(browser, server):
    driver = browser
    driver.get(f"{server.url}/profil")
    type_in(driver, "champ-marche-reference", "2027-DEUX-ONGLETS")
    type_in(driver, "champ-marche-objet", "Objet de départ")
    click_and_load(driver, css(driver, "button[value='calculer']"))
    address = driver.current_url.split("#")[0]
    first = driver.current_window_handle
    driver.switch_to.new_window("tab")
    driver.get(address)
    second = driver.current_window_handle
    type_in(driver, "champ-marche-objet", "Objet changé dans le second onglet")
    click_and_load(driver, css(driver, "button[value='calculer']"))
    driver.switch_to.window(first)
    type_in(driver, "champ-marche-objet", "Objet changé dans le premier onglet")
    click_and_load(driver, css(driver, "button[value='calculer']"))
    conflict = by_id(driver, "conflit").text
    assert "Objet changé dans le second onglet" in conflict and "Objet changé dans le premier onglet" in conflict
    assert by_id(driver, "champ-marche-objet").get_attribute("value") == "Objet changé dans le premier onglet"
    check_accessibility(driver, "conflit entre deux onglets")
    click_and_load(driver, css(driver, "#conflit button"))  # « Enregistrer ma version »
    assert not driver.find_elements("id", "conflit")
    driver.switch_to.window(second)
    driver.refresh()
    wait(driver, lambda d: d.execute_script("return document.readyState") == "complete")
    assert by_id(driver, "champ-marche-objet").get_attribute("value") == "Objet changé dans le premier onglet"
    driver.close()
    driver.switch_to.window(first)


@pytest.mark.parametrize("width,height,name", [(1200, 900, "bureau"), (390, 844, "telephone")])
def test_every_step_is_accessible_on_desktop_and_phone(browser, server, width, height, name):
    driver = browser
    driver.set_window_size(width, height)
    try:
        driver.get(f"{server.url}/ouvrir")
        driver.execute_script("document.getElementById('texte').value = arguments[0]",
                              (ROOT / "profiles" / "nettoyage-accord-cadre.yaml").read_text(encoding="utf-8"))
        click_and_load(driver, css(driver, "form button[type='submit']"))
        for key in STEPS:
            go_step(driver, key)
            check_accessibility(driver, f"étape {key} ({name})")
            if name == "telephone":
                bar = css(driver, ".barre-mobile")
                assert bar.is_displayed() and "heures" in bar.text  # the total and the findings, at the top
            if CAPTURES:
                driver.execute_script("window.scrollTo(0, 0);")
                time.sleep(0.2)
                driver.save_screenshot(str(ROOT / "docs" / f"web-etape-{STEPS.index(key) + 1}-{key}-{name}.png"))
        driver.get(f"{server.url}/")
        check_accessibility(driver, f"accueil avec un brouillon ({name})")
    finally:
        driver.set_window_size(1200, 900)


def _market(driver, server, reference: str, objet: str, nature: str) -> None:
    driver.get(f"{server.url}/profil")
    fill_market(driver, "Département du Nord", "collectivite", reference, objet, nature, "48", "15/03/2027")


def test_an_accord_cadre_a_bons_de_commande(browser, server):
    driver = browser
    _market(driver, server, "2027-AC-07", "Nettoyage des collèges", "services")
    css(driver, "input[name='marche.techniques'][value='accord_cadre']").click()
    go_step(driver, "lots")  # the lot now asks the accord-cadre's amounts with its first questions
    type_in(driver, "champ-lots-1-intitule", "Nettoyage des collèges du secteur Nord")
    by_id(driver, "champ-lots-1-base_legale").click()
    minimum = by_id(driver, "champ-lots-1-accord_cadre-minimum_ht")
    assert minimum.is_displayed() and minimum.get_attribute("inputmode") == "decimal"
    type_in(driver, "champ-lots-1-accord_cadre-minimum_ht", "400 000")
    type_in(driver, "champ-lots-1-accord_cadre-maximum_ht", "1 600 000")
    type_in(driver, "champ-lots-1-part_main_oeuvre", "60 %")
    go_step(driver, "calcul")
    type_in(driver, "champ-calcul-cout_horaire", "25")
    type_in(driver, "champ-calcul-taux_insertion", "5")
    click_and_load(driver, css(driver, "button[value='calculer']"))
    results = by_id(driver, "resultats-contenu").text
    assert "heures fermes" in results and "par tranche de 100 000 € HT de commandes exécutées" in results.replace("\u202f", " ")
    assert "si le maximum est atteint" in results
    check_accessibility(driver, "accord-cadre calculé")


def test_a_marche_d_insertion_says_why_it_has_no_computed_hours(browser, server):
    driver = browser
    _market(driver, server, "2027-MI-02", "Entretien des berges de la Deûle", "services")
    go_step(driver, "lots")
    type_in(driver, "champ-lots-1-intitule", "Entretien des berges")
    css(driver, "input[name='lots[1].base_legale'][value='marche_insertion']").click()
    type_in(driver, "champ-lots-1-montant_ht", "300 000")
    click_and_load(driver, css(driver, "button[value='calculer']"))
    results = by_id(driver, "resultats-contenu").text
    assert "Entretien des berges" in results and "est le choix de l'acheteur" in results
    check_accessibility(driver, "marché d'insertion calculé")


def test_wrong_inputs_are_said_on_their_fields_by_their_labels(browser, server):
    driver = browser
    _market(driver, server, "2027-ERR-01", "Voirie", "travaux")
    type_in(driver, "champ-marche-date_publication", "31/02/2027")
    go_step(driver, "lots")
    type_in(driver, "champ-lots-1-intitule", "Chaussées")
    by_id(driver, "champ-lots-1-base_legale").click()
    type_in(driver, "champ-lots-1-montant_ht", "1e6")
    type_in(driver, "champ-lots-1-part_main_oeuvre", "40 %")
    click_and_load(driver, css(driver, "button[value='calculer']"))
    summary = by_id(driver, "resume-erreurs").text
    assert "notation scientifique" in summary and "n'existe pas : février 2027 n'a que 28 jours" in summary
    assert "montant_ht" not in summary and "date_publication" not in summary  # labels, never keys
    amount = by_id(driver, "champ-lots-1-montant_ht")
    assert amount.get_attribute("aria-invalid") == "true"
    message = by_id(driver, amount.get_attribute("aria-describedby").split()[-1])
    assert "notation scientifique" in message.text
    check_accessibility(driver, "saisies refusées")
    # the date is on the first step: the summary's entry goes there and to the field
    click_and_load(driver, css(driver, "#resume-erreurs button[value='etape:marche:champ-marche-date_publication']"))
    assert by_id(driver, "champ-marche-date_publication").get_attribute("aria-invalid") == "true"
