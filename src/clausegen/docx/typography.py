"""French typography of rendered WordprocessingML: applied to every text run of every rendered part,
whatever wrote the text (template, registry, profile), on every rendering path.

Within each paragraph (the texts of its runs read as one, so a space at the end of a run and the « : »
starting the next are seen together):

* a no-break space (U+00A0) before « : » and after « n° », « L. », « R. », « D. » before a number;
* a narrow no-break space (U+202F) before « ; », « ! », « ? » and inside « guillemets »;
* inside an article number (« L. 2112-2 »), Word's no-break hyphen, so that it never breaks at its hyphen.

Only spaces are replaced (one character by one), so runs keep their formatting; only ``<w:t>`` contents
are touched. Texts already typographed are left as they are.
"""

from __future__ import annotations

import re
from bisect import bisect_right

NBSP, NNBSP = "\u00a0", "\u202f"

_W_TEXT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")
_TOKENS = re.compile(r"<w:t(?: [^>]*)?>[^<]*</w:t>|</w:p>")
_ARTICLE_REF = re.compile(r"\b([LRD])\.[ \u00a0](\d{3,4})((?:-\d{1,3})+)\b")  # « L. 2112-2 », « L. 2112-2-1 »
# Spaces to make no-break, found on the paragraph's text: (pattern, group of the space, replacement).
_RULES = (
    (re.compile(r"(?<=\S)( )(?=:(?:\s|$|[^/\d]))"), NBSP),  # « mot : » (not « http:// » nor « 10:30 », which have no space)
    (re.compile(r"(?<=\S)( )(?=[;!?](?:\s|$|[^\w=&]))"), NNBSP),  # « mot ; » « mot ? » (not « ?jeton= »)
    (re.compile(r"(?<=«)( )"), NNBSP),
    (re.compile(r"( )(?=»)"), NNBSP),
    (re.compile(r"(?<=\bn°)( )(?=\S)"), NBSP),
    (re.compile(r"(?<=\b[LRD]\.)( )(?=\d{3,4}-\d)"), NBSP),
)
# The characters each rule of ``_RULES`` cannot match without (one of them).
_NEEDED = (":", ";!?", "«", "»", "°", ".")
# A paragraph whose raw texts hold no space, or none of the characters the rules look for, is left as it is
# (an entity, even « &#58; », counts as one character that no rule looks for).
_MAY_MATCH = re.compile(r"[:;!?«»°]|[LRD]\. ")


def _may_match(text: str) -> bool:
    return " " in text and _MAY_MATCH.search(text) is not None


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);")


def _spaces(text: str) -> dict[int, str]:
    """``{index: character}`` of the spaces of ``text`` to replace."""
    found: dict[int, str] = {}
    for (pattern, char), needed in zip(_RULES, _NEEDED):
        if any(c in text for c in needed):  # a rule whose characters are absent cannot match
            for m in pattern.finditer(text):
                found.setdefault(m.start(1), char)
    return found


def _spaces_of_paragraphs(xml: str) -> str:
    nodes: list[tuple[int, int, str]] = []  # (start, end, raw text) of each w:t text of the current paragraph
    edits: list[tuple[int, str]] = []  # (absolute offset in xml, new character)

    def flush():
        if not nodes:
            return
        if not _may_match("".join(raw for _, _, raw in nodes)):
            nodes.clear()  # no rule can apply: each needs a space and one of its characters, never an entity's
            return
        # the paragraph's visible text (an entity is one character, "\x00": never a space nor a rule's
        # character), and where each piece copied verbatim starts, in the text and in ``xml``
        pieces, text_starts, xml_starts, length = [], [], [], 0
        for start, _, raw in nodes:
            pos = 0
            if "&" in raw:
                for m in _ENTITY.finditer(raw):
                    if m.start() > pos:
                        text_starts.append(length)
                        xml_starts.append(start + pos)
                        pieces.append(raw[pos:m.start()])
                        length += m.start() - pos
                    pieces.append("\x00")
                    length += 1
                    pos = m.end()
            if pos < len(raw):
                text_starts.append(length)
                xml_starts.append(start + pos)
                pieces.append(raw[pos:])
                length += len(raw) - pos
        for index, char in _spaces("".join(pieces)).items():  # always a space: in a piece copied verbatim
            k = bisect_right(text_starts, index) - 1
            edits.append((xml_starts[k] + index - text_starts[k], char))
        nodes.clear()

    for m in _TOKENS.finditer(xml):
        token = m.group(0)
        if token == "</w:p>":
            flush()
            continue
        head = token.index(">") + 1
        nodes.append((m.start() + head, m.end() - len("</w:t>"), token[head: -len("</w:t>")]))
    flush()
    if not edits:
        return xml
    out, last = [], 0
    for offset, char in sorted(edits):
        out += [xml[last:offset], char]
        last = offset + 1
    out.append(xml[last:])
    return "".join(out)


def _hyphens(xml: str) -> str:
    """Word's no-break hyphen inside the article numbers of each run."""
    if not _ARTICLE_REF.search(xml):
        return xml

    def fix(m) -> str:
        text = m.group(2)
        if not _ARTICLE_REF.search(text):
            return m.group(0)
        close_open = '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'
        text = _ARTICLE_REF.sub(lambda a: f"{a.group(1)}.{NBSP}{a.group(2)}" + "".join(close_open + part for part in a.group(3).split("-")[1:]), text)
        start = m.group(1) if "xml:space" in m.group(1) else '<w:t xml:space="preserve">'
        return start + text + m.group(3)

    return _W_TEXT.sub(fix, xml)


def typography(xml: str) -> str:
    """French typography of every text run of a rendered part (see the module's docstring)."""
    if "<w:t" not in xml:
        return xml
    return _hyphens(_spaces_of_paragraphs(xml))
