"""``clausegen export decp|eforms PROFIL``: open-data exports of a profile, JSON on stdout.

Thin shell over ``clausegen.export``: the JSON goes to stdout, the French notes (fields the profile cannot
fill, mapping choices to confirm) to stderr, so that ``clausegen export decp p.yaml > decp.json`` keeps a
clean file. Exit 2 on an invalid profile (``_handle_errors``). Register with ``cli.add_command(export)``.
"""

from __future__ import annotations

import click

from .cli import CONTEXT_SETTINGS, _FrenchGroup, _handle_errors


@click.group(name="export", cls=_FrenchGroup, context_settings=CONTEXT_SETTINGS, short_help="Données ouvertes : DECP et codes eForms, en JSON.")
def export():
    """Exporte les données d'un profil aux formats des données ouvertes de la commande publique.

    \b
    Le JSON est écrit sur la sortie standard ; les remarques (champs que le profil ne permet pas
    de remplir, correspondances à confirmer) sur la sortie d'erreur.

    \b
    Exemples :
      clausegen export decp profiles/travaux-qpv.yaml > decp.json
      clausegen export eforms profiles/travaux-qpv.yaml
    """


def _emit(result) -> None:
    click.echo(result.to_json())
    for note in result.notes:
        click.echo(note, err=True)


@export.command(name="decp", context_settings=CONTEXT_SETTINGS, short_help="Données essentielles (DECP v2) du marché.")
@click.argument("profil", type=click.Path(dir_okay=False, path_type=str))
@_handle_errors
def decp(profil):
    """Données essentielles du marché au format DECP v2 (schéma 2.0.3), en JSON.

    \b
    Seuls les champs que le profil permet de remplir sont produits (identifiant, nature, objet,
    code CPV, techniques d'achat, modalités d'exécution, CCAG, procédure, durée, montant,
    considérations sociales et environnementales), avec les valeurs admises par le schéma.
    Les champs obligatoires restant à compléter (SIRET de l'acheteur, date de notification…)
    sont listés sur la sortie d'erreur.

    \b
    Exemple :
      clausegen export decp profiles/nettoyage-accord-cadre.yaml > decp.json
    """
    from .export.decp import export_decp
    from .profile.load import load_profile

    _emit(export_decp(load_profile(profil)))


@export.command(name="eforms", context_settings=CONTEXT_SETTINGS, short_help="Codes eForms des considérations sociales, par lot.")
@click.argument("profil", type=click.Path(dir_okay=False, path_type=str))
@_handle_errors
def eforms(profil):
    """Termes métier eForms (SDK 1.15) des considérations sociales de chaque lot, en JSON.

    \b
    Par lot (LOT-0001, LOT-0002…) : marché stratégique (BT-06), objectif social promu (BT-775),
    marché réservé (BT-71) avec les articles du code qui fondent la réservation, exécution
    réservée (BT-736) ; chaque valeur avec son code, sa liste et son libellé officiel.

    \b
    Exemple :
      clausegen export eforms profiles/fournitures-lot-reserve.yaml > eforms.json
    """
    from .export.eforms import export_eforms
    from .profile.load import load_profile

    _emit(export_eforms(load_profile(profil)))
