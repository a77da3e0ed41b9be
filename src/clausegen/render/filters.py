"""Jinja filters available to templates (French names, as template authors type them).

Figures reach templates raw (``Decimal``, ``int``, ``date``) and are formatted here, so a template never
formats a number by hand and every document writes « 744 heures » the same way.
"""

from __future__ import annotations

from decimal import Decimal

from .. import fmt
from ..docx.vocabulary import Vocabulary


def _heures(value) -> str:
    return fmt.heures(value)


def _nombre(value, places: int | None = None) -> str:
    return fmt.nombre(value, places)


def _montant(value, places: int = 2) -> str:
    return fmt.montant(value, places)


def _taux(value) -> str:
    return fmt.taux(value)


def _pourcent_points(value) -> str:
    """An integer number of points out of 100 → « 20 points »."""
    n = Decimal(value)
    return f"{fmt.nombre(n)}{fmt.NBSP}point{'s' if abs(n) >= 2 else ''}"


FILTERS = {
    "exact": fmt.exact,
    "heures": _heures,
    "nombre": _nombre,
    "montant": _montant,
    "taux": _taux,
    "points": _pourcent_points,
    "date_longue": fmt.date_longue,
    "article": fmt.article,
    "articles": fmt.articles,
    "liste": fmt.liste,
}

FILTER_DOCS = {
    "exact": ("Résultat d'un calcul, exact ou tronqué à 4 décimales suivi de « … », pour que l'arrondi se vérifie à l'œil.", "721,4955…"),
    "heures": ("Nombre d'heures avec son unité, espace insécable.", "744 heures"),
    "nombre": ("Nombre à la française ; argument optionnel : nombre de décimales.", "1 607 ; 2,48"),
    "montant": ("Montant en euros, deux décimales par défaut.", "1 250 000,00 €"),
    "taux": ("Fraction affichée en pourcentage.", "7 %"),
    "points": ("Nombre de points d'un sous-critère.", "20 points"),
    "date_longue": ("Date en toutes lettres.", "15 décembre 2026"),
    "article": ("Article du code à la française.", "L. 2112-2"),
    "articles": ("Liste d'articles, « à » pour une suite continue.", "L. 2112-2 à L. 2112-4"),
    "liste": ("Liste de textes reliés par des virgules et « et » (argument : autre conjonction).", "a, b et c"),
}


def _variable_names():
    from .glossary import load_glossary

    return load_glossary().top_names


# What clausegen's templates render with: these filters, the text and figure filters among them (the
# sandbox bounds their arguments), and the glossary's names for suggestions.
VOCABULARY = Vocabulary(
    filters=FILTERS,
    text_filters=frozenset({"article", "articles", "liste"}),
    figure_filters=frozenset({"exact", "heures", "nombre", "montant", "taux", "points"}),
    names=_variable_names,
    tag="clausegen",
)
