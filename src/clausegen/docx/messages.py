"""French messages for template errors: Jinja's syntax and runtime errors, the sandbox's refusals and
Python's own errors while a template computes, each located (part, paragraph, text near the tag)."""

from __future__ import annotations

import contextlib
import re

from ..errors import RenderError
from . import container, guard


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


def _describe(exc, line: str = "", env=None) -> str:
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
        return _undefined(exc, line, env)
    if isinstance(exc, TemplateSyntaxError):
        message = (exc.message or "").strip()
        m = re.match(r"No (filter|test) named '(.+?)'", message)
        if m:
            what, known = ("filtre", env.filters if env else {}) if m.group(1) == "filter" else ("test", env.tests if env else {})
            return f"{what} inconnu « {m.group(2)} ».{_suggest(m.group(2), [k for k in known if not k.startswith('_')])}"
        if "trop profondément" in message:
            return f"modèle trop complexe : {message}."
        if "interdit dans un modèle" in message:
            return f"opération interdite : {message}."
        return f"balise mal formée : {_jinja_message(message).rstrip('.')}."
    if isinstance(exc, TemplateRuntimeError):
        return f"erreur de modèle : {exc}"
    return _python_error(exc)


def _undefined(exc, line: str, env=None) -> str:
    """« variable inconnue », « attribut inconnu »…, with the expression as written and a suggestion."""
    text = str(exc)
    keys = getattr(exc, "clausegen_keys", None)
    m = re.match(r"'(.+?)' is undefined$", text)
    if m:
        vocabulary = getattr(env, "vocabulary", None)
        names = vocabulary.variable_names() if vocabulary is not None else ()
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
    return " ".join(line[a:b] for a, b in container.find_tags(line, comments=False))


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


def _template_error(name: str, part: str, source: str, exc, numbers: list[int] | None = None, env=None) -> RenderError:
    """A ``RenderError`` for ``exc`` raised by the template ``name``: French message, part and paragraph
    (``numbers``: the paragraph of each line of ``source``), and the text near the tag."""
    lineno = _error_line(exc)
    paragraph = _paragraph(numbers, lineno)
    where = container.part_label(part) + (f"paragraphe {paragraph} : " if paragraph else "")
    if where.endswith(", "):
        where = where[:-2] + " : "
    return RenderError(name, where + _describe(exc, _line(source, lineno), env), _near(source, lineno))


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
