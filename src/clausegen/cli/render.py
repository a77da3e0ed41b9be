"""``clausegen render``: the documents of one profile, or of many (one folder per market)."""

from __future__ import annotations

import contextlib
import os
import sys

import click

from .base import CONTEXT_SETTINGS, _handle_errors


@click.command(context_settings=CONTEXT_SETTINGS, short_help="Produit les documents .docx du DCE (ceux qui ont un objet pour le marché).")
@click.argument("profils", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-o", "--sortie", "out_dir", required=True, metavar="DOSSIER", type=click.Path(file_okay=False, path_type=str), help="Dossier où écrire les documents (créé s'il n'existe pas).")
@click.option("--documents", "documents", default="", metavar="LISTE", help="Documents à produire, séparés par des virgules : avis, rc, ccap, annexe-ae, memoire, fiche-caracterisation, suivi (par défaut : tous).")
@click.option("--force", is_flag=True, help="Remplace les fichiers existants (sinon, un fichier existant est une erreur et rien n'est écrit).")
@click.option("--pdf", is_flag=True, help="Produit aussi les PDF avec LibreOffice (un seul appel par dossier de marché).")
@click.option("--modeles", "--templates", "templates", type=click.Path(exists=True, file_okay=False, path_type=str), default=None, metavar="DOSSIER", help="Dossier de modèles .docx de l'acheteur ; les documents absents utilisent les modèles intégrés.")
@click.option("--retirer-liens-externes", "drop_external", is_flag=True, help="Retire des modèles de l'acheteur les liens et contenus chargés depuis l'extérieur (images liées, modèle attaché distant, liens vers des fichiers ou des partages, champs INCLUDEPICTURE…), avec un avertissement pour chacun, au lieu de refuser le modèle. Les macros et les champs DDE sont toujours refusés.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N", help="Processus parallèles pour plusieurs profils (par défaut : nombre de cœurs).")
@click.option("-q", "--quiet", "--silencieux", "quiet", is_flag=True, help="Sans barre de progression ni résumé.")
@_handle_errors
def render(profils, out_dir, documents, force, pdf, templates, drop_external, jobs, quiet):
    """Produit les sections de clause sociale du DCE (.docx) à partir d'un ou plusieurs profils.

    \b
    Un profil : fichiers écrits dans DOSSIER : avis.docx, rc.docx, ccap.docx, annexe-ae.docx,
    memoire.docx, fiche-caracterisation.docx, suivi.docx. Un document sans objet pour le marché
    n'est pas produit et la commande dit pourquoi (mémoire sans lot noté sur l'insertion, annexe
    sans heures ni critère, suivi sans parcours). Tout est préparé en mémoire puis déplacé : en cas
    d'erreur, le dossier de sortie reste tel qu'il était.
    Plusieurs profils ou un dossier : un sous-dossier par marché, nommé d'après sa référence ;
    les profils en échec sont nommés à la fin, les autres sont produits (code de sortie 2).
    Un modèle de l'acheteur qui charge du contenu depuis l'extérieur, contient des macros ou des
    champs DDE est refusé (code 2), le contenu en cause nommé ; --retirer-liens-externes retire
    ce qui peut l'être.

    \b
    Exemples : clausegen render profiles/travaux-qpv.yaml -o dce/
               clausegen render profiles/ -o dce/ --jobs 2
    """
    with _external_policy(drop_external):
        _external_warnings(templates, quiet)
        _render(profils, out_dir, documents, force, pdf, templates, jobs, quiet)


@contextlib.contextmanager
def _external_policy(drop: bool):
    """``--retirer-liens-externes``: the engine reads the policy from the environment, so that the worker
    processes of a batch follow it too; the templates prepared under it are forgotten afterwards."""
    from ..docx import external

    if not drop:
        yield
        return
    saved = os.environ.get(external.POLICY_VARIABLE)
    os.environ[external.POLICY_VARIABLE] = "retirer"
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(external.POLICY_VARIABLE, None)
        else:
            os.environ[external.POLICY_VARIABLE] = saved
        from ..docx.engine import prepare

        prepare.cache_clear()


def _external_warnings(templates, quiet: bool) -> None:
    """With the policy « retirer », one warning for each item removed from the buyer's templates."""
    from ..docx import container, external, folder
    from ..errors import RenderError
    from ..plan.documents import DOCUMENT_NAMES

    if not templates or quiet or external.policy() != "retirer":
        return
    for name in DOCUMENT_NAMES:
        try:
            path = folder.custom_template(templates, name)
            parts = container.read_docx(path.name, path.read_bytes(), external=False) if path else []
        except (RenderError, OSError):
            continue  # the render reports it
        for item in external.inspect(parts):
            if item.removable:
                click.echo(f"Attention : {path.name} : élément retiré du document produit : {item.describe()}.", err=True)


def _render(profils, out_dir, documents, force, pdf, templates, jobs, quiet):
    from pathlib import Path

    wanted = [d for d in documents.split(",") if d.strip()]
    if len(profils) == 1 and not Path(profils[0]).is_dir():
        from ..plan.build import build_plan
        from ..profile.load import load_profile
        from ..render.pack import render_pack, skipped_documents

        profile = load_profile(profils[0])
        plan = build_plan(profile)  # once: the pack and the list of documents left out read the same plan
        written = render_pack(profile, out_dir, documents=wanted, force=force, templates=templates, pdf=pdf, plan=plan)
        if not quiet:
            click.echo(f"{len(written)} fichier(s) écrit(s) dans {out_dir} : {', '.join(p.name for p in written)}")
            for name, reason in skipped_documents(profile, wanted, plan).items():
                click.echo(f"{name}.docx n'est pas produit : {reason}.", err=True)
        _template_warnings(templates, quiet)
        return
    _template_warnings(templates, quiet)
    _render_many(profils, out_dir, wanted, force, pdf, templates, jobs, quiet)


def _template_warnings(templates, quiet) -> None:
    """Files of the buyer's templates folder whose name is close to a document's but not exact."""
    if templates and not quiet:
        from ..render.templates import template_warnings

        for line in template_warnings(templates):
            click.echo(line, err=True)


def _render_many(profils, out_dir, wanted, force, pdf, templates, jobs, quiet):
    from ..many import default_jobs
    from ..render.batch import render_batch
    from ..plan.documents import select_documents
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


