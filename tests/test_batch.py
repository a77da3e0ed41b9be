"""Batch rendering: one folder per market, safe names, clashes refused, failures named, others produced."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.errors import OutputError, RenderError
from clausegen.profile.load import load_profile
from clausegen.render.batch import render_batch, safe_folder_name
from clausegen.render.pack import skipped_documents

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"


@pytest.mark.parametrize(
    "reference,expected",
    [
        ("PREF80-2027-TX-003", "PREF80-2027-TX-003"),
        ("Réf. 2027/014 lot B", "Ref.-2027-014-lot-B"),
        ("../../etc/passwd", "etc-passwd"),
        ("..", "marche"),
        ("CON", "CON_"),
        ("{{ 7*7 }} <b>&</b>", "7-7-b-b"),
        ("x" * 300, "x" * 80),
    ],
)
def test_safe_folder_name(reference, expected):
    assert safe_folder_name(reference) == expected


def test_folder_per_profile_and_failures_named(tmp_path):
    source = tmp_path / "in"
    shutil.copytree(PROFILES, source)
    (source / "casse.yaml").write_text("version: 2\n", encoding="utf-8")
    result = render_batch([source], tmp_path / "out", jobs=2)
    examples = sorted(PROFILES.glob("*.yaml"))
    expected = {str(source / p.name): 7 - len(skipped_documents(load_profile(p))) for p in examples}
    assert len(result.produced) == len(examples) and result.documents == sum(expected.values())
    assert list(result.failures) == [str(source / "casse.yaml")]
    assert "version" in result.failures[str(source / "casse.yaml")]
    assert result.exit_code == 2
    for source_path, folder in result.produced.items():
        assert folder.parent == tmp_path / "out"
        assert len(list(folder.glob("*.docx"))) == expected[source_path]


def test_same_reference_twice_writes_nothing(tmp_path):
    twin = tmp_path / "twin.yaml"
    twin.write_text((PROFILES / "travaux-qpv.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(OutputError, match="même dossier de sortie"):
        render_batch([PROFILES / "travaux-qpv.yaml", twin], tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_large_batch_reads_its_profiles_in_the_workers(tmp_path, monkeypatch):
    """From PARALLEL_LOAD_FROM profiles on, the workers read them: the same failures, the same refusal of two
    profiles that share a folder, named in the order of the files, and nothing written."""
    from clausegen.render import batch

    monkeypatch.setattr(batch, "PARALLEL_LOAD_FROM", 2)
    source = tmp_path / "in"
    shutil.copytree(PROFILES, source)
    (source / "casse.yaml").write_text("version: 2\n", encoding="utf-8")
    result = render_batch([source], tmp_path / "out", jobs=2)
    assert list(result.failures) == [str(source / "casse.yaml")] and "version" in result.failures[str(source / "casse.yaml")]
    assert len(result.produced) == len(list(PROFILES.glob("*.yaml")))
    # no process holds the profiles of a large batch: the main process keeps their folders only
    from clausegen.render.batch import BatchResult, plan_batch

    planned = plan_batch([source], tmp_path / "out3", BatchResult(), jobs=1)
    assert planned and all(profile is None for _, profile, _ in planned)
    assert render_batch([source], tmp_path / "out4", jobs=1).produced.keys() == result.produced.keys()
    (source / "zz-jumeau.yaml").write_text((PROFILES / "travaux-qpv.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(OutputError, match=r"travaux-qpv\.yaml et .*zz-jumeau\.yaml donnent le même dossier"):
        render_batch([source], tmp_path / "out2", jobs=2)
    assert not (tmp_path / "out2").exists()


def test_cli_batch_summary_and_exit_codes(tmp_path):
    runner = CliRunner()
    ok = runner.invoke(cli, ["render", str(PROFILES), "-o", str(tmp_path / "a"), "--jobs", "1"])
    assert ok.exit_code == 0, ok.output
    examples = sorted(PROFILES.glob("*.yaml"))
    documents = sum(7 - len(skipped_documents(load_profile(p))) for p in examples)
    assert f"{len(examples)} marché(s) produit(s), {documents} document(s)" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 1\n", encoding="utf-8")
    failed = runner.invoke(cli, ["render", str(PROFILES / "marche-insertion.yaml"), str(bad), "-o", str(tmp_path / "b"), "-q"])
    assert failed.exit_code == 2
    assert str(bad) in failed.output and "échec" in failed.output
    assert len(list((tmp_path / "b").rglob("*.docx"))) == 7 - len(skipped_documents(load_profile(PROFILES / "marche-insertion.yaml")))
    again = runner.invoke(cli, ["render", str(PROFILES / "marche-insertion.yaml"), str(PROFILES / "travaux-qpv.yaml"), "-o", str(tmp_path / "b")])
    assert again.exit_code == 2 and "--force" in again.output


@pytest.mark.parametrize(
    "body",
    [
        "{% set r = range(100) %}{% for a in r %}{% for b in r %}{% for c in r %}{% for d in r %}x{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
        "{{ range(10**7)|list|length }}",
        "{{ 'a' * 10**9 }}",
        "{{ lipsum(n=10**6) }}",
    ],
)
def test_runaway_template_fails_fast(tmp_path, body):
    from docx import Document

    from clausegen import load_profile
    from clausegen.render.templates import builtin_template_dir
    from clausegen.render.pack import render_documents

    document = Document(str(builtin_template_dir() / "rc.docx"))
    document.add_paragraph(body)
    (tmp_path / "m").mkdir()
    document.save(str(tmp_path / "m" / "rc.docx"))
    with pytest.raises(RenderError, match="rc.docx"):
        render_documents(load_profile(PROFILES / "travaux-qpv.yaml"), ["rc"], templates=tmp_path / "m")


def test_a_profile_whose_reference_changed_before_its_pack_writes_nothing(tmp_path):
    from clausegen.render.batch import _render_one

    source, error, written = _render_one((str(PROFILES / "travaux-qpv.yaml"), None, tmp_path / "autre-dossier", None, False, None, False))
    assert written == 0 and "a changé pendant le rendu" in error
    assert not (tmp_path / "autre-dossier").exists()
