"""Drafts kept by the server (issue 22): Post/Redirect/Get, a restart, two tabs, the home page's list, the
SQLite file's crash safety, and a profile the form could not save whole refused instead of cut."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from clausegen.profile.text import read_profile_text
from clausegen.web import create_app, form_data, forms
from clausegen.web.store import Conflict, DraftStore, StoreError, default_folder

ROOT = Path(__file__).resolve().parents[1]
QPV = ROOT / "profiles" / "travaux-qpv.yaml"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def field(html: str, name: str) -> str:
    return re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html).group(1)


def qpv_fields() -> dict:
    return form_data.posted(forms.build_form(read_profile_text(QPV.read_text(encoding="utf-8"))))


def new_draft(client: TestClient, **extra):
    """A draft made from the example profile, posted as a browser would; the page it redirects to."""
    html = client.get("/profil").text
    return client.post("/profil", data={**qpv_fields(), "csrf": csrf_of(html), "action": "calculer", **extra})


@pytest.fixture
def folder(tmp_path):
    return tmp_path / "donnees"


# -- Post/Redirect/Get ---------------------------------------------------------------------------------


def test_every_action_saves_and_redirects_to_the_draft(folder):
    client = TestClient(create_app(data_dir=folder))
    html = client.get("/profil").text
    response = client.post("/profil", data={**qpv_fields(), "csrf": csrf_of(html), "action": "ajouter-lot"}, follow_redirects=False)
    assert response.status_code == 303
    location = response.headers["location"]
    lots = len(read_profile_text(QPV.read_text(encoding="utf-8"))["lots"]) + 1
    assert re.fullmatch(rf"/profil/[A-Za-z0-9_-]{{12}}#champ-lots-{lots}-intitule", location)  # the new lot's field
    page = client.get(location.split("#")[0])
    assert page.status_code == 200 and page.text.count('class="lot"') == lots
    # a reload, Back, a bookmark: a GET of the same address, the same draft
    assert client.get(location.split("#")[0]).text.count('class="lot"') == lots
    # a step: saved on the way, the address names it
    moved = client.post(location.split("#")[0], data={**qpv_fields(), "csrf": csrf_of(page.text), "action": "etape:calcul",
                                                      "version": field(page.text, "version"), "page": field(page.text, "page")},
                        follow_redirects=False)
    assert moved.status_code == 303 and moved.headers["location"].endswith("?etape=calcul")
    shown = client.get(moved.headers["location"]).text
    assert "Étape 3 sur 5 : Calcul" in shown and 'aria-current="step"' in shown


def test_a_draft_survives_a_restart_and_its_old_page_can_still_be_posted(folder):
    first = TestClient(create_app(data_dir=folder))
    page = new_draft(first)
    address = page.url.path
    # the server restarts: same folder, new process state; the browser keeps its cookie and its page
    second = TestClient(create_app(data_dir=folder), cookies=first.cookies)
    again = second.get(address)
    assert again.status_code == 200 and "PREF80-2027-TX-003" in again.text
    posted = second.post(address, data={**qpv_fields(), "marche.objet": "Objet changé après redémarrage", "csrf": csrf_of(page.text),
                                        "action": "calculer", "version": field(page.text, "version"), "page": field(page.text, "page")})
    assert posted.status_code == 200 and "Objet changé après redémarrage" in posted.text
    assert "Objet changé après redémarrage" in second.get("/").text  # the home page lists it


def test_two_tabs_never_lose_a_change_silently(folder):
    client = TestClient(create_app(data_dir=folder))
    tab_a = new_draft(client)
    address = tab_a.url.path
    tab_b = client.get(address)  # the same draft in a second tab
    common = {"csrf": csrf_of(tab_a.text), "action": "calculer"}
    saved = client.post(address, data={**qpv_fields(), **common, "marche.objet": "Version de l'onglet A",
                                       "version": field(tab_a.text, "version"), "page": field(tab_a.text, "page")})
    assert saved.status_code == 200
    late = client.post(address, data={**qpv_fields(), **common, "marche.objet": "Version de l'onglet B",
                                      "version": field(tab_b.text, "version"), "page": field(tab_b.text, "page")})
    assert late.status_code == 409
    assert "vos modifications n&#39;ont pas été enregistrées" in late.text
    # both versions shown, side by side, and B's answers still in the form
    assert "Version de l&#39;onglet A" in late.text and "Version de l&#39;onglet B" in late.text
    assert ">Version de l&#39;onglet B</textarea>" in late.text
    assert "Version de l'onglet A" in client.get(address).text.replace("&#39;", "'")  # A's save is kept
    # « Enregistrer ma version »: a save over the version now shown
    kept = client.post(address, data={**qpv_fields(), **common, "marche.objet": "Version de l'onglet B", "action": "etape:marche",
                                      "version": field(late.text, "version"), "page": field(late.text, "page")})
    assert kept.status_code == 200 and "Version de l'onglet B" in kept.text.replace("&#39;", "'")


def test_a_download_from_a_page_does_not_make_it_conflict_with_itself(folder):
    client = TestClient(create_app(data_dir=folder))
    page = new_draft(client)
    mine = {"csrf": csrf_of(page.text), "version": field(page.text, "version"), "page": field(page.text, "page")}
    download = client.post(page.url.path, data={**qpv_fields(), **mine, "action": "telecharger"})
    assert download.headers["content-type"].startswith("application/yaml")
    # the page stays as it was (its version is now behind), and its next action is still saved
    after = client.post(page.url.path, data={**qpv_fields(), **mine, "action": "calculer", "marche.objet": "Après le téléchargement"})
    assert after.status_code == 200 and "Après le téléchargement" in after.text


def test_home_page_opens_duplicates_exports_and_deletes(folder):
    client = TestClient(create_app(data_dir=folder))
    assert "Aucun brouillon pour l'instant" in client.get("/").text.replace("&#39;", "'")
    page = new_draft(client)
    draft_id = page.url.path.rsplit("/", 1)[1]
    home = client.get("/").text
    assert f'href="/profil/{draft_id}"' in home and "PREF80-2027-TX-003" in home and "UTC" in home
    exported = client.get(f"/profil/{draft_id}/profil.yaml")
    assert exported.headers["content-type"].startswith("application/yaml")
    assert 'filename="PREF80-2027-TX-003.yaml"' in exported.headers["content-disposition"]
    copy = client.post(f"/profil/{draft_id}/dupliquer", data={"csrf": csrf_of(home)})
    assert copy.status_code == 200 and copy.url.path != page.url.path and "PREF80-2027-TX-003" in copy.text
    assert client.post(f"/profil/{draft_id}/supprimer", data={"csrf": "0" * 64}).status_code == 403  # a forged form
    asked = client.post(f"/profil/{draft_id}/supprimer", data={"csrf": csrf_of(home)})  # a deletion is confirmed first
    assert "La suppression est définitive" in asked.text and client.get(f"/profil/{draft_id}").status_code == 200
    gone = client.post(f"/profil/{draft_id}/supprimer", data={"csrf": csrf_of(home), "confirme": "oui"})
    assert gone.url.path == "/" and f'href="/profil/{draft_id}"' not in gone.text
    missing = client.get(f"/profil/{draft_id}")
    assert missing.status_code == 404 and "Ce brouillon n&#39;existe pas" in missing.text


def test_the_form_converts_to_yaml_without_saving(folder):
    """The page's script asks for the profile's YAML as the buyer types: nothing is saved."""
    client = TestClient(create_app(data_dir=folder))
    html = client.get("/profil").text
    answer = client.post("/profil/yaml", data={**qpv_fields(), "csrf": csrf_of(html)})
    assert answer.status_code == 200 and "PREF80-2027-TX-003" in answer.text
    assert client.app.state.store.list() == []
    assert client.post("/profil/yaml", data=qpv_fields()).status_code == 403


# -- what the form cannot keep is refused, not cut --------------------------------------------------------


def _opened(client: TestClient, text: str):
    html = client.get("/ouvrir").text
    return client.post("/ouvrir", data={"csrf": csrf_of(html), "texte": text})


def test_a_profile_the_form_would_cut_is_refused_with_a_french_message(folder):
    client = TestClient(create_app(data_dir=folder))
    from clausegen.profile.text import dump_profile

    data = read_profile_text(QPV.read_text(encoding="utf-8"))
    data["lots"] = [{**data["lots"][0], "numero": n} for n in range(1, 252)]
    many = dump_profile(data)
    refused = _opened(client, many)
    assert refused.status_code == 422
    assert "il compte 251 lots, le formulaire en montre 200 au plus" in refused.text
    assert client.app.state.store.list() == []  # nothing saved


def test_cotraitants_the_form_has_no_field_for_are_refused(folder):
    client = TestClient(create_app(data_dir=folder))
    text = QPV.read_text(encoding="utf-8").replace(
        "  - numero: 1\n", "  - numero: 1\n    cotraitants:\n      - nom: Entreprise Deux\n        siret: '73282932000074'\n", 1)
    assert read_profile_text(text.encode("utf-8"), "x")["lots"][0]["cotraitants"]
    refused = _opened(client, text)
    assert refused.status_code == 422 and "sans perte" in refused.text and "Rien n&#39;a été enregistré" in refused.text


def test_an_opened_profile_becomes_a_draft(folder):
    client = TestClient(create_app(data_dir=folder))
    opened = _opened(client, QPV.read_text(encoding="utf-8"))
    assert opened.history[0].status_code == 303 and re.fullmatch(r"/profil/[A-Za-z0-9_-]{12}", opened.url.path)
    assert "Profil ouvert depuis" in opened.text


# -- the store ------------------------------------------------------------------------------------------


def test_store_versions_and_conflicts(tmp_path):
    store = DraftStore(tmp_path)
    draft = store.create("a: 1\n", "p.yaml", {}, reference="R")
    assert store.save(draft.id, 1, "a: 2\n", "p.yaml", {}).version == 2
    with pytest.raises(Conflict) as refused:
        store.save(draft.id, 1, "a: 3\n", "p.yaml", {})
    assert refused.value.current.text == "a: 2\n"
    assert store.get(draft.id).text == "a: 2\n"
    assert store.save(draft.id, 1, "a: 2\n", "p.yaml", {"step": "lots"}).version == 2  # the same text: no new version
    assert store.get(draft.id).state == {"step": "lots"}
    assert store.get("../../etc") is None and store.get("x" * 13) is None
    assert DraftStore(tmp_path).secret() == store.secret()  # kept with the drafts


def test_store_default_folder(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "name", "posix")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert default_folder() == tmp_path / "clausegen"
    monkeypatch.setenv("XDG_DATA_HOME", "relatif")  # a relative XDG path is ignored (the specification)
    assert default_folder() == Path.home() / ".local" / "share" / "clausegen"


def test_store_unusable_folder_is_a_french_error(tmp_path):
    blocker = tmp_path / "fichier"
    blocker.write_text("", encoding="utf-8")
    with pytest.raises(StoreError) as refused:
        DraftStore(blocker / "sous-dossier")
    assert "ne peut pas être ouvert" in str(refused.value) and "--donnees" in str(refused.value)


def test_killing_the_server_during_a_save_keeps_the_previous_version(tmp_path):
    """A process killed (SIGKILL) in the middle of a save's transaction: the draft is the previous version."""
    store = DraftStore(tmp_path)
    draft = store.create("version: 1\n", "p.yaml", {})
    store.save(draft.id, 1, "texte: ancien\n", "p.yaml", {})
    child = textwrap.dedent(f"""
        import sys, time
        from clausegen.web.store import DraftStore
        store = DraftStore({str(tmp_path)!r})
        with store._connection() as db:
            db.execute("BEGIN IMMEDIATE")
            db.execute("UPDATE drafts SET version = version + 1, text = ? WHERE id = ?", ("texte: nouveau" * 50000, {draft.id!r}))
            print("pret", flush=True)
            time.sleep(60)
    """)
    process = subprocess.Popen([sys.executable, "-c", child], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout.readline().strip() == "pret"
        process.send_signal(signal.SIGKILL)
        process.wait(30)
    finally:
        if process.poll() is None:
            process.kill()
    again = DraftStore(tmp_path).get(draft.id)
    assert again.version == 2 and again.text == "texte: ancien\n"


def test_the_new_form_shown_again_by_back_saves_into_its_draft(folder):
    """Back from a draft's first page shows the new form again (from the browser's memory, with what was
    typed); its next action goes into the draft it created, never into a second one."""
    client = TestClient(create_app(data_dir=folder))
    html = client.get("/profil").text
    page = field(html, "page")
    first = client.post("/profil", data={**qpv_fields(), "csrf": csrf_of(html), "page": page, "action": "calculer"})
    again = client.post("/profil", data={**qpv_fields(), "csrf": csrf_of(html), "page": page, "action": "calculer",
                                         "marche.objet": "Retapé après Précédent"})
    assert again.url.path == first.url.path and len(client.app.state.store.list()) == 1
    assert "Retapé après Précédent" in again.text
    assert "Votre dernier brouillon" in client.get("/profil").text


def test_posts_to_a_draft_need_a_form_content_type(folder):
    client = TestClient(create_app(data_dir=folder))
    page = new_draft(client)
    for path in (page.url.path, f"{page.url.path}/supprimer", "/profil/yaml", "/profil/panneau"):
        refused = client.post(path, content=b"action=calculer", headers={"content-type": "text/plain"})
        assert refused.status_code == 415, path


def test_documents_are_not_made_from_a_value_the_form_refuses(folder):
    """« 1e6 » in an amount: the loader would read it, the form refuses it — and so do the documents."""
    client = TestClient(create_app(data_dir=folder))
    page = new_draft(client, **{"lots[1].montant_ht": "1e6"})
    assert "notation scientifique" in page.text
    answer = client.post(page.url.path, data={**qpv_fields(), "lots[1].montant_ht": "1e6", "csrf": csrf_of(page.text), "action": "zip",
                                              "version": field(page.text, "version"), "page": field(page.text, "page")})
    assert answer.headers["content-type"].startswith("text/html") and "corrigez-les avant de produire les documents" in answer.text
    assert client.get(f"{page.url.path}/documents.zip").headers["content-type"].startswith("text/html")


def test_a_review_is_kept_a_day_and_only_the_last_twenty(tmp_path):
    from clausegen.web import store as store_module

    store = DraftStore(tmp_path)
    first = store.keep_review([("a.yaml", b"version: 1\n")])
    assert store.review_files(first) == [("a.yaml", b"version: 1\n")]
    with store._connection() as db:  # a day and a minute ago
        db.execute("UPDATE reviews SET created = '2000-01-01T00:00:00+00:00' WHERE id = ?", (first,))
    kept = [store.keep_review([(f"{n}.yaml", b"x")]) for n in range(store_module.MAX_REVIEWS + 1)]
    assert store.review_files(first) is None  # too old
    assert store.review_files(kept[0]) is None  # beyond the twenty most recent
    assert store.review_files(kept[-1]) == [(f"{store_module.MAX_REVIEWS}.yaml", b"x")]


# -- the questions follow the answers ------------------------------------------------------------------------


def _asked_first(view, path: str) -> bool:
    """Whether the field or block at ``path`` is among the questions asked, not under « Autres informations »."""
    from clausegen.web.form_model import Group

    groups = [*view.sections, *view.lots]
    for group in groups:
        for item in group.items:
            if item.path == path or (isinstance(item, Group) and any(x.path == path for x in item.walk())):
                return True
    return False


def test_the_procedure_is_asked_up_front_and_an_accord_cadre_asks_its_amounts():
    from clausegen.web.forms import build_form

    data = read_profile_text(QPV.read_text(encoding="utf-8"))
    view = build_form(data)
    assert _asked_first(view, "marche.procedure") and _asked_first(view, "marche.techniques")
    assert not _asked_first(view, "lots[1].accord_cadre.minimum_ht")  # a market that is not an accord-cadre
    data["marche"]["techniques"] = ["accord_cadre"]
    view = build_form(data)
    assert _asked_first(view, "lots[1].accord_cadre.minimum_ht") and _asked_first(view, "lots[1].accord_cadre.maximum_ht")


def test_the_derogation_is_asked_up_front_when_the_2026_rule_applies():
    from clausegen import load_profile
    from clausegen.plan import build_plan
    from clausegen.web.forms import build_form

    reached = ROOT / "profiles" / "nettoyage-accord-cadre.yaml"
    below = ROOT / "profiles" / "travaux-qpv.yaml"
    for path, expected in ((reached, True), (below, False)):
        plan = build_plan(load_profile(path))
        assert (plan.rule.in_force and plan.rule.reached) is expected
        view = build_form(read_profile_text(path.read_text(encoding="utf-8")), plan)
        assert _asked_first(view, "marche.derogation_clause_sociale.cas") is expected, path.name


def test_serve_with_an_unusable_data_folder_exits_2_in_french(tmp_path):
    from click.testing import CliRunner

    from clausegen.cli import cli

    blocker = tmp_path / "fichier"
    blocker.write_text("", encoding="utf-8")
    import socket

    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--sans-navigateur", "--donnees", str(blocker / "x")])
    assert result.exit_code == 2
    assert "Erreur : le fichier des brouillons" in result.output and "L'application n'a pas démarré." in result.output
