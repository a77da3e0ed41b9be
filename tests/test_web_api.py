"""The web application without a browser (Starlette's TestClient): every endpoint answers what the command
line answers, every error has its code and its French message, the token and CSRF rules hold, uploads are
bounded, and nothing of a request stays on the server."""

from __future__ import annotations

import io
import json
import re
import socket
import tempfile
import threading
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from starlette.testclient import TestClient

from clausegen import load_profile
from clausegen.cli import cli
from clausegen.profile.schema import profile_schema
from clausegen.profile.text import dump_profile, load_profile_text, read_profile_text
from clausegen.render.pack import render_documents
from clausegen.review.run import review_profile
from clausegen.web import create_app
from clausegen.web import form_data, forms, uploads
from clausegen.working import hours_as_dict

from conftest import BASE

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))
QPV = ROOT / "profiles" / "travaux-qpv.yaml"
YAML = {"content-type": "application/yaml"}
TOKEN = "jeton-de-test-0123456789"
BAD = BASE.replace("nature: travaux", "nature: service").replace("taux_insertion: 7 %", "taux_insertion: 7")


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


def fresh_client(**kwargs) -> TestClient:
    return TestClient(create_app(**kwargs))


def cli_output(tmp_path, monkeypatch, text: bytes, *args) -> tuple[str, int]:
    (tmp_path / "profil.yaml").write_bytes(text)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, list(args))
    return result.output, result.exit_code


# -- the API answers what the command line answers ------------------------------------------------------


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_calc_is_what_the_command_prints(client, tmp_path, monkeypatch, path):
    text = path.read_bytes()
    response = client.post("/api/calc", content=text, headers=YAML)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    output, code = cli_output(tmp_path, monkeypatch, text, "calc", "profil.yaml", "--format", "json")
    assert code == 0
    assert response.text == output


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_check_is_what_the_command_prints(client, tmp_path, monkeypatch, path):
    text = path.read_bytes()
    response = client.post("/api/check", content=text, headers=YAML)
    assert response.status_code == 200
    output, code = cli_output(tmp_path, monkeypatch, text, "check", "profil.yaml", "--format", "json")
    assert code in (0, 1)
    assert response.text == output
    assert json.loads(response.text)["profils"] == ["profil.yaml"]


def test_check_names_the_profile_as_asked(client):
    response = client.post("/api/check?nom=../marche-voirie.yaml", content=QPV.read_bytes(), headers=YAML)
    body = response.json()
    assert body["profils"] == ["marche-voirie.yaml"]
    assert {c["fichier"] for c in body["constats"]} == {"marche-voirie.yaml"}


PACKED = [ROOT / "profiles" / n for n in ("travaux-qpv.yaml", "nettoyage-accord-cadre.yaml", "services-ess.yaml")]


@pytest.mark.parametrize("path", PACKED, ids=lambda p: p.stem)
def test_pack_holds_the_documents_of_render_byte_for_byte(client, path):
    response = client.post("/api/pack", content=path.read_bytes(), headers=YAML)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"].startswith("attachment;")
    expected = render_documents(load_profile(path))
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == list(expected)
        for name, data in expected.items():
            assert archive.read(name) == data, name
    assert response.headers["x-clausegen-documents"] == ",".join(expected)


def test_pack_chosen_documents_and_refusals(client, monkeypatch):
    text = QPV.read_bytes()
    response = client.post("/api/pack?documents=ccap,rc", content=text, headers=YAML)
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert archive.namelist() == ["rc.docx", "ccap.docx"]
    unknown = client.post("/api/pack?documents=ccap,cctp", content=text, headers=YAML)
    assert unknown.status_code == 400
    assert unknown.json() == {"erreur": "Document inconnu : cctp. Documents disponibles : avis, rc, ccap, annexe-ae, memoire, fiche-caracterisation, suivi."}
    reserved = (ROOT / "profiles" / "services-ess.yaml").read_bytes()  # no lot scored on insertion: no mémoire
    without_object = client.post("/api/pack?documents=memoire", content=reserved, headers=YAML)
    assert without_object.status_code == 400
    assert "sans objet" in without_object.json()["erreur"]
    from clausegen.web import work

    monkeypatch.setattr(work, "has_soffice", lambda: False)
    no_pdf = client.post("/api/pack?pdf=1", content=text, headers=YAML)
    assert no_pdf.status_code == 503
    assert "LibreOffice" in no_pdf.json()["erreur"]


def test_invalid_profile_is_422_with_the_loader_issues(client, tmp_path):
    for route in ("/api/calc", "/api/check", "/api/pack"):
        response = client.post(route, content=BAD.encode(), headers=YAML)
        assert response.status_code == 422, route
        errors = response.json()["erreurs"]
        assert [set(e) for e in errors] == [{"fichier", "ligne", "colonne", "champ", "message", "attendu", "suggestion"}] * 2
    path = tmp_path / "profil.yaml"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(Exception) as raised:
        load_profile(path)
    expected = [{**i.as_dict(), "fichier": "profil.yaml"} for i in raised.value.issues]
    assert errors == expected
    assert errors[0]["champ"] == "marche.nature" and errors[0]["ligne"] == 8 and errors[0]["suggestion"] == "Vouliez-vous dire « services » ?"
    unreadable = client.post("/api/calc", content=b"version: 1\nacheteur: [\n", headers=YAML)
    assert unreadable.status_code == 422
    assert unreadable.json()["erreurs"][0]["message"].startswith("syntaxe YAML invalide")
    latin1 = client.post("/api/calc", content="objet: écoles".encode("latin-1"), headers=YAML)
    assert latin1.status_code == 422 and "UTF-8" in latin1.json()["erreurs"][0]["message"]


def test_body_over_one_mebibyte_is_413(client):
    big = b"# " + b"x" * (1024 * 1024) + b"\n"
    response = client.post("/api/calc", content=big, headers=YAML)
    assert response.status_code == 413
    assert response.json() == {"erreur": "Les données envoyées dépassent la taille admise pour cette adresse (1 Mio)."}

    def chunks():  # no Content-Length: counted while it is read
        for _ in range(20):
            yield b"#" * 65536 + b"\n"

    streamed = client.post("/api/check", content=chunks(), headers=YAML)
    assert streamed.status_code == 413
    assert client.post("/api/calc", content=b"x" * (1024 * 1024), headers=YAML).status_code == 422  # exactly 1 Mio is read


def test_wrong_content_type_unknown_route_and_method(client):
    wrong = client.post("/api/calc", content=BASE.encode(), headers={"content-type": "text/plain"})
    assert wrong.status_code == 415 and "application/yaml" in wrong.json()["erreur"]
    assert client.post("/api/calc", content=BASE.encode()).status_code == 415  # no Content-Type at all: refused (tests/test_web_security.py)
    method = client.get("/api/calc")
    assert method.status_code == 405
    assert method.headers["allow"] == "POST"
    assert method.json() == {"erreur": "Cette adresse n'accepte pas cette méthode HTTP."}
    assert client.put("/api/schema").status_code == 405
    missing = client.get("/api/inconnu")
    assert missing.status_code == 404 and missing.json() == {"erreur": "Cette adresse ne correspond à aucune page de l'application."}
    page = client.get("/nulle-part")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Page introuvable" in page.text and 'lang="fr"' in page.text


def test_schema_and_openapi(client):
    assert client.get("/api/schema").json() == json.loads(json.dumps(profile_schema(), ensure_ascii=False))
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/api/calc", "/api/check", "/api/pack", "/api/schema", "/api/openapi.json"}
    for path in ("/api/calc", "/api/check", "/api/pack"):
        assert {"422", "413", "415", "401"} <= set(doc["paths"][path]["post"]["responses"])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    for path in doc["paths"]:
        assert path in docs.text
    assert "Authorization: Bearer" in docs.text


# -- the access token ---------------------------------------------------------------------------------


def test_token_is_required_on_every_request():
    client = fresh_client(token=TOKEN)
    for path in ("/", "/profil", "/static/app.css", "/api/schema"):
        assert client.get(path).status_code == 401, path
    api = client.post("/api/calc", content=BASE.encode(), headers=YAML)
    assert api.status_code == 401
    assert api.headers["www-authenticate"].startswith("Bearer")
    assert api.json() == {"erreur": "Cette application demande un jeton d'accès."}
    page = client.get("/revue")
    assert "Jeton d'accès" in page.text and 'name="jeton"' in page.text and 'action="/revue"' in page.text
    assert "style-src 'sha256-" in page.headers["content-security-policy"]  # the page's own style, nothing else
    assert client.get("/api/schema", headers={"authorization": "Bearer mauvais"}).json() == {"erreur": "Le jeton d'accès donné est incorrect."}
    assert client.get("/api/schema", headers={"authorization": f"Bearer {TOKEN}"}).status_code == 200
    assert client.post("/api/calc", content=BASE.encode(), headers={**YAML, "authorization": f"Bearer {TOKEN}"}).json()["total_heures"] == 744
    assert client.get("/?jeton=faux").status_code == 401


def test_token_login_sets_a_cookie_and_leaves_the_address():
    client = fresh_client(token=TOKEN)
    login = client.get(f"/revue?jeton={TOKEN}&x=1", follow_redirects=False)
    assert login.status_code == 303
    assert login.headers["location"] == "/revue?x=1"
    cookie = login.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    assert client.get("/revue").status_code == 200  # the cookie is enough now
    assert client.get("/api/schema").status_code == 200
    other = fresh_client(token=TOKEN)
    other.cookies.set("clausegen_jeton", "0" * 64)
    assert other.get("/").status_code == 401


def test_serve_refuses_a_public_address_without_token(monkeypatch):
    monkeypatch.delenv("CLAUSEGEN_JETON", raising=False)
    result = CliRunner().invoke(cli, ["serve", "--host", "0.0.0.0", "--no-browser"])
    assert result.exit_code == 2
    assert "CLAUSEGEN_JETON" in result.output and "n'a pas démarré" in result.output
    monkeypatch.setenv("CLAUSEGEN_JETON", "court")
    short = CliRunner().invoke(cli, ["serve", "--host", "192.0.2.10", "--sans-navigateur"])
    assert short.exit_code == 2 and "trop court" in short.output
    from clausegen.cli.serve import check_start
    from clausegen.web.security import is_local

    check_start("0.0.0.0", TOKEN)  # a long enough token: allowed
    check_start("127.0.0.1", None)
    assert is_local("localhost") and is_local("127.0.0.2") and is_local("::1") and is_local("[::1]")
    assert not is_local("0.0.0.0") and not is_local("192.168.1.10") and not is_local("exemple.fr")


def test_serve_says_when_the_port_is_taken():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), "--no-browser"])
    assert result.exit_code == 2
    assert f"le port {port} est déjà utilisé" in result.output


# -- the form: CSRF, round trip, edits -------------------------------------------------------------------


def test_forms_need_their_csrf_field(client):
    for path in ("/ouvrir", "/revue", "/revue/rapport"):
        refused = client.post(path, data={"action": "calculer"})
        assert refused.status_code == 403, path
        assert "Formulaire refusé" in refused.text
    # the profile form is shown again with what was posted, a fresh token and a French explanation
    refused = client.post("/profil", data={"action": "calculer", "marche.reference": "2027-REFUS", "lots[1].numero": "1"})
    assert refused.status_code == 403
    assert "Vos réponses sont ci-dessous" in refused.text and 'value="2027-REFUS"' in refused.text
    assert client.post("/profil", data={"csrf": csrf_of(refused.text), "action": "calculer", "marche.reference": "2027-REFUS"}).status_code == 200
    html = client.get("/profil").text
    assert client.post("/profil", data={"csrf": "0" * 64, "action": "calculer"}).status_code == 403
    assert client.post("/profil", data={"csrf": csrf_of(html), "action": "calculer"}).status_code == 200
    other = fresh_client()  # another browser: its cookie does not match this field
    other.get("/profil")
    assert other.post("/profil", data={"csrf": csrf_of(html), "action": "calculer"}).status_code == 403


@pytest.mark.parametrize("path", [*PROFILES, ROOT / "tests" / "data" / "derogations.yaml"], ids=lambda p: p.stem)
def test_every_profile_goes_through_the_form_unchanged(path):
    """Profile → form fields → posted fields → profile: the same profile (so the same documents), hours and review."""
    text = path.read_text(encoding="utf-8")
    data = read_profile_text(text)
    posted = form_data.posted(forms.build_form(data))
    again = form_data.form_data(posted)
    written = dump_profile(again, header="essai")
    original, rebuilt = load_profile_text(text, "p.yaml"), load_profile_text(written, "p.yaml")
    assert rebuilt == original
    from clausegen.calc import compute_hours

    assert hours_as_dict(compute_hours(rebuilt)) == hours_as_dict(compute_hours(original))
    assert [(f.rule, f.message) for f in review_profile(rebuilt)] == [(f.rule, f.message) for f in review_profile(original)]


def test_dump_profile_reads_back_the_same_data():
    tricky = {
        "version": 1,
        "acheteur": {"nom": "Ville de « Saint-Ouen » : mairie # 2", "type": "collectivite", "service": "- tiret", "adresse": "true"},
        "marche": {"reference": "2027-001", "objet": "ligne 1\nligne 2", "nature": "travaux", "duree_mois": 12, "cpv": "45000000-7",
                   "lieu_execution": "'quote", "date_publication": "2027-01-18"},
        "calcul": {"taux_insertion": "7,5 %", "cout_horaire": 32.5},
        "lots": [{"numero": 1, "intitule": "null", "base_legale": ["art38", "critere_attribution"], "metiers": ["maçon", "~"],
                  "critere": {"ponderation": "10 %", "sous_criteres": [{"libelle": "a: b", "points": 100}]}}],
        "inconnue": {"x": [1, {"y": None}]},
    }
    assert read_profile_text(dump_profile(tricky)) == tricky


def test_download_gives_the_commented_profile_that_loads(client):
    data = read_profile_text(QPV.read_text(encoding="utf-8"))
    html = client.get("/profil").text
    created = client.post("/profil", data={**form_data.posted(forms.build_form(data)), "csrf": csrf_of(html), "action": "telecharger"})
    # a new form is saved as a draft first; its page offers the download (the form would otherwise stay unsaved)
    assert created.history[0].status_code == 303 and created.url.path.startswith("/profil/")
    link = f"{created.url.path}/profil.yaml"
    assert f'href="{link}"' in created.text
    # from the draft's page, the same button saves and downloads at once
    saved = client.post(created.url.path, data={**form_data.posted(forms.build_form(data)), "csrf": csrf_of(created.text), "action": "telecharger",
                                                 "version": "1"})
    assert saved.headers["content-type"].startswith("application/yaml") and saved.text == client.get(link).text
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/yaml")
    assert 'filename="PREF80-2027-TX-003.yaml"' in response.headers["content-disposition"]
    assert response.text.startswith("# Profil du marché PREF80-2027-TX-003")
    assert "« clausegen calc PREF80-2027-TX-003.yaml »" in response.text  # the header names the file it came as
    assert "# Nom de l'acheteur." in response.text
    assert load_profile_text(response.text, str(QPV)) == load_profile(QPV)


def test_lots_are_added_and_removed_without_script(client):
    html = client.get("/profil").text
    token = csrf_of(html)
    assert html.count('class="lot"') == 1
    base = {"csrf": token, "lots[1].numero": "1", "lots[1].intitule": "Gros œuvre"}
    added = client.post("/profil", data={**base, "action": "ajouter-lot"})
    assert added.text.count('class="lot"') == 2
    assert 'data-focus="champ-lots-2-intitule"' in added.text
    assert 'value="Gros œuvre"' in added.text and 'name="lots[2].numero" id="champ-lots-2-numero" value="2"' in added.text
    removed = client.post("/profil", data={**base, "lots[2].numero": "2", "lots[2].intitule": "Peinture", "action": "retirer-lot:1"})
    assert removed.text.count('class="lot"') == 1 and 'value="Peinture"' in removed.text and "Gros œuvre" not in removed.text
    criterion = client.post("/profil", data={**base, "action": "ajouter-sous-critere:1"})
    assert 'name="lots[1].critere.sous_criteres[1].libelle"' in criterion.text


def test_the_form_computes_and_reviews(client):
    data = read_profile_text(BASE)
    html = client.get("/profil").text
    response = client.post("/profil", data={**form_data.posted(forms.build_form(data)), "csrf": csrf_of(html), "action": "calculer"})
    assert response.status_code == 200
    assert "744" in response.text and "Heures par lot" in response.text
    assert 'id="resume-erreurs"' not in response.text
    assert "facilitateur-absent" in response.text
    # the field is on another step (Exécution): the link is a button of the form, which saves and goes there
    assert ('<button type="submit" form="formulaire" name="action" value="etape:execution:champ-execution-periodicite_suivi" '
            'class="bouton lien">Aller au champ : Périodicité des états de suivi transmis par le titulaire</button>') in response.text


def test_opened_profile_shows_the_loader_errors_on_their_fields(client):
    html = client.get("/ouvrir").text
    response = client.post("/ouvrir", data={"csrf": csrf_of(html)}, files={"fichier": ("marche.yaml", BAD.encode(), "application/yaml")})
    assert response.status_code == 200
    page = response.text
    assert 'id="resume-erreurs"' in page and "Le profil contient 2 erreurs" in page
    assert "<title>2 erreurs — Acheteur et marché — Profil du marché — clausegen</title>" in page
    assert 'href="#champ-marche-nature">Nature du marché</a> (ligne 8, colonne 11)' in page
    assert "« service » n&#39;est pas une valeur admise. Attendu : « Travaux », « Fournitures » ou « Services ». Vouliez-vous dire « Services » ?" in page
    assert re.search(r'<select name="marche.nature" id="champ-marche-nature" aria-describedby="champ-marche-nature-erreur" aria-invalid="true">', page)
    assert '<option value="service" selected>« service » (valeur refusée)</option>' in page
    assert re.search(r'id="champ-calcul-taux_insertion" value="7" [^>]*aria-describedby="[^"]*champ-calcul-taux_insertion-erreur" aria-invalid="true"', page)
    assert 'name="source" value="marche.yaml"' in page
    pasted = client.post("/ouvrir", data={"csrf": csrf_of(html), "texte": QPV.read_text(encoding="utf-8")})
    assert pasted.status_code == 200 and 'id="resume-erreurs"' not in pasted.text and "1 752" in pasted.text.replace("\u202f", " ")


def test_unreadable_profile_stays_on_the_open_page(client):
    html = client.get("/ouvrir").text
    response = client.post("/ouvrir", data={"csrf": csrf_of(html), "texte": "version: 1\nacheteur:\n\tnom: x\n"})
    assert response.status_code == 422
    assert "Ligne 3, colonne 1" in response.text and "tabulation interdite" in response.text
    assert "\tnom: x" in response.text  # the text is given back to be corrected
    empty = client.post("/ouvrir", data={"csrf": csrf_of(html), "texte": ""})
    assert empty.status_code == 422 and "collez son texte" in empty.text


def test_preview_shows_the_document_text(client):
    data = read_profile_text(BASE)
    html = client.get("/profil").text
    response = client.post("/profil", data={**form_data.posted(forms.build_form(data)), "csrf": csrf_of(html), "action": "apercu:ccap"})
    assert 'id="apercu"' in response.text and "Aperçu : CCAP" in response.text
    assert "744" in response.text


def test_pack_from_the_form(client):
    data = read_profile_text(QPV.read_text(encoding="utf-8"))
    html = client.get("/profil").text
    posted = {**form_data.posted(forms.build_form(data)), "csrf": csrf_of(html), "action": "zip", "documents": ["ccap", "avis"], "documents_choisis": "1"}
    page = client.post("/profil", data=posted)  # a new draft: saved, then its page offers the documents
    assert f'href="{page.url.path}/documents.zip"' in page.text
    response = client.post(page.url.path, data={**posted, "csrf": csrf_of(page.text), "version": "1"})
    assert response.headers["content-type"] == "application/zip"
    assert client.get(f"{page.url.path}/documents.zip").content == response.content
    expected = render_documents(load_profile(QPV), ["avis", "ccap"])
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert {n: archive.read(n) for n in archive.namelist()} == expected
    nothing = client.post(page.url.path, data={**posted, "csrf": csrf_of(page.text), "documents": []})
    assert "Choisissez au moins un document" in nothing.text


# -- PFRA review -------------------------------------------------------------------------------------


def _zip(entries: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_review_of_several_profiles_and_reports(client):
    import openpyxl

    html = client.get("/revue").text
    files = [("fichiers", (p.name, p.read_bytes(), "application/yaml")) for p in PROFILES[:3]]
    archive = _zip({
        "portefeuille/voirie.yaml": (ROOT / "tests/data/portfolio/voirie-2027.yaml").read_bytes(),
        "portefeuille/casse.yaml": BAD.encode(),
        "portefeuille/notes.txt": b"ignore",
        "../evasion.yaml": BASE.encode(),
        "/absolu.yaml": BASE.encode(),
    })
    files.append(("fichiers", ("dossier.zip", archive, "application/zip")))
    response = client.post("/revue", data={"csrf": csrf_of(html)}, files=files)
    assert response.status_code == 200
    page = response.text
    table = page[page.index('id="tableau-revue"'):page.index("</table>", page.index('id="tableau-revue"'))]
    assert table.count("<tr>") == 1 + 5  # header + 3 files + 2 profiles of the zip
    assert "portefeuille/voirie.yaml" in table and "portefeuille/casse.yaml" in table and "Invalide" in table
    assert "« ../evasion.yaml » refusée" in page and "« /absolu.yaml » refusée" in page
    assert "evasion" not in table
    # the page refers to the review the server keeps, it never embeds the profiles (a large review gave a huge page)
    assert "profil_texte" not in page and "montant_ht" not in page.split('id="tableau-revue"')[1].split("</table>")[0]
    review_id = re.search(r'name="revue" value="([A-Za-z0-9_-]{12})"', page).group(1)
    assert "Le rapport porte sur les 4 profils valides" in page
    form = {"csrf": csrf_of(page), "revue": review_id}
    xlsx = client.post("/revue/rapport", data={**form, "action": "xlsx", "mutualisation": "oui"})
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    assert "Mutualisation" in book.sheetnames
    report = client.post("/revue/rapport", data={**form, "action": "html"})
    assert report.headers["content-type"].startswith("text/html") and "<html" in report.text
    csv = client.post("/revue/rapport", data={**form, "action": "mutualisation"})
    assert csv.content.startswith("\ufeff".encode()) and "Entreprise (SIRET);Marchés" in csv.content.decode("utf-8-sig")


def test_review_without_any_profile(client):
    html = client.get("/revue").text
    response = client.post("/revue", data={"csrf": csrf_of(html)}, files={"fichiers": ("notes.txt", b"rien", "text/plain")})
    assert response.status_code == 422
    assert "Aucun profil relu" in response.text and "Aucun profil (.yaml ou .yml)" in response.text
    report = client.post("/revue/rapport", data={"csrf": csrf_of(html), "action": "xlsx"})
    assert report.status_code == 404 and "Cette revue n&#39;est plus conservée" in report.text
    forged = client.post("/revue/rapport", data={"csrf": csrf_of(html), "action": "xlsx", "revue": "A" * 12})
    assert forged.status_code == 404


def test_upload_bounds(monkeypatch):
    collected = uploads.Collected()
    uploads.add_upload(collected, "gros.yaml", b"#" * (uploads.MAX_FILE + 1))
    assert "refusé" in collected.problems[0] and not collected.files
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("bombe.yaml", b"#" * (20 * 1024 * 1024))
    collected = uploads.Collected()
    uploads.add_upload(collected, "bombe.zip", bomb.getvalue())
    assert not collected.files and "plus de 1 Mio" in collected.problems[0]
    monkeypatch.setattr(uploads, "MAX_FILES", 3)
    collected = uploads.Collected()
    uploads.add_upload(collected, "lot.zip", _zip({f"p{n}.yaml": BASE.encode() for n in range(6)}))
    assert len(collected.files) == 3 and "seuls les 3 premiers" in collected.problems[0]
    collected = uploads.Collected()
    uploads.add_upload(collected, "pas-un-zip.zip", b"PK\x03\x04 tronque")
    assert "illisible" in collected.problems[0]
    assert uploads.clean_name("C:\\marches\\p.yaml") is None and uploads.clean_name("a/./b.yaml") == "a/b.yaml"


def test_upload_over_the_route_limit_is_413(client):
    html = client.get("/revue").text
    big = b"#" * (17 * 1024 * 1024)
    response = client.post("/revue", data={"csrf": csrf_of(html)}, files={"fichiers": ("gros.yaml", big, "application/yaml")})
    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.text


# -- independence of requests --------------------------------------------------------------------------


def test_requests_share_nothing_and_leave_no_file(monkeypatch, tmp_path):
    """Two users at once get their own answers; temporary files are gone once the answer is sent."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    client = fresh_client()
    texts = {n: BASE.replace("montant_ht: 850000", f"montant_ht: {n * 100000}").replace('"2026-TRX-014"', f'"REF-{n}"') for n in range(1, 9)}
    answers: dict[int, dict] = {}

    def ask(n):
        answers[n] = client.post("/api/calc", content=texts[n].encode(), headers=YAML).json()

    threads = [threading.Thread(target=ask, args=(n,)) for n in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for n, answer in answers.items():
        assert answer["reference"] == f"REF-{n}"
        assert answer["lots"][0]["donnees"][0]["valeur"] == n * 100000
    html = client.get("/profil").text
    client.post("/profil", data={"csrf": csrf_of(html), "acheteur.nom": "Ville A", "lots[1].intitule": "x", "action": "calculer"})
    other = fresh_client()
    assert "Ville A" not in other.get("/profil").text
    client.post("/api/pack", content=BASE.encode(), headers=YAML)
    assert list(scratch.iterdir()) == []


def test_security_headers():
    response = fresh_client().get("/profil")
    assert "default-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    cookie = response.headers["set-cookie"]
    assert "clausegen_csrf=" in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()
