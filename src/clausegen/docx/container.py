"""Checks of a buyer's .docx template before and after the engine touches it.

* ``read_docx``: the file is a real .docx the engine can read safely — a zip (not a .doc, a PDF…), at
  most ``MAX_ENTRIES`` parts, each at most ``MAX_PART`` bytes once uncompressed and ``MAX_TOTAL`` in all
  (sizes read from the central directory, and decompression stopped at the declared size: zip bombs),
  no encrypted part, only « stored » and « deflated » compression, no part twice, ``word/document.xml``
  and ``[Content_Types].xml`` present, every XML part well-formed and without ``<!DOCTYPE`` (entity
  bombs). The parts the engine fills must be UTF-8; UTF-16 with a byte-order mark (which Word may write)
  is converted, anything else refused.
* ``check_tags``: before docxtpl's tag repair (``patch_xml``), whose regular expressions go back to the
  end of the part for every tag left open — quadratic on a large template —, tags left open are
  refused with the paragraph they are in.
* ``check_xml``: every part the engine wrote is well-formed before anything is written, so a template
  can never give a .docx that Word cannot open.
* A buyer's templates folder (exact names, links refused, close names reported) is read by ``folder``.

Every refusal is a ``RenderError`` naming the template, in French.
"""

from __future__ import annotations

import bisect
import io
import re
import struct
import zlib
from xml.parsers import expat

from ..errors import RenderError

MAX_FILE = 50 * 1024 * 1024  # a template file
MAX_ENTRIES = 500  # parts in a template
MAX_PART = 20 * 1024 * 1024  # one part, uncompressed
MAX_TOTAL = 100 * 1024 * 1024  # all parts, uncompressed
MAX_TAG_SCAN = 30_000_000  # characters docxtpl's tag repair may scan (see ``check_tags``)
MAX_LITERAL_DIGITS = 1000  # a number written in a tag; Python cannot even print an integer of 4 300 digits

_MB = 1024 * 1024


def _mb(size: int) -> str:
    return f"{size / _MB:.1f}".replace(".", ",") + " Mo"


# ---------------------------------------------------------------------------------------------------
# The zip
# ---------------------------------------------------------------------------------------------------

_RESAVE = "Ouvrez-le dans Word et enregistrez-le au format « Document Word (.docx) »."


def _not_a_docx(data: bytes) -> str:
    if not data:
        return "le fichier est vide."
    if data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return ("ce n'est pas un document .docx lisible : c'est un document Word 97-2003 (.doc) ou un document protégé "
                "par mot de passe. Retirez le mot de passe s'il y en a un, puis enregistrez-le au format « Document Word (.docx) ».")
    if data.startswith(b"%PDF"):
        return "ce n'est pas un document .docx lisible : c'est un PDF. Le modèle doit être un document Word .docx."
    if data.startswith(b"{\\rtf"):
        return f"ce n'est pas un document .docx lisible : c'est un document RTF. {_RESAVE}"
    if data.lstrip()[:5] in (b"<?xml", b"<w:wo", b"<pkg:"):
        return f"ce n'est pas un document .docx lisible : c'est un document Word enregistré en XML. {_RESAVE}"
    return f"ce n'est pas un document .docx lisible (ce n'est pas une archive zip). {_RESAVE}"


def _declared_entries(data: bytes) -> int | None:
    """Number of entries announced by the zip's end-of-central-directory record (None: no such record)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if end < 0 or end + 22 > len(data):
        return None
    return struct.unpack_from("<H", data, end + 10)[0]


def read_docx(name: str, data: bytes, *, external: bool = True) -> list[tuple[str, bytes]]:
    """The parts of a .docx template (name, bytes), in the archive's order, after the checks above; with
    ``external`` (always, but for the lint, which reports them one by one) a template that reaches outside
    the document or carries code is refused (``external.refuse``)."""
    import zipfile  # here: a pack of the built-in templates opens none (their parts come from the bundle)

    if len(data) > MAX_FILE:
        raise RenderError(name, f"fichier trop gros pour un modèle ({_mb(len(data))} ; au plus {_mb(MAX_FILE)}).")
    declared = _declared_entries(data)
    if declared is None:
        raise RenderError(name, _not_a_docx(data))
    if declared > MAX_ENTRIES:
        raise RenderError(name, f"archive anormale : {declared if declared < 0xFFFF else 'plus de 65 000'} parties "
                          f"(un document Word en compte quelques dizaines ; au plus {MAX_ENTRIES}).")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except Exception:  # noqa: BLE001 - any way a damaged zip can fail
        raise RenderError(name, f"ce fichier n'est pas un document .docx lisible (archive zip abîmée). {_RESAVE}") from None
    if len(infos) > MAX_ENTRIES:
        raise RenderError(name, f"archive anormale : {len(infos)} parties (au plus {MAX_ENTRIES}).")
    seen: set[str] = set()
    total = 0
    from .ziputil import name_problem

    for info in infos:
        part = info.filename
        problem = name_problem(part)
        if problem:
            raise RenderError(name, f"archive anormale : la partie « {part[:80]} » a un nom interdit ({problem}) ; un document "
                              f"enregistré par Word n'en contient pas. {_RESAVE}")
        if part in seen:
            raise RenderError(name, f"archive anormale : la partie {part} y figure deux fois. {_RESAVE}")
        seen.add(part)
        if info.flag_bits & 0x1:
            raise RenderError(name, f"la partie {part} est chiffrée : retirez la protection par mot de passe du document, "
                              "puis enregistrez-le au format .docx.")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise RenderError(name, f"la partie {part} utilise une méthode de compression non prise en charge "
                              f"(n° {info.compress_type} ; seules « stored » et « deflated », celles de Word, le sont). {_RESAVE}")
        if info.file_size > MAX_PART:
            raise RenderError(name, f"la partie {part} est démesurée une fois décompressée ({_mb(info.file_size)} ; "
                              f"au plus {_mb(MAX_PART)} par partie) : archive piégée ou image énorme.")
        total += info.file_size
        if total > MAX_TOTAL:
            raise RenderError(name, f"le modèle est démesuré une fois décompressé (plus de {_mb(MAX_TOTAL)}) : archive "
                              "piégée ou images énormes.")
    for required in ("[Content_Types].xml", "word/document.xml"):
        if required not in seen:
            raise RenderError(name, f"ce n'est pas un document .docx lisible : il y manque la partie {required}. {_RESAVE}")
    from .known import checked_before, mark_checked

    checked = checked_before(data)
    parts = []
    for info in infos:
        if info.is_dir():
            continue
        try:
            with archive.open(info) as stream:
                raw = stream.read(info.file_size + 1)  # never more than declared (+1 to see a lie)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            raise RenderError(name, f"la partie {info.filename} est abîmée (archive corrompue). {_RESAVE}") from None
        if len(raw) != info.file_size:
            raise RenderError(name, f"la partie {info.filename} n'a pas la taille annoncée par l'archive : archive "
                              f"corrompue ou piégée. {_RESAVE}")
        if not checked and info.filename.endswith((".xml", ".rels")):
            problem = xml_problem(raw)
            if problem:
                reason, index = problem
                where, near = locate(raw, index)
                raise RenderError(name, f"le modèle est abîmé : la partie {info.filename} n'est pas du XML valide "
                                  f"({reason}, {where}). {_RESAVE}", near)
        parts.append((info.filename, raw))
    if not checked:
        mark_checked(data)
    if external:
        from . import external as outside

        outside.refuse(name, parts)
    return parts


def without_external(name: str, data: bytes) -> bytes:
    """The template ``data`` without what ``external`` finds and may remove, when the buyer asked for it
    (``clausegen render --retirer-liens-externes``: ``external.policy()`` is « retirer »); else ``data`` itself.
    Macros and DDE fields are refused all the same; a template with nothing to remove is returned as it is."""
    from . import external as outside

    if outside.policy() != "retirer":
        return data
    parts = read_docx(name, data, external=False)
    items = outside.inspect(parts)
    if not items:
        return data
    fixed = [i for i in items if not i.removable]
    if fixed:
        raise outside.refusal(name, fixed)
    from .external_strip import strip
    from .ziputil import deflate, write_zip

    return write_zip(deflate(part, raw) for part, raw in strip(parts, items))


def utf8_xml(name: str, part: str, raw: bytes) -> bytes:
    """A part the engine fills, in UTF-8: UTF-16 with a byte-order mark is converted, other encodings refused."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise RenderError(name, f"la partie {part} est mal encodée (UTF-16 invalide). {_RESAVE}") from None
        text = re.sub(r"""^(<\?xml[^>]*?encoding=)(["'])[^"']*\2""", r"\1\2UTF-8\2", text)
        return text.encode("utf-8")
    try:
        head = raw[:200].decode("ascii", "replace")
        declared = re.match(r"""^(?:\ufeff|\ufffd{3})?<\?xml[^>]*?encoding=["']([^"']+)""", head)
        if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise UnicodeDecodeError("utf-8", b"", 0, 1, "declared")
        raw.decode("utf-8")
    except UnicodeDecodeError:
        encoding = declared.group(1) if declared else "inconnu"
        raise RenderError(name, f"la partie {part} n'est pas encodée en UTF-8 (encodage : {encoding}) : le moteur ne lit "
                          f"que les documents Word ordinaires. {_RESAVE}") from None
    return raw


# ---------------------------------------------------------------------------------------------------
# XML well-formedness (expat: fast, no entity expansion since DOCTYPE is refused)
# ---------------------------------------------------------------------------------------------------

_EXPAT_FR = {
    "syntax error": "erreur de syntaxe XML",
    "no element found": "XML vide ou coupé avant la fin",
    "not well-formed (invalid token)": "caractère invalide en XML (un « < » ou un « & » laissé tel quel, ou un caractère de contrôle)",
    "unclosed token": "balise XML non terminée",
    "partial character": "caractère incomplet",
    "mismatched tag": "balises XML mal imbriquées (un élément fermé au mauvais endroit)",
    "duplicate attribute": "attribut XML en double",
    "junk after document element": "contenu après la fin du XML",
    "undefined entity": "entité XML inconnue (un « & » laissé tel quel)",
    "reference to invalid character number": "caractère interdit en XML",
    "unbound prefix": "préfixe d'espace de noms non déclaré",
    "XML or text declaration not at start of entity": "déclaration XML mal placée",
    "unknown encoding": "encodage inconnu",
    "encoding specified in XML declaration is incorrect": "encodage déclaré incorrect",
    "unclosed CDATA section": "section CDATA non fermée",
    "illegal character(s) in public id": "caractère interdit dans un identifiant public",
}


class _Doctype(Exception):
    pass


def _refuse_doctype(*_args):
    raise _Doctype


def xml_problem(data: bytes, namespaces: bool = True) -> tuple[str, int] | None:
    """None when ``data`` is well-formed XML without DOCTYPE, else (French reason, byte offset); with
    ``namespaces=False``, its prefixes are not checked (``names.prefixes_bound`` proved them declared)."""
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.StartDoctypeDeclHandler = _refuse_doctype
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        english = expat.ErrorString(exc.code)
        return _EXPAT_FR.get(english, f"XML invalide : {english}"), max(parser.ErrorByteIndex, 0)
    except _Doctype:
        return "déclaration <!DOCTYPE> interdite dans un document Word", max(parser.CurrentByteIndex, 0)
    return None


_P_START = re.compile(rb"<w:p[ >/]")
_TAGS = re.compile(rb"<[^>]*>")


def locate(data: bytes, index: int) -> tuple[str, str | None]:
    """(« paragraphe N » or « début de la partie », the text around) for a byte offset in Word XML."""
    paragraphs = _P_START.findall(data, 0, index)
    start = data.rfind(b"<w:p", 0, index) if paragraphs else max(index - 200, 0)
    segment = data[max(start, index - 2000): index + 200]
    text = _TAGS.sub(b"", segment).decode("utf-8", "replace")
    text = re.sub(r"\s+", " ", text).strip()
    where = f"paragraphe {len(paragraphs)}" if paragraphs else "avant le premier paragraphe"
    return where, (text[:160] or None)


def check_xml(name: str, part: str, data: bytes, *, hint: str = "", namespaces: bool = True) -> None:
    """A part the engine wrote must be well-formed: else a ``RenderError`` naming the template, the part,
    the paragraph of the produced document and its text."""
    problem = xml_problem(data, namespaces)
    if problem is None:
        return
    reason, index = problem
    where, near = locate(data, index)
    label = part_label(part)
    raise RenderError(
        name,
        f"le document produit serait illisible par Word : {reason}, {label}{where} du document produit. {hint or HINT}",
        near,
    )


HINT = ("Cause probable : un filtre « safe » qui laisse passer <, > ou & tels quels, ou un bloc {% if %}/{% for %} "
        "ouvert et fermé à des niveaux différents (dans une cellule de tableau et en dehors, dans un paragraphe et "
        "dans un autre) ; « clausegen templates lint » les repère.")


def part_label(part: str) -> str:
    """« » for the body, « en-tête (header1.xml), » … to prefix a location."""
    m = re.match(r"word/([a-z]+?)(\d*)\.xml$", part)
    kind = m.group(1) if m else ""
    label = {"header": "en-tête", "footer": "pied de page", "footnotes": "notes de bas de page", "endnotes": "notes de fin"}.get(kind)
    return f"{label} ({part.rsplit('/', 1)[-1]}), " if label else ""


# ---------------------------------------------------------------------------------------------------
# Jinja tags in Word XML, found in linear time
# ---------------------------------------------------------------------------------------------------

_OPENER = re.compile(r"\{(?=[{%#])")
_OPENER_NO_COMMENT = re.compile(r"\{(?=[{%])")
_CLOSE_OF = {"{": "}}", "%": "%}", "#": "#}"}


def find_tags(text: str, dotall: bool = False, comments: bool = True):
    """The spans of ``re.finditer(r"\\{\\{.*?\\}\\}|\\{%.*?%\\}|\\{#.*?#\\}", text)`` (``re.DOTALL`` with
    ``dotall``, without the ``{# … #}`` alternative unless ``comments``), found in O(n log n) instead of the
    regular expression's O(n²) on tags left open."""
    closers = {"#": []}
    for kind, close in _CLOSE_OF.items():
        if kind == "#" and not comments:
            continue
        closers[kind] = [m.start() for m in re.finditer(re.escape(close[0]) + "(?=" + re.escape(close[1]) + ")", text)]
    newlines = [] if dotall else [m.start() for m in re.finditer("\n", text)]
    resume = 0
    for m in (_OPENER if comments else _OPENER_NO_COMMENT).finditer(text):
        i = m.start()
        if i < resume:
            continue
        found = closers[text[i + 1]]
        k = bisect.bisect_left(found, i + 2)
        if k == len(found):
            continue
        j = found[k]
        if newlines:
            n = bisect.bisect_left(newlines, i + 2)
            if n < len(newlines) and newlines[n] < j:
                continue
        yield i, j + 2
        resume = j + 2


# docxtpl's first step (glue « { » and « { » split by Word XML); linear on well-formed XML.
_GLUE = re.compile(r"(?<={)(<[^>]*>)+(?=[\{%\#])|(?<=[%\}\#])(<[^>]*>)+(?=\})", re.DOTALL)
_XML_TAG = re.compile(r"<[^>]*>")


def check_tags(name: str, part: str, xml: str) -> None:
    """Refuse a part whose tags left open would make docxtpl's tag repair scan for ever.

    docxtpl's ``patch_xml`` looks, from every ``{{`` or ``{%``, for the next ``}}`` or ``%}``: the cost is
    the sum of these distances, small when every tag is closed in its paragraph, quadratic when many are
    left open. Above ``MAX_TAG_SCAN`` the template is refused, naming the first tag left open."""
    if "{" not in xml:
        return
    glued = _GLUE.sub("", xml)
    closers = {kind: [m.start() for m in re.finditer(re.escape(c[0]) + "(?=" + re.escape(c[1]) + ")", glued)]
               for kind, c in _CLOSE_OF.items() if kind != "#"}
    cost, first_far = 0, None
    for m in re.finditer(r"\{(?=[{%])", glued):
        i = m.start()
        found = closers[glued[i + 1]]
        k = bisect.bisect_left(found, i + 2)
        distance = (found[k] if k < len(found) else len(glued)) - i
        if first_far is None and (distance > 4000 or k == len(found)):
            first_far = i
        cost += distance
    if cost <= MAX_TAG_SCAN:
        _check_literals(name, part, glued)
        return
    where, near = "", None
    if first_far is not None:
        paragraph = len(re.findall(r"<w:p[ >]", glued[:first_far]))
        start, end = max(glued.rfind("<w:p", 0, first_far), first_far - 2000, 0), glued.find("</w:p>", first_far)
        text = _XML_TAG.sub("", glued[start: end if 0 < end < first_far + 2000 else first_far + 2000])
        near = re.sub(r"\s+", " ", text).strip()[:80] or None
        where = f" ({part_label(part)}paragraphe {paragraph})"
    raise RenderError(name, f"balise ouverte mais jamais fermée{where} : une balise {{{{ … }}}} ou {{% … %}} doit être "
                      "fermée dans le paragraphe où elle commence. Vérifiez le modèle avec « clausegen templates lint ».", near)





_WORD = re.compile(r"\w+")


def long_number(text: str) -> int | None:
    """Index of the first number literal of more than ``MAX_LITERAL_DIGITS`` characters (« 111…1 »,
    « 0x… », « 1_000_… »: a word that starts with a digit), or None. Linear."""
    for m in _WORD.finditer(text):
        if m.end() - m.start() > MAX_LITERAL_DIGITS and text[m.start()].isdigit():
            return m.start()
    return None


def _check_literals(name: str, part: str, glued: str) -> None:
    """Refuse a tag that writes a number of thousands of digits: Jinja's lexer would fail on it (Python's
    limit on converting integers), and nothing in a clause needs one."""
    for start, end in find_tags(glued, dotall=True, comments=False):
        inner = _XML_TAG.sub("", glued[start:end])
        if long_number(inner) is not None:
            paragraph = len(re.findall(r"<w:p[ >]", glued[:start]))
            raise RenderError(name, f"nombre démesuré écrit dans une balise ({part_label(part)}paragraphe {paragraph}) : plus de "
                              f"{MAX_LITERAL_DIGITS} chiffres. Un modèle n'écrit que des nombres raisonnables.",
                              re.sub(r"\s+", " ", inner)[:40] + "…")
