"""Hardening of the command line: each attack of the issue is reproduced here and must keep failing safely.

UTF-8 output under a cp1252 console, LibreOffice found where Windows and macOS install it, commands printed by
``init`` that can be pasted, folder names that Windows accepts, exit codes 0/1/2/3/130 for every command (the
lazily loaded ones too), ``report -o`` refused before any work, ``check --documents`` with several profiles.
"""

from __future__ import annotations

import errno
import io
import os
import re
import shlex
import signal
import subprocess
import sys
from pathlib import Path, PureWindowsPath

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from clausegen import __version__
from clausegen.cli import cli
from clausegen.errors import OutputError
from clausegen.render import pdf
import tempfile as pdf_tempfile
from clausegen.files.names import MAX_NAME
from clausegen.render.batch import safe_folder_name

from conftest import BASE

ROOT = Path(__file__).resolve().parents[1]
PROFILES = ROOT / "profiles"
QPV = PROFILES / "travaux-qpv.yaml"
SRC = str(ROOT / "src")


def invoke(*args, env=None, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], env=env, input=input, prog_name="clausegen", catch_exceptions=False)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def subprocess_env(**extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONIOENCODING", "PYTHONUTF8", "CLAUSEGEN_DEBUG")}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "") if env.get("PYTHONPATH") else SRC
    env.update(extra)
    return env


def run_module(*args, env=None, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "clausegen", *map(str, args)], env=env or subprocess_env(), cwd=ROOT,
                          capture_output="stdout" not in kwargs, timeout=300, **kwargs)


# -- 1. UTF-8 output whatever the console encoding -----------------------------------------------------------


def test_python_m_clausegen_exists():
    result = run_module("--version")
    assert result.returncode == 0 and result.stdout.decode("utf-8").strip() == f"clausegen {__version__}"


def test_cp1252_console_piped_output_is_utf8():
    result = run_module("calc", QPV, env=subprocess_env(PYTHONIOENCODING="cp1252"))
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 0, stderr
    assert "Traceback" not in stderr
    text = result.stdout.decode("utf-8")  # UTF-8, not cp1252
    assert "→" in text and "─" in text and "main-d'œuvre" in text  # none of → ─ exists in cp1252


def test_cp1252_review_redirected_to_a_file_is_utf8(tmp_path):
    out = tmp_path / "revue.txt"
    with out.open("wb") as handle:
        result = run_module("check", PROFILES, env=subprocess_env(PYTHONIOENCODING="cp1252"), stdout=handle, stderr=subprocess.PIPE)
    assert result.returncode in (0, 1), result.stderr.decode("utf-8")
    assert b"Traceback" not in result.stderr
    text = out.read_bytes().decode("utf-8")
    assert re.search(r"\d+ profils relus : ", text)
    assert "œ" in text or "\u202f" in text or "→" in text or "é" in text


def test_cp1252_error_messages_on_stderr_are_utf8(tmp_path):
    result = run_module("calc", tmp_path / "Marché à réhabiliter → lot œuvre.yaml", env=subprocess_env(PYTHONIOENCODING="cp1252"))
    assert result.returncode == 2
    stderr = result.stderr.decode("utf-8")
    assert "Marché à réhabiliter → lot œuvre.yaml" in stderr and "Traceback" not in stderr


# -- 2. LibreOffice where Windows and macOS install it; profile URL built by Path.as_uri() ----------------------


@pytest.fixture
def no_soffice_on_path(monkeypatch):
    monkeypatch.delenv("CLAUSEGEN_SOFFICE", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name, *a, **k: None)
    for var in ("ProgramFiles", "ProgramW6432", "ProgramFiles(x86)"):
        monkeypatch.delenv(var, raising=False)


def only_file(monkeypatch, target: str) -> list[str]:
    asked: list[str] = []

    def isfile(path):
        asked.append(str(path))
        return str(path) == target

    monkeypatch.setattr(pdf.os.path, "isfile", isfile)
    return asked


@pytest.mark.parametrize("target", [r"C:\Program Files\LibreOffice\program\soffice.exe", r"C:\Program Files (x86)\LibreOffice\program\soffice.exe"])
def test_soffice_found_in_windows_program_files(no_soffice_on_path, monkeypatch, target):
    only_file(monkeypatch, target)
    assert pdf.soffice_path(platform="win32") == target


def test_soffice_found_in_windows_program_files_from_environment(no_soffice_on_path, monkeypatch):
    monkeypatch.setenv("ProgramFiles", r"D:\Logiciels")
    target = r"D:\Logiciels\LibreOffice\program\soffice.exe"
    only_file(monkeypatch, target)
    assert pdf.soffice_path(platform="win32") == target


def test_soffice_found_in_macos_applications(no_soffice_on_path, monkeypatch):
    target = "/Applications/LibreOffice.app/Contents/MacOS/soffice"
    only_file(monkeypatch, target)
    assert pdf.soffice_path(platform="darwin") == target


def test_soffice_on_path_comes_first(monkeypatch):
    monkeypatch.delenv("CLAUSEGEN_SOFFICE", raising=False)
    monkeypatch.setattr(pdf.shutil, "which", lambda name, *a, **k: "/usr/local/bin/soffice" if name == "soffice" else None)
    assert pdf.soffice_path(platform="win32") == "/usr/local/bin/soffice"


def test_soffice_absent_everywhere(no_soffice_on_path, monkeypatch):
    only_file(monkeypatch, "")
    for platform in ("win32", "darwin", "linux"):
        assert pdf.soffice_path(platform=platform) is None


def test_soffice_environment_override(monkeypatch, tmp_path):
    program = tmp_path / "Libre Office é" / "program" / "soffice.exe"
    program.parent.mkdir(parents=True)
    program.write_bytes(b"")
    monkeypatch.setattr(pdf.shutil, "which", lambda name, *a, **k: "/usr/bin/soffice")
    monkeypatch.setenv("CLAUSEGEN_SOFFICE", str(program))
    assert pdf.soffice_path() == str(program)
    monkeypatch.setenv("CLAUSEGEN_SOFFICE", f'"{program.parent.parent}"')  # the install folder, quoted as Windows copies it
    assert pdf.soffice_path() == str(program)


def test_soffice_environment_override_that_names_nothing(monkeypatch, tmp_path):
    monkeypatch.setattr(pdf.shutil, "which", lambda name, *a, **k: None)
    monkeypatch.setenv("CLAUSEGEN_SOFFICE", str(tmp_path / "absent" / "soffice.exe"))
    with pytest.raises(OutputError, match="CLAUSEGEN_SOFFICE désigne .* introuvable"):
        pdf.soffice_path()


def test_render_pdf_with_a_wrong_override_writes_nothing(monkeypatch, tmp_path):
    monkeypatch.setenv("CLAUSEGEN_SOFFICE", str(tmp_path / "nulle-part" / "soffice"))
    out = tmp_path / "dce"
    result = invoke("render", QPV, "-o", out, "--pdf")
    assert result.exit_code == 2 and "CLAUSEGEN_SOFFICE désigne" in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_libreoffice_profile_url_survives_spaces_and_accents(monkeypatch, tmp_path):
    temp = tmp_path / "Temp de Jérôme #1"
    temp.mkdir()
    monkeypatch.setattr(pdf_tempfile, "tempdir", str(temp))
    folder = temp / "Dossier à convertir"
    folder.mkdir()
    (folder / "ccap.docx").write_bytes(b"x")
    seen = {}

    class FakeProcess:  # what convert_pdf may use of subprocess: run() or Popen()
        pid, returncode, args = 0, 0, None

        def __init__(self, cmd, *args, **kwargs):
            seen["cmd"] = self.args = cmd
            (folder / "ccap.pdf").write_bytes(b"%PDF")

        def communicate(self, *args, **kwargs):
            return "", ""

        def wait(self, *args, **kwargs):
            return 0

        def poll(self):
            return 0

        kill = terminate = lambda self: None
        stdout = stderr = ""

    monkeypatch.setattr(pdf.subprocess, "run", FakeProcess)
    monkeypatch.setattr(pdf.subprocess, "Popen", FakeProcess)
    pdf.convert_pdf("soffice", folder, ["ccap.docx"])
    argument = next(a for a in seen["cmd"] if a.startswith("-env:UserInstallation="))
    url = argument.split("=", 1)[1]
    assert url.startswith("file:///") and " " not in url and "#" not in url  # an URL, not a path glued to file://
    assert "Temp%20de%20J%C3%A9r%C3%B4me%20%231" in url
    assert PureWindowsPath(r"C:\Users\Jean Dupont\AppData\Local\Temp\clausegen-lo-x").as_uri() == (
        "file:///C:/Users/Jean%20Dupont/AppData/Local/Temp/clausegen-lo-x"  # what as_uri gives for a Windows drive
    )


# -- 3. commands printed by init can be pasted ----------------------------------------------------------------


@pytest.mark.parametrize(
    "argument,posix,windows",
    [
        ("profil.yaml", "profil.yaml", "profil.yaml"),
        ("Mes marchés/profil 2027.yaml", "'Mes marchés/profil 2027.yaml'", '"Mes marchés/profil 2027.yaml"'),
        (r"C:\Users\Jean Dupont\Marchés\p.yaml", r"'C:\Users\Jean Dupont\Marchés\p.yaml'", r'"C:\Users\Jean Dupont\Marchés\p.yaml"'),
        ("l'école.yaml", "'l'\"'\"'école.yaml'", '"l\'école.yaml"'),
        ("C:\\dossier 1\\", "'C:\\dossier 1\\'", '"C:\\dossier 1\\\\"'),
        ("$HOME; rm -rf ~.yaml", "'$HOME; rm -rf ~.yaml'", '"$HOME; rm -rf ~.yaml"'),
        ("lots,2027@x.yaml", "lots,2027@x.yaml", '"lots,2027@x.yaml"'),  # PowerShell: « , » is an array
    ],
)
def test_shell_quote(argument, posix, windows):
    from clausegen.cli.guided_text import shell_quote

    assert shell_quote(argument, windows=False) == posix
    assert shell_quote(argument, windows=True) == windows
    assert shlex.split(shell_quote(argument, windows=False)) == [argument]


INIT_OPTIONS = [
    "--non-interactif", "--acheteur", "Préfecture de la Gironde", "--type-acheteur", "etat", "--reference", "2026-TRX-014",
    "--objet", "Réhabilitation", "--nature", "travaux", "--duree-mois", "24", "--date-publication", "2026-12-15",
    "--cout-horaire", "32", "--taux-insertion", "7 %", "--lot", "Gros œuvre;art38;850000;40 %",
]  # fmt: skip


def test_init_prints_commands_that_can_be_pasted(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Marchés 2027").mkdir()
    path = "Marchés 2027/profil de l'école.yaml"
    result = invoke("init", path, *INIT_OPTIONS)
    assert result.exit_code == 0, result.output
    lines = [line.strip() for line in result.stdout.splitlines() if line.strip().startswith("clausegen ")]
    assert len(lines) == 3
    for line in lines:
        words = shlex.split(line)
        assert words[2] == path, line  # the shell gives the path back whole
    calc_line = shlex.split(lines[0])[:3]
    pasted = invoke(*calc_line[1:])
    assert pasted.exit_code == 0 and "744" in pasted.stdout
    comments = [line[1:].strip() for line in (tmp_path / path).read_text(encoding="utf-8").splitlines() if line.startswith("#   clausegen ")]
    assert len(comments) == 3
    for comment in comments:
        assert shlex.split(comment.split("  ")[0])[2] == "profil de l'école.yaml", comment


# -- 4. folder names Windows accepts ------------------------------------------------------------------------

_DEVICES = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}


def assert_windows_safe(name: str) -> None:
    assert name and len(name) <= MAX_NAME <= 100
    assert not re.search(r'[<>:"/\\|?*\x00-\x1f\x7f]', name), name
    assert name[-1] not in ". ", name
    assert name not in (".", "..") and not name.startswith(".")
    assert name.split(".")[0].rstrip(" ").lower() not in _DEVICES, name
    assert name.isascii()


@pytest.mark.parametrize(
    "reference,expected",
    [
        ("CON", "CON_"),
        ("CON.2027", "CON_.2027"),
        ("nul", "nul_"),
        ("Com1.x", "Com1_.x"),
        ("LPT9 ", "LPT9_"),
        ("lpt9. . ", "lpt9_"),
        ("COM¹", "COM1_"),
        ("LPT³.lot.2", "LPT3_.lot.2"),
        ("aux.", "aux_"),
        ("PRN.txt", "PRN_.txt"),
        ("CONSEIL-2027", "CONSEIL-2027"),
        ("COM10", "COM10"),
        ('a<b>c:d"e/f\\g|h?i*j', "a-b-c-d-e-f-g-h-i-j"),
        ("lot\x00\x01\x1f\x7f2", "lot-2"),
        ("fin. . .", "fin"),
        ("é" * 300, "e" * MAX_NAME),
    ],
)
def test_safe_folder_name_attacks(reference, expected):
    name = safe_folder_name(reference)
    assert name == expected
    assert_windows_safe(name)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_safe_folder_name_is_always_windows_safe(reference):
    assert_windows_safe(safe_folder_name(reference))


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(_DEVICES)), st.sampled_from(["", ".", ". ", " ", ".x", ".2027", "..", ". .txt"]), st.booleans())
def test_safe_folder_name_never_a_device(device, tail, upper):
    assert_windows_safe(safe_folder_name((device.upper() if upper else device) + tail))


def test_batch_render_of_a_device_reference(tmp_path):
    a = write(tmp_path / "in", "a.yaml", BASE.replace('reference: "2026-TRX-014"', 'reference: "CON.2027"'))
    b = write(tmp_path / "in", "b.yaml", BASE.replace('reference: "2026-TRX-014"', 'reference: "nul"'))
    result = invoke("render", a, b, "-o", tmp_path / "dce", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "dce").iterdir()) == ["CON_.2027", "nul_"]


# -- 5. exit codes: 3 for a bug, 130 for Ctrl+C, 2 for an OS error, for every command -------------------------


def boom(*args, **kwargs):
    raise RuntimeError("boum")


def test_internal_error_exit_3_without_traceback(monkeypatch):
    monkeypatch.setattr("clausegen.calc.compute_hours", boom)
    result = invoke("calc", QPV)
    assert result.exit_code == 3
    assert f"Erreur interne de clausegen {__version__}" in result.stderr
    assert "merci de signaler ce problème" in result.stderr
    assert "clausegen --debug" in result.stderr and "CLAUSEGEN_DEBUG=1" in result.stderr
    assert "Traceback" not in result.output and "RuntimeError: boum" in result.stderr


def test_internal_error_traceback_with_debug(monkeypatch):
    monkeypatch.setattr("clausegen.calc.compute_hours", boom)
    result = invoke("--debug", "calc", QPV)
    assert result.exit_code == 3
    assert "Traceback" in result.stderr and 'raise RuntimeError("boum")' in result.stderr
    assert f"Erreur interne de clausegen {__version__}" in result.stderr
    with_env = invoke("calc", QPV, env={"CLAUSEGEN_DEBUG": "1"})
    assert with_env.exit_code == 3 and "Traceback" in with_env.stderr
    without = invoke("calc", QPV, env={"CLAUSEGEN_DEBUG": "0"})
    assert without.exit_code == 3 and "Traceback" not in without.output


def test_debug_is_documented_in_help():
    result = invoke("--help")
    assert result.exit_code == 0 and "--debug" in result.output and "CLAUSEGEN_DEBUG=1" in result.output


@pytest.mark.parametrize(
    "target,args",
    [
        ("clausegen.calc.compute_hours", ["calc", QPV]),
        ("clausegen.profile.schema.profile_schema", ["schema"]),
        ("clausegen.review.run.check_paths", ["check", QPV]),
        ("clausegen.render.pack.render_pack", ["render", QPV, "-o", "{tmp}/dce"]),
        ("clausegen.render.batch.render_batch", ["render", PROFILES, "-o", "{tmp}/dce"]),
        ("clausegen.report.load_portfolio", ["report", PROFILES, "-o", "{tmp}/r.xlsx"]),
        ("clausegen.export.decp.export_decp", ["export", "decp", QPV]),
        ("clausegen.export.eforms.export_eforms", ["export", "eforms", QPV]),
        ("clausegen.render.glossary.load_glossary", ["templates", "vars"]),
        ("clausegen.cli.guided.write_profile", ["init", "{tmp}/p.yaml", *INIT_OPTIONS]),
    ],
)
@pytest.mark.parametrize("raised,code,message", [
    (RuntimeError("boum"), 3, "Erreur interne de clausegen"),
    (KeyboardInterrupt(), 130, "Interrompu (Ctrl+C)."),
    (PermissionError(errno.EACCES, "Permission denied", "dce/ccap.docx"), 2, "Erreur : « dce/ccap.docx » : permission refusée"),
])  # fmt: skip
def test_every_command_maps_exceptions_to_exit_codes(monkeypatch, tmp_path, target, args, raised, code, message):
    import importlib

    module, attr = target.rsplit(".", 1)
    importlib.import_module(module)

    def fail(*a, **k):
        raise raised

    monkeypatch.setattr(target, fail)
    result = invoke(*[str(a).replace("{tmp}", str(tmp_path)) for a in args])
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not list(tmp_path.iterdir())  # nothing written


@pytest.mark.parametrize(
    "error,expected",
    [
        (PermissionError(errno.EACCES, "Permission denied", "rapport.xlsx"), "« rapport.xlsx » : permission refusée"),
        (FileNotFoundError(errno.ENOENT, "No such file or directory", "modeles/ccap.docx"), "« modeles/ccap.docx » : fichier ou dossier introuvable"),
        (OSError(errno.ENOSPC, "No space left on device", "dce/ccap.docx"), "« dce/ccap.docx » : plus de place sur le disque"),
        (OSError(errno.EROFS, "Read-only file system", "/media/cle/dce"), "« /media/cle/dce » : support en lecture seule"),
        (OSError(errno.EXDEV, "Invalid cross-device link", "a.tmp", None, "b.docx"), "« a.tmp » → « b.docx »"),
        (OSError(errno.ENOSPC, "No space left on device"), "Erreur du système de fichiers : plus de place sur le disque"),
        (OSError(errno.ELOOP, "Too many levels of symbolic links", "x"), "« x » : erreur du système (Too many levels of symbolic links)"),
    ],
)
def test_os_errors_in_french_exit_2(monkeypatch, error, expected):
    def fail(*a, **k):
        raise error

    monkeypatch.setattr("clausegen.calc.compute_hours", fail)
    result = invoke("calc", QPV)
    assert result.exit_code == 2
    assert expected in result.stderr and "Traceback" not in result.output and "Errno" not in result.output


def test_os_error_traceback_only_with_debug(monkeypatch):
    def fail(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", "x.docx")

    monkeypatch.setattr("clausegen.calc.compute_hours", fail)
    result = invoke("--debug", "calc", QPV)
    assert result.exit_code == 2 and "Traceback" in result.stderr and "« x.docx » : permission refusée" in result.stderr


def test_library_errors_keep_exit_2_and_usage_errors_too(tmp_path):
    result = invoke("calc", tmp_path / "absent.yaml")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert invoke("calc").exit_code == 2
    assert invoke("commande-inconnue").exit_code == 2


class CtrlC(io.RawIOBase):
    """Standard input of a user who presses Ctrl+C at the first question."""

    def readable(self):
        return True

    def readinto(self, buffer):
        if len(buffer) == 0:
            return 0
        raise KeyboardInterrupt


def test_ctrl_c_at_an_init_question_exits_130_and_writes_nothing(tmp_path):
    result = invoke("init", tmp_path / "p.yaml", "--interactif", input=CtrlC())
    assert result.exit_code == 130 and "Interrompu (Ctrl+C)." in result.stderr
    assert "Traceback" not in result.output and not list(tmp_path.iterdir())


def test_end_of_input_at_an_init_question_exits_2(tmp_path):
    result = invoke("init", tmp_path / "p.yaml", "--interactif", input="")
    assert result.exit_code == 2 and "l'entrée s'est terminée avant la fin des questions" in result.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT is a POSIX signal")
def test_real_ctrl_c_exits_130_without_traceback():
    script = (
        "import sys, time\n"
        "import clausegen.calc\n"
        "def slow(*a, **k):\n"
        "    print('prêt', file=sys.stderr, flush=True)\n"
        "    time.sleep(60)\n"
        "clausegen.calc.compute_hours = slow\n"
        "sys.argv = ['clausegen', 'calc', sys.argv[1]]\n"
        "from clausegen.cli import main\n"
        "main()\n"
    )
    proc = subprocess.Popen([sys.executable, "-c", script, str(QPV)], env=subprocess_env(PYTHONIOENCODING="cp1252"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        line = b"-"
        while line and b"pr" not in line:  # wait for the command to be running (or to have died)
            line = proc.stderr.readline()
        assert line, "the command stopped before being interrupted"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = err.decode("utf-8")
    assert proc.returncode == 130, stderr
    assert "Interrompu (Ctrl+C)." in stderr and "Traceback" not in stderr and "KeyboardInterrupt" not in stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_on_stdout_exits_2_in_french():
    with open("/dev/full", "wb") as full:
        result = run_module("schema", stdout=full, stderr=subprocess.PIPE)
    stderr = result.stderr.decode("utf-8")
    assert result.returncode == 2, stderr
    assert "écriture impossible sur la sortie standard : plus de place sur le disque" in stderr
    assert "Traceback" not in stderr and "Exception ignored" not in stderr


def test_readme_documents_every_exit_code():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `?(\d+)`? \| (.+?) \|$", readme, flags=re.M))
    assert {"0", "1", "2", "3", "130"} <= set(rows), rows
    assert "Ctrl+C" in rows["130"] and "--debug" in rows["3"]


# -- 6. report -o refused before any work --------------------------------------------------------------------


@pytest.fixture
def no_work(monkeypatch):
    def must_not_run(*a, **k):
        raise AssertionError("the profiles were read before the options were checked")

    monkeypatch.setattr("clausegen.report.load_portfolio", must_not_run)


@pytest.mark.parametrize(
    "output,extra,message",
    [
        ("r.pdf", [], "extension « .pdf » non prise en charge"),
        ("rapport", [], "nom de fichier sans extension"),
        ("r.xlsx", ["--format", "html"], "l'extension « .xlsx » ne correspond pas au format html demandé"),
        ("r.html", ["--format", "xlsx"], "l'extension « .html » ne correspond pas au format xlsx demandé"),
        ("r.pdf", ["--format", "html"], "l'extension « .pdf » ne correspond pas au format html demandé"),
        ("-", [], "le rapport ne s'écrit pas sur la sortie standard"),
    ],
)
def test_report_output_refused_before_any_work(no_work, tmp_path, monkeypatch, output, extra, message):
    monkeypatch.chdir(tmp_path)
    result = invoke("report", PROFILES, "-o", output, *extra)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output
    assert not list(tmp_path.iterdir())


def test_report_into_an_existing_folder_refused(no_work, tmp_path):
    folder = tmp_path / "rapport.xlsx"
    folder.mkdir()
    (folder / "garder.txt").write_text("à garder", encoding="utf-8")
    before = snapshot(tmp_path)
    result = invoke("report", PROFILES, "-o", folder)
    assert result.exit_code == 2 and "est un dossier" in result.output
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(not Path("/dev/null").exists() or os.name == "nt", reason="POSIX device")
def test_report_into_a_device_refused(no_work):
    result = invoke("report", PROFILES, "-o", "/dev/null")
    assert result.exit_code == 2 and "n'est pas un fichier ordinaire" in result.output


def test_report_windows_device_name_refused_on_windows(no_work, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("clausegen.cli.report._windows", lambda: True)
    for name in ("CON.xlsx", "nul.html", "Com1.xlsx", "LPT9 .xlsx"):
        result = invoke("report", PROFILES, "-o", name)
        assert result.exit_code == 2 and "n'est pas un fichier ordinaire" in result.output, name
    assert not list(tmp_path.iterdir())


def test_report_explicit_format_with_a_neutral_extension_still_works(tmp_path):
    out = tmp_path / "rapport.bin"
    result = invoke("report", QPV, "-o", out, "--format", "html")
    assert result.exit_code == 0, result.output
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


# -- 7. check --documents with several profiles ---------------------------------------------------------------


@pytest.fixture(scope="module")
def two_markets(tmp_path_factory):
    root = tmp_path_factory.mktemp("marches")
    a = write(root / "profils", "a.yaml", BASE.replace('reference: "2026-TRX-014"', 'reference: "Réf. 2027/014 lot A"'))
    b = write(root / "profils", "b.yaml", BASE.replace('reference: "2026-TRX-014"', 'reference: "CON.2027"'))
    result = invoke("render", a, b, "-o", root / "dce", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (root / "dce").iterdir()) == ["CON_.2027", "Ref.-2027-014-lot-A"]
    return root, a, b


def test_check_documents_several_profiles_each_with_its_folder(two_markets):
    root, a, b = two_markets
    result = invoke("check", a, b, "--documents", root / "dce")
    assert result.exit_code == 0, result.output
    assert "2 profils relus" in result.stdout
    assert "[documents-divergents]" not in result.stdout


def test_check_documents_compares_the_right_folder(two_markets, tmp_path):
    import shutil

    root, a, b = two_markets
    dce = tmp_path / "dce"
    shutil.copytree(root / "dce", dce)
    (dce / "CON_.2027" / "ccap.docx").unlink()
    result = invoke("check", root / "profils", "--documents", dce)
    assert result.exit_code == 0, result.output
    assert result.stdout.count("[documents-divergents]") == 1
    assert f"{dce / 'CON_.2027' / 'ccap.docx'} est absent" in result.stdout


def test_check_documents_missing_subfolder_refused(two_markets, tmp_path):
    import shutil

    root, a, b = two_markets
    dce = tmp_path / "dce"
    shutil.copytree(root / "dce", dce)
    shutil.rmtree(dce / "Ref.-2027-014-lot-A")
    result = invoke("check", a, b, "--documents", dce)
    assert result.exit_code == 2
    assert "1 marché sans sous-dossier de documents ; rien n'a été relu." in result.stderr
    assert f"{a} (référence « Réf. 2027/014 lot A ») : dossier {dce / 'Ref.-2027-014-lot-A'} introuvable" in result.stderr
    assert "Traceback" not in result.output and "profils relus" not in result.stdout


def test_check_documents_one_profile_and_its_market_folder(two_markets):
    root, a, b = two_markets
    direct = invoke("check", b, "--documents", root / "dce" / "CON_.2027")
    parent = invoke("check", b, "--documents", root / "dce")
    assert direct.exit_code == parent.exit_code == 0, parent.output
    assert "[documents-divergents]" not in direct.stdout + parent.stdout


def test_check_documents_invalid_profile_among_several_is_reported(two_markets):
    root, a, b = two_markets
    broken = write(root / "autres", "casse.yaml", BASE.replace("type: etat", "type: etatt"))
    result = invoke("check", a, b, broken, "--documents", root / "dce")
    assert result.exit_code == 2
    assert "casse.yaml:4:9" in result.stderr and "3 profils relus" in result.stdout
