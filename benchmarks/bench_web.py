"""Benchmark of the web application: the API's answers over HTTP, next to the library call alone.

    python benchmarks/bench_web.py [--runs 30] [--profil profiles/travaux-qpv.yaml]

The application runs in this process (uvicorn on a free port of 127.0.0.1, in a thread, as ``clausegen
serve``); requests go through one kept-alive HTTP connection, as a browser's do. For each request, the
median and the 90th percentile of ``--runs`` runs after two warm-up runs, and the same work done by the
library alone in the same run (the baseline: what the web layer adds is the difference):

1. ``POST /api/calc`` — target: under 50 ms; baseline ``compute_hours(load_profile_text(…))`` + JSON;
2. ``POST /api/check`` — baseline ``review_profile`` + JSON;
3. ``POST /api/pack`` (the 7 documents in a .zip) — target: under 300 ms; baseline ``render_documents``;
4. the form: a draft saved with « Calculer les heures et relire », then its page ``GET /profil/…`` — the whole
   page, hours and review.

Every answer is checked (status, the total of hours, the documents of the zip); the script exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import io
import json
import os
import platform
import re
import socket
import statistics
import sys
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]


def start_server():
    import uvicorn

    from clausegen.web import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # as clausegen serve: TCP_NODELAY
    sock.bind(("127.0.0.1", 0))
    sock.listen(64)
    # the baselines run between two requests: the kept-alive connection must outlive them
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", access_log=False, lifespan="off", timeout_keep_alive=600))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    return server, thread, sock.getsockname()[1]


def measure(call, runs: int) -> tuple[float, float]:
    """Median and 90th percentile, in milliseconds, of ``runs`` calls after two warm-up calls."""
    for _ in range(2):
        call()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.9))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--profil", default=str(ROOT / "profiles" / "travaux-qpv.yaml"))
    args = parser.parse_args()
    from clausegen.calc import compute_hours
    from clausegen.profile.text import load_profile_text, read_profile_text
    from clausegen.render.pack import render_documents
    from clausegen.review.present import findings_as_json
    from clausegen.review.run import CheckResult, review_profile
    from clausegen.web import form_data, forms
    from clausegen.working import hours_as_dict

    text = Path(args.profil).read_bytes()
    expected_total = compute_hours(load_profile_text(text)).total_heures
    expected_docs = list(render_documents(load_profile_text(text)))
    print(f"machine : {platform.platform()}, {os.cpu_count()} cœurs, Python {platform.python_version()}")
    print(f"profil : {args.profil} ({len(text)} octets, {expected_total} heures, {len(expected_docs)} documents) ; {args.runs} mesures par ligne")

    server, thread, port = start_server()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.connect()
    # as browsers do: http.client sends the headers and the body in two writes, which Nagle's algorithm would
    # otherwise hold until the server's delayed acknowledgement (40 ms)
    connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    failures: list[str] = []

    def post(path: str, body: bytes, headers: dict) -> tuple[int, bytes]:
        connection.request("POST", path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()

    yaml_headers = {"Content-Type": "application/yaml"}

    def api_calc():
        status, body = post("/api/calc", text, yaml_headers)
        if status != 200 or json.loads(body)["total_heures"] != expected_total:
            failures.append(f"/api/calc : {status}")

    def api_check():
        status, body = post("/api/check", text, yaml_headers)
        if status != 200 or "constats" not in json.loads(body):
            failures.append(f"/api/check : {status}")

    def api_pack():
        status, body = post("/api/pack", text, yaml_headers)
        if status != 200 or zipfile.ZipFile(io.BytesIO(body)).namelist() != expected_docs:
            failures.append(f"/api/pack : {status}")

    # the form: the new profile page, its hidden fields (CSRF token, page id) and the profile's answers posted
    # with « Calculer les heures et relire », which saves a draft; the row measures the draft's page then shown
    connection.request("GET", "/profil")
    page = connection.getresponse()
    cookie = page.getheader("set-cookie").split(";")[0]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.read().decode())
    fields = form_data.posted(forms.build_form(read_profile_text(text)))
    form_body = urlencode(hidden + [(k, v) for k, values in fields.items() for v in values] + [("action", "calculer")]).encode()
    connection.request("POST", "/profil", body=form_body, headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    created = connection.getresponse()
    created.read()
    draft_url = (created.getheader("location") or "").partition("#")[0]
    if created.status != 303 or not draft_url.startswith("/profil/"):
        print(f"ÉCHEC : POST /profil a répondu {created.status}, sans brouillon créé", file=sys.stderr)
        return 1

    def form_page():
        connection.request("GET", draft_url, headers={"Cookie": cookie})
        response = connection.getresponse()
        body = response.read()
        if response.status != 200 or b"Heures par lot" not in body:
            failures.append(f"GET {draft_url} : {response.status}")

    def lib_calc():
        json.dumps(hours_as_dict(compute_hours(load_profile_text(text))), ensure_ascii=False, indent=2)

    def lib_check():
        findings_as_json(CheckResult(findings=review_profile(load_profile_text(text)), files=["profil.yaml"]))

    def lib_pack():
        render_documents(load_profile_text(text))

    rows = [
        ("POST /api/calc", api_calc, "bibliothèque : load_profile_text + compute_hours + JSON", lib_calc, 50),
        ("POST /api/check", api_check, "bibliothèque : load_profile_text + review_profile + JSON", lib_check, None),
        ("POST /api/pack (7 documents, .zip)", api_pack, "bibliothèque : load_profile_text + render_documents", lib_pack, 300),
        ("GET /profil/… (brouillon calculé, page entière)", form_page, None, None, None),
    ]
    ok = True
    print()
    print(f"{'mesure':<58} {'médiane':>9} {'90e centile':>12}  objectif")
    for label, call, base_label, base_call, target in rows:
        median, p90 = measure(call, args.runs)
        verdict = "" if target is None else (f"≤ {target} ms : " + ("atteint" if median <= target else "NON atteint"))
        ok = ok and (target is None or median <= target)
        print(f"{label:<58} {median:>6.1f} ms {p90:>9.1f} ms  {verdict}")
        if base_call is not None:
            base_median, base_p90 = measure(base_call, args.runs)
            print(f"  {base_label:<56} {base_median:>6.1f} ms {base_p90:>9.1f} ms  (couche web : {median - base_median:+.1f} ms)")
    connection.close()
    server.should_exit = True
    thread.join(10)
    if failures:
        print(f"ÉCHEC : {len(failures)} réponse(s) incorrecte(s), par exemple {failures[0]}", file=sys.stderr)
        return 1
    print("\nobjectifs " + ("atteints." if ok else "NON atteints."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
