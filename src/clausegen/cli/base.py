"""What every command shares: click's French settings, the mapping of errors to exit codes, the lazy
group that loads each command's module only when it is used."""


from __future__ import annotations

import errno
import functools
import io
import os
import sys

import click

from .._version import __version__
from . import _click_fr
from ..errors import ClausegenError

_click_fr.install()

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
# The one table of exit codes (README « Codes de sortie », checked by tests/test_exit_codes.py): code 1 means
# « the command examined what it was given and found at least one error », and only these commands return it.
FINDINGS_COMMANDS = ("check", "templates lint", "export decp --strict", "export eforms --strict")


def _report_clausegen_error(exc: ClausegenError) -> None:
    click.echo(str(exc), err=True)
    count = len(getattr(exc, "issues", []) or [])
    if count > 1:
        click.echo(f"{count} problèmes : rien n'a été produit.", err=True)


def _handle_errors(func):
    """Translate library errors into a French message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ClausegenError as exc:
            _report_clausegen_error(exc)
            sys.exit(exc.exit_code)

    return wrapper


# -- what reaches the root group: OS errors, bugs, Ctrl+C ----------------------------------------------

_OS_REASONS = {
    errno.EACCES: "permission refusée",
    errno.EPERM: "opération non permise",
    errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EISDIR: "c'est un dossier, pas un fichier",
    errno.EEXIST: "existe déjà",
    errno.ENOSPC: "plus de place sur le disque",
    errno.EROFS: "support en lecture seule",
    errno.ENAMETOOLONG: "nom de fichier trop long",
    errno.EMFILE: "trop de fichiers ouverts",
    errno.EIO: "erreur d'entrée-sortie du support",
    errno.EBUSY: "fichier ou support occupé",
    errno.EINVAL: "nom ou opération invalide",
}
for _name, _reason in (("EDQUOT", "quota de disque dépassé"), ("EXDEV", "déplacement impossible entre deux disques")):
    if hasattr(errno, _name):
        _OS_REASONS[getattr(errno, _name)] = _reason
_WINDOWS_SHARING = {32, 33}  # ERROR_SHARING_VIOLATION, ERROR_LOCK_VIOLATION: the file is open elsewhere


class _StreamError(Exception):
    """Writing to the standard output failed (full disk, closed file): carries the OSError."""

    def __init__(self, error: OSError):
        super().__init__(str(error))
        self.error = error


def os_error_message(exc: OSError, *, stream: bool = False) -> str:
    """A French sentence for an ``OSError``, naming the file(s) involved."""
    reason = _OS_REASONS.get(exc.errno)
    if reason is None:
        if isinstance(exc, PermissionError):
            reason = "permission refusée"
        elif isinstance(exc, FileNotFoundError):
            reason = "fichier ou dossier introuvable"
        else:
            reason = f"erreur du système ({exc.strerror or exc.__class__.__name__})"
    hint = ""
    if getattr(exc, "winerror", None) in _WINDOWS_SHARING or (isinstance(exc, PermissionError) and os.name == "nt"):
        hint = " ; si le fichier est ouvert dans Word, Excel ou LibreOffice, fermez-le puis relancez la commande"
    elif exc.errno == errno.ENOSPC:
        hint = " ; libérez de la place ou choisissez un autre dossier"
    elif exc.errno == errno.EROFS:
        hint = " ; choisissez un dossier où vous pouvez écrire"
    if stream:
        return f"Erreur : écriture impossible sur la sortie standard : {reason}{hint}."
    names = [str(n) for n in (exc.filename, exc.filename2) if n not in (None, "")]
    if len(names) == 2:
        where = f"« {names[0]} » → « {names[1]} »"
    elif names:
        where = f"« {names[0]} »"
    else:
        return f"Erreur du système de fichiers : {reason}{hint}."
    return f"Erreur : {where} : {reason}{hint}."


def _debug_requested(ctx) -> bool:
    if ctx.params.get("debug"):
        return True
    return os.environ.get("CLAUSEGEN_DEBUG", "").strip().lower() not in ("", "0", "non", "no", "false", "faux")


def _say(message: str) -> None:
    try:
        click.echo(message, err=True)
    except (OSError, ValueError):  # stderr closed as well: nothing more can be said
        pass


def _print_traceback(exc: BaseException) -> None:
    import traceback

    _say("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)).rstrip())


def _flush_stdout() -> None:
    try:
        sys.stdout.flush()
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise  # click's own handling: the reader went away (« | head »)
        raise _StreamError(exc) from exc
    except (AttributeError, ValueError):
        pass


def _from_stdout(exc: OSError) -> bool:
    """Whether an ``OSError`` without file name came from writing the standard output (``click.echo`` or
    ``print``: the innermost Python frame is writing to stdout), or stdout still cannot take what is pending."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    if tb is not None:
        frame = tb.tb_frame
        target = frame.f_locals.get("file")
        if target is not None and target in (sys.stdout, sys.__stdout__):
            return True
        if frame.f_code.co_name == "echo" and "click" in frame.f_code.co_filename and not frame.f_locals.get("err"):
            return target is None or target not in (sys.stderr, sys.__stderr__)
    try:
        sys.stdout.flush()
    except OSError:
        return True
    except (AttributeError, ValueError):
        pass
    return False


def _silence_stdout() -> None:
    """Point the failed standard output at the null device, so that Python's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass


def _interrupted() -> None:
    _say("\nInterrompu (Ctrl+C).")
    sys.exit(EXIT_INTERRUPTED)


def _run_guarded(ctx, call):
    """Run ``call()`` (the root group's work) and turn what escapes the commands into exit codes 2, 3 and 130."""
    debug = _debug_requested(ctx)
    try:
        try:
            rv = call()
        except (SystemExit, click.exceptions.Exit):
            _flush_stdout()
            raise
        _flush_stdout()
        return rv
    except (SystemExit, click.exceptions.Exit, click.ClickException):
        raise
    except click.Abort as exc:  # a prompt turns Ctrl+C and end of input into Abort
        if isinstance(exc.__context__, EOFError) or isinstance(exc.__cause__, EOFError):
            _say("Erreur : l'entrée s'est terminée avant la fin des questions ; rien n'a été écrit.")
            sys.exit(EXIT_INPUT)
        _interrupted()
    except KeyboardInterrupt:
        _interrupted()
    except ClausegenError as exc:  # a command without _handle_errors
        if debug:
            _print_traceback(exc)
        _report_clausegen_error(exc)
        sys.exit(exc.exit_code)
    except _StreamError as exc:
        _silence_stdout()
        if debug:
            _print_traceback(exc.error)
        _say(os_error_message(exc.error, stream=True))
        sys.exit(EXIT_INPUT)
    except OSError as exc:
        if exc.errno == errno.EPIPE:
            raise
        stream = exc.filename is None and _from_stdout(exc)
        if stream:
            _silence_stdout()
        if debug:
            _print_traceback(exc)
        _say(os_error_message(exc, stream=stream))
        sys.exit(EXIT_INPUT)
    except Exception as exc:  # noqa: BLE001 - a bug: say so in French, details on request
        if debug:
            _print_traceback(exc)
        detail = f"{exc.__class__.__name__}: {exc}" if str(exc) else exc.__class__.__name__
        _say(
            f"Erreur interne de clausegen {__version__} ({detail}).\n"
            "Ce n'est pas une erreur de votre part : merci de signaler ce problème à l'équipe qui maintient clausegen, "
            "en joignant la commande lancée, la version ci-dessus et, si possible, le profil concerné."
            + ("" if debug else "\nPour obtenir le détail technique à joindre, relancez la commande avec « clausegen --debug … » "
               "(ou avec la variable d'environnement CLAUSEGEN_DEBUG=1).")
        )
        sys.exit(EXIT_INTERNAL)


class _FrenchGroup(click.Group):
    # Commands defined in their own modules, imported only when used (click's lazy-group pattern).
    LAZY = {
        "init": "clausegen.cli.init:init",
        "report": "clausegen.cli.report:report",
        "export": "clausegen.cli.export:export",
        "templates": "clausegen.cli.templates:templates",
        "serve": "clausegen.cli.serve:serve",
        "calc": "clausegen.cli.calc:calc",
        "schema": "clausegen.cli.calc:schema",
        "render": "clausegen.cli.render:render",
        "check": "clausegen.cli.check:check",
        "cache": "clausegen.cli.cache:cache",
    }
    root = False  # the ``clausegen`` group itself: its commands are loaded lazily

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | (set(self.LAZY) if self.root else set()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and self.root and name in self.LAZY:
            import importlib

            module, attr = self.LAZY[name].split(":")
            command = getattr(importlib.import_module(module), attr)
        return command

    def format_usage(self, ctx, formatter):
        formatter.write_usage(ctx.command_path, "[OPTIONS] COMMANDE [ARGUMENTS]…")

    def invoke(self, ctx):
        if ctx.parent is not None:  # a sub-group (export): the root group already guards it
            return super().invoke(ctx)
        return _run_guarded(ctx, lambda: super(_FrenchGroup, self).invoke(ctx))


