"""The portfolio report as one self-contained French HTML page: inline CSS, inline SVG bar charts.

The charts are drawn by :func:`bar_chart`, a small helper rather than a plotting library: the page stays
one file with no script, the labels stay real text formatted in French by ``clausegen.fmt`` (a plotting
library would print « 1,752 » or turn text into paths), the output is identical byte for byte for the same
inputs (matplotlib's SVG carries ids and metadata), and nothing heavy is imported. Each chart has a title
and a description for screen readers, and the table next to it gives the same figures.
"""

from __future__ import annotations

from html import escape

from .. import fmt
from .indicators import TITLE, Breakdown, Indicators, basis_line
from .mutualisation import APPROXIMATION, Mutualisation, counts_sentence, format_siret, period_label, reminder, years_label

CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1b1b1b;margin:2rem auto;max-width:78rem;padding:0 1rem;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{font-size:1.25rem;margin-top:2.5rem;border-bottom:2px solid #dce6f1;padding-bottom:.2rem}
p.base{color:#444;margin-top:0}
table{border-collapse:collapse;margin:1rem 0;font-size:.92rem}
caption{text-align:left;font-weight:600;padding:.3rem 0}
th,td{border:1px solid #b8c4d0;padding:.3rem .55rem;vertical-align:top}
thead th{background:#dce6f1;text-align:left}
tbody th{text-align:left;font-weight:normal}
tfoot th,tfoot td{font-weight:600;background:#f3f6f9}tfoot th{text-align:left}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
figure{margin:1rem 0}svg text{font-family:inherit;font-size:13px;fill:#1b1b1b}
.notes li{color:#444}.attention{color:#8a1c1c}
nav ul{columns:2;padding-left:1.2rem}
"""
BAR_COLOR = "#4f81bd"
CHAR_WIDTH = 7.6  # average width of a 13 px sans-serif character, generous so that labels are not clipped


def _prose(text: str) -> str:
    """clausegen's own sentences, with French no-break spaces (« : », « ; », guillemets), escaped."""
    return escape(fmt.typo(text))


def _num(value, kind: str) -> str:
    if value is None:
        return "—"
    if kind == "parcours":
        return fmt.nombre(value, 1)
    if kind == "etp":
        return fmt.nombre(value, 2)
    if kind == "euros":
        return fmt.montant(value, 0)
    return fmt.nombre(value)


def bar_chart(chart_id: str, title: str, items, unit: str = "heures") -> str:
    """A horizontal bar chart as inline SVG. ``items``: (label, value) with non-negative numbers.

    Accessible: ``role="img"`` with ``aria-labelledby`` pointing at its <title> and <desc> (the figures
    in words). Coordinates are written with one decimal so that the output is stable.
    """
    items = list(items)
    max_chars = 50
    longest = min(max((len(label) for label, _ in items), default=10), max_chars)
    label_width = int(longest * CHAR_WIDTH) + 16
    bar_area, row_h, top = 330, 26, 8
    width = label_width + bar_area + 90
    height = top * 2 + row_h * max(len(items), 1)
    peak = max((value for _, value in items), default=0)
    desc = "; ".join(f"{label} : {fmt.nombre(value)} {unit}" for label, value in items) or "aucune donnée"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{chart_id}-titre {chart_id}-desc">',
        f'<title id="{chart_id}-titre">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
    ]
    for i, (label, value) in enumerate(items):
        y = top + i * row_h
        bar = 0.0 if not peak else bar_area * float(value) / float(peak)
        shown = label if len(label) <= max_chars else label[: max_chars - 1] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 17:.1f}" text-anchor="end">{escape(shown)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 4:.1f}" width="{bar:.1f}" height="{row_h - 8}" fill="{BAR_COLOR}"/>')
        parts.append(f'<text x="{label_width + bar + 6:.1f}" y="{y + 17:.1f}">{escape(fmt.nombre(value))}</text>')
    parts.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - top}" stroke="#666"/>')
    parts.append("</svg>")
    return "\n".join(parts)


def _table(caption: str, headers, rows, total=None, row_header: bool = True) -> str:
    """``rows``: lists of (value, kind); the first cell is a row header when ``row_header``."""

    def cells(row, tag_first):
        out = []
        for i, (value, kind) in enumerate(row):
            text = escape(str(value)) if kind in ("text", "yesno") else escape(_num(value, kind))
            if i == 0 and tag_first:
                out.append(f'<th scope="row">{text}</th>')
            else:
                out.append(f'<td class="n">{text}</td>' if kind not in ("text", "yesno") else f"<td>{text}</td>")
        return "".join(out)

    lines = [f"<table>\n<caption>{escape(caption)}</caption>", "<thead><tr>" + "".join(f'<th scope="col">{escape(h)}</th>' for h in headers) + "</tr></thead>", "<tbody>"]
    lines += [f"<tr>{cells(row, row_header)}</tr>" for row in rows]
    lines.append("</tbody>")
    if total is not None:
        lines.append(f"<tfoot><tr>{cells(total, True)}</tr></tfoot>")
    lines.append("</table>")
    return "\n".join(lines)


def _breakdown(b: Breakdown) -> str:
    headers = [b.dimension, *(h for _, h, _ in b.columns)]
    rows = [[(g.label, "text"), *((getattr(g, a), k) for a, _, k in b.columns)] for g in b.rows]
    total = [("Total", "text"), *((getattr(b.total, a), k) for a, _, k in b.columns)]
    chart = bar_chart(f"graphique-{b.key}", b.chart_title, [(g.label, g.heures) for g in b.rows])
    return "\n".join([
        f'<section id="{b.key}" aria-labelledby="{b.key}-titre">',
        f'<h2 id="{b.key}-titre">{escape(b.sheet)}</h2>',
        f"<figure>\n{chart}\n<figcaption>{escape(b.chart_title)}</figcaption>\n</figure>",
        _table(f"{b.dimension} : marchés, lots, heures prévues, parcours et ETP", headers, rows, total),
        "</section>",
    ])


def _markets(ind: Indicators) -> str:
    headers = ["Référence", "Acheteur", "Type d'acheteur", "Nature", "Publication", "Valeur estimée HT", "Taille", "Lots", "Lots avec heures",
               "Heures prévues", "Parcours estimés", "ETP", "Facilitateur"]
    rows = [[(m.reference, "text"), (m.acheteur, "text"), (m.acheteur_type_label, "text"), (m.nature.capitalize(), "text"),
             (m.date_publication.strftime("%d/%m/%Y") if m.date_publication else "—", "text"), (m.valeur_estimee, "euros"), (m.tranche_label, "text"), (m.lots, "int"), (m.lots_heures, "int"), (m.heures, "int"),
             (m.parcours, "parcours"), (m.etp, "etp"), ("oui" if m.facilitateur else "non", "yesno")] for m in ind.markets]
    return "\n".join([
        '<section id="marches" aria-labelledby="marches-titre">',
        '<h2 id="marches-titre">Marchés</h2>',
        _table("Un marché par ligne : heures, parcours et ETP tels que les calcule « clausegen calc »", headers, rows),
        "</section>",
    ])


def _mutualisation(m: Mutualisation) -> str:
    out = ['<section id="mutualisation" aria-labelledby="mutualisation-titre">',
           '<h2 id="mutualisation-titre">Mutualisation</h2>']
    if m.companies:
        headers = ["Entreprise", "SIRET", "Marchés", "Heures dues", "Parcours séparés", "Parcours mutualisés", "Gain"]
        rows = [[(c.nom, "text"), (format_siret(c.siret), "text"), (c.marches, "int"), (c.heures, "int"),
                 (c.parcours_separes, "int"), (c.parcours_mutualises, "int"), (c.gain, "int")] for c in m.companies]
        out.append(_table("Heures dues par entreprise titulaire de plusieurs lots comportant des heures d'insertion", headers, rows))
        detail = []
        for c in m.companies:
            for lot in c.lots:
                detail.append([(f"{c.nom} ({format_siret(c.siret)})", "text"), (lot.reference, "text"), (lot.numero, "int"),
                               (lot.intitule, "text"), (lot.heures, "int"), (period_label(lot), "text"),
                               (years_label(lot.par_annee), "text"), ("oui" if lot.mutualisable else "non", "yesno")])
        out.append(_table("Détail par lot", ["Entreprise", "Marché", "Lot", "Intitulé", "Heures dues", "Période d'exécution supposée",
                                             "Heures par année", "Mutualisable"], detail))
    else:
        out.append("<p>Aucune entreprise n'est titulaire de plusieurs lots comportant des heures d'insertion.</p>")
    out += [f"<p>{_prose(counts_sentence(m))}</p>", f"<p><strong>{_prose(reminder())}</strong></p>", f"<p>{_prose(APPROXIMATION)}</p>", "</section>"]
    return "\n".join(out)


def page(ind: Indicators, mutualisation: Mutualisation | None = None) -> str:
    """The whole page (UTF-8 text). The same inputs give the same text."""
    s = ind.summary
    summary_rows = [[(label, "text"), (value, kind)] for label, value, kind in s.rows()]
    nav = [("synthese", "Synthèse"), *((b.key, b.sheet) for b in ind.breakdowns), ("marches", "Marchés")]
    if mutualisation is not None:
        nav.append(("mutualisation", "Mutualisation"))
    body = [
        f"<header>\n<h1>{escape(TITLE)}</h1>\n<p class=\"base\">{escape(basis_line(ind))}</p>\n</header>",
        '<nav aria-label="Sommaire"><ul>' + "".join(f'<li><a href="#{k}">{escape(t)}</a></li>' for k, t in nav) + "</ul></nav>",
        "<main>",
        '<section id="synthese" aria-labelledby="synthese-titre">\n<h2 id="synthese-titre">Synthèse</h2>',
        _table("Indicateurs connus avant l'exécution", ["Indicateur", "Valeur"], summary_rows),
        '<ul class="notes">' + "".join(f"<li>{_prose(n)}</li>" for n in ind.notes)
        + "".join(f'<li class="attention">{_prose("Attention : " + w)}</li>' for w in ind.warnings) + "</ul>",
        "</section>",
        *(_breakdown(b) for b in ind.breakdowns),
        _markets(ind),
    ]
    if mutualisation is not None:
        body.append(_mutualisation(mutualisation))
    body.append("</main>")
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="fr">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(TITLE)}</title>",
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ])
