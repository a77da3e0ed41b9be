"""The only module that talks to docxtpl: one sandboxed Jinja environment, templates read once.

* Jinja runs in an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined`` (a typo in a template is an
  error, never an empty string) and autoescape on (any profile text appears literally).
* A template file is checked before it is opened (``container.read_docx``: a real .docx, no zip bomb, no
  encrypted part, well-formed XML…), and its tags before docxtpl repairs them (``container.check_tags``).
* Each template is prepared once per process (``prepare``): docxtpl's ``patch_xml`` cleans the XML parts
  that carry tags, Jinja compiles them, and the other parts are deflated once. Rendering a document then
  runs the compiled code and zips the result with the ready parts; python-docx is not involved. Templates
  using docxtpl's table or rich-text tags (``{%tc``, ``{%r``…) go through docxtpl's whole pipeline.
* Every rendering has a budget (``guard``): loop turns, operations, characters produced, CPU seconds, and
  no single operation may build a huge text or number, so a hostile template fails in seconds.
* Every XML part written is checked well-formed (``container.check_xml``): never a .docx Word cannot open.
* Errors are French and located: template, part, paragraph (as ``clausegen templates lint`` counts them)
  and the text near the faulty tag.
* Output is byte-identical for the same input: core properties come from the profile (never the time of
  generation) and zip entries get fixed dates (``ziputil``).
"""

from __future__ import annotations

import hashlib
import io
import re
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import RenderError
from . import container, guard
from .environment import SOURCES as _SOURCES
from .environment import jinja_env
from .messages import _describe, _error_line, _near, _numbered, _python_error, _template_error
from .typography import typography
from .vocabulary import EMPTY, Vocabulary
from .ziputil import LEVEL as DEFLATE_LEVEL



# The limits of a template's rendering live in ``guard``; these names are kept for the callers.
MAX_LOOP_ITEMS = guard.MAX_LOOP_ITEMS
MAX_REPEAT = guard.MAX_REPEAT
_bounded_iter = guard.bounded_iter
_bounded_range = guard.bounded_range


@lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> bytes:
    return Path(path).read_bytes()


def template_bytes(path: Path) -> bytes:
    """Template file content, read once per process (re-read if the file changes)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would block the read for ever
            raise RenderError(path.name, "ce n'est pas un fichier ordinaire (dossier, tube nommé, périphérique…).")
        if info.st_size > container.MAX_FILE:
            raise RenderError(path.name, f"fichier trop gros pour un modèle ({info.st_size // 2**20} Mo ; au plus "
                              f"{container.MAX_FILE // 2**20} Mo).")
        return _read(str(path), info.st_mtime_ns)
    except OSError as exc:
        raise RenderError(path.name, f"modèle illisible ({exc.strerror or exc.__class__.__name__}).") from None


# Parts that may carry Jinja tags; the others are copied as they are.
_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
# docxtpl features that need its full pipeline (table fixing, rich text): such templates use it.
# docxtpl's own tags, exactly as its ``patch_xml`` reads them: ``{%tc …``, ``{%r …`` and ``{{r …`` (the letter
# glued to the brace, then a space), and the cell tags ``{% colspan %}``, ``{% cellbg %}``, ``{% vm %}``, ``{% hm %}``.
# ``{{ r }}`` (a variable called ``r``) is not one of them.
_DOCXTPL_ONLY = re.compile(r"\{%(?:tc|r) |\{\{r |\{%-?\s*(?:colspan|cellbg|vm|hm)\b")
_XML_TAG = re.compile(r"<[^>]*>")


def needs_docxtpl(xml: str) -> bool:
    """Whether a part's XML uses docxtpl's own tags, looked for in its text before ``patch_xml`` (which
    rewrites every one of them: ``{{r x}}`` becomes ``{{ x }}``, ``{% vm %}`` a merged cell), so a tag Word
    split over several runs counts too."""
    return bool(_DOCXTPL_ONLY.search(_XML_TAG.sub("", xml)))


_TAG_ENTITIES = {"&apos;": "'", "&quot;": '"', "&amp;": "&", "&#39;": "'", "&#34;": '"'}
_TAG_ENTITY = re.compile("|".join(_TAG_ENTITIES))


def _unescape_tags(xml: str) -> str:
    """LibreOffice saves ' and " of text as &apos; / &quot;; inside a Jinja tag they must be characters again.
    (Tags found in linear time: a regular expression would be quadratic on tags left open.)"""
    if "&" not in xml:
        return xml
    out, last = [], 0
    for start, end in container.find_tags(xml, dotall=True):
        tag = xml[start:end]
        if "&" in tag:
            out += [xml[last:start], _TAG_ENTITY.sub(lambda e: _TAG_ENTITIES[e.group(0)], tag)]
            last = end
    out.append(xml[last:])
    return "".join(out)


def _patch(name: str, part: str, raw: bytes) -> str:
    """docxtpl's tag repair of one part, after its tags were checked (the repair is quadratic on tags left
    open). Each paragraph starts a line, marked with its number (``<!--¶12-->``, removed by ``_numbered``):
    Jinja's line numbers then give the paragraph of an error, even when docxtpl removed the paragraph or
    merged several."""
    number = iter(range(1, 1 << 62))
    xml = re.sub(r"<w:p(?=[ >])", lambda m: f"\n<!--¶{next(number)}--><w:p", raw.decode("utf-8"))
    container.check_tags(name, part, xml)
    return _unescape_tags(_docxtpl_text_helper().patch_xml(xml))


@dataclass
class PreparedTemplate:
    """A template read, patched and compiled once; rendering it only runs the compiled Jinja code."""

    name: str
    entries: list  # ziputil.Entry for fixed parts, or a part name (str) for templated ones
    compiled: dict  # part name → compiled Jinja template
    sources: dict  # part name → patched XML (for error messages)
    resolve_listing: object  # docxtpl's post-processing of \n, \t in rendered text
    data: bytes  # the template file, for the docxtpl fallback
    docxtpl_only: bool
    paragraphs: dict = field(default_factory=dict)  # part name → template paragraph of each source line
    env: object = None  # the Jinja environment it was compiled in
    bound: dict = field(default_factory=dict)  # part name → its renders need no namespace check (``names``)


_CORE = "docProps/core.xml"


# What ``prepare`` reads from a template's file alone, kept in the cache (and, for the built-in templates, in
# the bundle shipped with them): the checks of the archive, docxtpl's repair and the deflated fixed parts are
# done once per template file, not once per process. Change the name whenever its shape or ``_patch`` change.
_PARTS_KIND = f"template-parts-2-z{DEFLATE_LEVEL}"


def _template_parts(name: str, data: bytes) -> tuple[list, dict, dict, dict, bool, dict]:
    """(entries, sources, keys, paragraphs, docxtpl_only, bound) of the template ``data``: ``entries`` holds a
    ``ziputil.Entry`` for each fixed part and the name of each templated one; ``sources`` the patched XML of
    each templated part, ``keys`` its SHA-256 (the loader's name for it) and ``bound`` whether its renders
    can only hold prefixes its root declares (``names.prefixes_bound``)."""
    from .names import prefixes_bound
    from .ziputil import deflate

    parts = container.read_docx(name, data)
    parts.sort(key=lambda p: p[0] != "[Content_Types].xml")
    entries, sources, keys, paragraphs, bound = [], {}, {}, {}, {}
    docxtpl_only = False
    for part, raw in parts:
        if part == _CORE:
            entries.append(part)
            continue
        if _TEMPLATED.match(part):
            raw = container.utf8_xml(name, part, raw)
        if _TEMPLATED.match(part) and (b"{{" in raw or b"{%" in raw or b"{#" in raw):
            docxtpl_only = docxtpl_only or needs_docxtpl(raw.decode("utf-8"))
            sources[part], paragraphs[part] = _numbered(_patch(name, part, raw))
            keys[part] = hashlib.sha256(sources[part].encode("utf-8")).hexdigest()
            bound[part] = prefixes_bound(sources[part])
            entries.append(part)
        else:
            entries.append(deflate(part, raw))
    return entries, sources, keys, paragraphs, docxtpl_only, bound


@lru_cache(maxsize=32)
def prepare(name: str, data: bytes, vocabulary: Vocabulary = EMPTY) -> PreparedTemplate:
    """Read a .docx template once: checked (``container``), fixed parts deflated once, XML parts patched and
    compiled once (``_template_parts``, cached by the file's digest; Jinja's compiled code, cached too)."""
    from jinja2 import TemplateError

    from ..cache import cached_data, digest
    from .known import builtin

    data = container.without_external(name, data)  # --retirer-liens-externes (issue 23); else data itself
    key = digest(data)  # once, for both questions below
    entries, sources, keys, paragraphs, docxtpl_only, bound = cached_data(_PARTS_KIND, data, lambda: _template_parts(name, data), key)
    if not builtin(data, key):  # a buyer's template: every rendered part checked with namespaces (``names``)
        bound = {}
    env = jinja_env(vocabulary)
    compiled = {}
    for part, xml in sources.items():
        _SOURCES[keys[part]] = xml
        try:
            compiled[part] = env.get_template(keys[part])
        except TemplateError as exc:
            raise _template_error(name, part, xml, exc, paragraphs[part], env) from None
        except (RecursionError, SyntaxError, MemoryError):
            raise RenderError(name, f"{container.part_label(part)}modèle trop complexe : blocs ou expressions imbriqués "
                              "trop profondément pour être compilés.") from None
    return PreparedTemplate(name, entries, compiled, sources, _resolve_listing, data, docxtpl_only, paragraphs, env, bound)


_TEXT_WITH_BREAK = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\n\t]")
_FEW_BREAKS = 256  # past this many newlines and tabs, the regular expression scans faster than the loop


def _text_with_break(xml: str) -> bool:
    """``_TEXT_WITH_BREAK.search(xml)`` found something: a newline or a tab in a ``<w:t>`` text. Rendered parts
    hold a few newlines between tags and no tab, so looking back from each one is cheaper than the search."""
    if xml.count("\n") + xml.count("\t") > _FEW_BREAKS:
        return _TEXT_WITH_BREAK.search(xml) is not None
    for char in "\n\t":
        at = xml.find(char)
        while at != -1:
            # the text before the break runs from the end of a tag after the last « < »: that tag is a <w:t>,
            # or begins with « <w:t » after the « > » before it (the pattern's attributes may hold a « < »)
            last = xml.rfind("<", 0, at)
            end = xml.find(">", last, at) if last != -1 else -1
            if end != -1 and (xml.startswith("<w:t>", last) or xml.find("<w:t ", xml.rfind(">", 0, last) + 1, end) != -1):
                return True
            at = xml.find(char, at + 1)
    return False


def _resolve_listing(xml: str) -> str:
    """docxtpl's post-processing, needed only when a rendered text holds a newline or a tab."""
    if not _text_with_break(xml):
        return xml
    return _docxtpl_text_helper().resolve_listing(xml)


@lru_cache(maxsize=1)
def _docxtpl_text_helper():
    """docxtpl's XML clean-up (``patch_xml``) and post-processing (``resolve_listing``) are plain string
    functions on its class; an instance without a loaded document is enough to call them."""
    from docxtpl import DocxTemplate

    return DocxTemplate.__new__(DocxTemplate)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _core_xml(props: dict) -> bytes:
    escape = _escape
    date = props["date"].strftime("%Y-%m-%dT%H:%M:%SZ")
    fields = (
        ("dc:title", props["title"]), ("dc:subject", props["subject"]), ("dc:creator", props["author"]),
        ("cp:keywords", "clause sociale d'insertion"), ("dc:description", props["comments"]),
        ("cp:lastModifiedBy", "clausegen"), ("cp:revision", "1"),
    )
    body = "".join(f"<{tag}>{escape(_xml_text(value))}</{tag}>" for tag, value in fields)
    return (
        "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f'{body}<dcterms:created xsi:type="dcterms:W3CDTF">{date}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{date}</dcterms:modified>'
        f"<cp:lastPrinted>{date}</cp:lastPrinted></cp:coreProperties>"
    ).encode("utf-8")


_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value: str) -> str:
    return _XML_INVALID.sub("", str(value))


def _render_part(prepared: PreparedTemplate, part: str, context: dict) -> bytes:
    """One part rendered and post-processed; checked well-formed before docxtpl's post-processing (whose
    regular expressions assume it) and at the end."""
    from jinja2 import TemplateError

    template = prepared.compiled[part]
    source, numbers = prepared.sources[part], prepared.paragraphs.get(part)
    try:
        xml = "".join(template.root_render_func(template.new_context(context)))
    except TemplateError as exc:
        raise _template_error(prepared.name, part, source, exc, numbers, prepared.env) from None
    except RecursionError as exc:
        raise RenderError(prepared.name, "récursion sans fin dans le modèle.", _near(source, _error_line(exc))) from None
    except (MemoryError, OverflowError) as exc:
        raise RenderError(prepared.name, f"le modèle demande un calcul démesuré ({exc.__class__.__name__}).",
                          _near(source, _error_line(exc))) from None
    except Exception as exc:  # noqa: BLE001 - a filter given a wrong value, …
        raise _template_error(prepared.name, part, source, exc, numbers, prepared.env) from None
    xml = xml.replace("\n<w:p>", "<w:p>").replace("\n<w:p ", "<w:p ")  # the line breaks Jinja's blocks leave
    if "{_" in xml or "_}" in xml:  # docxtpl's escaped braces, rare: two scans instead of four
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    data = xml.encode("utf-8")
    namespaces = not prepared.bound.get(part, False)
    container.check_xml(prepared.name, part, data, namespaces=namespaces)
    listed = prepared.resolve_listing(xml)
    if listed is not xml:
        container.check_xml(prepared.name, part, listed.encode("utf-8"), namespaces=namespaces)
    # typography keeps a well-formed part well-formed (it replaces spaces inside <w:t> texts and splits a text
    # around a <w:noBreakHyphen/>): no third parse
    final = typography(listed)
    return data if final is xml else final.encode("utf-8")


def render_docx(name: str, data: bytes, context: dict, properties: dict, vocabulary: Vocabulary = EMPTY) -> bytes:
    """Render one template (its bytes) with ``context``; returns the .docx bytes, byte-stable."""
    from .ziputil import deflate, write_zip

    prepared = prepare(name, data, vocabulary)
    if prepared.docxtpl_only:
        return _render_with_docxtpl(prepared, context, properties)
    token = guard.start_budget()
    try:
        entries = []
        for entry in prepared.entries:
            if entry == _CORE:
                entries.append(deflate(_CORE, _core_xml(properties)))
            elif isinstance(entry, str):
                entries.append(deflate(entry, _render_part(prepared, entry, context)))
            else:
                entries.append(entry)
    finally:
        guard.end_budget(token)
    return write_zip(entries)


def _render_with_docxtpl(prepared: PreparedTemplate, context: dict, properties: dict) -> bytes:
    """docxtpl's whole pipeline, for templates using its table and rich-text tags."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError
    from lxml import etree

    from .ziputil import deflate, normalize_zip, write_zip

    token = guard.start_budget()
    try:
        template = DocxTemplate(io.BytesIO(prepared.data))
        template.render(context, jinja_env=prepared.env)
    except TemplateError as exc:
        lines = getattr(exc, "docx_context", None)
        near = " ".join(x.strip() for x in lines if x.strip())[:160] if lines is not None else None
        raise RenderError(prepared.name, _describe(exc, "", prepared.env), near or None) from None
    except etree.XMLSyntaxError:
        raise RenderError(prepared.name, f"le document produit serait illisible par Word (XML invalide). {container.HINT}") from None
    except RecursionError:
        raise RenderError(prepared.name, "récursion sans fin dans le modèle.") from None
    except Exception as exc:  # noqa: BLE001
        raise RenderError(prepared.name, _python_error(exc)) from None
    finally:
        guard.end_budget(token)
    out = io.BytesIO()
    template.save(out)
    import zipfile

    archive = zipfile.ZipFile(io.BytesIO(normalize_zip(out.getvalue())))
    parts = {}
    for part in archive.namelist():
        if _TEMPLATED.match(part):
            container.check_xml(prepared.name, part, archive.read(part))
            typeset = typography(archive.read(part).decode("utf-8")).encode("utf-8")
            container.check_xml(prepared.name, part, typeset)
            parts[part] = typeset
    return write_zip(
        deflate(n, _core_xml(properties) if n == _CORE else parts.get(n) or archive.read(n)) for n in archive.namelist()
    )
