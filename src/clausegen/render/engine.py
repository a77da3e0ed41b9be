"""The only module that talks to docxtpl: one sandboxed Jinja environment, templates read once.

* Jinja runs in an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined`` (a typo in a template is an
  error, never an empty string) and autoescape on (any profile text appears literally).
* A template file is checked before it is opened (``docxcheck.read_docx``: a real .docx, no zip bomb, no
  encrypted part, well-formed XML…), and its tags before docxtpl repairs them (``docxcheck.check_tags``).
* Each template is prepared once per process (``prepare``): docxtpl's ``patch_xml`` cleans the XML parts
  that carry tags, Jinja compiles them, and the other parts are deflated once. Rendering a document then
  runs the compiled code and zips the result with the ready parts; python-docx is not involved. Templates
  using docxtpl's table or rich-text tags (``{%tc``, ``{%r``…) go through docxtpl's whole pipeline.
* Every rendering has a budget (``guard``): loop turns, operations, characters produced, CPU seconds, and
  no single operation may build a huge text or number, so a hostile template fails in seconds.
* Every XML part written is checked well-formed (``docxcheck.check_xml``): never a .docx Word cannot open.
* Errors are French and located: template, part, paragraph (as ``clausegen templates lint`` counts them)
  and the text near the faulty tag.
* Output is byte-identical for the same input: core properties come from the profile (never the time of
  generation) and zip entries get fixed dates (``ziputil``).
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import io
import re
import stat
import zipfile
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..errors import RenderError
from . import docxcheck, guard
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


# The limits of a template's rendering live in ``guard``; these names are kept for the callers.
MAX_LOOP_ITEMS = guard.MAX_LOOP_ITEMS
MAX_REPEAT = guard.MAX_REPEAT
_bounded_iter = guard.bounded_iter
_bounded_range = guard.bounded_range


# Patched template XML by name (its SHA-256): the loader of the environment reads from here, so compiled
# templates can be kept in Jinja's bytecode cache between runs of the command.
_SOURCES: dict[str, str] = {}


def _bytecode_cache():
    """Jinja's cache of compiled templates, in clausegen's cache folder (see ``cache.py``).

    Compiling the seven templates is most of the time of a single ``clausegen render``; entries are keyed
    by the template's content, so an edited template is compiled again. The name changes whenever the way
    templates are compiled changes (``guard.rewrite``), so that no older compilation is reused.
    """
    from ..cache import bytecode_cache

    return bytecode_cache("jinja-bounded3-%s.bin")


@lru_cache(maxsize=1)
def _undefined_class():
    """``StrictUndefined`` whose errors remember the value and the name looked up (for French messages)."""
    from jinja2 import StrictUndefined, Undefined

    base = Undefined._fail_with_undefined_error

    class ClausegenUndefined(StrictUndefined):
        __slots__ = ()

        def _fail_with_undefined_error(self, *args, **kwargs):
            try:
                base(self, *args, **kwargs)
            except self._undefined_exception as exc:
                obj = self._undefined_obj
                exc.clausegen_name = self._undefined_name
                exc.clausegen_keys = sorted(k for k in obj if isinstance(k, str)) if isinstance(obj, dict) else None
                raise

    for attr in set(dir(StrictUndefined)):
        if getattr(StrictUndefined, attr, None) is base:
            setattr(ClausegenUndefined, attr, ClausegenUndefined._fail_with_undefined_error)
    return ClausegenUndefined


@lru_cache(maxsize=1)
def jinja_env():
    """The one environment every template runs in: sandboxed, strict, autoescaping, bounded (``guard``)."""
    from jinja2 import FunctionLoader, TemplateSyntaxError
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class ClausegenSandbox(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

        def _parse(self, source, name, filename):
            try:
                tree = super()._parse(source, name, filename)
            except RecursionError as exc:
                raise TemplateSyntaxError(
                    f"expression ou blocs imbriqués trop profondément (plus de {guard.MAX_DEPTH} niveaux)",
                    guard.failure_line(exc, source), name, filename) from None
            return guard.rewrite(tree, name, filename)

        def call_binop(self, context, operator, left, right):
            guard.binop(operator, left, right)
            return guard.check_number(super().call_binop(context, operator, left, right))

        def call(self, context, obj, /, *args, **kwargs):
            guard.tick()
            return super().call(context, obj, *args, **kwargs)

        def getattr(self, obj, attribute):
            return guard.guard_method(super().getattr(obj, attribute))

        def getitem(self, obj, argument):
            return guard.guard_method(super().getitem(obj, argument))

        def wrap_str_format(self, value):
            return guard.wrap_str_format(self, value)

    env = ClausegenSandbox(
        autoescape=True,
        undefined=_undefined_class(),
        keep_trailing_newline=True,
        loader=FunctionLoader(_SOURCES.get),
        bytecode_cache=_bytecode_cache(),
        cache_size=256,
    )
    env.filters.update(FILTERS)
    guard.install(env)
    return env


@lru_cache(maxsize=64)
def _read(path: str, mtime_ns: int) -> bytes:
    return Path(path).read_bytes()


def template_bytes(path: Path) -> bytes:
    """Template file content, read once per process (re-read if the file changes)."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a pipe would block the read for ever
            raise RenderError(path.name, "ce n'est pas un fichier ordinaire (dossier, tube nommé, périphérique…).")
        if info.st_size > docxcheck.MAX_FILE:
            raise RenderError(path.name, f"fichier trop gros pour un modèle ({info.st_size // 2**20} Mo ; au plus "
                              f"{docxcheck.MAX_FILE // 2**20} Mo).")
        return _read(str(path), info.st_mtime_ns)
    except OSError as exc:
        raise RenderError(path.name, f"modèle illisible ({exc.strerror or exc.__class__.__name__}).") from None


_TYPES_FR = {
    "int": "un nombre entier", "float": "un nombre", "Decimal": "un nombre", "str": "un texte", "Markup": "un texte",
    "list": "une liste", "tuple": "une liste", "dict": "un bloc de valeurs", "NoneType": "une valeur vide",
    "bool": "un booléen", "date": "une date", "datetime": "une date", "Undefined": "une valeur inconnue",
}


def _type_fr(name: str) -> str:
    return _TYPES_FR.get(name.strip("'\" ").replace(" object", ""), f"une valeur de type {name}")


def _suggest(word: str, candidates, prefix: str = "") -> str:
    import difflib

    near = difflib.get_close_matches(word, list(candidates or ()), n=1, cutoff=0.6)
    return f" Vouliez-vous dire « {prefix}{near[0]} » ?" if near else ""


def _describe(exc, line: str = "") -> str:
    """A French message for a template error, worded as ``clausegen templates lint`` words it; ``line`` is the
    template source of the line where it happened (to name the expression)."""
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.exceptions import TemplateRuntimeError
    from jinja2.sandbox import SecurityError

    from .lint_jinja import _jinja_message

    if isinstance(exc, guard.BudgetExceeded):
        return f"le modèle demande un travail démesuré : {exc}."
    if isinstance(exc, SecurityError):
        m = re.match(r"access to attribute '(.+?)' of '(.+?)' object is unsafe", str(exc))
        if m and m.group(1).startswith("_"):
            return f"opération interdite : « {m.group(1)} » est un attribut interne de Python, interdit dans un modèle."
        if m:
            return (f"opération interdite : « {m.group(1)} » modifierait {_type_fr(m.group(2))} ; un modèle ne peut que "
                    "lire les données du profil.")
        if "not safely callable" in str(exc):
            return "opération interdite : appel d'une fonction non autorisée dans un modèle."
        return f"opération interdite dans un modèle ({exc})."
    if isinstance(exc, UndefinedError):
        return _undefined(exc, line)
    if isinstance(exc, TemplateSyntaxError):
        message = (exc.message or "").strip()
        m = re.match(r"No (filter|test) named '(.+?)'", message)
        if m:
            env = jinja_env()
            what, known = ("filtre", env.filters) if m.group(1) == "filter" else ("test", env.tests)
            return f"{what} inconnu « {m.group(2)} ».{_suggest(m.group(2), [k for k in known if not k.startswith('_')])}"
        if "trop profondément" in message:
            return f"modèle trop complexe : {message}."
        if "interdit dans un modèle" in message:
            return f"opération interdite : {message}."
        return f"balise mal formée : {_jinja_message(message).rstrip('.')}."
    if isinstance(exc, TemplateRuntimeError):
        return f"erreur de modèle : {exc}"
    return _python_error(exc)


def _undefined(exc, line: str) -> str:
    """« variable inconnue », « attribut inconnu »…, with the expression as written and a suggestion."""
    text = str(exc)
    keys = getattr(exc, "clausegen_keys", None)
    m = re.match(r"'(.+?)' is undefined$", text)
    if m:
        from .glossary import load_glossary

        try:
            names = load_glossary().top_names
        except Exception:  # noqa: BLE001 - only for a suggestion
            names = ()
        return (f"variable inconnue « {m.group(1)} » : absente du glossaire (voir clausegen templates vars)."
                f"{_suggest(m.group(1), names)}")
    m = re.match(r"'?(.+?)'? has no attribute '(.+?)'$", text)
    if m:
        kind, attr = m.group(1), m.group(2)
        base = re.search(r"([A-Za-z_][\w.]*)\s*(?:\.|\[\s*['\"])" + re.escape(attr) + r"\b", _tags_of(line))
        shown = base.group(1) if base else None
        if kind == "None":
            return (f"« {shown + '.' if shown else ''}{attr} » : {('« ' + shown + ' »') if shown else 'la valeur'} est vide "
                    f"dans ce profil, elle n'a pas d'attribut « {attr} ». Testez-la d'abord ({{% if {shown or '…'} %}}).")
        if shown:
            return (f"attribut inconnu « {shown}.{attr} » : « {attr} » n'est pas une clé de « {shown} » "
                    f"(voir clausegen templates vars).{_suggest(attr, keys, shown + '.')}")
        return f"attribut inconnu « {attr} » pour {_type_fr(kind)} (voir clausegen templates vars).{_suggest(attr, keys)}"
    m = re.match(r"(.+?) has no element (.+)$", text)
    if m:
        return f"élément {m.group(2)} inexistant dans {_type_fr(m.group(1))}."
    return f"valeur inconnue ({text})."


def _python_error(exc) -> str:
    """Errors Python raises while a template computes (wrong types, division by zero…), in French."""
    text = str(exc)
    kind = exc.__class__.__name__
    if isinstance(exc, ZeroDivisionError):
        return "calcul impossible : division par zéro."
    m = re.match(r"unsupported operand type\(s\) for (.+?): '(.+?)' and '(.+?)'", text)
    if m:
        return f"calcul impossible : « {m.group(1)} » entre {_type_fr(m.group(2))} et {_type_fr(m.group(3))}."
    m = re.match(r'can only concatenate (\w+) \(not "(\w+)"\) to', text)
    if m:
        hint = " ; pour coller des textes, utilisez « ~ »" if m.group(1) == "str" else ""
        return f"calcul impossible : « + » entre {_type_fr(m.group(1))} et {_type_fr(m.group(2))}{hint}."
    m = re.match(r"'(.+?)' not supported between instances of '(.+?)' and '(.+?)'", text)
    if m:
        return f"comparaison « {m.group(1)} » impossible entre {_type_fr(m.group(2))} et {_type_fr(m.group(3))}."
    m = re.match(r"'(.+?)' object is not (iterable|callable|subscriptable)", text)
    if m:
        what = {"iterable": "parcourue par une boucle", "callable": "appelée comme une fonction", "subscriptable": "indexée"}[m.group(2)]
        return f"{_type_fr(m.group(1))} ne peut pas être {what}.".capitalize()
    m = re.match(r"object of type '(.+?)' has no len\(\)", text)
    if m:
        return f"« length » ou « count » sur {_type_fr(m.group(1))}, qui n'a pas de longueur."
    return f"calcul impossible ({kind} : {text})."


_NEWLINE = re.compile(r"\r\n|\r|\n")  # as Jinja counts lines


def _tags_of(line: str) -> str:
    return " ".join(line[a:b] for a, b in docxcheck.find_tags(line, comments=False))


def _line(source: str, lineno: int | None) -> str:
    if not lineno:
        return ""
    lines = _NEWLINE.split(source, lineno)
    return lines[lineno - 1] if len(lines) >= lineno else ""


_MARK = re.compile(r"\n<!--¶(\d+)-->")


def _numbered(xml: str) -> tuple[str, list[int]]:
    """The patched source without its paragraph marks (``_patch``), and the template paragraph (1-based, as
    ``templates lint`` counts them; 0 before the first) where each of its lines starts."""
    numbers, current = [], 0
    for line in _NEWLINE.split(xml):
        if line.startswith("<!--¶"):
            current = int(line[5: line.index("-->")])
        numbers.append(current)
    return _MARK.sub("\n", xml), numbers


def _paragraph(numbers: list[int] | None, lineno: int | None) -> int | None:
    if not lineno or not numbers or lineno > len(numbers):
        return None
    return numbers[lineno - 1] or None


def _near(source: str, lineno: int | None) -> str | None:
    """Text of the template paragraph of a Jinja line number (one paragraph per line), or around it."""
    if not lineno:
        return None
    def strip(line: str) -> str:
        return re.sub(r"<[^>]+>", "", line[:50_000]).strip()

    text = strip(_line(source, lineno))
    if not text:
        lines = _NEWLINE.split(source, lineno + 2)[max(lineno - 3, 0): lineno + 2]
        text = " ".join(strip(line) for line in lines)
    return re.sub(r"\s+", " ", text).strip()[:160] or None


def _template_error(name: str, part: str, source: str, exc, numbers: list[int] | None = None) -> RenderError:
    """A ``RenderError`` for ``exc`` raised by the template ``name``: French message, part and paragraph
    (``numbers``: the paragraph of each line of ``source``), and the text near the tag."""
    lineno = _error_line(exc)
    paragraph = _paragraph(numbers, lineno)
    where = docxcheck.part_label(part) + (f"paragraphe {paragraph} : " if paragraph else "")
    if where.endswith(", "):
        where = where[:-2] + " : "
    return RenderError(name, where + _describe(exc, _line(source, lineno)), _near(source, lineno))


def _error_line(exc) -> int | None:
    """The template line of an error: Jinja's for a syntax error, else the innermost template frame."""
    lineno = getattr(exc, "lineno", None)
    if lineno:
        return lineno
    tb, found = exc.__traceback__, None
    while tb is not None:
        template = tb.tb_frame.f_globals.get("__jinja_template__")
        if template is not None:
            with contextlib.suppress(Exception):  # only for the location
                found = template.get_corresponding_lineno(tb.tb_lineno)
        tb = tb.tb_next
    return found


# Parts that may carry Jinja tags; the others are copied as they are.
_TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
# docxtpl features that need its full pipeline (table fixing, rich text): such templates use it.
_DOCXTPL_ONLY = re.compile(r"\{%-?\s*(tc|r|colspan|cellbg|vm|hm)\b|\{\{-?\s*r\s")


_TAG_ENTITIES = {"&apos;": "'", "&quot;": '"', "&amp;": "&", "&#39;": "'", "&#34;": '"'}
_TAG_ENTITY = re.compile("|".join(_TAG_ENTITIES))


def _unescape_tags(xml: str) -> str:
    """LibreOffice saves ' and " of text as &apos; / &quot;; inside a Jinja tag they must be characters again.
    (Tags found in linear time: a regular expression would be quadratic on tags left open.)"""
    if "&" not in xml:
        return xml
    out, last = [], 0
    for start, end in docxcheck.find_tags(xml, dotall=True):
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
    docxcheck.check_tags(name, part, xml)
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


_CORE = "docProps/core.xml"


@lru_cache(maxsize=32)
def prepare(name: str, data: bytes) -> PreparedTemplate:
    """Read a .docx template once: checked (``docxcheck``), fixed parts deflated once, XML parts patched and
    compiled once."""
    from jinja2 import TemplateError

    from ..cache import cached_text
    from .ziputil import deflate

    parts = docxcheck.read_docx(name, data)
    parts.sort(key=lambda p: p[0] != "[Content_Types].xml")
    entries, compiled, sources, paragraphs = [], {}, {}, {}
    docxtpl_only = False
    env = jinja_env()
    for part, raw in parts:
        if part == _CORE:
            entries.append(part)
            continue
        if _TEMPLATED.match(part):
            raw = docxcheck.utf8_xml(name, part, raw)
        if _TEMPLATED.match(part) and (b"{{" in raw or b"{%" in raw or b"{#" in raw):
            xml, paragraphs[part] = _numbered(cached_text("patched-4", raw, lambda raw=raw, part=part: _patch(name, part, raw)))
            docxtpl_only = docxtpl_only or bool(_DOCXTPL_ONLY.search(xml))
            sources[part] = xml
            key = hashlib.sha256(xml.encode("utf-8")).hexdigest()
            _SOURCES[key] = xml
            try:
                compiled[part] = env.get_template(key)
            except TemplateError as exc:
                raise _template_error(name, part, xml, exc, paragraphs[part]) from None
            except (RecursionError, SyntaxError, MemoryError):
                raise RenderError(name, f"{docxcheck.part_label(part)}modèle trop complexe : blocs ou expressions imbriqués "
                                  "trop profondément pour être compilés.") from None
            entries.append(part)
        else:
            entries.append(deflate(part, raw))
    return PreparedTemplate(name, entries, compiled, sources, _resolve_listing, data, docxtpl_only, paragraphs)


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
    """One part rendered and post-processed; checked well-formed before docxtpl's post-processing (whose
    regular expressions assume it) and at the end."""
    from jinja2 import TemplateError

    template = prepared.compiled[part]
    source, numbers = prepared.sources[part], prepared.paragraphs.get(part)
    try:
        xml = "".join(template.root_render_func(template.new_context(context)))
    except TemplateError as exc:
        raise _template_error(prepared.name, part, source, exc, numbers) from None
    except RecursionError as exc:
        raise RenderError(prepared.name, "récursion sans fin dans le modèle.", _near(source, _error_line(exc))) from None
    except (MemoryError, OverflowError) as exc:
        raise RenderError(prepared.name, f"le modèle demande un calcul démesuré ({exc.__class__.__name__}).",
                          _near(source, _error_line(exc))) from None
    except Exception as exc:  # noqa: BLE001 - a filter given a wrong value, …
        raise _template_error(prepared.name, part, source, exc, numbers) from None
    xml = re.sub(r"\n<w:p([ >])", r"<w:p\1", xml)
    xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    data = xml.encode("utf-8")
    docxcheck.check_xml(prepared.name, part, data)
    final = typography(prepared.resolve_listing(xml))
    if final is xml:
        return data
    data = final.encode("utf-8")
    docxcheck.check_xml(prepared.name, part, data)
    return data


def render_docx(name: str, data: bytes, context: dict, properties: dict) -> bytes:
    """Render one template (its bytes) with ``context``; returns the .docx bytes, byte-stable."""
    from .ziputil import deflate, write_zip

    prepared = prepare(name, data)
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
        template.render(context, jinja_env=jinja_env())
    except TemplateError as exc:
        lines = getattr(exc, "docx_context", None)
        near = " ".join(x.strip() for x in lines if x.strip())[:160] if lines is not None else None
        raise RenderError(prepared.name, _describe(exc), near or None) from None
    except etree.XMLSyntaxError:
        raise RenderError(prepared.name, f"le document produit serait illisible par Word (XML invalide). {docxcheck.HINT}") from None
    except RecursionError:
        raise RenderError(prepared.name, "récursion sans fin dans le modèle.") from None
    except Exception as exc:  # noqa: BLE001
        raise RenderError(prepared.name, _python_error(exc)) from None
    finally:
        guard.end_budget(token)
    out = io.BytesIO()
    template.save(out)
    archive = zipfile.ZipFile(io.BytesIO(normalize_zip(out.getvalue())))
    for part in archive.namelist():
        if _TEMPLATED.match(part):
            docxcheck.check_xml(prepared.name, part, archive.read(part))
    return write_zip(
        deflate(n, _core_xml(properties) if n == _CORE else archive.read(n)) for n in archive.namelist()
    )


def document_date(date) -> _dt.datetime:
    """The date written in the core properties: the publication date, never the time of generation."""
    return _dt.datetime(date.year, date.month, date.day) if date else _FALLBACK_DATE
