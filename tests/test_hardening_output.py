"""Hardening of everything clausegen writes: each attack reproduced, the clean outcome asserted.

1. ``render --force`` is all or nothing: a target that cannot be replaced (a folder in its place, a
   read-only file, a file « open in Word » — simulated by making ``os.replace`` fail —, a full disk) means
   no file is replaced, and the French message says which file and why.
2. Two renders into one folder never mix two markets (folder lock); ``report -o`` and ``export -o`` write
   atomically, never over a folder or a device.
3. One bad profile (unexpected exception, killed worker process) never stops the others; SIGTERM and
   Ctrl-C leave no temporary folder and no worker process.
4. The on-disk cache is only an optimisation: corrupt entries, an unusable folder or a full disk change
   nothing to the documents.

Running as root, file modes do not stop anything: the attacks make ``os.replace`` & co. fail instead.
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import signal
import stat
import subprocess
import sys
import textwrap
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen import OutputError, load_profile
from clausegen.cli import cli
from clausegen import many
from clausegen.files import folder as files_folder
from clausegen.files import lock as files_lock
from clausegen.render import batch, pack
from clausegen.render.batch import _render_one as real_render_one
from clausegen.render.batch import render_batch
from clausegen.files.lock import LOCK_NAME, TEMP_PREFIX
from clausegen.render.pack import render_documents
from clausegen.render.pack import write_pack as write_files

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
QPV = PROFILES / "travaux-qpv.yaml"
POSIX = pytest.mark.skipif(os.name == "nt", reason="POSIX signals, /proc, /dev/null, FIFOs")
OLD = 1_600_000_000  # a fixed mtime for the files that must not be touched


@pytest.fixture(scope="module")
def qpv():
    return load_profile(QPV)


@pytest.fixture(scope="module")
def pack_files(qpv):
    files = render_documents(qpv)
    assert len(files) == 7
    return files


def state(folder: Path) -> dict:
    """Every entry under ``folder`` (hidden ones included): bytes and mtime of files, folders."""
    out = {}
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        out[path.relative_to(folder).as_posix()] = (path.read_bytes() if path.is_file() else "dossier", info.st_mtime_ns)
    return out


def old_pack(folder: Path, names) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    for name in names:
        (folder / name).write_bytes(f"ancienne version de {name}".encode())
        os.utime(folder / name, (OLD, OLD))
    return state(folder)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob(".clausegen*"))


def retag(data: bytes, reference: str) -> bytes:
    """A copy of a rendered .docx whose « produced for » property names another market."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as target:
        for item in source.infolist():
            body = source.read(item.filename)
            if item.filename == "docProps/core.xml":
                body = body.decode("utf-8").replace("du profil du marché ", f"du profil du marché {reference}-", 1).encode("utf-8")
            target.writestr(item, body)
    return buffer.getvalue()


def failing_replace(monkeypatch, name: str, code: int, *, when: str = "place"):
    """``os.replace`` fails with ``code`` when moving the new ``name`` into place (``place``), or when
    moving the old one aside (``aside``: what Windows does to a document open in Word)."""
    real = os.replace

    def fake(src, dst, *args, **kwargs):
        src, dst = Path(src), Path(dst)
        if when == "place" and dst.name == name and src.parent.name.startswith(TEMP_PREFIX):
            raise OSError(code, os.strerror(code), str(dst))
        if when == "aside" and src.name == name and dst.parent.name == "remplaces":
            raise OSError(code, os.strerror(code), str(src))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", fake)


# --------------------------------------------------------------------------------------------------
# 1. render --force: all or nothing
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("when", ["place", "aside"])
def test_replacement_failing_on_the_third_file_restores_the_first_two(tmp_path, pack_files, monkeypatch, when):
    out = tmp_path / "dce"
    before = old_pack(out, pack_files)
    assert list(pack_files)[2] == "ccap.docx"
    failing_replace(monkeypatch, "ccap.docx", errno.EACCES, when=when)
    with pytest.raises(OutputError) as info:
        write_files(pack_files, out, force=True)
    message = str(info.value)
    assert "ccap.docx" in message and "accès refusé" in message and "Aucun fichier n'a été remplacé" in message
    assert state(out) == before  # same bytes, same mtimes, no temporary folder, no lock


@pytest.mark.parametrize(
    "code,words",
    [
        (errno.EACCES, "accès refusé"),
        (errno.EPERM, "accès refusé"),
        (errno.ENOSPC, "disque plein"),
        (errno.EROFS, "lecture seule"),
        (errno.EBUSY, "ouvert dans une autre application"),
    ],
)
def test_os_errors_are_explained_in_french(tmp_path, pack_files, monkeypatch, code, words):
    out = tmp_path / "dce"
    before = old_pack(out, pack_files)
    failing_replace(monkeypatch, "avis.docx", code)
    with pytest.raises(OutputError, match=words):
        write_files(pack_files, out, force=True)
    assert state(out) == before


def test_cli_render_force_failure_names_the_file_and_touches_nothing(tmp_path, pack_files, monkeypatch):
    out = tmp_path / "dce"
    before = old_pack(out, pack_files)
    failing_replace(monkeypatch, "memoire.docx", errno.EACCES, when="aside")
    result = CliRunner().invoke(cli, ["render", str(QPV), "-o", str(out), "--force"])
    assert result.exit_code == 2, result.output
    assert "memoire.docx" in result.output and "accès refusé" in result.output and "Traceback" not in result.output
    assert state(out) == before


def test_a_folder_in_place_of_a_document_is_refused_before_anything_is_replaced(tmp_path, pack_files):
    out = tmp_path / "dce"
    old_pack(out, [n for n in pack_files if n != "ccap.docx"])
    (out / "ccap.docx").mkdir()
    (out / "ccap.docx" / "note.txt").write_text("à moi", encoding="utf-8")
    before = state(out)
    with pytest.raises(OutputError, match=r"ccap\.docx \(un dossier porte ce nom\).*Rien n'a été écrit"):
        write_files(pack_files, out, force=True)
    assert state(out) == before


def test_a_read_only_document_is_not_replaced(tmp_path, pack_files):
    out = tmp_path / "dce"
    old_pack(out, pack_files)
    (out / "suivi.docx").chmod(0o444)
    before = state(out)
    try:
        with pytest.raises(OutputError, match=r"suivi\.docx \(fichier en lecture seule\)"):
            write_files(pack_files, out, force=True)
        assert state(out) == before
    finally:
        (out / "suivi.docx").chmod(0o644)


def test_full_disk_while_preparing_leaves_nothing(tmp_path, pack_files, monkeypatch):
    out = tmp_path / "dce"
    before = old_pack(out, pack_files)
    real = files_folder._write_new

    def full(path, data):
        if path.name == "rc.docx":
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))
        real(path, data)

    monkeypatch.setattr(files_folder, "_write_new", full)
    with pytest.raises(OutputError, match="disque plein.*Rien n'a été écrit"):
        write_files(pack_files, out, force=True)
    assert state(out) == before
    with pytest.raises(OutputError, match="disque plein"):
        write_files(pack_files, tmp_path / "neuf" / "dce")
    assert not (tmp_path / "neuf" / "dce").exists()  # the folder it created is gone


# --------------------------------------------------------------------------------------------------
# 2. one writer per folder; never two markets in one folder
# --------------------------------------------------------------------------------------------------


def _slow_replace(monkeypatch, delay=0.02):
    real = os.replace

    def slow(src, dst, *args, **kwargs):
        time.sleep(delay)
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "replace", slow)


def _race(*calls):
    """Run the calls in threads at the same moment; returns their exceptions (None for a success)."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            call()
        except OutputError as exc:
            outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def _markets(folder: Path) -> set:
    return {pack.produced_for(p) for p in folder.glob("*.docx")}


@pytest.mark.parametrize("force", [True, False])
def test_two_renders_at_once_one_pack_wins_whole(tmp_path, pack_files, qpv, monkeypatch, force):
    other = {n: retag(d, "AUTRE") for n, d in pack_files.items() if n not in ("memoire.docx", "suivi.docx")}
    _slow_replace(monkeypatch)
    out = tmp_path / "dce"
    outcomes = _race(
        lambda: write_files(pack_files, out, force=force, reference=qpv.marche.reference),
        lambda: write_files(other, out, force=force, reference=f"AUTRE-{qpv.marche.reference}"),
    )
    assert None in outcomes  # one succeeded
    for exc in outcomes:
        assert exc is None or any(w in str(exc) for w in ("existent déjà", "autre marché", "un autre rendu")), exc
    winner = pack_files if _markets(out) == {qpv.marche.reference} else other
    assert len(_markets(out)) == 1
    assert {p.name: p.read_bytes() for p in out.iterdir()} == winner  # the whole pack, nothing else


def test_documents_of_another_market_are_never_left_next_to_a_new_pack(tmp_path, pack_files, qpv):
    out = tmp_path / "dce"
    write_files(pack_files, out, reference=qpv.marche.reference)
    before = state(out)
    smaller = {n: retag(d, "AUTRE") for n, d in pack_files.items() if n != "memoire.docx"}
    with pytest.raises(OutputError, match=r"autre marché.*memoire\.docx"):
        write_files(smaller, out, force=True, reference=f"AUTRE-{qpv.marche.reference}")
    assert state(out) == before
    write_files(pack_files, out, force=True, reference=qpv.marche.reference)  # the same market: fine


def _lock(folder: Path, pid: int, age: float = 0.0) -> Path:
    import socket

    lock = folder / LOCK_NAME
    lock.write_text(f"{pid}\n{socket.gethostname()}\n{time.time() - age:.3f}\nabc\n", encoding="utf-8")
    os.utime(lock, (time.time() - age, time.time() - age))
    return lock


def test_a_live_lock_makes_the_render_fail_cleanly(tmp_path, pack_files, monkeypatch):
    monkeypatch.setattr(files_lock, "LOCK_WAIT", 0.1)
    out = tmp_path / "dce"
    old_pack(out, pack_files)
    _lock(out, os.getpid())
    before = state(out)
    with pytest.raises(OutputError, match=f"un autre rendu écrit dans .*processus {os.getpid()}"):
        write_files(pack_files, out, force=True)
    assert state(out) == before


def test_a_stale_lock_is_taken_over(tmp_path, pack_files, monkeypatch):
    monkeypatch.setattr(files_lock, "LOCK_WAIT", 0.1)
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "dce"
    out.mkdir()
    _lock(out, dead.pid)
    (out / f"{TEMP_PREFIX}mort").mkdir()  # left by the dead writer: removed
    (out / f"{TEMP_PREFIX}mort" / "ccap.docx").write_bytes(b"neuf")
    kept = out / f"{TEMP_PREFIX}mort2" / "remplaces"  # holds a replaced file: kept for the user
    kept.mkdir(parents=True)
    (kept / "ccap.docx").write_bytes(b"ancien")
    write_files(pack_files, out)
    assert sorted(p.name for p in out.iterdir()) == sorted([*pack_files, f"{TEMP_PREFIX}mort2"])
    shutil.rmtree(out)
    out.mkdir()
    _lock(out, os.getpid(), age=files_lock.LOCK_STALE_AFTER + 60)  # alive, but far too old
    write_files(pack_files, out)
    assert sorted(p.name for p in out.iterdir()) == sorted(pack_files)


# --------------------------------------------------------------------------------------------------
# 2b. report -o and export -o
# --------------------------------------------------------------------------------------------------


def test_write_atomic_refuses_folders_and_devices(tmp_path):
    from clausegen.report import write_atomic

    (tmp_path / "r.xlsx").mkdir()
    with pytest.raises(OutputError, match="est un dossier"):
        write_atomic(tmp_path / "r.xlsx", b"x", force=True)
    assert list((tmp_path / "r.xlsx").iterdir()) == []
    if os.name != "nt":
        with pytest.raises(OutputError, match="n'est pas un fichier ordinaire"):
            write_atomic("/dev/null", b"x", force=True)
        os.mkfifo(tmp_path / "tube")
        with pytest.raises(OutputError, match="n'est pas un fichier ordinaire"):
            write_atomic(tmp_path / "tube", b"x", force=True)  # no hang waiting for a reader
        assert stat.S_ISFIFO(os.stat(tmp_path / "tube").st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == (["r.xlsx"] if os.name == "nt" else ["r.xlsx", "tube"])


def test_write_atomic_never_leaves_a_partial_file(tmp_path, monkeypatch):
    from clausegen.report import write_atomic

    target = tmp_path / "rapport.html"
    target.write_bytes(b"ancien rapport")
    os.utime(target, (OLD, OLD))
    before = state(tmp_path)
    real = os.fdopen

    class Full:  # the disk fills up after 10 bytes
        def __init__(self, handle):
            self.handle = handle

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            self.handle.write(data[:10])
            self.handle.flush()
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def fdopen(fd, *args, **kwargs):
        return Full(real(fd, *args, **kwargs))

    monkeypatch.setattr(os, "fdopen", fdopen)
    with pytest.raises(OutputError, match="rapport.html : disque plein. Rien n'a été écrit"):
        write_atomic(target, b"<html>nouveau</html>" * 100, force=True)
    assert state(tmp_path) == before  # old report intact, no temporary file


def test_write_atomic_without_force_never_replaces_a_file_created_meanwhile(tmp_path, monkeypatch):
    import tempfile

    from clausegen.report import write_atomic

    target = tmp_path / "rapport.xlsx"
    real = tempfile.mkstemp

    def racing_mkstemp(*args, **kwargs):
        target.write_bytes(b"ecrit par un autre processus")  # appears after the existence check
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", racing_mkstemp)
    with pytest.raises(OutputError, match="existe déjà"):
        write_atomic(target, b"le mien")
    assert target.read_bytes() == b"ecrit par un autre processus"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rapport.xlsx"]


def test_export_written_to_a_file_like_on_stdout(tmp_path):
    from clausegen.export import write_export
    from clausegen.export.decp import export_decp

    result = export_decp(load_profile(QPV))
    path = write_export(result, tmp_path / "decp.json")
    shown = CliRunner().invoke(cli, ["export", "decp", str(QPV)])
    assert path.read_bytes().decode("utf-8") == shown.stdout
    with pytest.raises(OutputError, match="existe déjà"):
        result.write(path)
    (tmp_path / "d.json").mkdir()
    with pytest.raises(OutputError, match="est un dossier"):
        result.write(tmp_path / "d.json", force=True)


# --------------------------------------------------------------------------------------------------
# 3. one bad profile never stops the others
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def three(tmp_path):
    folder = tmp_path / "profils"
    folder.mkdir()
    for name in ("travaux-qpv.yaml", "services-ess.yaml", "marche-insertion.yaml"):
        shutil.copy(PROFILES / name, folder / name)
    return folder


def _broken_on(module, attr, monkeypatch, reference):
    real = getattr(module, attr)

    def broken(profile, *args, **kwargs):
        if profile.marche.reference == reference:
            raise ZeroDivisionError("division par zéro")
        return real(profile, *args, **kwargs)

    monkeypatch.setattr(module, attr, broken)


def test_render_dir_unexpected_exception_on_one_profile(three, tmp_path, monkeypatch):
    bad = load_profile(three / "services-ess.yaml").marche.reference
    _broken_on(pack, "render_documents", monkeypatch, bad)
    result = CliRunner().invoke(cli, ["render", str(three), "-o", str(tmp_path / "out"), "-j", "1", "--documents", "rc"])
    assert result.exit_code == 2, result.output
    assert f"échec : {three / 'services-ess.yaml'}" in result.output and "erreur inattendue" in result.output
    assert "Traceback" not in result.output
    assert len(list((tmp_path / "out").glob("*/rc.docx"))) == 2


def test_check_dir_unexpected_exception_on_one_profile(three, monkeypatch):
    from clausegen.review import run

    bad = load_profile(three / "services-ess.yaml").marche.reference
    _broken_on(run, "compute_hours", monkeypatch, bad)
    result = CliRunner().invoke(cli, ["check", str(three), "-j", "1"])
    assert result.exit_code == 2, result.output
    assert f"{three / 'services-ess.yaml'}:1:1: erreur inattendue de clausegen sur ce profil (ZeroDivisionError" in result.output
    assert "3 profils relus" in result.output and "1 profil invalide" in result.output


def test_report_dir_unexpected_exception_on_one_profile(three, tmp_path, monkeypatch):
    import clausegen.calc

    bad = load_profile(three / "services-ess.yaml").marche.reference
    _broken_on(clausegen.calc, "compute_hours", monkeypatch, bad)
    out = tmp_path / "rapport.html"
    refused = CliRunner().invoke(cli, ["report", str(three), "-o", str(out)])
    assert refused.exit_code == 2 and "erreur inattendue" in refused.output and "services-ess.yaml" in refused.output
    assert not out.exists()
    kept = CliRunner().invoke(cli, ["report", str(three), "-o", str(out), "--ignorer-invalides"])
    assert kept.exit_code == 0, kept.output  # --ignorer-invalides: the report of the other two
    assert "erreur inattendue" in kept.output and "2 profils valides" in kept.output and out.is_file()


def _exit_on_services_ess(job):
    if job[0].endswith("services-ess.yaml"):
        os._exit(3)
    return real_render_one(job)


def _sigkill_on_services_ess(job):
    if job[0].endswith("services-ess.yaml"):
        os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
    return real_render_one(job)


@pytest.mark.parametrize("killer", [_exit_on_services_ess, pytest.param(_sigkill_on_services_ess, marks=POSIX)])
def test_a_killed_worker_is_one_failure_and_the_others_are_produced(three, tmp_path, pack_files, monkeypatch, killer):
    monkeypatch.setattr(batch, "_render_one", killer)
    result = render_batch([three], tmp_path / "out", jobs=2, documents=["rc"])
    assert list(result.failures) == [str(three / "services-ess.yaml")]
    assert "arrêté brutalement" in result.failures[str(three / "services-ess.yaml")]
    assert len(result.produced) == 2 and result.documents == 2 and result.exit_code == 2
    assert leftovers(tmp_path / "out") == []


def _exit_on_p07(item):
    if item[0].name == "p07.yaml":
        os._exit(3)
    from clausegen.review.run import check_one

    return check_one(*item)


def test_check_with_a_killed_worker_reviews_the_others(tmp_path, monkeypatch):
    from clausegen.review import run
    from conftest import BASE

    for i in range(52):
        (tmp_path / f"p{i:02}.yaml").write_text(BASE.replace("2026-TRX-014", f"R-{i}"), encoding="utf-8")
    monkeypatch.setattr(run, "_check_item", _exit_on_p07)
    result = run.check_paths([tmp_path], jobs=2)
    assert [(i.file, i.message) for i in result.invalid] == [(str(tmp_path / "p07.yaml"), many.CRASH_MESSAGE)]
    assert len({f.file for f in result.findings}) == 51 and result.exit_code == 2


SIGNAL_SCRIPT = textwrap.dedent(
    r"""
    import multiprocessing, os, sys, time, pathlib
    from clausegen.files import folder
    from clausegen.render import batch, pack, pdf
    multiprocessing.set_start_method("fork", force=True)  # the workers inherit the patches below
    ready, out, mode, rest = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4:]

    def fake_render(profile, documents=None, **kwargs):  # rendering is not what is tested here
        return {n: f"{n} {profile.marche.reference}".encode() for n in ("avis.docx", "rc.docx", "ccap.docx")}

    real_write = folder._write_new

    def slow_write(path, data):  # the temporary folder exists: now wait for the signal
        real_write(path, data)
        if path.name == "rc.docx":
            (ready / str(os.getpid())).write_text("")
            time.sleep(60)

    pack.render_documents = fake_render
    folder._write_new = slow_write
    if mode == "pdf":
        pdf.soffice_path = lambda: rest[0]
        folder._write_new = real_write
        pack.write_pack({"avis.docx": b"x"}, pathlib.Path(out) / "m", pdf=True)
    else:
        batch.render_batch(rest, out, jobs=int(mode))
    print("jamais atteint")
    """
)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@POSIX
@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs /proc")
@pytest.mark.parametrize("how,mode", [("SIGTERM", "2"), ("SIGINT", "2"), ("SIGTERM", "1"), ("SIGTERM", "pdf")])
def test_killing_the_main_process_leaves_no_worker_and_no_temporary_folder(tmp_path, three, how, mode):
    ready, out = tmp_path / "prets", tmp_path / "sortie"
    ready.mkdir()
    rest = [str(three)]
    waiting_for = 2 if mode == "2" else 1
    if mode == "pdf":
        fake = tmp_path / "soffice"
        fake.write_text(f'#!/bin/sh\necho > "{ready}/$$"\nexec sleep 60\n', encoding="ascii")
        fake.chmod(0o755)
        rest = [str(fake)]
    import clausegen  # the subprocess imports the same clausegen as the tests

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(clausegen.__file__).parents[1]), os.environ.get("PYTHONPATH", "")])}
    proc = subprocess.Popen([sys.executable, "-c", SIGNAL_SCRIPT, str(ready), str(out), mode, *rest],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True, env=env)
    try:
        deadline = time.monotonic() + 30
        while len(list(ready.iterdir())) < waiting_for and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        busy = [int(p.name) for p in ready.iterdir()]
        assert len(busy) == waiting_for, proc.stderr.read() if proc.poll() is not None else "timeout"
        assert any(out.rglob(f"{TEMP_PREFIX}*")), "the attack must hit while the temporary folders exist"
        if how == "SIGINT":
            os.killpg(proc.pid, signal.SIGINT)  # Ctrl-C in a terminal: the whole process group
        else:
            os.kill(proc.pid, signal.SIGTERM)
        stdout, stderr = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode != 0
    assert "jamais atteint" not in stdout
    assert "BrokenProcessPool" not in stderr
    if how == "SIGTERM":
        assert "Traceback" not in stderr, stderr
    assert leftovers(out) == [] and not [p for p in out.rglob("*") if p.is_file()]  # nothing written, nothing hidden
    time.sleep(0.2)
    assert not [pid for pid in busy if _alive(pid)]  # workers (or LibreOffice) gone
    token = str(ready).encode()
    others = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            try:
                if token in (entry / "cmdline").read_bytes() and _alive(int(entry.name)):
                    others.append(entry.name)
            except OSError:
                pass
    assert others == []


# --------------------------------------------------------------------------------------------------
# 4. the cache is only an optimisation
# --------------------------------------------------------------------------------------------------


def _clear_caches():
    from clausegen import cache
    from clausegen.profile import validate as load
    from clausegen.docx import engine

    cache.cache_dir.cache_clear()
    engine.prepare.cache_clear()
    engine.jinja_env.cache_clear()
    load._fast_validator.cache_clear()


@pytest.fixture
def fresh_caches(monkeypatch):
    _clear_caches()
    yield monkeypatch
    _clear_caches()


CACHED = ["avis"]  # one document is enough: every kind of entry is made for it


@pytest.fixture(scope="module")
def without_cache(qpv):
    """The document rendered with no cache at all."""
    saved = os.environ.get("CLAUSEGEN_NO_CACHE")
    os.environ["CLAUSEGEN_NO_CACHE"] = "1"
    try:
        _clear_caches()
        return render_documents(qpv, CACHED)
    finally:
        if saved is None:
            del os.environ["CLAUSEGEN_NO_CACHE"]
        else:
            os.environ["CLAUSEGEN_NO_CACHE"] = saved
        _clear_caches()


CORRUPTIONS = {
    "vide": lambda data: b"",
    "aleatoire": lambda data: os.urandom(max(64, len(data) // 2)),
    "tronque": lambda data: data[: len(data) // 2],
    "en-tete-seul": lambda data: data[:58],
    "un-octet": lambda data: data[:-1] + bytes([data[-1] ^ 1]),
}


def test_corrupt_cache_entries_change_nothing(tmp_path, qpv, without_cache, fresh_caches):
    from clausegen.cache import read_entry

    fresh_caches.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh_caches.delenv("CLAUSEGEN_NO_CACHE", raising=False)
    fresh_caches.setenv("CLAUSEGEN_NO_BUNDLE", "1")  # the cache filled by the render, not read from the shipped bundle
    assert load_profile(QPV) == qpv  # fills the cache: the compiled schema…
    assert render_documents(qpv, CACHED) == without_cache  # … and the prepared template parts
    entries = sorted(tmp_path.rglob("*.bin"), key=lambda p: not p.name.startswith("schema"))
    assert {p.name.split("-")[0] for p in entries} >= {"schema", "template"}, entries
    kinds = list(CORRUPTIONS)
    for start in range(0, len(kinds), len(entries)):  # each kind of corruption at least once, on each kind of entry
        for i, entry in enumerate(entries):
            how = kinds[(start + i) % len(kinds)]
            entry.write_bytes(CORRUPTIONS[how](entry.read_bytes()))
        _clear_caches()
        assert load_profile(QPV) == qpv
        assert render_documents(qpv, CACHED) == without_cache
        assert all(read_entry(p) is not None for p in entries)  # computed and stored again


def test_jinja_bytecode_entries_corrupt_change_nothing(tmp_path, qpv, without_cache, fresh_caches):
    from jinja2.bccache import bc_magic

    from clausegen.docx import engine

    fresh_caches.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh_caches.delenv("CLAUSEGEN_NO_CACHE", raising=False)
    fresh_caches.setenv("CLAUSEGEN_NO_BUNDLE", "1")  # the cache filled by the render, not read from the shipped bundle
    if type(engine.jinja_env().bytecode_cache).__name__ != "SafeBytecodeCache":
        pytest.xfail("docx/engine.py still uses Jinja's FileSystemBytecodeCache: it should use cache.bytecode_cache()")
    assert render_documents(qpv, CACHED) == without_cache
    compiled = [p for p in tmp_path.rglob("*") if p.is_file() and "jinja" in p.name]
    assert compiled
    for i, path in enumerate(compiled):
        path.write_bytes([b"", bc_magic + b"\x80", os.urandom(100)][i % 3])
    _clear_caches()
    assert render_documents(qpv, CACHED) == without_cache


def test_safe_bytecode_cache_survives_corrupt_entries_and_full_disk(tmp_path, fresh_caches):
    from jinja2 import DictLoader, Environment
    from jinja2.bccache import bc_magic

    from clausegen import cache

    fresh_caches.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh_caches.delenv("CLAUSEGEN_NO_CACHE", raising=False)
    fresh_caches.setenv("CLAUSEGEN_NO_BUNDLE", "1")  # the cache filled by the render, not read from the shipped bundle
    def template():
        env = Environment(loader=DictLoader({"t": "Bonjour {{ nom }} !"}), bytecode_cache=cache.bytecode_cache())
        return env.get_template("t")

    assert template().render(nom="Anne") == "Bonjour Anne !"
    (entry,) = [p for p in tmp_path.rglob("jinja-*.bin")]
    for bad in (b"", bc_magic + b"\x80", cache.seal(bc_magic + b"\x80"), os.urandom(200)):
        entry.write_bytes(bad)
        assert template().render(nom="Luc") == "Bonjour Luc !"
        assert cache.read_entry(entry) is not None  # compiled again and stored again
    real = os.replace

    def full(src, dst, *args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    entry.unlink()
    fresh_caches.setattr(os, "replace", full)
    assert template().render(nom="Eve") == "Bonjour Eve !"
    fresh_caches.setattr(os, "replace", real)
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # nothing half-written left


def test_unusable_cache_folders_bypass_the_cache(tmp_path, fresh_caches):
    from clausegen import cache

    fresh_caches.delenv("CLAUSEGEN_NO_CACHE", raising=False)
    fresh_caches.setenv("CLAUSEGEN_NO_BUNDLE", "1")  # the cache filled by the render, not read from the shipped bundle
    a_file = tmp_path / "fichier"
    a_file.write_text("pas un dossier", encoding="utf-8")
    calls = []

    def compute():
        calls.append(1)
        return b"valeur"

    def no_home():
        raise RuntimeError("Could not determine home directory.")

    for xdg, home in ((str(a_file), str(tmp_path)), ("relatif", str(a_file)), ("", None)):
        fresh_caches.setenv("XDG_CACHE_HOME", xdg)
        if home is None:
            fresh_caches.setattr(Path, "home", staticmethod(no_home))
        else:
            fresh_caches.setenv("HOME", home)
        cache.cache_dir.cache_clear()
        assert cache.cache_dir() is None, (xdg, home)
        assert cache.cached_bytes("essai", "cle", compute) == b"valeur"
        assert cache.cached_text("essai", "cle", lambda: "texte é") == "texte é"
    assert len(calls) == 3
    assert not (Path.cwd() / "relatif").exists()

    # a folder that cannot be written (read-only home: simulated, root ignores file modes)
    fresh_caches.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    real = cache.tempfile.mkstemp

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS))

    fresh_caches.setattr(cache.tempfile, "mkstemp", read_only)
    cache.cache_dir.cache_clear()
    assert cache.cache_dir() is None
    fresh_caches.setattr(cache.tempfile, "mkstemp", real)


def test_cache_write_failures_are_ignored_and_leave_nothing(tmp_path, fresh_caches):
    from clausegen import cache

    fresh_caches.setenv("XDG_CACHE_HOME", str(tmp_path))
    fresh_caches.delenv("CLAUSEGEN_NO_CACHE", raising=False)
    fresh_caches.setenv("CLAUSEGEN_NO_BUNDLE", "1")  # the cache filled by the render, not read from the shipped bundle
    folder = cache.cache_dir()
    assert folder is not None

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    real = os.replace
    fresh_caches.setattr(os, "replace", full)
    assert cache.cached_bytes("essai", "cle", lambda: b"valeur") == b"valeur"
    fresh_caches.setattr(os, "replace", real)
    assert list(folder.iterdir()) == []
    (folder / f"essai-{cache.digest('cle')}.bin").mkdir()  # a folder where an entry should be
    assert cache.cached_bytes("essai", "cle", lambda: b"valeur") == b"valeur"


def test_seal_and_unseal():
    from clausegen.cache import seal, unseal

    for data in (b"", b"x", os.urandom(1000)):
        blob = seal(data)
        assert unseal(blob) == data
        assert unseal(blob[:-1]) is None and unseal(blob + b"x") is None and unseal(b"") is None
        assert unseal(blob[:20]) is None and unseal(os.urandom(len(blob))) is None


# -- export -o ------------------------------------------------------------------------------------------


def test_export_o_writes_atomically_and_refuses_a_folder_or_an_existing_file(tmp_path):
    from click.testing import CliRunner

    from clausegen.cli import cli

    profile = str(Path(__file__).resolve().parents[1] / "profiles" / "travaux-qpv.yaml")
    out = tmp_path / "decp.json"
    runner = CliRunner()
    first = runner.invoke(cli, ["export", "decp", profile, "-o", str(out)])
    assert first.exit_code == 0, first.output
    data = out.read_bytes()
    assert data.startswith(b"{") and data.endswith(b"}\n")
    again = runner.invoke(cli, ["export", "decp", profile, "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    assert out.read_bytes() == data
    folder = tmp_path / "dossier.json"
    folder.mkdir()
    refused = runner.invoke(cli, ["export", "eforms", profile, "-o", str(folder)])
    assert refused.exit_code == 2
    assert folder.is_dir() and not any(folder.iterdir())
    assert runner.invoke(cli, ["export", "eforms", profile, "-o", str(out), "--force"]).exit_code == 0
    assert out.read_bytes() != data and not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
