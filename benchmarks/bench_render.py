"""Rendering benchmarks, printed side by side with a plain docxtpl baseline run on the same machine.

    python benchmarks/bench_render.py [--profils 1000] [--naif 40] [--check 10000]

Figures (issue 6):
1. one full pack (7 documents) for a 3-lot profile, whole ``clausegen render`` process — target ≤ 0.3 s;
2. N profiles (5 to 7 documents each) in one ``clausegen render DOSSIER`` batch, against a naive loop that, for each
   document, opens the docxtpl template, renders and saves it (the same templates and context; the naive
   loop runs on a sample and is extrapolated, since it takes ~0.1 s per document) — target ≥ 10× faster;
3. ``clausegen --help`` whole process — target ≤ 150 ms;
4. optionally ``clausegen check`` on generated profiles (``--check N``) — target ≤ 10 s for 10 000.
Every generated document is checked (zip integrity, well-formed XML); the script exits 1 otherwise.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.etree import ElementTree

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "clausegen.cli"]


def timed(cmd, runs: int = 5) -> float:
    """Median wall time of ``cmd`` over ``runs`` runs (after one warm-up run)."""
    subprocess.run(cmd, capture_output=True, check=False)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        if proc.returncode not in (0,):
            sys.exit(f"ÉCHEC de {' '.join(map(str, cmd))} : {proc.stderr.decode()[-800:]}")
    return statistics.median(times)


RENDERED = ("word/document.xml", "docProps/core.xml")


def valid_docx(path: Path) -> bool:
    """Zip integrity (every CRC) and well-formed XML for the parts rendered per document; the other parts
    are copied byte for byte from the template."""
    try:
        with zipfile.ZipFile(path) as archive:
            if archive.testzip() is not None:
                return False
            for name in archive.namelist():
                if name in RENDERED or name.startswith(("word/header", "word/footer")):
                    ElementTree.fromstring(archive.read(name))
    except Exception:  # noqa: BLE001 - any defect makes the document invalid
        return False
    return True


def batch_documents(folder: Path, check: bool = True) -> tuple[list[Path], list[Path], int]:
    """The documents a batch wrote under ``folder``, those of them that are invalid (``valid_docx``; none looked
    at without ``check``) and the number of pack folders: one per profile, of 5 to 7 documents (a profile
    without an insertion action has no mémoire nor suivi)."""
    produced = sorted(folder.rglob("*.docx"))
    bad = [p for p in produced if not valid_docx(p)] if check else []
    return produced, bad, len({p.parent for p in produced})


def naive_loop(profiles: list[Path], out: Path) -> tuple[float, int]:
    """The baseline: for each document, open the docxtpl template, render, save (no caching at all)."""
    from docxtpl import DocxTemplate

    from clausegen.profile.load import load_profile
    from clausegen.render.context import build_context
    from clausegen.render.templates import builtin_template_dir
    from clausegen.docx.engine import jinja_env
    from clausegen.plan import build_plan
    from clausegen.plan.documents import choose_documents
    from clausegen.render.filters import VOCABULARY

    folder = builtin_template_dir()
    count = 0
    start = time.perf_counter()
    for path in profiles:
        plan = build_plan(load_profile(path))
        context = build_context(plan.profile, plan)
        target = out / path.stem
        target.mkdir(parents=True, exist_ok=True)
        for doc in choose_documents(plan, None, strict=False)[0]:  # the documents the market calls for
            template = DocxTemplate(str(folder / f"{doc.name}.docx"))
            template.render({**context, "document": {"nom": doc.name, "titre": doc.title}}, jinja_env=jinja_env(VOCABULARY))
            template.save(str(target / f"{doc.name}.docx"))
            count += 1
    return time.perf_counter() - start, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profils", type=int, default=1000)
    parser.add_argument("--naif", type=int, default=40, help="profils rendus par la boucle naïve (échantillon)")
    parser.add_argument("--check", type=int, default=0, help="profils pour mesurer aussi clausegen check")
    args = parser.parse_args()
    cores = os.cpu_count() or 1
    print(f"machine : {platform.platform()}, {cores} cœurs, Python {platform.python_version()}")
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        three_lots = next(p for p in generate(200, tmp / "pool", seed=7) if p.read_text().count("numero:") == 3)

        pack = timed([*CLI, "render", str(three_lots), "-o", str(tmp / "pack"), "--force", "-q"])
        print(f"1. dossier complet (7 documents, 3 lots), processus entier : {pack * 1000:.0f} ms  (objectif ≤ 300 ms)")

        profiles = generate(args.profils, tmp / "profils", seed=2026)
        start = time.perf_counter()
        proc = subprocess.run([*CLI, "render", str(tmp / "profils"), "-o", str(tmp / "lot"), "-q", "--jobs", str(cores)], capture_output=True, text=True)
        batch = time.perf_counter() - start
        if proc.returncode != 0:
            print(proc.stderr[-2000:], file=sys.stderr)
            return 1
        produced, bad, folders = batch_documents(tmp / "lot")
        failures += len(bad) + (folders != args.profils)
        batch_rate = len(produced) / batch

        sample = profiles[: args.naif]
        naive, naive_count = naive_loop(sample, tmp / "naif")
        naive_rate = naive_count / naive
        print(f"2. {args.profils} profils, {len(produced)} documents, clausegen render --jobs {cores} : {batch:.1f} s "
              f"({batch_rate:.0f} documents/s, {batch / args.profils * 1000:.1f} ms par dossier)")
        print(f"   boucle naïve docxtpl (ouvrir, rendre, enregistrer chaque document), {len(sample)} profils : "
              f"{naive:.1f} s ({naive_rate:.1f} documents/s ; {args.profils} profils ≈ {len(produced) / naive_rate:.0f} s)")
        print(f"   rapport : {batch_rate / naive_rate:.1f}× plus rapide  (objectif ≥ 10×)")
        print(f"   documents vérifiés : {len(produced)}, invalides : {len(bad)}")

        help_time = timed([*CLI, "--help"], runs=9)
        print(f"3. clausegen --help, processus entier : {help_time * 1000:.0f} ms  (objectif ≤ 150 ms)")

        if args.check:
            generate(args.check, tmp / "revue", seed=11)
            start = time.perf_counter()
            subprocess.run([*CLI, "check", str(tmp / "revue"), "--format", "json", "--jobs", str(cores)], capture_output=True)
            check = time.perf_counter() - start
            print(f"4. clausegen check, {args.check} profils : {check:.1f} s  (objectif ≤ {10 * args.check / 10000:.0f} s)")
    if failures:
        print("ÉCHEC : des documents produits sont invalides ou manquants.", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
