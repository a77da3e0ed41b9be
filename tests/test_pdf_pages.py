"""The pieces as the buyer prints them: LibreOffice converts the forms of every example pack to PDF and no
page is blank (a page holding only the running header and footer). The document de suivi, with its page
breaks between the start of the contract, its end and the referent's synthesis, once had one."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from clausegen import load_profile
from clausegen.render.pack import render_documents
from clausegen.render.pdf import soffice_path

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))
FORMS = ("suivi", "fiche-caracterisation", "annexe-ae")


@pytest.mark.skipif(os.environ.get("CLAUSEGEN_SKIP_LIBREOFFICE") == "1", reason="CLAUSEGEN_SKIP_LIBREOFFICE=1")
def test_no_blank_page_in_the_forms(tmp_path):
    from pypdf import PdfReader

    soffice = soffice_path()
    assert soffice, "LibreOffice (soffice) is required: .ci/run installs libreoffice-writer-nogui"
    inputs = []
    for path in PROFILES:
        for name, data in render_documents(load_profile(path), strict=False).items():
            if name.removesuffix(".docx") in FORMS:
                target = tmp_path / f"{path.stem}--{name}"
                target.write_bytes(data)
                inputs.append(target)
    proc = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), *map(str, inputs)],
        capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    blank = []
    for doc in inputs:
        reference = load_profile(ROOT / "profiles" / f"{doc.name.split('--')[0]}.yaml").marche.reference
        pages = PdfReader(str(doc.with_suffix(".pdf"))).pages
        for number, page in enumerate(pages, 1):
            # the running header (« référence — objet… ») and footer (« titre — page N sur M ») are not a body
            lines = [line for line in (page.extract_text() or "").splitlines() if line.strip()]
            body = [line for line in lines if " — page " not in line and not line.startswith(f"{reference} — ")]
            if not body:
                blank.append(f"{doc.name}, page {number} sur {len(pages)}")
    assert not blank, blank
