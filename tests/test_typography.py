"""French typography in every piece of every example pack, whatever path renders it: U+00A0 before « : »
and after « n° », « L. », « R. », « D. »; U+202F before « ; ! ? » and inside « »; U+2011 in article numbers
(Word's no-break hyphen, read back as U+2011). The pass itself (docx.typography) is tested on XML too."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clausegen import load_profile
from clausegen.docx.extract import docx_text
from clausegen.docx.typography import typography
from clausegen.render.pack import render_documents

ROOT = Path(__file__).resolve().parent.parent
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))

# An ordinary space where French typography wants a no-break one. « : » after a space is always a colon of
# the text (times and URLs have no space before it).
FAULTS = {
    "espace avant « : »": re.compile(r" :"),
    "espace avant « ; », « ! » ou « ? »": re.compile(r" [;!?]"),
    "espace après « « »": re.compile(r"« "),
    "espace avant « » »": re.compile(r" »"),
    "espace après « n° »": re.compile(r"\bn° "),
    "espace après « L. », « R. » ou « D. » d'un article": re.compile(r"\b[LRD]\. (?=\d{3,4}-)"),
    "trait d'union sécable dans un numéro d'article": re.compile(r"\b[LRD]\.\u00a0\d{3,4}-"),
}


@pytest.fixture(scope="module", params=PROFILES, ids=lambda p: p.stem)
def pack(request) -> dict[str, str]:
    return {name: docx_text(data) for name, data in render_documents(load_profile(request.param)).items()}


def test_every_piece_is_typeset(pack):
    faults = []
    for name, text in pack.items():
        for line in text.splitlines():
            if line.startswith(("[en-tête]", "[pied de page]")):
                line = line.split("] ", 1)[1]
            for label, pattern in FAULTS.items():
                for m in pattern.finditer(line):
                    faults.append(f"{name} : {label} : « …{line[max(0, m.start() - 30): m.end() + 30]}… »")
    assert not faults, "\n".join(faults[:40]) + (f"\n… et {len(faults) - 40} autres" if len(faults) > 40 else "")


def test_article_numbers_are_unbreakable(pack):
    # each piece that cites the code cites it with no-break hyphens
    cited = [name for name, text in pack.items() if "du code de la commande publique" in text]
    assert cited
    for name in cited:
        assert re.search(r"[LR]\.\u00a0\d{4}\u2011\d", pack[name]), name


def _run(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


@pytest.mark.parametrize("source, expected", [
    ("Objet : insertion", "Objet\u00a0: insertion"),
    ("un ; deux ! trois ?", "un\u202f; deux\u202f! trois\u202f?"),
    ("« Clause sociale »", "«\u202fClause sociale\u202f»"),
    ("lot n° 2", "lot n°\u00a02"),
    ("https://example.org et 10:30", "https://example.org et 10:30"),
])
def test_the_pass_on_one_run(source, expected):
    assert typography(_run(source)) == _run(expected)


def test_the_pass_across_runs_and_article_numbers():
    xml = '<w:p><w:r><w:t>Fondement</w:t></w:r><w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve"> : article L. 2112-2-1</w:t></w:r></w:p>'
    out = typography(xml)
    assert "Fondement</w:t>" in out and "\u00a0: article L.\u00a02112</w:t><w:noBreakHyphen/>" in out
    assert out.count("<w:noBreakHyphen/>") == 2


# Paragraphs as Word writes them: runs of texts with spaces, punctuation, guillemets, article numbers and
# entities, sometimes split between runs, sometimes in a table or a text box (a « </w:p> » inside a paragraph).
_PIECES = st.sampled_from(["Objet", " ", " :", ": ", "« ", " »", "n° ", "L. ", "2112-2", "-1", " ; ", "?", "&amp;", "&#58;",
                           "https://exemple.fr/a?b=1", "10:30", "é", "\u00a0"])
_TEXTS = st.lists(_PIECES, max_size=8).map("".join)
_RUNS = st.lists(_TEXTS, min_size=1, max_size=4).map(
    lambda texts: "".join(f'<w:r><w:rPr><w:b/></w:rPr><w:t xml:space="preserve">{t}</w:t></w:r>' for t in texts))
_BODY = st.lists(st.tuples(_RUNS, st.sampled_from(["</w:p><w:p>", "</w:p></w:tc><w:tc><w:p>", "<w:r><w:tab/></w:r>"])),
                 min_size=1, max_size=6).map(lambda items: "<w:body><w:p>" + "".join(r + sep for r, sep in items) + "</w:p></w:body>")


@settings(max_examples=300, deadline=None)
@given(_BODY, _BODY)
def test_the_memo_never_changes_a_result(xml, other):
    from clausegen.docx import typography as module

    module._MEMO.clear()
    cold = typography(xml)
    typography(other)  # the memo now holds the other document's paragraphs too
    assert typography(xml) == cold  # from the memo
    module._MEMO.clear()
    assert typography(cold) == cold  # the pass is idempotent: a typeset text is left as it is
    assert cold.replace("\u00a0", " ").replace("\u202f", " ").replace('</w:t><w:noBreakHyphen/><w:t xml:space="preserve">', "-") \
        == xml.replace("\u00a0", " ").replace("\u202f", " ")


def test_a_second_pack_typesets_no_paragraph_again(monkeypatch):
    from clausegen.docx import typography as module

    profile = load_profile(PROFILES[0])
    render_documents(profile)
    calls = []
    original = module._spaces_of_paragraph
    monkeypatch.setattr(module, "_spaces_of_paragraph", lambda xml: calls.append(1) or original(xml))
    render_documents(profile)
    assert calls == []


# The rules as first written, each look-behind first: the faster forms of ``typography._RULES`` find the same spaces.
_FIRST_RULES = (r"(?<=\S)( )(?=:(?:\s|$|[^/\d]))", r"(?<=\S)( )(?=[;!?](?:\s|$|[^\w=&]))", r"(?<=«)( )", r"( )(?=»)",
                r"(?<=\bn°)( )(?=\S)", r"(?<=\b[LRD]\.)( )(?=\d{3,4}-\d)")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", " ", ":", ";", "!", "?", "«", "»", "n°", "L.", "R", "2112", "-", "1", "/", "=", "\u00a0", "é", "\n"]),
                max_size=20).map("".join))
def test_the_rules_find_what_they_first_found(text):
    import re

    from clausegen.docx.typography import _RULES

    for (pattern, _), first in zip(_RULES, _FIRST_RULES, strict=True):
        assert [m.start(1) for m in pattern.finditer(text)] == [m.start(1) for m in re.finditer(first, text)], (pattern.pattern, text)


def _first_spaces_of_paragraph(xml: str) -> str:
    """``typography._spaces_of_paragraph`` as first written (one piece per run of verbatim text, a bisection
    per edit): the faster form must give the same XML."""
    from bisect import bisect_right

    from clausegen.docx.typography import _ENTITY, _RULES, _TAG, _W_TEXT, _may_match

    text = _TAG.sub("", xml)
    if not _may_match(text):
        return xml
    nodes = [(m.start(2), m.group(2)) for m in _W_TEXT.finditer(xml)]
    if not nodes or not _may_match("".join(raw for _, raw in nodes)):
        return xml
    pieces, text_starts, xml_starts, length = [], [], [], 0
    for start, raw in nodes:
        pos = 0
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
    visible, found = "".join(pieces), {}
    for pattern, char in _RULES:
        for m in pattern.finditer(visible):
            found.setdefault(m.start(1), char)
    edits = sorted((xml_starts[k] + index - text_starts[k], char)
                   for index, char in found.items() for k in [bisect_right(text_starts, index) - 1])
    out, last = [], 0
    for offset, char in edits:
        out += [xml[last:offset], char]
        last = offset + 1
    return "".join(out) + xml[last:]


_ENTITIES = st.sampled_from(["&amp;", "&#58;", "&#x3b;", "&lt;", "&quot;", "&#160;"])
_ENTITY_TEXTS = st.lists(st.one_of(_PIECES, _ENTITIES, st.sampled_from([" ", ":", "«", "»", ";", "x"])), max_size=10).map("".join)
_ENTITY_RUNS = st.lists(_ENTITY_TEXTS, min_size=1, max_size=5).map(
    lambda texts: "<w:p>" + "".join(f'<w:r><w:t xml:space="preserve">{t}</w:t></w:r>' for t in texts) + "</w:p>")


@settings(max_examples=600, deadline=None)
@given(_ENTITY_RUNS)
def test_the_paragraph_pass_gives_what_it_first_gave(xml):
    from clausegen.docx.typography import _spaces_of_paragraph

    assert _spaces_of_paragraph(xml) == _first_spaces_of_paragraph(xml)


def test_the_paragraph_pass_gives_what_it_first_gave_on_every_example_pack(monkeypatch):
    from clausegen.docx import typography as module

    paragraphs: dict[str, None] = {}  # every paragraph the pass was given, before it
    original = module._paragraph
    monkeypatch.setattr(module, "_paragraph", lambda xml: paragraphs.setdefault(xml) or original(xml))
    for path in PROFILES:
        render_documents(load_profile(path))
    changed = [piece for piece in paragraphs if module._spaces_of_paragraph(piece) != piece]
    assert len(paragraphs) > 1000 and len(changed) > 100
    for piece in paragraphs:
        assert module._spaces_of_paragraph(piece) == _first_spaces_of_paragraph(piece)
