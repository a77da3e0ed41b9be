"""The only module that talks to docxtpl: one sandboxed Jinja environment, templates read once.

* Jinja runs in an ``ImmutableSandboxedEnvironment`` with ``StrictUndefined`` (a typo in a template is an
  error, never an empty string) and autoescape on (any profile text appears literally).
* Template files are read once per process and kept as bytes; each render opens a fresh ``DocxTemplate``
  from those bytes (docxtpl's object is stateful and is never handed out).
* Output is made byte-identical for the same input: core properties come from the profile, zip entries
  get fixed dates (``ziputil.normalize_zip``).
"""

from __future__ import annotations

import datetime as _dt
import io
import re
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


@lru_cache(maxsize=1)
def jinja_env():
    from jinja2 import StrictUndefined
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    env = ImmutableSandboxedEnvironment(autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True)
    env.filters.update(FILTERS)
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


def render_docx(name: str, data: bytes, context: dict, properties: dict) -> bytes:
    """Render one template (its bytes) with ``context``; returns the normalized .docx bytes."""
    from docxtpl import DocxTemplate
    from jinja2 import TemplateError

    from .ziputil import normalize_zip

    try:
        template = DocxTemplate(io.BytesIO(data))
        template.render(context, jinja_env=jinja_env())
    except TemplateError as exc:
        near = None
        lines = getattr(exc, "docx_context", None)
        if lines is not None:
            near = " ".join(x.strip() for x in lines if x.strip())[:160] or None
        raise RenderError(name, _describe(exc), near) from None
    except Exception as exc:  # a corrupt .docx, a loop bound hit, …
        if isinstance(exc, RenderError):
            raise
        raise RenderError(name, f"rendu impossible ({exc.__class__.__name__} : {exc})") from None
    core = template.docx.core_properties
    core.title = properties["title"]
    core.subject = properties["subject"]
    core.author = properties["author"]
    core.last_modified_by = "clausegen"
    core.keywords = "clause sociale d'insertion"
    core.comments = properties["comments"]
    core.category = ""
    core.revision = 1
    core.created = properties["date"]
    core.modified = properties["date"]
    core.last_printed = properties["date"]
    out = io.BytesIO()
    template.save(out)
    return normalize_zip(out.getvalue())


def document_date(date) -> _dt.datetime:
    """The date written in the core properties: the publication date, never the time of generation."""
    return _dt.datetime(date.year, date.month, date.day) if date else _FALLBACK_DATE
