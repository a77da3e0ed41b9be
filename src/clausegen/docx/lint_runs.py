"""The paragraph-level reading of a template for the lint: the runs of each paragraph, the tags Word split
across runs (repairable by docxtpl or not), and ``{% if %}``/``{% for %}`` blocks opened and closed at
different levels (paragraph, table row, inline). ``lint`` runs it on every part."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..errors import RenderError
from .container import check_tags, find_tags
from .lint_jinja import ERROR, WARNING

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
PARTS = re.compile(r"^word/(document|header\d*|footer\d*|footnotes)\.xml$")
PART_LABELS = {"document": "", "header": "en-tête", "footer": "pied de page", "footnotes": "notes"}
TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
OPENER = re.compile(r"\{\{|\{%|\{#")
DOCXTPL_PREFIX = re.compile(r"^\{([{%#])(p|tr|tc|r) ")
DOCXTPL_CELL = re.compile(r"^\{%-?\s*(colspan|cellbg|vm|hm)\b\s*(.*?)\s*-?%\}$")
P_START = re.compile(r"<w:p[ >]")
T_TEXT = re.compile(r"<w:t(?: [^>]*)?>([^<]*)</w:t>")
ENTITY = re.compile(r"&(?!lt;|gt;|#8216;)#?\w+;")  # those docxtpl's patch_xml leaves in a tag
QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
BLOCKS = {"if", "for", "macro", "call", "filter", "with", "block", "autoescape", "raw", "trans"}
# Run properties that do not change how text looks (Word splits runs on them without telling).
NEUTRAL_RPR = {W + "lang", W + "noProof", W + "proofErr", W + "rtl", W + "cs", W + "webHidden"}
NEUTRAL_SIBLINGS = {W + "r", W + "proofErr", W + "bookmarkStart", W + "bookmarkEnd", W + "permStart", W + "permEnd"}
# Filters that keep the elements of a list, and those that take an attribute of its elements.


@dataclass(frozen=True)
class LintProblem:
    """One problem of one template. ``paragraph`` is 1-based within ``part`` (None: the whole file)."""

    file: str
    severity: str  # « erreur » or « avertissement »
    message: str
    paragraph: int | None = None
    part: str = ""  # "" for the body, « en-tête », « pied de page », « notes »
    text: str = ""  # the paragraph's text, shortened

    def format(self) -> str:
        where = self.file + (f":{self.part}" if self.part else "") + (f":§{self.paragraph}" if self.paragraph else "")
        line = f"{where}: {self.severity}: {self.message}"
        return line + (f" — paragraphe « {self.text} »" if self.text else "")


# ---------------------------------------------------------------------------------------------------
# Reading a template: paragraphs and their tags
# ---------------------------------------------------------------------------------------------------


@dataclass
class _Para:
    """One paragraph of a template, with the text of its runs, as the lint reads it."""

    index: int
    element: object
    text: str = ""
    pieces: list = field(default_factory=list)  # (start, end, w:t element)
    tags: list = field(default_factory=list)  # normalized Jinja tags, in order
    levels: list = field(default_factory=list)  # docxtpl level of each tag: "p", "tr", "tc", "r" or ""
    raw: list = field(default_factory=list)  # each tag as written in the document


def _paragraphs(xml: bytes) -> list[_Para]:
    from lxml import etree

    root = etree.fromstring(xml)
    paras = {}
    for p in root.iter(W + "p"):
        paras[p] = _Para(len(paras) + 1, p)
    for t in root.iter(W + "t"):
        owner = next(t.iterancestors(W + "p"), None)
        if owner is not None and t.text:
            para = paras[owner]
            para.pieces.append((len(para.text), len(para.text) + len(t.text), t))
            para.text += t.text
    return list(paras.values())


def _short(text: str, size: int = 70) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _normalize(tag: str) -> tuple[str, str]:
    """docxtpl's view of a tag: (level, plain Jinja tag); an empty tag for docxtpl's own cell tags."""
    tag = tag.translate(QUOTES)
    level = ""
    m = DOCXTPL_PREFIX.match(tag)
    if m:
        level, tag = m.group(2), "{" + m.group(1) + " " + tag[m.end():]
    cell = DOCXTPL_CELL.match(tag)
    if cell:
        return level, ("{{ " + cell.group(2) + " }}") if cell.group(1) in ("colspan", "cellbg") else ""
    return level, tag


def _rpr_key(run) -> str:
    from lxml import etree

    rpr = run.find(W + "rPr")
    if rpr is None:
        return ""
    kept = [etree.tostring(c) for c in rpr if c.tag not in NEUTRAL_RPR and not (c.tag == W + "rFonts" and set(c.attrib) <= {W + "hint"})]
    return b"".join(sorted(kept)).decode()


def _check_runs(para: _Para, start: int, end: int, tag: str, report, starts=None) -> None:
    """A tag spread over several w:t: can docxtpl glue it back, and at what cost? (``starts``: the start of
    each piece, to find the tag's pieces by bisection.)"""
    first = max(bisect.bisect_right(starts, start) - 1, 0) if starts is not None else 0
    last = bisect.bisect_left(starts, end) if starts is not None else len(para.pieces)
    texts = [t for s, e, t in para.pieces[first:last] if s < end and e > start]
    runs = list(dict.fromkeys(t.getparent() for t in texts))
    if len(runs) < 2:
        return
    shown = _short(tag, 40)
    if len({r.getparent() for r in runs}) > 1 or any(
        sib.tag not in NEUTRAL_SIBLINGS for sib in _between(runs[0], runs[-1])
    ):
        report(ERROR, f"la balise « {shown} » est à cheval sur un lien, une modification suivie, un champ ou un "
               "contrôle de contenu : docxtpl ne peut pas la recoller. Supprimez-la et retapez-la d'un seul tenant.")
        return
    if len({_rpr_key(r) for r in runs}) > 1:
        report(WARNING, f"la balise « {shown} » mélange plusieurs mises en forme (gras, italique, police…) : docxtpl "
               "la recolle avec la mise en forme de son début. Retapez-la d'un seul tenant, avec une seule mise en forme.")
    if _lost_content(para.element, texts[0], texts[-1]):
        report(WARNING, f"la balise « {shown} » contient une tabulation, un saut de ligne, une image ou un champ, "
               "qui disparaîtra du document produit.")


def _lost_content(paragraph, first, last) -> bool:
    """Is there, between two w:t of a tag, Word content that docxtpl's gluing will delete?"""
    inside = False
    for element in paragraph.iter():
        if element is first:
            inside = True
        elif element is last:
            return False
        elif inside and element.tag not in NEUTRAL_SIBLINGS | {W + "t", W + "rPr", W + "lastRenderedPageBreak"} and \
                next(element.iterancestors(W + "rPr"), None) is None:
            return True
    return False


def _between(first, last):
    for sib in first.itersiblings():
        if sib is last:
            return
        yield sib


def _unrepairable(para: _Para) -> bool:
    """True when docxtpl's own clean-up (patch_xml) leaves Word XML inside a tag of this paragraph.
    (Not tried on a paragraph whose open tags would make that clean-up run for ever: then the tag is
    reported as left open.)"""
    from docxtpl import DocxTemplate
    from lxml import etree

    xml = etree.tostring(para.element, encoding="unicode")
    try:
        check_tags("", "", xml)
    except RenderError:
        return False
    patched = DocxTemplate.__new__(DocxTemplate).patch_xml(xml)
    return any("<" in patched[a:b] for a, b in find_tags(patched, dotall=True, comments=False))


def _read_part(para_list: list[_Para], report) -> None:
    """Find the tags of each paragraph, checking how Word stored them."""
    for para in para_list:
        if "{" not in para.text:
            continue
        say = lambda sev, msg, p=para: report(sev, msg, p)  # noqa: E731
        last = 0
        starts = [s for s, _, _ in para.pieces]
        for start, end in find_tags(para.text):  # linear: TAG.finditer is quadratic on tags left open
            raw = para.text[start:end]
            _check_runs(para, start, end, raw, say, starts)
            last = end
            if raw.startswith("{#"):
                continue
            level, tag = _normalize(raw)
            if tag:
                para.tags.append(tag)
                para.levels.append(level)
                para.raw.append(raw)
            if level in ("p", "tr") and (para.text if level == "p" else _row_text(para)).replace(raw, "", 1).strip():
                where = "du paragraphe" if level == "p" else "de la ligne du tableau"
                say(WARNING, f"« {_short(raw, 40)} » remplace tout le reste {where} : le texte qui l'accompagne "
                    f"disparaîtra. Mettez cette balise seule {'dans son paragraphe' if level == 'p' else 'dans sa ligne, les autres cellules vides'}.")
            if level in ("tr", "tc") and next(para.element.iterancestors(W + level), None) is None:
                say(ERROR, f"« {_short(raw, 40)} » n'est pas dans {'une ligne' if level == 'tr' else 'une cellule'} "
                    "de tableau : docxtpl supprimerait une partie du document.")
        rest = OPENER.search(para.text, last)
        if rest:
            if _unrepairable(para):
                say(ERROR, "une balise est coupée par un élément Word (champ, lien, commentaire…) que docxtpl ne sait pas "
                    "retirer. Supprimez-la et retapez-la d'un seul tenant.")
            else:
                say(ERROR, f"balise ouverte mais jamais fermée dans ce paragraphe (« {_short(para.text[rest.start():], 30)} ») : "
                    "une balise doit tenir dans un seul paragraphe, sans retour à la ligne.")


def _row_text(para: _Para) -> str:
    row = next(para.element.iterancestors(W + "tr"), None)
    return "".join(t.text or "" for t in row.iter(W + "t")) if row is not None else para.text


# ---------------------------------------------------------------------------------------------------
# Blocks, syntax, variables
# ---------------------------------------------------------------------------------------------------


def _check_blocks(paras: list[_Para], report) -> bool:
    """Balance of block tags, and the level (paragraph, row, inline) at which each is opened and closed."""
    stack, ok = [], True
    for para in paras:
        for tag, level, raw in zip(para.tags, para.levels, para.raw):
            m = re.match(r"\{%-?\s*(\w+)(.*?)-?%\}$", tag, re.DOTALL)
            if not m:
                continue
            word, rest = m.group(1), m.group(2)
            if word in BLOCKS or (word == "set" and "=" not in rest):
                stack.append((word, level, para, raw))
            elif word in ("elif", "else") and stack:
                ok &= _same_level(stack[-1], (word, level, para, raw), report)
            elif word.startswith("end"):
                name = word[3:]
                if not any(s[0] == name for s in stack):
                    report(ERROR, f"« {_short(raw, 40)} » ne ferme aucun bloc ouvert avant lui.", para)
                    ok = False
                    continue
                while stack[-1][0] != name:
                    _unclosed(stack.pop(), report)
                    ok = False
                ok &= _same_level(stack.pop(), (word, level, para, raw), report)
    for item in stack:
        _unclosed(item, report)
        ok = False
    return ok


def _unclosed(item, report) -> None:
    word, level, para, tag = item
    closing = f"{{%{level} end{word} %}}" if level in ("p", "tr", "tc") else f"{{% end{word} %}}"
    report(ERROR, f"le bloc « {_short(tag, 40)} » n'est jamais fermé : ajoutez « {closing} » à l'endroit voulu"
           f"{', seul dans son paragraphe' if level == 'p' else ''}.", para)


def _anchor(para: _Para, level: str):
    if level in ("tr", "tc"):
        return next(para.element.iterancestors(W + level), para.element)
    return para.element


def _same_level(opened, closing, report) -> bool:
    word, level, para, tag = opened
    _, level2, para2, tag2 = closing
    a, b = _anchor(para, level), _anchor(para2, level2)
    if {level, level2} & {"p", "tr", "tc"} and level != level2 or a.getparent() is not b.getparent():
        report(ERROR, f"« {_short(tag2, 30)} » n'est pas au même niveau que « {_short(tag, 30)} » (§{para.index}) : "
               "ouverture et fermeture doivent être toutes deux seules dans leur paragraphe ({%p …%}), toutes deux "
               "dans des lignes du même tableau ({%tr …%}) ou toutes deux dans le texte ; sinon le document produit "
               "serait illisible.", para2)
        return False
    return True



