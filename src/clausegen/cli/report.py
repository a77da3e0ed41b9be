"""The ``clausegen report`` command: portfolio indicators (xlsx or html) and pooling of hours by company."""

from __future__ import annotations

import click

from .base import CONTEXT_SETTINGS, _handle_errors


def _plural(n: int, word: str) -> str:
    from ..fmt import NNBSP, nombre

    return f"{nombre(n).replace(NNBSP, ' ')} {word}{'s' if n > 1 else ''}"


EXTENSIONS = {"xlsx": (".xlsx",), "html": (".html", ".htm")}
# Extensions that another program opens on a double click: a report written under one would not open.
_OTHER_TYPES = {".pdf", ".doc", ".docx", ".odt", ".ods", ".xls", ".xlsm", ".xlsb", ".csv", ".txt", ".json", ".xml",
                ".zip", ".yaml", ".yml", ".png", ".jpg", ".svg", ".rtf", ".md"}


def _windows() -> bool:
    import os

    return os.name == "nt"


def _check_output(output: str, output_format: str | None) -> None:
    """Refuse, before any work, a report destination that cannot be right (exit 2): an extension that is
    not the report's, a folder, a device (``/dev/null``, ``CON`` or ``NUL`` on Windows) or ``-``."""
    import stat
    from pathlib import Path

    from ..errors import OutputError
    from ..files.names import _WINDOWS_RESERVED

    if output == "-":
        raise click.UsageError("-o - : le rapport ne s'écrit pas sur la sortie standard ; indiquez un fichier, comme « rapport.xlsx ».")
    path = Path(output)
    try:
        mode = path.stat().st_mode
    except OSError:
        mode = None
    if mode is not None and stat.S_ISDIR(mode):
        raise OutputError(f"{output} est un dossier : indiquez un nom de fichier, comme « {path / 'rapport.xlsx'} ». Rien n'a été écrit.")
    device = _windows() and path.name.split(".")[0].rstrip(" ").lower() in _WINDOWS_RESERVED
    if device or (mode is not None and not stat.S_ISREG(mode)):
        raise OutputError(f"{output} n'est pas un fichier ordinaire (périphérique, tube ou socket) : indiquez un fichier, comme « rapport.xlsx ». Rien n'a été écrit.")
    suffix = path.suffix.lower()
    known = {ext: fmt for fmt, exts in EXTENSIONS.items() for ext in exts}
    if output_format is None:
        if suffix not in known:
            shown = f"extension « {path.suffix} » non prise en charge" if path.suffix else "nom de fichier sans extension"
            raise click.UsageError(f"-o {output} : {shown} ; le rapport s'écrit dans un fichier .xlsx (classeur Excel) ou .html (page web). Rien n'a été écrit.")
        return
    if suffix in known and known[suffix] != output_format or suffix in _OTHER_TYPES:
        expected = " ou ".join(EXTENSIONS[output_format])
        raise click.UsageError(f"-o {output} : l'extension « {path.suffix} » ne correspond pas au format {output_format} demandé "
                               f"(le fichier ne s'ouvrirait pas) ; nommez-le en {expected}, ou changez --format. Rien n'a été écrit.")


@click.command("report", context_settings=CONTEXT_SETTINGS, short_help="Rapport de portefeuille (xlsx ou html) et mutualisation des heures.")
@click.argument("profils", nargs=-1, type=click.Path(path_type=str))
@click.option("-o", "--sortie", "output", metavar="FICHIER", type=click.Path(path_type=str), default=None,
              help="Fichier du rapport (.xlsx ou .html). Facultatif avec --mutualisation seule.")
@click.option("--format", "output_format", type=click.Choice(["xlsx", "html"]), default=None,
              help="Forme du rapport : classeur Excel ou page HTML autonome (par défaut : selon l'extension de -o, sinon xlsx).")
@click.option("--mutualisation", is_flag=True,
              help="Affiche les heures dues par entreprise titulaire et le gain de parcours d'une mutualisation ; ajoute une feuille (ou une section) « Mutualisation » au rapport.")
@click.option("--ignorer-invalides", "skip_invalid", is_flag=True,
              help="Continue avec les profils valides (les erreurs des autres sont affichées) au lieu de ne rien produire.")
@click.option("--force", is_flag=True, help="Remplace le fichier de sortie s'il existe.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N",
              help="Processus parallèles pour les gros volumes, plus de 50 profils (par défaut : nombre de cœurs).")
@_handle_errors
def report(profils, output, output_format, mutualisation, skip_invalid, force, jobs):
    """Rapport de portefeuille : indicateurs de la clause sociale sur plusieurs marchés.

    \b
    PROFILS : fichiers .yaml ou dossiers (parcourus récursivement).
    Indicateurs connus avant l'exécution (instruction du 11 avril 2019, fiche 3) :
    marchés et lots avec heures, lots réservés, marchés d'insertion, heures prévues,
    parcours de 300 heures et ETP estimés, par type d'acheteur, par nature, par base
    juridique et par taille de marché, avec graphiques, et le tableau des marchés.
    Un profil invalide : toutes ses erreurs sont affichées et rien n'est écrit (code 2),
    sauf avec --ignorer-invalides.

    \b
    Exemples :
      clausegen report profiles/ -o rapport.xlsx
      clausegen report profiles/ -o rapport.html --mutualisation
      clausegen report marches/ --mutualisation
    """
    from .. import fmt
    from ..report import build_report, format_for, load_portfolio

    if not profils:
        raise click.UsageError("indiquez au moins un profil ou un dossier.")
    if not output and not mutualisation:
        raise click.UsageError("indiquez le fichier du rapport avec -o (ou demandez --mutualisation).")
    if output_format and not output:
        raise click.UsageError("--format demande un fichier de sortie (-o).")
    if output:
        _check_output(output, output_format)
    import os

    portfolio = load_portfolio(profils, skip_invalid=skip_invalid, jobs=jobs or os.cpu_count() or 1)
    if not portfolio.files:
        raise click.UsageError("aucun fichier .yaml trouvé dans les chemins indiqués.")
    if portfolio.invalid:
        for issue in portfolio.invalid:
            click.echo(issue.format(), err=True)
        click.echo(f"{_plural(len(portfolio.invalid_files), 'profil invalide')} ignoré{'s' if len(portfolio.invalid_files) > 1 else ''} "
                   f"sur {len(portfolio.files)} : le rapport porte sur les {_plural(len(portfolio.results), 'profil')} valide{'s' if len(portfolio.results) > 1 else ''}.", err=True)
    indicators = portfolio.indicators()
    for warning in indicators.warnings:
        click.echo(f"Attention : {warning}", err=True)
    written = None
    if output:
        written = build_report(portfolio, output, output_format=output_format, mutualisation=mutualisation, force=force)
    if mutualisation:
        from ..report.mutualisation import mutualisation_as_text

        click.echo(mutualisation_as_text(portfolio.mutualisation()))
    if written is not None:
        s = indicators.summary
        hours = fmt.nombre(s.heures).replace(fmt.NNBSP, " ")
        click.echo(f"{'' if not mutualisation else chr(10)}Rapport {format_for(output, output_format)} écrit dans {written} : "
                   f"{_plural(s.marches, 'marché')}, {_plural(s.lots, 'lot')}, {hours} heure{'s' if s.heures > 1 else ''} prévue{'s' if s.heures > 1 else ''}.")
