"""The ``clausegen`` command: a thin French shell over the library.

Exit codes, in one place (README, « Codes de sortie »): 0 success; 1 the review found at least one
« erreur »; 2 bad input or output (any ``ClausegenError``, an ``OSError`` translated into French, click's
usage errors); 3 an unexpected internal error (a bug: French message, traceback only with ``--debug`` or
``CLAUSEGEN_DEBUG=1``); 130 interrupted by Ctrl+C. The root group applies this to every command, the lazily
loaded ones included (``_FrenchGroup.invoke``). Heavy modules are imported inside the commands so that
``--help`` is quick.
"""

from __future__ import annotations

import errno
import functools
import io
import json
import os
import sys

import click

from .. import __version__
from . import _click_fr
from ..errors import ClausegenError

_click_fr.install()

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


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
    }

    def list_commands(self, ctx):
        return sorted(set(super().list_commands(ctx)) | (set(self.LAZY) if self is cli else set()))

    def get_command(self, ctx, name):
        command = super().get_command(ctx, name)
        if command is None and self is cli and name in self.LAZY:
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


@click.group(cls=_FrenchGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", "-V", prog_name="clausegen", message="%(prog)s %(version)s", help="Affiche la version et quitte.")
@click.option("--debug", is_flag=True, help="En cas d'erreur interne, affiche le détail technique (trace Python) à joindre au signalement ; comme CLAUSEGEN_DEBUG=1.")
def cli(debug):
    """Rédige les clauses sociales d'insertion d'un marché public à partir d'un profil YAML.

    \b
    Exemples :
      clausegen calc profiles/travaux-qpv.yaml      heures d'insertion et calcul détaillé
      clausegen render profiles/travaux-qpv.yaml -o dce/   les sept documents .docx
      clausegen schema > profil.schema.json          schéma pour l'éditeur

    \b
    Codes de sortie : 0 sans erreur ; 1 erreur trouvée par la revue ; 2 profil, option ou fichier
    refusé ; 3 erreur interne (à signaler ; détail avec --debug) ; 130 interruption (Ctrl+C).
    """


@cli.command(context_settings=CONTEXT_SETTINGS, short_help="Heures d'insertion par lot, avec le calcul détaillé.")
@click.argument("profil", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "output_format", type=click.Choice(["texte", "json"]), default="texte", show_default=True, help="Forme de la sortie : tableau lisible ou JSON pour les outils.")
@_handle_errors
def calc(profil, output_format):
    """Calcule le volume d'heures d'insertion de chaque lot et montre le calcul.

    \b
    Formule : heures = montant HT × part de main-d'œuvre ÷ coût horaire × taux d'insertion,
    arrondie à l'heure (demi supérieur) sauf règle « calcul.arrondi » du profil.

    Exemple : clausegen calc profiles/travaux-qpv.yaml --format json
    """
    from ..calc import compute_hours
    from ..profile.load import load_profile
    from ..working import hours_as_dict, hours_as_text

    result = compute_hours(load_profile(profil))
    if output_format == "json":
        click.echo(json.dumps(hours_as_dict(result), ensure_ascii=False, indent=2))
    else:
        click.echo(hours_as_text(result))


@cli.command(context_settings=CONTEXT_SETTINGS, short_help="Schéma JSON des profils, pour l'éditeur.")
@_handle_errors
def schema():
    """Affiche le schéma JSON des profils (pour l'autocomplétion dans l'éditeur).

    \b
    Enregistrez-le puis ajoutez en tête du profil :
      # yaml-language-server: $schema=profil.schema.json
    """
    from ..profile.schema import profile_schema

    click.echo(json.dumps(profile_schema(), ensure_ascii=False, indent=2))


@cli.command(context_settings=CONTEXT_SETTINGS, short_help="Produit les documents .docx du DCE (ceux qui ont un objet pour le marché).")
@click.argument("profils", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--sortie", "out_dir", required=True, metavar="DOSSIER", type=click.Path(file_okay=False, path_type=str), help="Dossier où écrire les documents (créé s'il n'existe pas).")
@click.option("--documents", "documents", default="", metavar="LISTE", help="Documents à produire, séparés par des virgules : avis, rc, ccap, annexe-ae, memoire, fiche-caracterisation, suivi (par défaut : tous).")
@click.option("--force", is_flag=True, help="Remplace les fichiers existants (sinon, un fichier existant est une erreur et rien n'est écrit).")
@click.option("--pdf", is_flag=True, help="Produit aussi les PDF avec LibreOffice (un seul appel par dossier de marché).")
@click.option("--modeles", "--templates", "templates", type=click.Path(exists=True, file_okay=False, path_type=str), default=None, metavar="DOSSIER", help="Dossier de modèles .docx de l'acheteur ; les documents absents utilisent les modèles intégrés.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N", help="Processus parallèles pour plusieurs profils (par défaut : nombre de cœurs).")
@click.option("-q", "--quiet", "--silencieux", "quiet", is_flag=True, help="Sans barre de progression ni résumé.")
@_handle_errors
def render(profils, out_dir, documents, force, pdf, templates, jobs, quiet):
    """Produit les sections de clause sociale du DCE (.docx) à partir d'un ou plusieurs profils.

    \b
    Un profil : fichiers écrits dans DOSSIER : avis.docx, rc.docx, ccap.docx, annexe-ae.docx,
    memoire.docx, fiche-caracterisation.docx, suivi.docx. Un document sans objet pour le marché
    n'est pas produit et la commande dit pourquoi (mémoire sans lot noté sur l'insertion, annexe
    sans heures ni critère, suivi sans parcours). Tout est préparé en mémoire puis déplacé : en cas
    d'erreur, le dossier de sortie reste tel qu'il était.
    Plusieurs profils ou un dossier : un sous-dossier par marché, nommé d'après sa référence ;
    les profils en échec sont nommés à la fin, les autres sont produits (code de sortie 2).

    \b
    Exemples : clausegen render profiles/travaux-qpv.yaml -o dce/
               clausegen render profiles/ -o dce/ --jobs 2
    """
    from pathlib import Path

    wanted = [d for d in documents.split(",") if d.strip()]
    if len(profils) == 1 and not Path(profils[0]).is_dir():
        from ..profile.load import load_profile
        from ..render.pack import render_pack, skipped_documents

        profile = load_profile(profils[0])
        written = render_pack(profile, out_dir, documents=wanted, force=force, templates=templates, pdf=pdf)
        if not quiet:
            click.echo(f"{len(written)} fichier(s) écrit(s) dans {out_dir} : {', '.join(p.name for p in written)}")
            for name, reason in skipped_documents(profile, wanted).items():
                click.echo(f"{name}.docx n'est pas produit : {reason}.", err=True)
        _template_warnings(templates, quiet)
        return
    _template_warnings(templates, quiet)
    _render_many(profils, out_dir, wanted, force, pdf, templates, jobs, quiet)


def _template_warnings(templates, quiet) -> None:
    """Files of the buyer's templates folder whose name is close to a document's but not exact."""
    if templates and not quiet:
        from ..render.docxcheck import template_warnings

        for line in template_warnings(templates):
            click.echo(line, err=True)


def _render_many(profils, out_dir, wanted, force, pdf, templates, jobs, quiet):
    from ..render.batch import default_jobs, render_batch
    from ..render.pack import select_documents
    from ..review.run import expand_paths

    select_documents(wanted)  # an unknown document name is an error before any work
    total = len(expand_paths(profils))
    if total == 0:
        raise click.UsageError("aucun fichier .yaml trouvé dans les chemins indiqués.")
    show = not quiet and sys.stderr.isatty()
    options = dict(documents=wanted, force=force, templates=templates, pdf=pdf, jobs=jobs or default_jobs())
    if show:
        with click.progressbar(length=total, label="Rendu des marchés", file=sys.stderr) as bar:
            result = render_batch(profils, out_dir, progress=bar.update, **options)
    else:
        result = render_batch(profils, out_dir, **options)
    for source, message in sorted(result.failures.items()):
        click.echo(f"échec : {source}\n  " + message.replace("\n", "\n  "), err=True)
    if not quiet:
        line = f"{len(result.produced)} marché(s) produit(s), {result.documents} document(s) dans {out_dir}"
        if result.failures:
            line += f" ; {len(result.failures)} en échec : " + ", ".join(sorted(result.failures))
        click.echo(line + ".")
    sys.exit(result.exit_code)


@cli.command(context_settings=CONTEXT_SETTINGS, short_help="Revue PFRA d'un ou plusieurs profils.")
@click.argument("profils", nargs=-1, type=click.Path(path_type=str))
@click.option("--format", "output_format", type=click.Choice(["texte", "json"]), default="texte", show_default=True, help="Forme de la sortie.")
@click.option("--documents", "documents", type=click.Path(exists=True, file_okay=False, path_type=str), default=None, metavar="DOSSIER", help="Dossier de documents produits à comparer au profil (plusieurs profils : un sous-dossier par marché, comme les écrit render).")
@click.option("--rules", "--regles", "list_rules", is_flag=True, help="Liste les règles de la revue et quitte.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N", help="Processus parallèles pour les gros volumes (par défaut : nombre de cœurs).")
@_handle_errors
def check(profils, output_format, documents, list_rules, jobs):
    """Revue d'un ou plusieurs profils par la plateforme régionale des achats (PFRA).

    \b
    PROFILS : fichiers .yaml ou dossiers (parcourus récursivement).
    Chaque constat donne sa gravité (erreur, avertissement, conseil), le code de la règle,
    ce qu'il faut faire, la référence juridique et la ligne du profil concernée.
    Code de sortie : 0 sans erreur, 1 si au moins une erreur, 2 si un profil est invalide.

    Exemples : clausegen check profiles/   ·   clausegen check --rules
    """
    from ..review.present import findings_as_json, findings_as_text, rules_as_json, rules_as_text
    from ..review.run import check_paths

    if list_rules:
        click.echo(rules_as_json() if output_format == "json" else rules_as_text())
        return
    if not profils:
        raise click.UsageError("indiquez au moins un profil ou un dossier (ou --rules).")
    folders = _documents_folders(profils, documents) if documents else None
    result = check_paths(profils, documents=folders, jobs=jobs or os.cpu_count() or 1)
    if not result.files:
        raise click.UsageError("aucun fichier .yaml trouvé dans les chemins indiqués.")
    if output_format == "json":
        click.echo(findings_as_json(result))
    else:
        for issue in result.invalid:
            click.echo(issue.format(), err=True)
        click.echo(findings_as_text(result))
    sys.exit(result.exit_code)


def _utf8_streams() -> None:
    """Write UTF-8 on stdout and stderr whatever the console or locale encoding (« → », « œ », espaces fines).

    ``clausegen check profiles/ > revue.txt`` under a cp1252 locale (Windows, PYTHONIOENCODING=cp1252) would
    otherwise stop on the first narrow no-break space. A Windows console is left with the encoding Python
    chose (UTF-16 console API since Python 3.6: every character shows); a legacy code-page console only
    gets ``errors="replace"`` so that an unknown character becomes « ? » instead of stopping the command.
    """
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is None:
            continue
        try:
            legacy_console = os.name == "nt" and stream.isatty() and (stream.encoding or "").lower().replace("-", "") != "utf8"
            if legacy_console:
                reconfigure(errors="replace")
            else:
                reconfigure(encoding="utf-8", errors="replace")
        except (OSError, ValueError, LookupError):  # a closed or exotic stream: leave it alone
            pass


def _documents_folders(profils, documents: str) -> dict:
    """``{profile path: folder of its documents}`` for ``check --documents DOSSIER``.

    One profile and a folder holding .docx files directly: that folder. Otherwise each profile is compared
    with ``DOSSIER/<référence>`` as ``render`` writes it (``safe_folder_name``); one profile whose sub-folder
    does not exist is compared with DOSSIER itself (its absent documents are reported). With several
    profiles, a missing sub-folder stops the review before it starts (exit 2), every one of them named.
    """
    from pathlib import Path

    from ..errors import ProfileError
    from ..profile.load import load_profile
    from ..render.batch import safe_folder_name
    from ..review.run import expand_paths

    root = Path(documents)
    files = expand_paths(profils)
    if len(files) == 1 and any(p.is_file() for p in root.glob("*.docx")):
        return {str(files[0]): root}
    folders: dict[str, Path] = {}
    missing: list[str] = []
    for path in files:
        try:
            profile = load_profile(path)
        except ProfileError:
            continue  # the review reports its problems
        reference = profile.marche.reference
        folder = root / safe_folder_name(reference)
        if folder.is_dir():
            folders[str(path)] = folder
        elif len(files) == 1:
            folders[str(path)] = root
        else:
            missing.append(f"  {path} (référence « {reference} ») : dossier {folder} introuvable")
    if missing:
        raise ClausegenError(
            f"--documents {documents} : {len(missing)} marché{'s' if len(missing) > 1 else ''} sans sous-dossier de documents ; "
            "rien n'a été relu.\n" + "\n".join(missing) + "\n"
            f"Avec plusieurs profils, chaque marché est comparé au sous-dossier que « clausegen render PROFILS -o {documents} » "
            "lui donne, nommé d'après sa référence. Produisez les documents manquants, ou retirez ces profils de la commande."
        )
    return folders


def main() -> None:  # console-script entry point, and ``python -m clausegen``
    _utf8_streams()
    cli(prog_name="clausegen")


if __name__ == "__main__":  # pragma: no cover
    main()
