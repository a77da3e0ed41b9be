"""Benchmark of the PFRA review: `clausegen check` on N generated profiles (default 10 000).

    python benchmarks/bench_check.py [N] [--jobs J]

Prints the machine, the time of the whole command (a real process, as a reviewer runs it), profiles per
second, and the single-process library time for comparison. Exits 1 if a generated profile is invalid.
Target (issue 5/6): 10 000 profiles in under 10 s on two cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", nargs="?", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"machine : {platform.platform()}, {os.cpu_count()} cœurs, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "profils"
        generate(args.count, folder)
        start = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "clausegen.cli", "check", str(folder), "--format", "json", "--jobs", str(args.jobs)],
            capture_output=True, text=True,
        )
        elapsed = time.perf_counter() - start
        if proc.returncode == 2 or not proc.stdout:
            print(proc.stderr[-2000:], file=sys.stderr)
            print("ÉCHEC : des profils générés sont invalides.", file=sys.stderr)
            return 1
        result = json.loads(proc.stdout)
        print(f"clausegen check, {args.count} profils, {args.jobs} processus : {elapsed:.2f} s "
              f"({args.count / elapsed:,.0f} profils/s ; {elapsed / args.count * 1000:.2f} ms par profil)")
        print(f"constats : {result['resume']}")

        from clausegen.review.run import check_one

        sample = sorted(folder.glob("*.yaml"))[: min(500, args.count)]
        start = time.perf_counter()
        for path in sample:
            check_one(path)
        single = (time.perf_counter() - start) / len(sample)
        print(f"bibliothèque, un seul processus : {single * 1000:.2f} ms par profil ({len(sample)} profils)")
        target = 10.0 * args.count / 10_000
        print(f"objectif : {target:.1f} s pour {args.count} profils → {'atteint' if elapsed <= target else 'NON atteint'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
