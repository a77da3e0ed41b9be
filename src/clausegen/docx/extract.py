"""Plain text of a generated .docx, in reading order: used by snapshots and by the review of a pack. Word's
no-break hyphen (``w:noBreakHyphen``) reads as U+2011, so that a snapshot shows it."""

from __future__ import annotations

import io


def docx_text(data: bytes, *, header_footer: bool = True) -> str:
    """Paragraphs and table rows (cells joined by « | ») in body order; header and footer first."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    from docx.oxml.ns import qn

    document = Document(io.BytesIO(data))
    for part in [document.element] + [s.part.element for sec in document.sections for s in (sec.header, sec.footer)]:
        for hyphen in list(part.iter(qn("w:noBreakHyphen"))):  # Word's no-break hyphen reads as U+2011
            t = hyphen.makeelement(qn("w:t"), {})
            t.text = "\u2011"
            hyphen.addprevious(t)
            hyphen.getparent().remove(hyphen)
    lines: list[str] = []
    if header_footer:
        section = document.sections[0]
        lines += [f"[en-tête] {p.text}" for p in section.header.paragraphs if p.text.strip()]
        lines += [f"[pied de page] {p.text}" for p in section.footer.paragraphs if p.text.strip()]
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text
            if text.strip():
                style = paragraph.style.name if paragraph.style is not None else ""
                prefix = {"Title": "= ", "Heading 1": "# ", "Heading 2": "## ", "Heading 3": "### ", "List Bullet": "- ", "List Bullet 2": "  - ", "List Number": "1. "}.get(style, "")
                lines.append(prefix + text)
        elif tag == "tbl":
            table = Table(child, document)
            for row in table.rows:
                cells = []
                for cell in row.cells:
                    cells.append(" / ".join(p.text for p in cell.paragraphs if p.text.strip()))
                lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
