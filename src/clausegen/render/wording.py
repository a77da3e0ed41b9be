"""Wording that depends on the profile rather than on the law: article numbering of the host documents,
periods of a renewable market, the running header. (Who follows the clause and the shared sentences are the
plan's: ``plan.texts``.)

Templates reach these through the context (``num``, ``marche.reconduction``…); nothing here prints a note to
the buyer.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..working import period_label, period_text

TITLE_CCAP = "Action d'insertion professionnelle"
TITLE_RC = "Clause sociale d'insertion"


@dataclass(frozen=True)
class Numbering:
    """Numbers of the host article and of its sub-articles.

    With ``article`` (« 12 »): « Article 12 – Action d'insertion professionnelle », sub-articles
    « Article 12.3 – … », internal references « l'article 12.3 ». Without it, a neutral numbering that
    reads correctly wherever the buyer pastes the text: the article has no number, its sub-articles are
    « 3. … » and internal references say « le point 3 du présent article »; the fiche de caractérisation
    lists the renumbering to do.
    """

    article: str | None
    titre_article: str
    document: str  # « CCAP », « règlement de la consultation »
    objet: str  # « l'action d'insertion professionnelle », for references without a number

    @property
    def numerote(self) -> bool:
        return self.article is not None

    @property
    def titre(self) -> str:
        return f"Article {self.article} – {self.titre_article}" if self.article else self.titre_article

    def sous(self, n: int, titre: str) -> str:
        """Heading of sub-article ``n``: « Article 12.3 – Titre » or « 3. Titre »."""
        return f"Article {self.article}.{n} – {titre}" if self.article else f"{n}. {titre}"

    def renvoi(self, n: int | None = None) -> str:
        """Internal reference: « l'article 12.3 » / « le point 3 du présent article » (« le présent article »)."""
        if n is None:
            return "le présent article"
        return f"l'article {self.article}.{n}" if self.article else f"le point {n} du présent article"

    def renvoi_externe(self, n: int | None = None) -> str:
        """Reference from another document: « l'article 12.3 du CCAP » / « l'article du CCAP relatif à
        l'action d'insertion professionnelle »."""
        if self.article:
            return f"l'article {self.article}{'.' + str(n) if n else ''} du {self.document}"
        where = f" (point {n})" if n else ""
        return f"l'article du {self.document} relatif à {self.objet}{where}"


def numbering(profile, titles: dict | None = None) -> dict:
    """``num.ccap`` and ``num.rc`` as plain blocks (values and functions), so templates and the glossary
    see every attribute: ``article``, ``numerote``, ``titre``, ``sous(n, titre)``, ``renvoi(n)``,
    ``renvoi_externe(n)``. ``titles``: the plan's titles of the pieces (an ESS-only market's CCAP article is
    not an « action d'insertion professionnelle »)."""
    m = profile.marche
    titles = titles or {"ccap": TITLE_CCAP, "rc": TITLE_RC, "objet": "l'action d'insertion professionnelle", "objet_rc": "la clause sociale d'insertion"}

    def block(n: Numbering) -> dict:
        return {
            "article": n.article,
            "numerote": n.numerote,
            "titre": n.titre,
            "sous": n.sous,
            "renvoi": n.renvoi,
            "renvoi_externe": n.renvoi_externe,
        }

    return {
        "ccap": block(Numbering(m.article_ccap, titles["ccap"], "CCAP", titles["objet"])),
        "rc": block(Numbering(m.article_rc, titles["rc"], "règlement de la consultation", titles["objet_rc"])),
    }


def renewal_context(profile) -> dict | None:
    r = profile.marche.reconduction
    if r is None:
        return None
    return {
        "periode_initiale_mois": r.periode_initiale_mois,
        "nombre": r.nombre,
        "periode_mois": r.periode_mois,
        "texte": period_text(r),
        "periodes": [{"rang": rang, "libelle": period_label(rang), "mois": mois} for rang, mois in r.periods()],
    }


def periods_of(result) -> list[dict]:
    return [{"rang": p.rang, "libelle": period_label(p.rang), "mois": p.mois, "heures": p.heures} for p in result.periodes]


def header_text(profile, limit: int = 90) -> str:
    """The running header on one line: « REF — objet », the object cut at a word with « … »."""
    m = profile.marche
    text = f"{m.reference} — {m.objet}"
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[len(m.reference) + 3:]:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:–—-") + "…"


# -- which documents apply ---------------------------------------------------------------------------


