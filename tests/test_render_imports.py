"""What a ``clausegen render`` process imports (issue 20): counted, not timed. The libraries a pack of the
built-in templates does not need stay out of the process, whatever the machine's speed: docxtpl's whole
pipeline (docxtpl, python-docx, lxml), the schema compilers (fastjsonschema, jsonschema: the compiled
validator ships in the bundle and stands alone), and ``subprocess`` (only for --pdf and the build). And it
compiles none of the methods ``dataclasses`` writes (``clausegen.compiled``)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles" / "travaux-qpv.yaml"
NOT_NEEDED = ("docxtpl", "docx", "lxml", "fastjsonschema", "jsonschema", "subprocess", "xml.etree.ElementTree")

_CODE = """
import json, runpy, sys
sys.argv = ["clausegen", "render", sys.argv[1], "-o", sys.argv[2], "-q"]
try:
    runpy.run_module("clausegen", run_name="__main__")
except SystemExit as exc:
    code = exc.code
from clausegen import compiled
print(json.dumps({"code": code, "modules": sorted(sys.modules), "compilations": compiled.compilations}))
"""


def _render_process(out: Path, cache: Path) -> dict:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    env.pop("CLAUSEGEN_NO_CACHE", None)
    env.pop("CLAUSEGEN_NO_BUNDLE", None)
    done = subprocess.run([sys.executable, "-c", _CODE, str(PROFILE), str(out)], capture_output=True, text=True,
                          env=env, check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("cache_state", ["vide", "rempli"])
def test_un_rendu_n_importe_pas_ce_dont_il_n_a_pas_besoin(tmp_path, cache_state):
    cache = tmp_path / "cache"
    if cache_state == "rempli":
        _render_process(tmp_path / "avant", cache)
    result = _render_process(tmp_path / "dossier", cache)
    assert result["code"] in (0, None)
    assert len(list((tmp_path / "dossier").glob("*.docx"))) == 7
    imported = set(result["modules"])
    assert not imported & set(NOT_NEEDED), sorted(imported & set(NOT_NEEDED))
    # the methods dataclasses writes come compiled from the bundle (``clausegen.compiled``): if this fails, a
    # class changed since the bundle was built: run ``python templates/build.py``
    assert result["compilations"] == 0
