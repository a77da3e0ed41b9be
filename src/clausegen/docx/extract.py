"""Plain text of a generated .docx, in reading order: used by snapshots and by the review of a pack."""

from __future__ import annotations

import io


def docx_text(data: bytes, *, header_footer: bool = True) -> str:
    """Paragraphs and table rows (cells joined by « | ») in body order; header and footer first."""
    from docx import Document
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    document = Document(io.BytesIO(data))
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
