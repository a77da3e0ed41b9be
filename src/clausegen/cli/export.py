"""``clausegen export decp|eforms PROFIL``: open-data exports of a profile, JSON on stdout.

Thin shell over ``clausegen.export``: the JSON goes to stdout, the French notes (fields the profile cannot
fill, mapping choices to confirm) to stderr, so that ``clausegen export decp p.yaml > decp.json`` keeps a
clean file. Exit 2 on an invalid profile (``_handle_errors``); ``export decp --strict`` exits 1, with nothing on
stdout, when the file is not a publishable DECP; ``export eforms --strict`` when the SDK would refuse the notice. Register with
``cli.add_command(export)``.
"""

from __future__ import annotations

import sys

import click

from .base import CONTEXT_SETTINGS, EXIT_FINDINGS, _FrenchGroup, _handle_errors


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


def _emit(result, out=None, force=False) -> None:
    """The JSON on stdout, or written atomically to ``out`` (never a partial file, never over a folder or
    a device, an existing file only with --force); the notes on stderr."""
    if out:
        result.write(out, force=force)
        click.echo(f"Export écrit dans {out}.", err=True)
    else:
        click.echo(result.to_json())
    for note in result.notes:
        click.echo(note, err=True)


def _output_options(func):
    func = click.option("--force", is_flag=True, help="Remplace le fichier de sortie s'il existe.")(func)
    return click.option("-o", "--sortie", "out", metavar="FICHIER", type=click.Path(dir_okay=False, path_type=str), default=None,
                        help="Écrit le JSON dans FICHIER (écriture atomique) au lieu de la sortie standard.")(func)


def _publication_date(ctx, param, value):
    if value is None:
        return None
    from ..profile.values import ValueProblem, parse_date

    try:
        return parse_date(value)
    except ValueProblem as problem:
        raise click.BadParameter(f"{problem.message} Attendu : {problem.expected}.") from None


@export.command(name="decp", context_settings=CONTEXT_SETTINGS, short_help="Données essentielles (DECP v2), un marché par lot.")
@click.argument("profil", type=click.Path(dir_okay=False, path_type=str))
@click.option("--strict", is_flag=True, help="Valide le fichier contre le schéma DECP officiel embarqué : code 1 et rien sur la sortie standard s'il n'est pas complet et valide.")
@click.option("--date-publication-donnees", "published", metavar="AAAA-MM-JJ", callback=_publication_date, help="Date de première publication des données essentielles (datePublicationDonnees).")
@_output_options
@_handle_errors
def decp(profil, strict, published, out, force):
    """Données essentielles au format DECP v2 (schéma 2.0.3), un marché par lot, en JSON.

    \b
    Chaque lot est attribué comme un marché distinct : un enregistrement par lot, avec son
    identifiant (lots[].id_decp, ou la référence suivie du numéro du lot), son objet, son
    montant (montant notifié, ou maximum de l'accord-cadre), son code CPV, son lieu, sa durée,
    ses prix et ses considérations (ceux du lot, à défaut ceux du marché) et ses titulaires. Le fichier est un brouillon pré-rempli : seules les valeurs que le profil
    donne comme des faits du marché sont écrites ; les champs obligatoires manquants, dont
    ceux que fixe l'attribution (date de notification, offres reçues, titulaires…), sont
    listés marché par marché sur la sortie d'erreur avec la clé du profil qui les remplit.

    \b
    Tant qu'il n'est pas publiable, le fichier porte en tête la clé « brouillon » (publiable :
    false, et ce qui manque marché par marché), à côté de « marches » : un fichier publiable
    n'en a jamais.

    \b
    Avec --strict, le fichier est validé contre le schéma officiel embarqué, et refusé si les
    données seraient publiées avant la notification, si la notification précède le lancement
    de la consultation, si un identifiant est blanc ou contient des caractères à éviter, si le
    groupement contredit ses titulaires ou si un montant est inférieur à 1 € : les erreurs
    sont données en français (marché, champ) et la commande sort avec le code 1 sans rien
    écrire sur la sortie standard.

    \b
    Exemples :
      clausegen export decp profiles/nettoyage-accord-cadre.yaml > brouillon-decp.json
      clausegen export decp docs/exemples/profil-attribue.yaml --strict --date-publication-donnees 2027-06-15 > decp.json
    """
    from ..export.decp import export_decp
    from ..profile.load import load_profile

    result = export_decp(load_profile(profil), date_publication_donnees=published)
    if not strict:
        _emit(result, out, force)
        return
    errors = result.strict_errors()
    if errors:
        click.echo("Le fichier n'est pas une DECP publiable : incomplète, invalide au regard du schéma officiel (DECP 2.0.3) ou refusée :", err=True)
        for error in errors:
            click.echo(f"  - {error}", err=True)
        for note in ([result.legend] if result.legend else []) + result.remarks:
            click.echo(note, err=True)
        sys.exit(EXIT_FINDINGS)
    _emit(result, out, force)


@export.command(name="eforms", context_settings=CONTEXT_SETTINGS, short_help="eForms : termes métier par lot (JSON) ou avis de marché (XML).")
@click.argument("profil", type=click.Path(dir_okay=False, path_type=str))
@click.option("--type-avis", "notice_type", default=None, metavar="TYPE",
              help="Sous-type d'avis eForms visé : 16 (avis de marché, directive générale), 20 (régime assoupli), 17, 21, E3 (avis volontaire)… "
                   "Par défaut, celui qu'appelle le profil : 20 pour des services sociaux, 16 sinon, aucun sous les seuils européens.")
@click.option("--format", "fmt", type=click.Choice(["json", "xml"]), default="json", show_default=True,
              help="json : termes métier des considérations sociales par lot ; xml : avis de marché eForms (UBL ContractNotice 2.3) à importer dans un éditeur d'avis.")
@click.option("--strict", is_flag=True, help="Refuse (code 1, rien sur la sortie standard) ce que les règles du SDK eForms refuseraient.")
@_output_options
@_handle_errors
def eforms(profil, notice_type, fmt, strict, out, force):
    """Termes métier eForms (SDK 1.15.1) de chaque lot, en JSON, ou avis de marché eForms en XML.

    \b
    Par lot (LOT-0001, LOT-0002…) : intitulé (BT-21), code CPV principal (BT-262), durée
    (BT-36), objectif du marché public stratégique (BT-06 : soc-obj, env-imp) et sa
    description (BT-777), objectif social promu (BT-775), participation réservée (BT-71)
    avec les articles du code qui fondent la réservation, exécution dans le cadre de
    programmes d'emplois protégés (BT-736), conditions d'exécution (BT-70), critères
    d'attribution de la grille (BT-539, BT-734, BT-540, BT-541, BT-5421) ; chaque code lu
    dans les listes du SDK embarquées. Un lot réservé « res-pub-ser » (ESS) est contrôlé
    contre les règles du SDK (code CPV principal, durée de trois ans au plus).

    \b
    Avec --format xml, l'avis (UBL ContractNotice 2.3 et extensions eForms, aux xpaths du
    fichier fields.json du SDK) contient tout ce que le profil sait ; chaque valeur est
    contrôlée contre le motif et la liste de codes de son champ.

    \b
    Exemples :
      clausegen export eforms profiles/fournitures-lot-reserve.yaml > eforms.json
      clausegen export eforms docs/exemples/profil-attribue.yaml --format xml > avis.xml
    """
    from ..export.eforms import export_eforms
    from ..export.eforms_xml import export_eforms_xml
    from ..profile.load import load_profile

    profile = load_profile(profil)
    result = export_eforms_xml(profile, notice_type=notice_type) if fmt == "xml" else export_eforms(profile, notice_type=notice_type)
    if strict and result.refusals:
        click.echo("L'avis serait refusé par les règles du SDK eForms :", err=True)
        for refusal in result.refusals:
            click.echo(f"  - {refusal}", err=True)
        sys.exit(EXIT_FINDINGS)
    if fmt == "xml":
        if out:
            result.write(out, force=force)
            click.echo(f"Avis écrit dans {out}.", err=True)
        else:
            click.echo(result.xml.decode("utf-8"), nl=False)
        for note in result.notes:
            click.echo(note, err=True)
        return
    _emit(result, out, force)
