"""Every benchmark of clausegen, each figure printed as a ratio to a baseline measured in the same run.

    python benchmarks/all.py            # the sizes of issue 20 (several minutes on 2 cores)
    python benchmarks/all.py --quick    # small sizes, under a minute; what .ci/run runs (no timing asserted)

Figures and their baselines (whole processes unless said otherwise; medians):

1. one pack (``clausegen render PROFIL``, 7 documents) / ``python -c "import docxtpl"``; beside it, as a mark,
   merely importing the libraries a render uses (``DEPENDENCIES``) / the same baseline: the floor of figure 1;
2. the first pack with an empty cache (``XDG_CACHE_HOME`` set to a new folder) / the same baseline;
3. a batch of N packs (``clausegen render DOSSIER --jobs CŒURS``): speed-up over a naive docxtpl loop (load the
   profile, build the context, open each template, render, save), run on a sample and extrapolated;
3b. a batch of M packs (5 000; 120 with --quick) against the batch of N: time per pack and the largest process's
   memory (maximum resident size), both as ratios (linear time and flat memory: about 1×);
4. ``clausegen check`` of N profiles / a plain YAML load of the same files in one process (ruamel.yaml);
5. ``clausegen report`` of N profiles / the same YAML load;
6. report memory (maximum resident size) for N profiles / for N ÷ 10;
7. the web application's ``/api/pack``, in process (Starlette's TestClient), in milliseconds.

The other scripts of this folder (``bench_render.py``, ``bench_check.py``, ``bench_web.py``) run too, at small
sizes and without their figures: each checks what it produces, so that none of them can break unnoticed.

The script exits 1 only when a command fails or a produced document is invalid; it asserts no timing.
The figures depend on the machine and on what else it runs: the ratios are what compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_render import batch_documents, naive_loop  # noqa: E402
from generate import generate  # noqa: E402

ROOT = HERE.parent
CLI = [sys.executable, "-m", "clausegen.cli"]
SIZES = {
    # « long_runs »: the medians of the commands over 10 000 profiles (about a minute each for the YAML load)
    "full": {"runs": 7, "long_runs": 3, "batch": 400, "batch_large": 5_000, "naive": 12, "check": 10_000, "report": 10_000, "web": 30},
    "quick": {"runs": 3, "long_runs": 3, "batch": 24, "batch_large": 120, "naive": 2, "check": 300, "report": 300, "web": 5},
}
MEASURE_RSS = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    "sys.exit(code)\n"
)


# An installed clausegen runs from its compiled bytecode (pip writes it at install): the measured processes may
# write theirs too, whatever this shell says (PYTHONDONTWRITEBYTECODE would make every run compile every module).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


# The libraries a render imports (Jinja's sandbox, ruamel.yaml, click) and the standard modules clausegen's own
# code needs besides them: the floor below which no whole-process pack can go.
DEPENDENCIES = "import jinja2.sandbox, ruamel.yaml, click, dataclasses, decimal, datetime, json, zlib, tempfile, hashlib"


class Failed(Exception):
    pass


def run(cmd, env=None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, env=env or ENV)
    elapsed = time.perf_counter() - start
    if proc.returncode not in (0, 1):  # check exits 1 on findings, which is its answer
        raise Failed(f"{' '.join(map(str, cmd))} : code {proc.returncode}\n{proc.stderr.decode('utf-8', 'replace')[-1500:]}")
    return elapsed


def median(cmd, runs: int, env=None) -> float:
    run(cmd, env)  # warm-up: the disk cache, the prepared templates
    return statistics.median(run(cmd, env) for _ in range(runs))


def yaml_load_seconds(folder: Path, runs: int) -> float:
    code = ("import sys, pathlib\nfrom ruamel.yaml import YAML\ny = YAML(typ='rt')\n"
            "for p in sorted(pathlib.Path(sys.argv[1]).rglob('*.yaml')):\n    y.load(p.read_text(encoding='utf-8'))\n")
    return median([sys.executable, "-c", code, str(folder)], runs)


def timed_rss(cmd) -> tuple[float, int]:
    """The wall time of ``cmd`` in seconds and the largest maximum resident size (KiB) of its processes."""
    start = time.perf_counter()
    rss = max_rss_kib(cmd)
    return time.perf_counter() - start, rss


def max_rss_kib(cmd) -> int:
    proc = subprocess.run([sys.executable, "-c", MEASURE_RSS, *map(str, cmd)], capture_output=True, text=True, env=ENV)
    if proc.returncode != 0:
        raise Failed(f"{' '.join(map(str, cmd))} : code {proc.returncode}")
    return int(proc.stdout.strip().splitlines()[-1])


def web_pack_ms(profile: Path, runs: int) -> float:
    from starlette.testclient import TestClient

    from clausegen.web import create_app

    body = profile.read_bytes()
    with TestClient(create_app()) as client:
        def once() -> float:
            start = time.perf_counter()
            response = client.post("/api/pack", content=body, headers={"content-type": "application/yaml"})
            if response.status_code != 200:
                raise Failed(f"/api/pack : {response.status_code} {response.text[:300]}")
            return (time.perf_counter() - start) * 1000

        once()
        return statistics.median(once() for _ in range(runs))


def batch_output(folder: Path, count: int, check: bool = True) -> list[Path]:
    """The documents of a batch, each checked (``check``) or only counted; one folder per profile."""
    produced, bad, folders = batch_documents(folder, check)
    if bad or folders != count:
        raise Failed(f"lot : {folders} dossiers produits pour {count} profils, {len(bad)} documents invalides")
    return produced


def measure(size: dict, tmp: Path) -> list[tuple[str, str, str, str]]:
    cores = os.cpu_count() or 1
    rows = []
    profile = ROOT / "profiles" / "travaux-qpv.yaml"
    baseline = median([sys.executable, "-c", "import docxtpl"], size["runs"])

    pack = median([*CLI, "render", str(profile), "-o", str(tmp / "pack"), "--force", "-q"], size["runs"])
    rows.append(("un dossier, processus entier / import docxtpl", f"{pack * 1000:.0f} ms / {baseline * 1000:.0f} ms", f"{pack / baseline:.2f}×", "≤ 1,0×"))
    # what a pack cannot go below: merely importing the libraries it renders with (no clausegen code at all)
    floor = median([sys.executable, "-c", DEPENDENCIES], size["runs"])
    rows.append(("plancher : import des seules bibliothèques du rendu / import docxtpl", f"{floor * 1000:.0f} ms / {baseline * 1000:.0f} ms", f"{floor / baseline:.2f}×", "(repère)"))

    cold = []
    for i in range(size["runs"]):
        env = {**ENV, "XDG_CACHE_HOME": str(tmp / f"cache-vide-{i}")}
        cold.append(run([*CLI, "render", str(profile), "-o", str(tmp / f"froid-{i}"), "-q"], env))
    first = statistics.median(cold)
    rows.append(("premier dossier, cache vide / import docxtpl", f"{first * 1000:.0f} ms / {baseline * 1000:.0f} ms", f"{first / baseline:.2f}×", "≤ 2,0×"))

    profiles = generate(size["batch"], tmp / "lot", seed=2026)
    batch, batch_rss = timed_rss([*CLI, "render", str(tmp / "lot"), "-o", str(tmp / "lot-sortie"), "-q", "--jobs", str(cores)])
    produced = batch_output(tmp / "lot-sortie", size["batch"])
    naive, count = naive_loop(profiles[: size["naive"]], tmp / "naif")
    naive_total = naive / count * len(produced)
    rows.append((f"lot de {size['batch']} dossiers, {len(produced)} documents (--jobs {cores}) : accélération sur la boucle naïve docxtpl",
                 f"{batch:.1f} s / ≈ {naive_total:.0f} s", f"{naive_total / batch:.1f}×", "≥ 60×"))

    large = size["batch_large"]
    generate(large, tmp / "grand-lot", seed=2026)  # the same seed: its first profiles are the batch's
    large_time, large_rss = timed_rss([*CLI, "render", str(tmp / "grand-lot"), "-o", str(tmp / "grand-lot-sortie"), "-q", "--jobs", str(cores)])
    large_docs = len(batch_output(tmp / "grand-lot-sortie", large, check=large <= 1_000))  # 30 000 documents: counted
    per_small, per_large = batch / len(produced) * 1000, large_time / large_docs * 1000
    rows.append((f"lot de {large} dossiers / lot de {size['batch']} : temps par document", f"{per_large:.1f} ms / {per_small:.1f} ms",
                 f"{per_large / per_small:.2f}×", "≈ 1× (linéaire)"))
    rows.append((f"lot de {large} dossiers / lot de {size['batch']} : mémoire du plus gros processus",
                 f"{large_rss // 1024} Mio / {batch_rss // 1024} Mio", f"{large_rss / batch_rss:.2f}×", "≈ 1× (constante)"))

    generate(size["check"], tmp / "revue", seed=11)
    load = yaml_load_seconds(tmp / "revue", size["long_runs"])
    check = median([*CLI, "check", str(tmp / "revue"), "--format", "json", "--jobs", str(cores)], size["long_runs"])
    rows.append((f"check de {size['check']} profils / chargement YAML des mêmes fichiers", f"{check:.2f} s / {load:.2f} s", f"{check / load:.2f}×", "≤ 0,6×"))

    report_dir = tmp / "revue" if size["report"] == size["check"] else tmp / "rapport"
    if report_dir != tmp / "revue":
        generate(size["report"], report_dir, seed=11)
        load = yaml_load_seconds(report_dir, size["long_runs"])
    report = median([*CLI, "report", str(report_dir), "-o", str(tmp / "rapport.xlsx"), "--force"], size["long_runs"])
    rows.append((f"report de {size['report']} profils / chargement YAML des mêmes fichiers", f"{report:.2f} s / {load:.2f} s", f"{report / load:.2f}×", "≤ 1,0×"))

    small_dir = tmp / "rapport-dixieme"
    generate(max(1, size["report"] // 10), small_dir, seed=11)
    big = max_rss_kib([*CLI, "report", str(report_dir), "-o", str(tmp / "r-grand.xlsx"), "--force"])
    small = max_rss_kib([*CLI, "report", str(small_dir), "-o", str(tmp / "r-petit.xlsx"), "--force"])
    rows.append((f"mémoire de report, {size['report']} profils / {max(1, size['report'] // 10)}", f"{big // 1024} Mio / {small // 1024} Mio",
                 f"{big / small:.2f}×", "≤ 1,5×"))

    web = web_pack_ms(profile, size["web"])
    rows.append(("web /api/pack, dans le processus", f"{web:.0f} ms", f"{web:.0f} ms", "≤ 30 ms"))
    return rows


SCRIPTS = (  # each at a small size: its own checks of what it produces, not its figures
    ("bench_render.py", "--profils", "4", "--naif", "1"),
    ("bench_check.py", "50"),
    ("bench_web.py", "--runs", "2"),
)


def run_scripts() -> None:
    for script, *args in SCRIPTS:
        proc = subprocess.run([sys.executable, str(HERE / script), *args], capture_output=True, env=ENV)
        if proc.returncode != 0:
            output = (proc.stdout + proc.stderr).decode("utf-8", "replace")[-1500:]
            raise Failed(f"benchmarks/{script} {' '.join(args)} : code {proc.returncode}\n{output}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="petites tailles, moins d'une minute (intégration continue)")
    args = parser.parse_args()
    size = SIZES["quick" if args.quick else "full"]
    cores = os.cpu_count() or 1
    print(f"{dt.date.today().isoformat()} — {platform.platform()}, {cores} cœurs, Python {platform.python_version()}"
          f"{' (tailles réduites : --quick)' if args.quick else ''}")
    with tempfile.TemporaryDirectory(prefix="clausegen-bench-") as tmp:
        try:
            rows = measure(size, Path(tmp))
            run_scripts()
        except Failed as exc:
            print(f"ÉCHEC : {exc}", file=sys.stderr)
            return 1
    print()
    print("| mesure | valeurs | rapport | objectif |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
