"""``clausegen cache``: where clausegen keeps its prepared templates and schema, how much room they take,
and ``--vider`` to empty the folder (everything in it is computed again when needed)."""

from __future__ import annotations

import click

from .base import CONTEXT_SETTINGS, _handle_errors


def _size(n: int) -> str:
    from ..fmt import NNBSP, nombre

    if n < 1024 * 1024:
        return f"{nombre(round(n / 1024))} Kio".replace(NNBSP, " ")
    return f"{n / 1024 / 1024:.1f}".removesuffix(".0").replace(".", ",") + " Mio"


@click.command("cache", context_settings=CONTEXT_SETTINGS, short_help="Dossier du cache de clausegen : emplacement, taille, vidage.")
@click.option("--vider", is_flag=True, help="Supprime tout le contenu du cache (il se reconstitue au besoin).")
@_handle_errors
def cache(vider):
    """Affiche le dossier du cache de clausegen (modèles compilés, schéma) et sa taille.

    \b
    Le cache ne fait que gagner du temps : le supprimer ne change rien aux documents produits.
    Il est borné (les entrées de plus de 30 jours et, au-delà de 100 Mio, les plus anciennes
    sont supprimées) ; CLAUSEGEN_NO_CACHE=1 le désactive, XDG_CACHE_HOME le déplace.

    Exemples : clausegen cache   ·   clausegen cache --vider
    """
    import os

    from .. import cache as store

    root, files, size = store.usage()
    if root is None:
        click.echo("Aucun dossier de cache : pas de dossier personnel utilisable (HOME ou XDG_CACHE_HOME).")
        return
    off = " (désactivé par CLAUSEGEN_NO_CACHE=1)" if os.environ.get("CLAUSEGEN_NO_CACHE") == "1" else ""
    if vider:
        removed, freed = store.empty()
        left = store.usage()[1]
        click.echo(f"Cache vidé : {root}{off} ({removed} fichier{'s' if removed > 1 else ''}, {_size(freed)} libérés).")
        if left:
            click.echo(f"{left} fichier{'s' if left > 1 else ''} n'ont pas pu être supprimés (droits ?).", err=True)
        return
    click.echo(f"Cache : {root}{off}")
    click.echo(f"{files} fichier{'s' if files > 1 else ''}, {_size(size)} (au plus {_size(store.MAX_BYTES)}, "
               f"entrées de plus de {store.MAX_AGE_DAYS} jours supprimées).")
