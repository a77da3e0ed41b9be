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
_ARTICLE_REF = re.compile(r"\b([LRD])\.[ \u00a0](\d{3,4})((?:-\d{1,3})+)\b")  # « L. 2112-2 », « L. 2112-2-1 »
# What every match of ``_ARTICLE_REF`` starts with, found six times faster (no word boundary, no group):
# looked for first, since most paragraphs cite no article.
_ARTICLE_HINT = re.compile(r"[LRD]\.[ \u00a0]\d")
# Spaces to make no-break, found on the paragraph's text: (pattern, replacement of its group 1, a space).
# Each pattern starts with the space, then looks behind it: the regular expression engine then jumps from space
# to space instead of trying its look-behind at every character (twice as fast, the same matches:
# tests/test_typography.py compares them with the look-behind-first forms).
_RULES = (
    (re.compile(r"( )(?<=\S )(?=:(?:\s|$|[^/\d]))"), NBSP),  # « mot : » (not « http:// » nor « 10:30 », which have no space)
    (re.compile(r"( )(?<=\S )(?=[;!?](?:\s|$|[^\w=&]))"), NNBSP),  # « mot ; » « mot ? » (not « ?jeton= »)
    (re.compile(r"( )(?<=« )"), NNBSP),
    (re.compile(r"( )(?=»)"), NNBSP),
    (re.compile(r"( )(?<=\bn° )(?=\S)"), NBSP),
    (re.compile(r"( )(?<=\b[LRD]\. )(?=\d{3,4}-\d)"), NBSP),
)
# The characters each rule of ``_RULES`` cannot match without (one of them).
_NEEDED = (":", ";!?", "«", "»", "°", ".")
# A paragraph whose raw texts hold no space, or none of the characters the rules look for, is left as it is
# (an entity, even « &#58; », counts as one character that no rule looks for).
_MAY_MATCH = re.compile(r"[:;!?«»°]|[LRD]\. ")


def _may_match(text: str) -> bool:
    return " " in text and _MAY_MATCH.search(text) is not None


_ENTITY = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);")
_TAG = re.compile(r"<[^>]*>")


def _spaces(text: str) -> dict[int, str]:
    """``{index: character}`` of the spaces of ``text`` to replace."""
    found: dict[int, str] = {}
    for pattern, char, needed in _RULES_NEEDING:
        for c in needed:
            if c in text:  # a rule whose characters are absent cannot match
                for m in pattern.finditer(text):
                    found.setdefault(m.start(1), char)
                break
    return found


_RULES_NEEDING = tuple((pattern, char, needed) for (pattern, char), needed in zip(_RULES, _NEEDED))


def _raw_offset(raw: str, index: int) -> int:
    """Where the ``index``-th character of a text's visible form (each entity one character) is in ``raw``."""
    pos = seen = 0
    for m in _ENTITY.finditer(raw):
        if seen + m.start() - pos > index:
            break
        seen += m.start() - pos + 1
        pos = m.end()
    return pos + index - seen


def _spaces_of_paragraph(xml: str) -> str:
    """The spaces of one paragraph (``xml`` holds no « </w:p> »: its texts are read as one)."""
    # First, all the text of the paragraph at once (its w:t texts and any other text between its tags, so
    # never less than the w:t texts): most paragraphs hold no space a rule could replace, and are left at once.
    if not _may_match(_TAG.sub("", xml)):
        return xml
    nodes = [(m.start(2), m.group(2)) for m in _W_TEXT.finditer(xml)]  # (start in xml, raw text) of each w:t text
    if not nodes:
        return xml
    # the paragraph's visible text: an entity is one character, "\x00" (never a space nor a rule's character)
    visible = [_ENTITY.sub("\x00", raw) if "&" in raw else raw for _, raw in nodes]
    text = "".join(visible)
    if not _may_match(text):
        return xml  # no rule can apply: each needs a space and one of its characters, never an entity's
    found = _spaces(text)
    if not found:
        return xml
    starts, length = [], 0  # where each node's visible text starts in ``text``
    for piece in visible:
        starts.append(length)
        length += len(piece)
    edits = []  # (offset in xml, new character): always a space, never inside an entity
    for index, char in found.items():
        k = bisect_right(starts, index) - 1
        local = index - starts[k]
        start, raw = nodes[k]
        edits.append((start + (local if raw is visible[k] else _raw_offset(raw, local)), char))
    out, last = [], 0
    for offset, char in sorted(edits):
        out += [xml[last:offset], char]
        last = offset + 1
    out.append(xml[last:])
    return "".join(out)


def _hyphens(xml: str) -> str:
    """Word's no-break hyphen inside the article numbers of each run."""
    if not _ARTICLE_HINT.search(xml) or not _ARTICLE_REF.search(xml):
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


# Paragraphs already typeset, by their XML: the same boilerplate paragraph comes back in every pack of a batch
# and of the web server, and typesetting it again was the largest part of a warm pack. Bounded: the memo is
# emptied once it holds ``_MEMO_CHARS`` characters, and a paragraph longer than ``_MEMO_LONGEST`` is not kept.
_MEMO: dict[str, object] = {}
_MEMO_CHARS, _MEMO_LONGEST = 4_000_000, 20_000
_memo_size = 0
_SAME = object()  # memo value of a paragraph the pass leaves as it is


def _paragraph(xml: str) -> str:
    global _memo_size
    done = _MEMO.get(xml)
    if done is None:
        done = _hyphens(_spaces_of_paragraph(xml)) if "<w:t" in xml else xml
        if len(xml) <= _MEMO_LONGEST:
            if _memo_size > _MEMO_CHARS:
                _MEMO.clear()
                _memo_size = 0
            _MEMO[xml] = _SAME if done is xml else done
            _memo_size += len(xml) + (0 if done is xml else len(done))
        return done
    return xml if done is _SAME else done


def typography(xml: str) -> str:
    """French typography of every text run of a rendered part (see the module's docstring), paragraph by
    paragraph: the texts between two « </w:p> » are read as one."""
    if "<w:t" not in xml:
        return xml
    pieces = xml.split("</w:p>")
    typeset = [_paragraph(piece) for piece in pieces]
    if all(new is old for new, old in zip(typeset, pieces)):
        return xml
    return "</w:p>".join(typeset)
