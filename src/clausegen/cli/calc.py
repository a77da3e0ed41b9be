"""``clausegen calc`` (hours and their working) and ``clausegen schema`` (the profile format as JSON Schema)."""

from __future__ import annotations

import json
import sys

import click

from .base import CONTEXT_SETTINGS, _handle_errors


@click.command(context_settings=CONTEXT_SETTINGS, short_help="Heures d'insertion par lot, avec le calcul détaillé.")
@click.argument("profil", type=click.Path(dir_okay=False, allow_dash=True, path_type=str))
@click.option("--format", "output_format", type=click.Choice(["texte", "json"]), default="texte", show_default=True, help="Forme de la sortie : tableau lisible ou JSON pour les outils.")
@_handle_errors
def calc(profil, output_format):
    """Calcule le volume d'heures d'insertion de chaque lot et montre le calcul.

    \b
    Formule : heures = montant HT × part de main-d'œuvre ÷ coût horaire × taux d'insertion,
    arrondie à l'heure (demi supérieur) sauf règle « calcul.arrondi » du profil.

    PROFIL « - » : le profil est lu sur l'entrée standard. Un profil invalide : code 2 ; avec
    --format json, ses erreurs sont écrites en JSON sur la sortie standard
    ({"erreurs": [{"fichier", "ligne", "colonne", "champ", "message", "attendu", "suggestion"}]})
    et en clair sur la sortie d'erreur.

    Exemple : clausegen calc profiles/travaux-qpv.yaml --format json
    """
    from ..calc import compute_hours
    from ..errors import ProfileError
    from ..working import hours_as_dict, hours_as_text
    from .base import EXIT_INPUT, _report_clausegen_error
    from .inputs import load_profile_arg

    try:
        profile = load_profile_arg(profil)
    except ProfileError as exc:
        if output_format != "json":
            raise
        click.echo(json.dumps({"erreurs": [issue.as_dict() for issue in exc.issues]}, ensure_ascii=False, indent=2))
        _report_clausegen_error(exc)  # and, for the person, the same messages on the error output
        sys.exit(EXIT_INPUT)
    result = compute_hours(profile)
    if output_format == "json":
        click.echo(json.dumps(hours_as_dict(result), ensure_ascii=False, indent=2))
    else:
        click.echo(hours_as_text(result))


@click.command(context_settings=CONTEXT_SETTINGS, short_help="Schéma JSON des profils, pour l'éditeur.")
@_handle_errors
def schema():
    """Affiche le schéma JSON des profils (pour l'autocomplétion dans l'éditeur).

    \b
    Enregistrez-le puis ajoutez en tête du profil :
      # yaml-language-server: $schema=profil.schema.json
    """
    from ..profile.schema import profile_schema

    click.echo(json.dumps(profile_schema(), ensure_ascii=False, indent=2))


