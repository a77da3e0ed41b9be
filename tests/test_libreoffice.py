"""LibreOffice opens every generated document of every example profile (converted to PDF in one call).

CI installs LibreOffice (.ci/run): where the ``CI`` variable is set the test fails when it is missing;
elsewhere it is skipped with the way to install it (``browser.soffice_or_skip``). CLAUSEGEN_SKIP_LIBREOFFICE=1
skips it on purpose.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from browser import soffice_or_skip
from clausegen import load_profile
from clausegen.render.pack import render_pack

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "tests" / "data" / n for n in ("hostile.yaml", "derogations.yaml")]


def test_libreoffice_converts_every_document(tmp_path):
    soffice = soffice_or_skip()
    docs = []
    for path in PROFILES:
        docs += render_pack(load_profile(path), tmp_path / path.stem)
    flat = tmp_path / "all"
    flat.mkdir()
    inputs = []
    for doc in docs:
        target = flat / f"{doc.parent.name}--{doc.name}"
        target.write_bytes(doc.read_bytes())
        inputs.append(target)
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf", "--outdir", str(flat), *map(str, inputs)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    for doc in inputs:
        pdf = doc.with_suffix(".pdf")
        assert pdf.is_file(), f"LibreOffice could not open {doc.name}: {proc.stderr[-500:]}"
        assert pdf.stat().st_size > 1000
        assert pdf.read_bytes().startswith(b"%PDF")
