"""The portfolio report as an Excel workbook (XlsxWriter), with native charts.

XlsxWriter is imported lazily. Number formats use Excel's locale-independent codes (``#,##0``): Excel
and LibreOffice show them with the reader's separators, « 1 752 » and « 21,7 » in French. The file is
reproducible: XlsxWriter stamps its zip entries with a fixed date and the creation date property is set
to the most recent publication of the portfolio (or a constant), never to the time of generation.
"""

from __future__ import annotations

import datetime as _dt
import io
import math

from .. import fmt
from .indicators import TITLE, Breakdown, Indicators, basis_line
from .mutualisation import HEADERS as MUT_HEADERS
from .mutualisation import APPROXIMATION, Mutualisation, counts_sentence, format_siret, period_label, reminder

# Creation date written when no profile gives a publication date: the instruction's date, a constant.
FALLBACK_CREATED = _dt.datetime(2019, 4, 11)
NUMBER_FORMATS = {"int": "#,##0", "parcours": "#,##0.0", "etp": "#,##0.00", "euros": '#,##0\\ "€"'}
MARKET_COLUMNS = (  # (attribute, header, kind, width)
    ("reference", "Référence", "text", 22),
    ("acheteur", "Acheteur", "text", 40),
    ("acheteur_type_label", "Type d'acheteur", "text", 30),
    ("nature", "Nature", "text", 12),
    ("date_publication", "Publication", "date", 12),
    ("valeur_estimee", "Valeur estimée HT", "euros", 16),
    ("tranche_label", "Taille", "text", 30),
    ("lots", "Lots", "int", 7),
    ("lots_heures", "Lots avec heures", "int", 10),
    ("heures", "Heures prévues", "int", 10),
    ("parcours", "Parcours estimés", "parcours", 10),
    ("etp", "ETP", "etp", 8),
    ("facilitateur", "Facilitateur", "yesno", 12),
    ("source", "Fichier du profil", "text", 40),
)
MUT_WIDTHS = (34, 19, 22, 10, 40, 12, 40, 12)  # columns of the « Mutualisation » sheet
HEADER_ROW = 4  # 0-based row of the tables' headers (title, basis and notes above)


def created_date(ind: Indicators) -> _dt.datetime:
    latest = ind.summary.derniere_publication
    return _dt.datetime.combine(latest, _dt.time()) if latest else FALLBACK_CREATED


MAX_ROW_HEIGHT = 409  # points: Excel refuses a higher row (« 409,5 » in its dialog, 409 for LibreOffice)
LINE_HEIGHT = 15  # points per wrapped line of the 11-point font


def row_height(text: str, width: float) -> int:
    """The height that shows ``text`` wrapped in ``width`` characters, at most ``MAX_ROW_HEIGHT``."""
    return min(MAX_ROW_HEIGHT, LINE_HEIGHT * max(1, math.ceil(len(text) * 1.1 / width)))


def paragraph_chunks(text: str, width: float) -> list[str]:
    """``text`` cut between words into pieces that each fit a row of ``MAX_ROW_HEIGHT``."""
    most = max(1, int((MAX_ROW_HEIGHT // LINE_HEIGHT) * width / 1.1))
    chunks, current = [], ""
    for word in text.split(" "):
        while len(word) > most:  # a « word » longer than a whole row: cut it
            if current:
                chunks.append(current)
                current = ""
            chunks.append(word[:most])
            word = word[most:]
        candidate = f"{current} {word}" if current else word
        if len(candidate) > most:
            chunks.append(current)
            current = word
        else:
            current = candidate
    if current or not chunks:
        chunks.append(current)
    return chunks


def _t(text) -> str:
    """Text for a cell: U+202F (narrow no-break space) is missing from some spreadsheet fonts."""
    return str(text).replace(fmt.NNBSP, fmt.NBSP)


def _num(value):
    return None if value is None else float(value) if not isinstance(value, int) else value


class _Book:
    def __init__(self, workbook):
        self.wb = workbook
        add = workbook.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.note = add({"italic": True, "font_color": "#444444"})
        self.paragraph = add({"italic": True, "font_color": "#444444", "text_wrap": True, "valign": "top"})
        self.header = add({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True, "valign": "top"})
        self.text = add({"border": 1, "valign": "top"})
        self.wrap = add({"border": 1, "text_wrap": True, "valign": "top"})
        self.bold_text = add({"border": 1, "bold": True})
        self.date = add({"border": 1, "num_format": "dd/mm/yyyy"})
        self.numbers = {k: add({"border": 1, "num_format": v}) for k, v in NUMBER_FORMATS.items()}
        self.bold_numbers = {k: add({"border": 1, "bold": True, "num_format": v}) for k, v in NUMBER_FORMATS.items()}

    def sheet(self, name: str, ind: Indicators, subtitle: str | None = None):
        ws = self.wb.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)  # printed one page wide
        ws.write_string(0, 0, f"{TITLE} — {name}" if name != "Synthèse" else TITLE, self.title)
        ws.write_string(1, 0, _t(basis_line(ind)))
        if subtitle:
            ws.write_string(2, 0, _t(subtitle), self.note)
        return ws

    def paragraph_row(self, ws, row: int, text: str, last_col: int, width: float) -> int:
        """A sentence over columns 0..``last_col`` (``width`` characters in all), wrapped, so that it prints;
        a text too long for one row of Excel's highest (``MAX_ROW_HEIGHT``) goes on in the rows below.
        Returns the last row used."""
        for chunk in paragraph_chunks(text, width):
            ws.merge_range(row, 0, row, last_col, _t(chunk), self.paragraph)
            ws.set_row(row, row_height(chunk, width))
            row += 1
        return row - 1

    def headers(self, ws, row: int, headers) -> None:
        for col, text in enumerate(headers):
            ws.write_string(row, col, _t(text), self.header)
        ws.set_row(row, 48)
        ws.freeze_panes(row + 1, 0)

    def value(self, ws, row: int, col: int, value, kind: str, bold: bool = False) -> None:
        if kind == "text":
            ws.write_string(row, col, "" if value is None else _t(value), self.bold_text if bold else self.text)
        elif kind == "wrap":
            ws.write_string(row, col, _t(value), self.wrap)
        elif kind == "yesno":
            ws.write_string(row, col, "oui" if value else "non", self.text)
        elif kind == "date":
            if value is None:
                ws.write_blank(row, col, None, self.date)
            else:
                ws.write_datetime(row, col, _dt.datetime.combine(value, _dt.time()), self.date)
        elif value is None:
            ws.write_blank(row, col, None, self.numbers[kind])
        else:
            ws.write_number(row, col, _num(value), (self.bold_numbers if bold else self.numbers)[kind])


def _summary(book: _Book, ind: Indicators) -> None:
    ws = book.sheet("Synthèse", ind, "Indicateurs connus avant l'exécution, à partir des profils de marché.")
    book.headers(ws, HEADER_ROW, ("Indicateur", "Valeur"))
    row = HEADER_ROW + 1
    for label, value, kind in ind.summary.rows():
        book.value(ws, row, 0, label, "text")
        book.value(ws, row, 1, value, kind)
        row += 1
    row += 1
    ws.write(row, 0, "Méthode", book.title)
    for note in ind.notes:
        row = book.paragraph_row(ws, row + 1, note, 1, 62 + 14)
    for warning in ind.warnings:
        row = book.paragraph_row(ws, row + 1, f"Attention : {warning}", 1, 62 + 14)
    ws.set_column(0, 0, 62)
    ws.set_column(1, 1, 14)


def _breakdown(book: _Book, ind: Indicators, b: Breakdown) -> None:
    ws = book.sheet(b.sheet, ind, b.chart_title)
    book.headers(ws, HEADER_ROW, (b.dimension, *(h for _, h, _ in b.columns)))
    row = HEADER_ROW + 1
    for group in b.rows:
        book.value(ws, row, 0, group.label, "text")
        for col, (attr, _, kind) in enumerate(b.columns, start=1):
            book.value(ws, row, col, getattr(group, attr), kind)
        row += 1
    book.value(ws, row, 0, "Total", "text", bold=True)
    for col, (attr, _, kind) in enumerate(b.columns, start=1):
        book.value(ws, row, col, getattr(b.total, attr), kind, bold=True)
    ws.set_column(0, 0, 44)
    ws.set_column(1, len(b.columns), 12)
    hours_col = 1 + [attr for attr, _, _ in b.columns].index("heures")
    first, last = HEADER_ROW + 1, HEADER_ROW + len(b.rows)
    chart = book.wb.add_chart({"type": "column"})
    chart.add_series({
        "name": "Heures prévues",
        "categories": [b.sheet, first, 0, last, 0],
        "values": [b.sheet, first, hours_col, last, hours_col],
        "data_labels": {"value": True, "num_format": "#,##0"},
        "fill": {"color": "#4F81BD"},
    })
    chart.set_title({"name": _t(b.chart_title)})
    chart.set_legend({"none": True})
    chart.set_y_axis({"name": "heures", "num_format": "#,##0", "major_gridlines": {"visible": True}})
    chart.set_size({"width": 760, "height": 380})
    ws.insert_chart(last + 3, 0, chart)


def _markets(book: _Book, ind: Indicators) -> None:
    ws = book.sheet("Marchés", ind, "Un marché par ligne ; heures, parcours et ETP tels que les calcule « clausegen calc ».")
    book.headers(ws, HEADER_ROW, [h for _, h, _, _ in MARKET_COLUMNS])
    for i, market in enumerate(ind.markets):
        for col, (attr, _, kind, _) in enumerate(MARKET_COLUMNS):
            value = getattr(market, attr)
            book.value(ws, HEADER_ROW + 1 + i, col, value.capitalize() if attr == "nature" else value, kind)
    for col, (_, _, _, width) in enumerate(MARKET_COLUMNS):
        ws.set_column(col, col, width)
    if ind.markets:
        ws.autofilter(HEADER_ROW, 0, HEADER_ROW + len(ind.markets), len(MARKET_COLUMNS) - 1)


def _mutualisation(book: _Book, ind: Indicators, m: Mutualisation) -> None:
    ws = book.sheet("Mutualisation", ind, "Heures dues par entreprise titulaire de plusieurs lots comportant des heures d'insertion.")
    headers = ["Entreprise", "SIRET", *MUT_HEADERS[1:]]
    book.headers(ws, HEADER_ROW, headers)
    row = HEADER_ROW + 1
    for c in m.companies:
        for col, (value, kind) in enumerate(((c.nom, "text"), (format_siret(c.siret), "text"), (c.marches, "int"), (c.heures, "int"),
                                             (c.parcours_separes, "int"), (c.parcours_mutualises, "int"), (c.gain, "int"))):
            book.value(ws, row, col, value, kind)
        row += 1
    if not m.companies:
        ws.write(row, 0, "Aucune entreprise n'est titulaire de plusieurs lots comportant des heures d'insertion.", book.note)
        row += 1
    row += 1
    for text in (counts_sentence(m), reminder(), APPROXIMATION):
        row = book.paragraph_row(ws, row, text, 7, sum(MUT_WIDTHS)) + 1
    years = m.years
    if m.companies:
        row += 1
        ws.write(row, 0, "Détail par lot", book.title)
        row += 1
        detail = ["Entreprise", "SIRET", "Marché", "Lot", "Intitulé du lot", "Heures dues", "Période d'exécution supposée",
                  "Mutualisable", *(f"Heures {y}" for y in years)]
        for col, text in enumerate(detail):
            ws.write_string(row, col, text, book.header)
        for c in m.companies:
            for lot in c.lots:
                row += 1
                per_year = dict(lot.par_annee)
                values = [(c.nom, "text"), (format_siret(c.siret), "text"), (lot.reference, "text"), (lot.numero, "int"),
                          (lot.intitule, "wrap"), (lot.heures, "int"), (period_label(lot), "text"), (lot.mutualisable, "yesno"),
                          *((per_year.get(y, 0), "int") for y in years)]
                for col, (value, kind) in enumerate(values):
                    book.value(ws, row, col, value, kind)
    for col, width in enumerate(MUT_WIDTHS):
        ws.set_column(col, col, width)
    ws.set_column(8, 8 + max(len(years) - 1, 0), 11)


def workbook_bytes(ind: Indicators, mutualisation: Mutualisation | None = None) -> bytes:
    """The workbook: the same inputs give the same bytes (rows pass through temporary files, removed)."""
    import xlsxwriter

    buffer = io.BytesIO()
    # constant_memory: each row is written out once the next one starts (rows are written in order), so
    # that a portfolio of 10 000 markets does not keep 140 000 cells in memory; texts are then inline strings
    wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                      "strings_to_urls": False})
    wb.set_properties({
        "title": TITLE,
        "subject": "Indicateurs de la clause sociale d'insertion (instruction du 11 avril 2019, fiche 3)",
        "author": "clausegen",
        "comments": basis_line(ind),
        "created": created_date(ind),
    })
    book = _Book(wb)
    _summary(book, ind)
    for b in ind.breakdowns:
        _breakdown(book, ind, b)
    _markets(book, ind)
    if mutualisation is not None:
        _mutualisation(book, ind, mutualisation)
    wb.close()
    return buffer.getvalue()
