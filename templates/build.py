"""Compile the clause markup templates/src/<name>.txt into the docxtpl template templates/orme/<name>.docx.

Usage::

    python templates/build.py                 # build every templates/src/*.txt
    python templates/build.py rc ccap         # build only these (stems of templates/src/*.txt)
    python templates/build.py --check         # exit 1, naming them, if a committed .docx is out of date
    python templates/build.py --src DIR --out DIR   # another tree (tests)

Exit status: 0 done / up to date, 1 out of date (--check), 2 markup error (reported as file:line).
Page setup and styles (A4, Arial 10 pt, header, footer) are fixed here, not in the markup.

Markup — one construct per line; blank lines are ignored; every other line is one paragraph::

    %% comment                 ignored (note to template authors)
    @titre TEXT                document title: footer "TEXT — page N sur M", core property title
                               (without it: the file name)
    = TEXT                     style Title
    # TEXT  ## TEXT  ### TEXT  Heading 1, Heading 2, Heading 3
    - TEXT                     List Bullet
      - TEXT                   List Bullet 2 (indented: two spaces, or any spaces/tabs)
    1. TEXT                    List Number. The figure is ignored: each list restarts at 1;
                               {%p %} lines and comments between items do not break a list.
    [ ] TEXT                   checkbox line "☐ TEXT" (U+2610, no-break space), Normal, hanging indent
    > TEXT                     Quote (instructions to the bidder, notes)
    ---                        page break
    {%p if x %}                docxtpl paragraph tag, alone on its line: the paragraph vanishes
    !largeurs 2,7,3,3          column widths (cm) of the table that follows, scaled to full width
    | A | B |                  table row. Consecutive | lines form one table (style Table Grid, full
                               width); the first row is the header: bold, grey, repeated on each page.
                               `\\|` is a literal pipe; a pipe inside a Jinja tag ({{ h|heures }})
                               does not split cells. `<br>` splits a cell into paragraphs, and a cell
                               paragraph starting "- " is a bullet.
    | {%tr for l in lots %} |  docxtpl row tag (other cells empty): the row vanishes, the loop stays
    anything else              Normal (justified)

Inline: **bold**, __italic__. Jinja tags {{ … }}, {% … %}, {# … #} always land whole in one run
(markers inside a tag are left alone); text is otherwise copied verbatim. Errors: an unclosed
tag, a {%tr outside a table, a {%p tag sharing its line, an unknown @word, a table row with more
cells than its header, !largeurs not followed by a table with that many columns.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

HERE = Path(__file__).resolve().parent
if str(HERE.parent / "src") not in sys.path:
    sys.path.insert(0, str(HERE.parent / "src"))
from clausegen.docx.ziputil import normalize_zip

FONT, LANG, BLUE, GREY = "Arial", "fr-FR", RGBColor(0x1F, 0x38, 0x64), RGBColor(0x59, 0x59, 0x59)
FIXED_TIME = dt.datetime(2026, 1, 1, 0, 0, 0)
PAGE_W, PAGE_H, MARGIN = Cm(21), Cm(29.7), Cm(2)
TEXT_WIDTH = PAGE_W - 2 * MARGIN
HEADER_TEXT = "{{ marche.entete }}"  # reference and object, cut to stay on one line
CHECKBOX = "\u2610\u00a0"
STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"

TAG = r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}"
INLINE_SPLIT = re.compile(rf"({TAG}|\*\*|__)")
CELL = re.compile(rf"\|((?:{TAG}|\\\||[^|])*)")  # a pipe, then text, tags and escaped pipes
DOCXTPL_TAG = re.compile(r"\{%(p|tr) [^%}]*%\}")  # what docxtpl's {%p / {%tr regexes accept
PREFIXES = {"= ": "Title", "### ": "Heading 3", "## ": "Heading 2", "# ": "Heading 1",
            "- ": "List Bullet", "> ": "Quote"}  # longest first
NUMBERED, SUB_BULLET = re.compile(r"\d+\. "), re.compile(r"[ \t]+- ")


class BuildError(ValueError):
    """A markup error at a 1-based source line."""

    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line, self.message = line, message


def _sub(parent, tag: str, **attrs):
    """Append a new `w:` element with `w:` attributes to `parent` (None: just create it)."""
    el = OxmlElement(tag, {qn(f"w:{k}"): v for k, v in attrs.items()})
    if parent is not None:
        parent.append(el)
    return el


# --------------------------------------------------------------------------- inline text, tables
def add_runs(paragraph, text: str, line: int) -> None:
    """Add `text` as runs, applying **bold** / __italic__, never splitting a Jinja tag."""
    if m := re.search(r"\{[{%#]|[}%#]\}", re.sub(TAG, "", text)):
        raise BuildError(line, f"unbalanced Jinja tag {m.group()!r} in {text!r}")
    pieces = INLINE_SPLIT.split(text)
    live = {}  # marker -> indexes that toggle; an unpaired last marker stays literal text
    for mark in ("**", "__"):
        idx = [i for i, p in enumerate(pieces) if p == mark]
        live[mark] = set(idx[: len(idx) // 2 * 2])
    chunks: list[list] = []  # [text, bold, italic], same-format neighbours merged
    bold = italic = False
    for i, piece in enumerate(pieces):
        if i in live["**"]:
            bold = not bold
        elif i in live["__"]:
            italic = not italic
        elif piece and chunks and chunks[-1][1:] == [bold, italic]:
            chunks[-1][0] += piece
        elif piece:
            chunks.append([piece, bold, italic])
    for piece, b, i in chunks:
        run = paragraph.add_run(piece)
        run.bold, run.italic = b or None, i or None


def split_cells(row: str) -> list[str]:
    """Cells of a `| a | b |` line: `\\|` is a pipe, pipes inside Jinja tags do not split."""
    cells = [c.replace("\\|", "|").strip() for c in CELL.findall(row.strip())]
    return cells[:-1] if cells and not cells[-1] else cells  # nothing after the closing pipe


def add_table(doc, rows: list[tuple[int, list[str]]], widths: tuple[int, list[float]] | None) -> None:
    ncols = len(rows[0][1])
    if not ncols:
        raise BuildError(rows[0][0], "a table's first row (its header) needs at least one cell")
    if widths and len(widths[1]) != ncols:
        raise BuildError(widths[0], f"!largeurs gives {len(widths[1])} widths for {ncols} columns")
    _keep_previous_with_table(doc)
    fixed = not any(cells and cells[0].startswith("{%tr") for _, cells in rows)
    weights = widths[1] if widths else [1.0] * ncols
    emu = [int(TEXT_WIDTH * w / sum(weights)) for w in weights]
    table = doc.add_table(rows=len(rows), cols=ncols)
    table.style, table.autofit = "Table Grid", False
    tbl_pr = table._tbl.tblPr
    tbl_pr.find(qn("w:tblW")).attrib.update({qn("w:type"): "dxa", qn("w:w"): str(sum(emu) // 635)})
    # Word 2010 layout puts the cell *text* at tblInd: indent by the cell margin so borders sit on the margin.
    tbl_pr.find(qn("w:tblLayout")).addprevious(_sub(None, "w:tblInd", w="108", type="dxa"))
    for col, width in zip(table.columns, emu):
        col.width = width
    for r, (row, (line, cells)) in enumerate(zip(table.rows, rows)):
        if len(cells) > ncols:
            raise BuildError(line, f"{len(cells)} cells, but the header row has {ncols}")
        tag_row = cells[0].startswith("{%tr")
        if tag_row and (not DOCXTPL_TAG.fullmatch(cells[0]) or any(cells[1:])):
            raise BuildError(line, "a row tag is one {%tr ... %} in the first cell, other cells empty")
        _sub(row._tr.get_or_add_trPr(), "w:cantSplit")
        if r == 0:
            _sub(row._tr.trPr, "w:tblHeader")
        for cell, width, text in zip(row.cells, emu, cells + [""] * ncols):
            cell.width = width
            if r == 0:
                _sub(cell._tc.get_or_add_tcPr(), "w:shd", val="clear", color="auto", fill="D9D9D9")
            for k, part in enumerate([text] if tag_row else text.split("<br>")):
                p = cell.paragraphs[0] if k == 0 else cell.add_paragraph()
                fmt, part = p.paragraph_format, part.strip()
                fmt.alignment, fmt.space_before, fmt.space_after = WD_ALIGN_PARAGRAPH.LEFT, Pt(2), Pt(2)
                if tag_row:
                    p.add_run(part)
                    continue
                if part.startswith("- "):
                    p.style, part = "List Bullet", part[2:].strip()
                add_runs(p, part, line)
                # a table never starts alone at the foot of a page: its header row stays with the next
                # row; a fixed table (a signature block, no row loop) stays whole on one page
                if r == 0 or (fixed and r < len(rows) - 1):
                    fmt.keep_with_next = True
                for run in p.runs if r == 0 else ():
                    run.bold = True
    spacer = doc.add_paragraph()  # air below the table, whatever follows; keeps two tables apart
    spacer.paragraph_format.space_after, spacer.paragraph_format.line_spacing = Pt(0), Pt(6)


def _keep_previous_with_table(doc) -> None:
    """The paragraph that introduces a table (its heading or lead sentence) stays on the table's page.
    ``{%p`` lines vanish at render, so the last paragraph that is not one is the table's lead."""
    for p in reversed(doc.paragraphs):
        text = p.text.strip()
        if text.startswith("{%p"):
            continue
        if text:
            p.paragraph_format.keep_with_next = True
        return


# --------------------------------------------------------------------------- styles, page, package
def _fonts(rpr) -> None:
    """Arial in every script slot (theme fonts removed) and French proofing, on a w:rPr."""
    if (fonts := rpr.find(qn("w:rFonts"))) is None:
        rpr.insert(0, fonts := OxmlElement("w:rFonts"))
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    fonts.attrib.update({qn(f"w:{a}"): FONT for a in ("ascii", "hAnsi", "eastAsia", "cs")})
    lang = rpr.find(qn("w:lang"))
    (lang if lang is not None else _sub(rpr, "w:lang")).set(qn("w:val"), LANG)


def setup_styles(doc) -> None:
    styles = doc.styles
    rpr = styles.element.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    _fonts(rpr)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), "20")
    spacing = styles.element.find(f"{qn('w:docDefaults')}/{qn('w:pPrDefault')}/{qn('w:pPr')}/{qn('w:spacing')}")
    spacing.attrib.update({qn("w:after"): "120", qn("w:line"): "240"})
    doc.settings.element.find(qn("w:themeFontLang")).set(qn("w:val"), LANG)
    normal = styles["Normal"]
    _fonts(normal.element.get_or_add_rPr())
    normal.font.size = Pt(10)
    fmt = normal.paragraph_format
    fmt.alignment, fmt.space_after, fmt.line_spacing = WD_ALIGN_PARAGRAPH.JUSTIFY, Pt(6), 1.0
    for name, size, before, after in [("Title", 18, 0, 18), ("Heading 1", 14, 18, 6),
                                      ("Heading 2", 12, 12, 4), ("Heading 3", 11, 10, 3)]:
        style = styles[name]
        _fonts(style.element.get_or_add_rPr())
        style.font.size, style.font.bold, style.font.italic, style.font.color.rgb = Pt(size), True, False, BLUE
        fmt = style.paragraph_format
        fmt.keep_with_next, fmt.space_before, fmt.space_after = True, Pt(before), Pt(after)
    border = styles["Title"].element.pPr.find(f"{qn('w:pBdr')}/{qn('w:bottom')}")
    border.set(qn("w:color"), str(BLUE))
    border.attrib.pop(qn("w:themeColor"), None)
    styles["Title"].element.rPr.find(qn("w:spacing")).set(qn("w:val"), "0")
    for name in ("List Bullet", "List Bullet 2", "List Number"):  # 3 pt between items, at any level
        pPr = styles[name].element.pPr
        pPr.remove(pPr.find(qn("w:contextualSpacing")))
        styles[name].paragraph_format.space_after = Pt(3)
    quote = styles["Quote"]
    quote.font.color.rgb, quote.font.italic = GREY, True
    quote.paragraph_format.left_indent, quote.paragraph_format.space_before = Cm(0.5), Pt(6)
    for name, color in (("Header", GREY), ("Footer", None)):
        styles[name].font.size, styles[name].font.color.rgb = Pt(8), color


def setup_page(doc, title: str) -> None:
    """A4, 2 cm margins; header tag line; footer "title — page N sur M" with real Word fields."""
    section = doc.sections[0]
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.top_margin = section.bottom_margin = section.left_margin = section.right_margin = MARGIN
    section.header_distance = section.footer_distance = Cm(1)
    header = section.header.paragraphs[0]
    header.style = "Header"
    header.add_run(HEADER_TEXT)
    footer = section.footer.paragraphs[0]
    footer.style, footer.alignment = "Footer", WD_ALIGN_PARAGRAPH.CENTER
    for text, field in ((f"{title} — page ", "PAGE"), (" sur ", "NUMPAGES")):
        footer.add_run(text)
        _sub(footer.add_run()._r, "w:fldChar", fldCharType="begin")
        instr = _sub(footer.add_run()._r, "w:instrText")
        instr.text = f" {field} "
        instr.set(qn("xml:space"), "preserve")
        _sub(footer.add_run()._r, "w:fldChar", fldCharType="separate")
        footer.add_run("1")  # placeholder result, updated by Word / LibreOffice
        _sub(footer.add_run()._r, "w:fldChar", fldCharType="end")


def setup_package(doc, title: str) -> None:
    """Fixed core properties (no empty ones); drop the stock thumbnail and stylesWithEffects parts."""
    props = doc.core_properties
    props.title, props.author, props.language, props.comments = title, "clausegen", LANG, ""
    props.created = props.modified = FIXED_TIME
    props.revision = 1
    for child in list(props._element):
        if not (child.text or "").strip():
            props._element.remove(child)
    for owner, reltype in ((doc.part.package, RT.THUMBNAIL), (doc.part, STYLES_WITH_EFFECTS)):
        for r_id in [k for k, rel in owner.rels.items() if rel.reltype == reltype]:
            del owner.rels[r_id]


def new_number_list(doc) -> int:
    """numId of a fresh w:num on the List Number definition, restarting at 1."""
    numbering = doc.part.numbering_part.element
    abstract = numbering.num_having_numId(doc.styles["List Number"].element.pPr.numPr.numId.val)
    num = numbering.add_num(abstract.abstractNumId.val)
    num.add_lvlOverride(ilvl=0).add_startOverride(1)
    return num.numId


# --------------------------------------------------------------------------- the builder
def classify(line: str) -> tuple[str, str]:
    """(kind, text) of a content line: a paragraph style name, or "table", "page break", "checkbox"."""
    if line.startswith("|"):
        return "table", line
    if line == "---":
        return "page break", ""
    if line.startswith("[ ] "):
        return "checkbox", line[4:].strip()
    if m := NUMBERED.match(line):
        return "List Number", line[m.end():].strip()
    if m := SUB_BULLET.match(line):
        return "List Bullet 2", line[m.end():].strip()
    prefix = next((k for k in PREFIXES if line.startswith(k)), "")
    return PREFIXES.get(prefix, "Normal"), line[len(prefix):].strip()


def build_docx(source_text: str, title: str) -> bytes:
    """Compile markup to .docx bytes; `title` serves when the source has no `@titre` line."""
    lines = re.split(r"\r?\n", source_text.lstrip("\ufeff")) + [""]  # sentinel closes a last table
    titles = [(no, ln[7:].strip()) for no, ln in enumerate(lines, 1) if ln.startswith("@titre ")]
    if len(titles) > 1:
        raise BuildError(titles[1][0], "second @titre line")
    title = titles[0][1] if titles else title
    doc = Document()
    setup_styles(doc)
    setup_page(doc, title)
    setup_package(doc, title)
    table, widths, num_id, last_item = [], None, None, None
    for no, line in enumerate((ln.rstrip() for ln in lines), 1):
        if table and not line.startswith("|"):
            add_table(doc, table, widths)
            table, widths = [], None
        if not line.strip() or line.startswith(("%%", "@titre ")):
            continue
        if widths and not line.startswith("|"):
            raise BuildError(widths[0], "!largeurs must be followed by a table")
        if line.lstrip().startswith("{%p"):  # vanishes at render: transparent for lists
            if not DOCXTPL_TAG.fullmatch(line.lstrip()):
                raise BuildError(no, "a {%p ... %} tag must be alone on its line")
            doc.add_paragraph().add_run(line.lstrip())
            continue
        if line.startswith("!largeurs"):
            try:
                widths = (no, [float(w) for w in line.split(None, 1)[1].split(",")])
            except (IndexError, ValueError):
                raise BuildError(no, f"bad widths {line!r}, expected e.g. !largeurs 2,7,3,3") from None
            continue
        if m := re.match(r"@\w*", line):
            raise BuildError(no, f"unknown directive {m.group()} (the only one is @titre TEXT)")
        if line.lstrip().startswith("{%tr"):
            raise BuildError(no, "{%tr belongs in a table row: | {%tr for x in xs %} |")
        kind, text = classify(line)
        if last_item is not None and not kind.startswith("List"):
            last_item.paragraph_format.space_after = Pt(6)  # 3 pt between items, 6 pt after the list
            last_item = None
        num_id = num_id if kind == "List Number" else None  # each list restarts at 1
        if kind == "table":
            table.append((no, split_cells(line)))
            continue
        p = doc.add_paragraph(style="Normal" if kind in ("page break", "checkbox") else kind)
        if kind == "page break":  # a paragraph holding only the break, as flat as possible
            p.add_run().add_break(WD_BREAK.PAGE)
            p.paragraph_format.space_after, p.paragraph_format.line_spacing = Pt(0), Pt(1)
            continue
        if kind == "checkbox":
            p.paragraph_format.left_indent, p.paragraph_format.first_line_indent = Cm(0.6), Cm(-0.6)
            p.add_run(CHECKBOX)
        elif kind == "List Number":
            num_id = num_id or new_number_list(doc)
            num_pr = p._p.get_or_add_pPr().get_or_add_numPr()
            num_pr.get_or_add_ilvl().val, num_pr.get_or_add_numId().val = 0, num_id
        add_runs(p, text, no)
        last_item = p if kind.startswith("List") else None
    out = io.BytesIO()
    doc.save(out)
    return normalize_zip(out.getvalue())


# --------------------------------------------------------------------------- command line
def parts(data: bytes) -> list[tuple[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return [(name, z.read(name)) for name in z.namelist()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("names", nargs="*", help="template names (stems of SRC/*.txt); default: all")
    parser.add_argument("--check", action="store_true", help="exit 1 if a committed .docx is out of date")
    parser.add_argument("--src", type=Path, default=HERE / "src", help="markup folder (templates/src)")
    parser.add_argument("--out", type=Path, default=HERE / "orme", help=".docx folder (templates/orme)")
    args = parser.parse_args(argv)
    stems = [Path(n).name.removesuffix(".txt").removesuffix(".docx") for n in args.names]
    sources = [args.src / f"{s}.txt" for s in stems] or sorted(args.src.glob("*.txt"))
    if missing := [str(s) for s in sources if not s.is_file()]:
        parser.error("no such template source: " + ", ".join(missing))
    stale, failed = [], False
    for source in sources:
        try:
            data = build_docx(source.read_text(encoding="utf-8"), source.stem)
        except BuildError as exc:
            print(f"{source}:{exc.line}: {exc.message}", file=sys.stderr)
            failed = True
            continue
        target = args.out / f"{source.stem}.docx"
        if target.is_file() and parts(target.read_bytes()) == parts(data):
            continue  # same content (compared unzipped: another zlib may deflate differently)
        stale.append(source.stem)
        if not args.check:
            args.out.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            print(f"built {target}")
    if not failed and not args.names and args.out == HERE / "orme":
        stale += bundle(args.out, args.check)
    if stale and args.check:
        print("out of date, run `python templates/build.py`: " + " ".join(stale), file=sys.stderr)
    return 2 if failed else 1 if stale and args.check else 0


def bundle(folder: Path, check: bool) -> list[str]:
    """The built-in templates' bundle of prepared entries (``clausegen.docx.prepared``), rebuilt from a render
    of the example profiles; ``[name]`` when it was out of date."""
    from clausegen.docx import prepared

    entries = prepared.collect(sorted((HERE.parent / "profiles").glob("*.yaml")))
    if prepared.up_to_date(folder, entries):
        return []
    if not check:
        prepared.write(folder, entries)
        print(f"built {folder / prepared.BUNDLE}")
    return [prepared.BUNDLE]


if __name__ == "__main__":
    sys.exit(main())
