"""The only module that talks to docxtpl: one sandboxed Jinja environment, templates read once.

* Jinja runs in an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined`` (a typo in a template is an
  error, never an empty string) and autoescape on (any profile text appears literally).
* Each template is prepared once per process (``prepare``): docxtpl's ``patch_xml`` cleans the XML parts
  that carry tags, Jinja compiles them, and the other parts are deflated once. Rendering a document then
  runs the compiled code and zips the result with the ready parts; python-docx is not involved. Templates
  using docxtpl's table or rich-text tags (``{%tc``, ``{%r``…) go through docxtpl's whole pipeline.
* Loops are bounded (``range`` gives at most 100 000 items per document) and « * » cannot build huge
  texts, so a hostile template fails instead of running for ever.
* Output is byte-identical for the same input: core properties come from the profile (never the time of
  generation) and zip entries get fixed dates (``ziputil``).
"""

from __future__ import annotations

import contextvars
import datetime as _dt
import hashlib
import io
import re
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import RenderError
from .filters import FILTERS

TEMPLATE_SET = "orme"
_FALLBACK_DATE = _dt.datetime(2000, 1, 1)


def builtin_template_dir() -> Path:
    """The bundled templates: inside the installed package, or ``templates/orme`` of a source checkout."""
    packaged = resources.files("clausegen").joinpath("templates", TEMPLATE_SET)
    if packaged.is_dir():
        return Path(str(packaged))
    checkout = Path(__file__).resolve().parents[3] / "templates" / TEMPLATE_SET
    if checkout.is_dir():
        return checkout
    raise RenderError(TEMPLATE_SET, "modèles intégrés introuvables : l'installation de clausegen est incomplète.")


MAX_LOOP_ITEMS = 100_000  # range() items a template may ask for in one document
MAX_REPEAT = 100_000  # longest string or list a template may build with « * »


class _Budget:
    """Per-render allowance of range() items, so a template cannot loop for hours."""

    def __init__(self):
        self.left = MAX_LOOP_ITEMS


_budget: contextvars.ContextVar[_Budget] = contextvars.ContextVar("clausegen_budget")


def _bounded_iter(iterable):
    """Every ``{% for %}`` iterates through here: each turn spends one unit of the document's budget,
    so even a stored range looped over in nested loops cannot run for ever."""
    from jinja2.sandbox import SecurityError

    budget = _budget.get(None)
    for item in iterable:
        if budget is not None:
            budget.left -= 1
            if budget.left < 0:
                raise SecurityError(f"boucle trop longue (plus de {MAX_LOOP_ITEMS} tours dans un document)")
        yield item


def _bounded_range(*args):
    from jinja2.sandbox import SecurityError

    items = range(*args)
    budget = _budget.get(None)
    if budget is not None:
        budget.left -= len(items)
        if budget.left < 0:
            raise SecurityError(f"boucle trop longue (plus de {MAX_LOOP_ITEMS} tours dans un document)")
    elif len(items) > MAX_LOOP_ITEMS:
        raise SecurityError(f"boucle trop longue (plus de {MAX_LOOP_ITEMS} tours)")
    return items


# Patched template XML by name (its SHA-256): the loader of the environment reads from here, so compiled
# templates can be kept in Jinja's bytecode cache between runs of the command.
_SOURCES: dict[str, str] = {}


def _bytecode_cache():
    """Jinja's on-disk cache of compiled templates, in clausegen's cache folder (see ``cache.py``).

    Compiling the seven templates is most of the time of a single ``clausegen render``; entries are keyed
    by the template's content, so an edited template is compiled again.
    """
    from jinja2 import FileSystemBytecodeCache

    from ..cache import cache_dir

    folder = cache_dir()
    return FileSystemBytecodeCache(str(folder), "__jinja2_bounded1_%s.cache") if folder is not None else None


@lru_cache(maxsize=1)
def jinja_env():
    """The one environment every template runs in: sandboxed, strict, autoescaping, bounded."""
    from jinja2 import FunctionLoader, StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

    class ClausegenSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**"})

        def _parse(self, source, name, filename):
            from jinja2 import nodes

            tree = super()._parse(source, name, filename)
            for loop in tree.find_all(nodes.For):
                loop.iter = nodes.Filter(loop.iter, "_tours", [], [], None, None, lineno=loop.iter.lineno)
            return tree

        def call_binop(self, context, operator, left, right):
            if operator == "**" and isinstance(right, (int, float)) and abs(right) > 100:
                raise SecurityError("puissance trop grande dans un modèle")
            if operator == "*":
                for seq, count in ((left, right), (right, left)):
                    if isinstance(seq, (str, list, tuple)) and isinstance(count, int) and count * max(len(seq), 1) > MAX_REPEAT:
                        raise SecurityError("texte ou liste trop long construit par un modèle")
            return super().call_binop(context, operator, left, right)

    env = ClausegenSandbox(
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
        loader=FunctionLoader(_SOURCES.get),
        bytecode_cache=_bytecode_cache(),
        cache_size=256,
    )
    env.filters.update(FILTERS)
    env.filters["_tours"] = _bounded_iter
    env.globals["range"] = _bounded_range
    env.globals.pop("lipsum", None)
    return env


@lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> bytes:
    return Path(path).read_bytes()


def template_bytes(path: Path) -> bytes:
    """Template file content, read once per process (re-read if the file changes)."""
    try:
        return _read(str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise RenderError(path.name, f"modèle illisible ({exc.strerror}).") from None


def _describe(exc) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    if isinstance(exc, UndefinedError):
        name = re.search(r"'([^']+)'", str(exc))
        return f"variable ou attribut inconnu{(' « ' + name.group(1) + ' »') if name else ''} ({exc})"
    if isinstance(exc, SecurityError):
        return f"opération interdite dans un modèle ({exc})"
    if isinstance(exc, TemplateSyntaxError):
        return f"balise mal formée : {exc.message}"
    return f"erreur de modèle : {exc}"


def _near(source: str, lineno: int | None) -> str | None:
    """Text of the template paragraphs around a Jinja line number (one paragraph per line)."""
    if not lineno:
        return None
    lines = source.splitlines()[max(lineno - 3, 0): lineno + 2]
    text = " ".join(re.sub(r"<[^>]+>", "", line).strip() for line in lines)
    return re.sub(r"\s+", " ", text).strip()[:160] or None


# Parts that may carry Jinja tags; the others are copied as they are.
_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
# docxtpl features that need its full pipeline (table fixing, rich text): such templates use it.
_DOCXTPL_ONLY = re.compile(r"\{%-?\s*(tc|r|colspan|cellbg|vm|hm)\b|\{\{-?\s*r\s")


_TAG_IN_XML = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.DOTALL)
_TAG_ENTITIES = {"&apos;": "'", "&quot;": '"', "&amp;": "&", "&#39;": "'", "&#34;": '"'}
_TAG_ENTITY = re.compile("|".join(_TAG_ENTITIES))


def _unescape_tags(xml: str) -> str:
    """LibreOffice saves ' and " of text as &apos; / &quot;; inside a Jinja tag they must be characters again."""
    return _TAG_IN_XML.sub(lambda m: _TAG_ENTITY.sub(lambda e: _TAG_ENTITIES[e.group(0)], m.group(0)), xml)


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


_CORE = "docProps/core.xml"


@lru_cache(maxsize=32)
def prepare(name: str, data: bytes) -> PreparedTemplate:
    """Read a .docx template once: fixed parts deflated once, XML parts patched and compiled once."""
    from jinja2 import TemplateError

    from ..cache import cached_text
    from .ziputil import deflate

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        archive.getinfo("word/document.xml")
    except Exception as exc:  # noqa: BLE001 - not a .docx
        raise RenderError(name, f"ce fichier n'est pas un document .docx lisible ({exc.__class__.__name__}).") from None
    names = archive.namelist()
    names.sort(key=lambda n: n != "[Content_Types].xml")
    entries, compiled, sources = [], {}, {}
    docxtpl_only = False
    env = jinja_env()
    for part in names:
        raw = archive.read(part)
        if part == _CORE:
            entries.append(part)
        elif _TEMPLATED.match(part) and (b"{{" in raw or b"{%" in raw or b"{#" in raw):
            xml = cached_text("patched-2", raw, lambda raw=raw: _unescape_tags(_docxtpl_text_helper().patch_xml(raw.decode("utf-8"))))
            docxtpl_only = docxtpl_only or bool(_DOCXTPL_ONLY.search(xml))
            xml = re.sub(r"<w:p([ >])", r"\n<w:p\1", xml)
            sources[part] = xml
            key = hashlib.sha256(xml.encode("utf-8")).hexdigest()
            _SOURCES[key] = xml
            try:
                compiled[part] = env.get_template(key)
            except TemplateError as exc:
                raise RenderError(name, _describe(exc), _near(xml, getattr(exc, "lineno", None))) from None
            entries.append(part)
        else:
            entries.append(deflate(part, raw))
    return PreparedTemplate(name, entries, compiled, sources, _resolve_listing, data, docxtpl_only)


_TEXT_WITH_BREAK = re.compile(r"<w:t(?: [^>]*)?>[^<]*[\n\t]")


def _resolve_listing(xml: str) -> str:
    """docxtpl's post-processing, needed only when a rendered text holds a newline or a tab."""
    if not _TEXT_WITH_BREAK.search(xml):
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


_W_TEXT = re.compile(r"(<w:t(?: [^>]*)?>)([^<]*)(</w:t>)")
_ARTICLE_REF = re.compile(r"\b([LRD])\.[ \u00a0](\d{4})-(\d{1,3})\b")
_NUMERO = re.compile(r"\bn° (?=[0-9])")


def typography(xml: str) -> str:
    """French typography of every rendered text run, whatever wrote it (template, registry, profile):
    a no-break space in « L. 2112-2 » and « n° 2 », and a Word no-break hyphen inside article numbers so
    that « L. 2112-2 » never breaks at its hyphen. Only ``<w:t>`` contents are touched."""
    if "n° " not in xml and not _ARTICLE_REF.search(xml):
        return xml

    def fix(m) -> str:
        text = _NUMERO.sub("n°\u00a0", m.group(2))
        if not _ARTICLE_REF.search(text):
            return m.group(1) + text + m.group(3)
        close_open = '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'
        text = _ARTICLE_REF.sub(lambda a: f"{a.group(1)}.\u00a0{a.group(2)}{close_open}{a.group(3)}", text)
        start = m.group(1) if "xml:space" in m.group(1) else '<w:t xml:space="preserve">'
        return start + text + m.group(3)

    return _W_TEXT.sub(fix, xml)


def _render_part(prepared: PreparedTemplate, part: str, context: dict) -> bytes:
    from jinja2 import TemplateError

    try:
        xml = prepared.compiled[part].render(context)
    except TemplateError as exc:
        raise RenderError(prepared.name, _describe(exc), _near(prepared.sources[part], getattr(exc, "lineno", None))) from None
    except RecursionError:
        raise RenderError(prepared.name, "récursion sans fin dans le modèle.") from None
    except (MemoryError, OverflowError) as exc:
        raise RenderError(prepared.name, f"le modèle demande un calcul démesuré ({exc.__class__.__name__}).") from None
    except Exception as exc:  # noqa: BLE001 - a filter given a wrong value, …
        raise RenderError(prepared.name, f"rendu impossible ({exc.__class__.__name__} : {exc})") from None
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    return typography(prepared.resolve_listing(xml)).encode("utf-8")


def render_docx(name: str, data: bytes, context: dict, properties: dict) -> bytes:
    """Render one template (its bytes) with ``context``; returns the .docx bytes, byte-stable."""
    from .ziputil import deflate, write_zip

    prepared = prepare(name, data)
    if prepared.docxtpl_only:
        return _render_with_docxtpl(prepared, context, properties)
    token = _budget.set(_Budget())
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
        _budget.reset(token)
    return write_zip(entries)


def _render_with_docxtpl(prepared: PreparedTemplate, context: dict, properties: dict) -> bytes:
    """docxtpl's whole pipeline, for templates using its table and rich-text tags."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    from .ziputil import deflate, normalize_zip, write_zip

    token = _budget.set(_Budget())
    try:
        template = DocxTemplate(io.BytesIO(prepared.data))
        template.render(context, jinja_env=jinja_env())
    except TemplateError as exc:
        lines = getattr(exc, "docx_context", None)
        near = " ".join(x.strip() for x in lines if x.strip())[:160] if lines is not None else None
        raise RenderError(prepared.name, _describe(exc), near or None) from None
    except Exception as exc:  # noqa: BLE001
        raise RenderError(prepared.name, f"rendu impossible ({exc.__class__.__name__} : {exc})") from None
    finally:
        _budget.reset(token)
    out = io.BytesIO()
    template.save(out)
    archive = zipfile.ZipFile(io.BytesIO(normalize_zip(out.getvalue())))
    return write_zip(
        deflate(n, _core_xml(properties) if n == _CORE else archive.read(n)) for n in archive.namelist()
    )


def document_date(date) -> _dt.datetime:
    """The date written in the core properties: the publication date, never the time of generation."""
    return _dt.datetime(date.year, date.month, date.day) if date else _FALLBACK_DATE
