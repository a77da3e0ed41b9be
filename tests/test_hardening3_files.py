"""Hardening, round 3 (issue 23): nothing left behind, nothing replaced that should not be, odd names.

A full disk while the folder lock is written leaves no lock; an empty or unreadable lock is stale after a few
seconds; ``init --force`` never replaces a device; references in other scripts get distinct folders; an xlsx
row is never higher than Excel allows.
"""

from __future__ import annotations

import dataclasses
import errno
import io
import os
import stat
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from clausegen.cli import cli
from clausegen.errors import OutputError
from clausegen.files import lock as lock_module
from clausegen.files.folder import write_files
from clausegen.files.lock import LOCK_EMPTY_STALE_AFTER, LOCK_NAME, FolderLock
from clausegen.files.names import MAX_NAME, safe_folder_name

ROOT = Path(__file__).resolve().parents[1]
QPV = ROOT / "profiles" / "travaux-qpv.yaml"


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], prog_name="clausegen", catch_exceptions=False)


# -- the folder lock -----------------------------------------------------------------------------------------------------


def test_full_disk_while_writing_the_lock_leaves_no_lock(tmp_path, monkeypatch):
    real_write = os.write

    def full(fd, data):
        if os.readlink(f"/proc/self/fd/{fd}").endswith(LOCK_NAME):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(lock_module.os, "write", full)
    with pytest.raises(OutputError, match="disque plein.*rien n'a été écrit"):
        write_files({"a.docx": b"x"}, tmp_path)
    assert not (tmp_path / LOCK_NAME).exists()
    monkeypatch.setattr(lock_module.os, "write", real_write)
    assert [p.name for p in write_files({"a.docx": b"x"}, tmp_path)] == ["a.docx"]  # the folder is not blocked


def test_short_write_of_the_lock_is_a_failure_too(tmp_path, monkeypatch):
    monkeypatch.setattr(lock_module.os, "write", lambda fd, data: 3)
    with pytest.raises(OutputError):
        FolderLock(tmp_path).acquire(wait=0)
    assert not (tmp_path / LOCK_NAME).exists()


@pytest.mark.parametrize("content", [b"", b"\xff\xfe garbage", b"12"[:0] + b"\n\n"])
def test_empty_or_unreadable_lock_is_stale_after_a_few_seconds(tmp_path, content):
    lock = tmp_path / LOCK_NAME
    lock.write_bytes(content)
    past = time.time() - LOCK_EMPTY_STALE_AFTER - 1
    os.utime(lock, (past, past))
    started = time.monotonic()
    assert [p.name for p in write_files({"a.docx": b"x"}, tmp_path)] == ["a.docx"]
    assert time.monotonic() - started < 5  # taken over at once, not after 30 minutes
    assert not lock.exists()


def test_a_fresh_empty_lock_is_waited_for(tmp_path):
    lock = tmp_path / LOCK_NAME
    lock.write_bytes(b"")  # another writer between creating and filling it
    with pytest.raises(OutputError, match="un autre rendu écrit"):
        FolderLock(tmp_path).acquire(wait=0.2)
    assert lock.exists()


# -- init --force and devices --------------------------------------------------------------------------------------------


INIT = ("--non-interactif", "--acheteur", "Commune de Tourcoing", "--type-acheteur", "collectivite", "--reference", "2027-TX-09",
        "--objet", "École", "--nature", "travaux", "--duree-mois", "12", "--cout-horaire", "32", "--taux-insertion", "7 %",
        "--lot", "Gros œuvre;art38;850000;40 %")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes on this system")
def test_init_force_never_replaces_a_pipe(tmp_path):
    target = tmp_path / "tube"
    os.mkfifo(target)
    result = invoke("init", target, "--force", *INIT)
    assert result.exit_code == 2
    assert "n'est pas un fichier ordinaire" in result.stderr and "même avec --force" in result.stderr
    assert stat.S_ISFIFO(os.lstat(target).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tube"]  # no temporary file left


def test_init_force_never_replaces_a_device(tmp_path):
    device = tmp_path / "nd"
    try:
        os.mknod(device, 0o644 | stat.S_IFCHR, os.makedev(1, 3))
    except (PermissionError, AttributeError, OSError):
        device = Path(os.devnull)  # not root: the system's own null device
    before = os.lstat(device)
    result = invoke("init", device, "--force", *INIT)
    assert result.exit_code == 2 and "n'est pas un fichier ordinaire" in result.stderr
    after = os.lstat(device)
    assert stat.S_ISCHR(after.st_mode) and (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)


def test_init_force_still_replaces_a_regular_file(tmp_path):
    target = tmp_path / "profil.yaml"
    target.write_text("ancien", encoding="utf-8")
    assert invoke("init", target, "--force", *INIT).exit_code == 0
    assert "2027-TX-09" in target.read_text(encoding="utf-8")


def test_one_destination_check_for_every_single_file_writer():
    """``init`` and ``write_atomic`` (report -o, export -o) run the same check, not two copies of it."""
    import inspect

    from clausegen.cli import guided
    from clausegen.files import atomic

    assert "check_target(" in inspect.getsource(guided.check_destination)
    assert "check_target(" in inspect.getsource(atomic.write_atomic)
    assert "S_ISREG" not in inspect.getsource(guided)


# -- folder names from references in other scripts --------------------------------------------------------------------------


def test_references_in_other_scripts_get_distinct_readable_folders():
    names = {ref: safe_folder_name(ref) for ref in ("上海", "北京", "Москва", "القاهرة", "Lot 上海 2027", "Lot 北京 2027")}
    assert len(set(names.values())) == len(names)
    assert names["上海"].startswith("marche-") and len(names["上海"]) == len("marche-") + 6
    assert names["Lot 上海 2027"].startswith("Lot-2027-")
    assert safe_folder_name("上海") == names["上海"]  # stable
    assert safe_folder_name("Réf. 2027/014 lot B") == "Ref.-2027-014-lot-B"  # Latin references unchanged


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(whitelist_categories=("Lo",)), min_size=1, max_size=8),
       st.text(alphabet=st.characters(whitelist_categories=("Lo",)), min_size=1, max_size=8))
def test_different_non_latin_references_never_share_a_folder(a, b):
    if a != b:
        assert safe_folder_name(a) != safe_folder_name(b)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_tagged_names_stay_short_and_ascii(reference):
    name = safe_folder_name(reference)
    assert name.isascii() and 0 < len(name) <= MAX_NAME


def test_batch_of_non_latin_references_renders_every_market(tmp_path):
    from clausegen.render.batch import render_batch

    text = QPV.read_text(encoding="utf-8")
    for i, reference in enumerate(("上海", "北京")):
        (tmp_path / "in").mkdir(exist_ok=True)
        (tmp_path / "in" / f"p{i}.yaml").write_text(text.replace("PREF80-2027-TX-003", reference), encoding="utf-8")
    result = render_batch([tmp_path / "in"], tmp_path / "out", documents=["ccap"])
    assert not result.failures and len({p.name for p in result.produced.values()}) == 2


# -- xlsx rows ------------------------------------------------------------------------------------------------------------------


def test_xlsx_rows_never_exceed_excel_limit():
    import openpyxl

    from clausegen.report import Portfolio, report_bytes
    from clausegen.report.xlsx import MAX_ROW_HEIGHT, paragraph_chunks

    from clausegen.calc import compute_hours
    from clausegen.profile.load import load_profile

    portfolio = Portfolio(results=[compute_hours(load_profile(QPV))], files=[str(QPV)])
    indicators = portfolio.indicators()
    long_warning = "mot " * 20_000  # 100 000 characters
    indicators = dataclasses.replace(indicators, warnings=(*indicators.warnings, long_warning))
    portfolio.indicators = lambda: indicators
    book = openpyxl.load_workbook(io.BytesIO(report_bytes(portfolio, "xlsx")))
    heights = [dim.height for ws in book.worksheets for dim in ws.row_dimensions.values() if dim.height is not None]
    assert heights and max(heights) <= MAX_ROW_HEIGHT
    synthese = book.worksheets[0]
    shown = "".join(str(c.value) for row in synthese.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith(("Attention", "mot")))
    assert shown.replace(" ", "").count("mot") == 20_000  # nothing of the text lost
    assert all(len(chunk) <= 32_767 for chunk in paragraph_chunks(long_warning, 76))
