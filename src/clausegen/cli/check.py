"""``clausegen check``: the PFRA review of one or many profiles, and of the documents produced."""

from __future__ import annotations

import os
import sys

import click

from ..errors import ClausegenError
from .base import CONTEXT_SETTINGS, _handle_errors


@click.command(context_settings=CONTEXT_SETTINGS, short_help="Revue PFRA d'un ou plusieurs profils.")
@click.argument("profils", nargs=-1, type=click.Path(allow_dash=True, path_type=str))
@click.option("--format", "output_format", type=click.Choice(["texte", "json"]), default="texte", show_default=True, help="Forme de la sortie.")
@click.option("--documents", "documents", type=click.Path(exists=True, file_okay=False, path_type=str), default=None, metavar="DOSSIER", help="Dossier de documents produits à comparer au profil (plusieurs profils : un sous-dossier par marché, comme les écrit render).")
@click.option("--rules", "--regles", "list_rules", is_flag=True, help="Liste les règles de la revue et quitte. Suivie de codes de règles (check --rules a-completer), affiche leur documentation.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None, metavar="N", help="Processus parallèles pour les gros volumes (par défaut : nombre de cœurs).")
@_handle_errors
def check(profils, output_format, documents, list_rules, jobs):
    """Revue d'un ou plusieurs profils par la plateforme régionale des achats (PFRA).

    \b
    PROFILS : fichiers .yaml ou dossiers (parcourus récursivement) ; « - » lit un profil sur
    l'entrée standard. Chaque constat donne sa gravité (erreur, avertissement, conseil), le code
    de la règle, ce qu'il faut faire, la référence juridique et la ligne du profil concernée.
    Code de sortie : 0 sans erreur, 1 si au moins une erreur, 2 si un profil est invalide.

    \b
    --rules seule liste les règles ; --rules CODE… affiche la documentation de ces règles
    (ce que vérifie la règle, pourquoi, exemple, à la place, référence).

    Exemples : clausegen check profiles/   ·   clausegen check --rules   ·   clausegen check --rules a-completer
    """
    from ..review.present import findings_as_json, findings_as_text, rules_as_json, rules_as_text
    from ..review.run import check_paths

    if list_rules:
        if profils:
            click.echo(rules_documentation(profils, output_format))
        else:
            click.echo(rules_as_json() if output_format == "json" else rules_as_text())
        return
    if not profils:
        raise click.UsageError("indiquez au moins un profil ou un dossier (ou --rules).")
    if "-" in profils:
        if len(profils) > 1:
            raise click.UsageError("« - » (un profil lu sur l'entrée standard) ne se combine pas avec d'autres profils.")
        result = _check_stdin(documents)
    else:
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


def _check_stdin(documents):
    """The review of the profile read on the standard input (« <entrée standard> » in every message)."""
    from ..errors import ProfileError
    from ..review.run import CheckResult, review_profile
    from .inputs import STDIN_NAME, load_profile_arg

    result = CheckResult(files=[STDIN_NAME])
    try:
        profile = load_profile_arg("-")
    except ProfileError as exc:
        result.invalid += exc.issues
        return result
    result.findings += review_profile(profile, documents=documents)
    return result


def rules_documentation(ids, output_format: str) -> str:
    """The full documentation of the rules ``ids`` (``check --rules a-completer``); an unknown code is a
    usage error that lists the close ones."""
    import difflib
    import inspect
    import json

    from ..law.registry import load_registry
    from ..review.rules import BY_ID

    unknown = [i for i in ids if i not in BY_ID]
    if unknown:
        hints = []
        for rule_id in unknown:
            near = difflib.get_close_matches(rule_id, list(BY_ID), n=1)
            hints.append(f"« {rule_id} »" + (f" (vouliez-vous dire « {near[0]} » ?)" if near else ""))
        raise click.UsageError(f"règle inconnue : {', '.join(hints)}. « clausegen check --rules » les liste toutes.")
    law = load_registry()
    rules = [BY_ID[i] for i in dict.fromkeys(ids)]
    if output_format == "json":
        return json.dumps([{"regle": r.ID, "gravite": r.SEVERITY, "reference": r.reference(law),
                            "documentation": inspect.cleandoc(r.__doc__ or "")} for r in rules], ensure_ascii=False, indent=2)
    blocks = [f"{r.ID}  ({r.SEVERITY})\n{inspect.cleandoc(r.__doc__ or '')}\nRéférence juridique : {r.reference(law)}" for r in rules]
    return "\n\n".join(blocks)


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


