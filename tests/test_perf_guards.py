"""Speed guarded by counting work, never by timing (issue 20): templates prepared once per process, hours
computed once per profile in every product and in the web application, nothing parsed from YAML at render
time but the profile, and the built-in templates never sent through docxtpl's whole pipeline."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from clausegen import load_profile
from clausegen.docx import engine
from clausegen.render.pack import render_documents

from test_plan import hour_computations  # noqa: F401 - the fixture counting compute_hours wherever it is bound

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))
QPV = ROOT / "profiles" / "travaux-qpv.yaml"


# -- docxtpl's own tags, exactly ------------------------------------------------------------------------------


@pytest.mark.parametrize("xml", ["{{r texte }}", "{%r if x %}", "{%tc for c in cells %}", "{% vm %}", "{% hm %}",
                                 "{% colspan 2 %}", "{% cellbg 'FF0000' %}", "{%- vm %}"])
def test_docxtpl_tags_are_detected(xml):
    assert engine._DOCXTPL_ONLY.search(xml), xml


@pytest.mark.parametrize("xml", ["{{ r }}", "{{ r.x }}", "{{ r[3:] }}", "{% if r %}", "{%tr for lot in lots %}",
                                 "{%p if x %}", "{{ rapport }}", "{% for r in lignes %}"])
def test_ordinary_tags_are_not_mistaken_for_docxtpl_ones(xml):
    assert not engine._DOCXTPL_ONLY.search(xml), xml


@pytest.mark.parametrize("path", PROFILES, ids=[p.stem for p in PROFILES])
def test_builtin_templates_never_take_docxtpl_pipeline(path, monkeypatch):
    def refused(*args, **kwargs):
        raise AssertionError("docxtpl's whole pipeline was used for a built-in template")

    monkeypatch.setattr(engine, "_render_with_docxtpl", refused)
    assert len(render_documents(load_profile(path))) >= 4  # an ESS-only market has no annexe, mémoire nor suivi


# -- prepared once --------------------------------------------------------------------------------------------


def test_templates_prepared_once_per_process(monkeypatch):
    calls = []
    original = engine.prepare.__wrapped__

    @functools.lru_cache(maxsize=32)
    def counted(name, data, vocabulary=engine.EMPTY):
        calls.append(name)
        return original(name, data, vocabulary)

    monkeypatch.setattr(engine, "prepare", counted)
    first = render_documents(load_profile(QPV))
    prepared = len(calls)
    assert prepared == len(first)  # one preparation per template
    for path in PROFILES:
        render_documents(load_profile(path))
    assert len(calls) == len(set(calls)) == 7  # every later pack reuses them: the seven templates, once each


def test_nothing_parsed_from_yaml_at_render_but_the_profile(monkeypatch):
    from ruamel.yaml import YAML

    render_documents(load_profile(QPV))  # the process's first pack loads the registry, the code lists…
    parsed = []
    for method in ("load", "compose", "parse"):  # every way into ruamel's parser
        original = getattr(YAML, method)

        def counted(self, stream, _original=original, _method=method):
            parsed.append(_method)
            return _original(self, stream)

        monkeypatch.setattr(YAML, method, counted)
    load_profile(QPV)
    per_profile = len(parsed)  # the profile's own reading (its events, then its tree)
    assert per_profile and set(parsed) <= {"parse", "compose"}
    for path in PROFILES:
        render_documents(load_profile(path))
    assert len(parsed) == per_profile * (1 + len(PROFILES))  # the profiles only: no registry, code list, glossary


# -- hours computed once ---------------------------------------------------------------------------------------


def test_one_hours_computation_per_export(hour_computations):  # noqa: F811
    from clausegen.export.decp import export_decp
    from clausegen.export.eforms import export_eforms
    from clausegen.export.eforms_xml import export_eforms_xml

    profile = load_profile(QPV)
    for export in (export_decp, export_eforms, export_eforms_xml):
        hour_computations.clear()
        export(profile, notice_type="16") if export is not export_decp else export(profile)
        assert len(hour_computations) == 1, export.__name__


def test_one_hours_computation_per_web_request(hour_computations):  # noqa: F811
    from starlette.testclient import TestClient

    from clausegen.web import create_app, work

    outcome = work.evaluate(QPV.read_bytes(), QPV.name)
    assert outcome.findings is not None and outcome.hours.total_heures > 0
    assert len(hour_computations) == 1
    hour_computations.clear()
    with TestClient(create_app()) as client:
        response = client.post("/api/calc", content=QPV.read_bytes(), headers={"content-type": "application/yaml"})
    assert response.status_code == 200
    assert len(hour_computations) == 1
