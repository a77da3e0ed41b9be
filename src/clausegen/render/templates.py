"""clausegen's templates: the built-in set, a buyer's folder of templates, and their lint.

The document names come from the clause plan (``plan.documents``); the engine (``clausegen.docx``) is told
them, with the filters and the glossary (``LintSpec``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from ..docx import folder, prepared
from ..docx.spec import LintSpec
from ..errors import RenderError
from ..plan.documents import DOCUMENT_NAMES
from .filters import VOCABULARY

TEMPLATE_SET = "orme"


@lru_cache(maxsize=1)
def builtin_template_dir() -> Path:
    """The bundled templates: inside the installed package, or ``templates/orme`` of a source checkout."""
    packaged = resources.files("clausegen").joinpath("templates", TEMPLATE_SET)
    if packaged.is_dir():
        return _shipped(Path(str(packaged)))
    checkout = Path(__file__).resolve().parents[3] / "templates" / TEMPLATE_SET
    if checkout.is_dir():
        return _shipped(checkout)
    raise RenderError(TEMPLATE_SET, "modèles intégrés introuvables : l'installation de clausegen est incomplète.")


def _shipped(folder: Path) -> Path:
    """The folder, whose bundle of prepared entries (``docx.prepared``) the cache may now read."""
    prepared.ship(folder)
    return folder


def template_path(name: str, custom_dir: Path | None = None) -> Path:
    """The template of document ``name``: ``custom_dir/<name>.docx`` when the buyer provides it under that
    exact name, in lowercase, on every system; else the built-in one. A folder, a named pipe or a link in
    its place is a ``RenderError``. Files whose names are close (``CCAP.docx``, ``ccap (1).docx``…) are not
    used: ``template_warnings(custom_dir)`` gives the warnings to print."""
    if custom_dir is not None:
        candidate = folder.custom_template(custom_dir, name)
        if candidate is not None:
            return candidate
    return builtin_template_dir() / f"{name}.docx"


def template_warnings(custom_dir) -> list[str]:
    """French warnings about the files of a buyer's templates folder that will not be used."""
    return folder.template_warnings(custom_dir, DOCUMENT_NAMES)


def lint_spec() -> LintSpec:
    from .glossary import load_glossary

    return LintSpec(load_glossary(), DOCUMENT_NAMES, VOCABULARY)


def lint_templates(custom_dir):
    """``clausegen templates lint``: every problem of a buyer's templates folder."""
    from ..docx.lint import lint_templates as lint

    return lint(custom_dir, lint_spec())


def lint_template(path, entries=None):
    from ..docx.lint import lint_template as lint

    return lint(path, lint_spec(), entries)
