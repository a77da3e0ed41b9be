"""The ``clausegen`` command: a thin French shell over the library.

Exit codes, in one place: 0 success; 1 the review found at least one « erreur »; 2 bad input or output
(any ``ClausegenError``). Heavy modules are imported inside the commands so that ``--help`` is quick.
"""

from __future__ import annotations

import functools
import json
import sys

import click

from . import __version__, _click_fr
from .errors import ClausegenError

_click_fr.install()

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def _handle_errors(func):
    """Translate library errors into a French message on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except ClausegenError as exc:
            click.echo(str(exc), err=True)
            count = len(getattr(exc, "issues", []) or [])
            if count > 1:
                click.echo(f"{count} problèmes : rien n'a été produit.", err=True)
            sys.exit(exc.exit_code)

    return wrapper


class _FrenchGroup(click.Group):
    # Commands defined in their own modules, imported only when used (click's lazy-group pattern).
    LAZY = {
        "init": "clausegen.cli_init:init",
        "report": "clausegen.cli_report:report",
        "export": "clausegen.cli_export:export",
        "templates": "clausegen.cli_templates:templates",
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


@click.group(cls=_FrenchGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", "-V", prog_name="clausegen", message="%(prog)s %(version)s", help="Affiche la version et quitte.")
def cli():
    """Rédige les clauses sociales d'insertion d'un marché public à partir d'un profil YAML.

    \b
    Exemples :
      clausegen calc profiles/travaux-qpv.yaml      heures d'insertion et calcul détaillé
      clausegen render profiles/travaux-qpv.yaml -o dce/   les sept documents .docx
      clausegen schema > profil.schema.json          schéma pour l'éditeur
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
    from .calc import compute_hours
    from .profile.load import load_profile
    from .working import hours_as_dict, hours_as_text

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
    from .profile.schema import profile_schema

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
        from .profile.load import load_profile
        from .render.pack import render_pack, skipped_documents

        profile = load_profile(profils[0])
        written = render_pack(profile, out_dir, documents=wanted, force=force, templates=templates, pdf=pdf)
        if not quiet:
            click.echo(f"{len(written)} fichier(s) écrit(s) dans {out_dir} : {', '.join(p.name for p in written)}")
            for name, reason in skipped_documents(profile, wanted).items():
                click.echo(f"{name}.docx n'est pas produit : {reason}.", err=True)
        return
    _render_many(profils, out_dir, wanted, force, pdf, templates, jobs, quiet)


def _render_many(profils, out_dir, wanted, force, pdf, templates, jobs, quiet):
    from .render.batch import default_jobs, render_batch
    from .render.pack import select_documents
    from .review.run import expand_paths

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
@click.option("--documents", "documents", type=click.Path(exists=True, file_okay=False, path_type=str), default=None, metavar="DOSSIER", help="Dossier de documents produits à comparer au profil (un seul profil).")
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
    from .review.present import findings_as_json, findings_as_text, rules_as_json, rules_as_text
    from .review.run import check_paths

    if list_rules:
        click.echo(rules_as_json() if output_format == "json" else rules_as_text())
        return
    if not profils:
        raise click.UsageError("indiquez au moins un profil ou un dossier (ou --rules).")
    if documents and len(profils) != 1:
        raise click.UsageError("--documents compare un seul profil à son dossier de documents.")
    import os

    result = check_paths(profils, documents=documents, jobs=jobs or os.cpu_count() or 1)
    if not result.files:
        raise click.UsageError("aucun fichier .yaml trouvé dans les chemins indiqués.")
    if output_format == "json":
        click.echo(findings_as_json(result))
    else:
        for issue in result.invalid:
            click.echo(issue.format(), err=True)
        click.echo(findings_as_text(result))
    sys.exit(result.exit_code)


def main() -> None:  # console-script entry point
    cli(prog_name="clausegen")


if __name__ == "__main__":  # pragma: no cover
    main()
