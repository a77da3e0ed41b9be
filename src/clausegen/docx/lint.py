"""Check a folder of buyer's .docx templates before rendering: ``lint_templates(folder, spec)``.

Each template is read paragraph by paragraph (body, headers, footers, footnotes), the way docxtpl will
see it. Reported, with the paragraph number and its text:

* Jinja tags Word split in a way docxtpl cannot repair (across a hyperlink, a tracked change, a field or
  two paragraphs), or repairs with a loss (formatting changed inside the tag, a tab inside it);
* ``{% if %}``/``{% for %}`` blocks left open, closed twice, or opened at one level (``{%p …%}``, a table
  row) and closed at another, which would give a document Word cannot open;
* Jinja syntax errors, unknown filters, variables and attributes that are not in the spec's glossary;
* for the documents the spec names, the references they must make (``Glossary.required``).

What the templates may use (filters, variables, document names) comes from the caller's ``LintSpec``.
"""

from __future__ import annotations

import difflib
import html
import os
import re
from pathlib import Path

from ..errors import RenderError
from .container import MAX_LITERAL_DIGITS, find_tags, long_number, read_docx, utf8_xml
from .external import OPTION as EXTERNAL_OPTION
from .external import inspect as inspect_external
from .folder import file_problem, name_warning
from .lint_jinja import ERROR, WARNING, _Analyzer, _jinja_message, _unknown
from .lint_runs import ENTITY, P_START, PART_LABELS, PARTS, T_TEXT, LintProblem, _check_blocks, _Para, _paragraphs, _read_part, _short
from .sandbox import deepest_line, tree_depth
from .guard import MAX_DEPTH, BudgetExceeded, _fr
from .lint_eval import analysis_env, budget, constant_problems
from .spec import LintSpec


def lint_templates(folder, spec: LintSpec) -> list[LintProblem]:
    """Problems of every ``*.docx`` template of ``folder``, by file and paragraph. Raises ``RenderError``
    when the folder does not exist."""
    folder = Path(folder)
    if not folder.is_dir():
        raise RenderError(str(folder), "dossier de modèles introuvable.")
    problems: list[LintProblem] = []
    try:
        entries = sorted(os.listdir(folder))
    except OSError as exc:
        raise RenderError(str(folder), f"dossier de modèles illisible ({exc.strerror or exc.__class__.__name__}).") from None
    for entry in entries:
        if entry.startswith(("~$", ".")):  # Word's lock files, hidden files
            continue
        if entry.endswith(".docx"):
            problems += lint_template(folder / entry, spec, entries)
        else:  # RC.DOCX, ccap.doc…: not used by render, say why
            warning = name_warning(entry, entries, spec.documents)
            if warning:
                problems.append(LintProblem(entry, WARNING, warning))
    return problems


def lint_template(path: Path, spec: LintSpec, entries=None) -> list[LintProblem]:
    """Problems of one .docx template; its file name (``ccap.docx``…) says which sections it needs.
    The file is read with the engine's own checks (``container``: not a folder, pipe or link, a real
    .docx, no zip bomb…); ``entries`` are the names in its folder (for the warning on a close name)."""
    from lxml import etree

    path = Path(path)
    problems: list[LintProblem] = []
    problem = file_problem(path)
    if problem:
        return [LintProblem(path.name, ERROR, problem)]
    try:
        data = path.read_bytes()
        all_parts = read_docx(path.name, data, external=False)  # reported one by one below
        parts = sorted(((n, utf8_xml(path.name, n, raw)) for n, raw in all_parts if PARTS.match(n)), key=lambda p: _part_order(p[0]))
        names = [n for n, _ in parts]
    except OSError as exc:
        return [LintProblem(path.name, ERROR, f"fichier illisible ({exc.strerror or exc.__class__.__name__}).")]
    except RenderError as exc:
        return [LintProblem(path.name, ERROR, f"fichier illisible : {exc.detail}")]
    problems += external_problems(path.name, all_parts)
    glossary = spec.glossary
    used: set[str] = set()
    for name, xml in parts:
        found: list[LintProblem] = []
        try:
            used |= _lint_part(path.name, _part_label(name, names), xml, spec, found.append)
            problems += sorted(found, key=lambda p: p.paragraph or 0)
        except etree.XMLSyntaxError as exc:
            problems.append(LintProblem(path.name, ERROR, f"partie {name} illisible ({exc.__class__.__name__} : {exc})."))
    if not any(p.severity == ERROR for p in problems):
        problems += _engine_check(path, data, parts, spec)
    stem = path.stem
    if stem not in spec.documents:
        close = name_warning(path.name, entries if entries is not None else [path.name], spec.documents)
        problems.append(LintProblem(path.name, WARNING, close or f"aucun document ne porte ce nom : clausegen render n'utilisera pas ce "
                                    f"modèle. Noms reconnus : {', '.join(n + '.docx' for n in spec.documents)}."))
    for rule in glossary.required.get(stem, []):
        wanted = [(r, "*." + re.split(r"\.|\[\]", r)[-1]) for r in rule["references"]]
        if not any(u == r or u == key or u.startswith((r + ".", r + "[]")) for r, key in wanted for u in used):
            problems.append(LintProblem(path.name, rule["gravite"], rule["message"]))
    return problems


def external_problems(file: str, parts) -> list[LintProblem]:
    """One error for each item of ``external.inspect``: what reaches outside the document, or runs code."""
    problems = []
    for item in inspect_external(parts):
        advice = (f"« clausegen render » refuse ce modèle, sauf avec {EXTERNAL_OPTION}, qui le retire" if item.removable
                  else "« clausegen render » refuse ce modèle : retirez-le dans Word et enregistrez au format « Document Word (.docx) »")
        problems.append(LintProblem(file, ERROR, f"{item.describe()} : {advice}."))
    return problems


def _engine_check(path: Path, data: bytes, parts, spec: LintSpec) -> list[LintProblem]:
    """Last word to the render engine itself: a template it cannot prepare is an error, located when it is
    an XML entity left in a tag (LibreOffice writes ' as &apos;, which docxtpl does not convert)."""
    from .engine import prepare

    try:
        prepare(path.name, data, spec.vocabulary)
        return []
    except RenderError as exc:
        failure = exc
    found = []  # (part label, paragraph, entity, paragraph text)
    labels = [n for n, _ in parts]
    for name, xml in parts:
        segments = P_START.split(xml.decode("utf-8", "replace"))[1:]  # segment N: paragraph N of the part
        for index, segment in enumerate(segments, 1):
            text = "".join(T_TEXT.findall(segment))
            entity = next((e for e in (ENTITY.search(text[a:b]) for a, b in find_tags(text)) if e), None)
            if entity:
                found.append((_part_label(name, labels), index, entity.group(0), html.unescape(text)))
    if not found:
        return [LintProblem(path.name, ERROR, f"le moteur de rendu refuse ce modèle : {failure.detail}"
                            + (f" (près du texte « {failure.context} »)" if failure.context else ""))]
    part, index, entity, text = found[0]
    where = ", ".join(f"{p + ' ' if p else ''}§{i}" for p, i, _, _ in found[:6]) + (", …" if len(found) > 6 else "")
    return [LintProblem(path.name, ERROR, f"{len(found)} paragraphe(s) ({where}) ont des balises dont les apostrophes ou "
                        f"guillemets sont enregistrés sous forme codée (« {entity} »), comme le fait LibreOffice : le moteur "
                        "de rendu ne les lit pas et refuse le modèle. Enregistrez le modèle avec Microsoft Word.", index, part, _short(text))]


def _long_number_line(source: str) -> int | None:
    found = long_number(source)
    return source.count("\n", 0, found) + 1 if found is not None else None


def _part_order(name: str):
    kind = re.match(r"word/([a-z]+)", name).group(1)
    return (["document", "header", "footer", "footnotes"].index(kind), name)


def _part_label(name: str, names: list[str]) -> str:
    kind = re.match(r"word/([a-z]+)(\d*)", name)
    label = PART_LABELS[kind.group(1)]
    same = [n for n in names if n.startswith(f"word/{kind.group(1)}")]
    return f"{label} {kind.group(2)}" if label and len(same) > 1 and kind.group(2) else label


def _lint_part(file: str, part: str, xml: bytes, spec: LintSpec, add) -> set[str]:
    """Lint one XML part; returns the glossary paths it uses. Nothing unbounded is evaluated: the analysis
    folds no operator and runs under the render's budget (``lint_eval``)."""
    with budget():
        try:
            return _lint_part_bounded(file, part, xml, spec, add)
        except BudgetExceeded as exc:  # the analysis itself would take more than a render may
            add(LintProblem(file, ERROR, f"modèle refusé au rendu : {exc}.", None, part, ""))
        except (ValueError, OverflowError, MemoryError) as exc:  # a value Python cannot handle (print, convert)
            add(LintProblem(file, ERROR, f"expression démesurée : le rendu échouera ({exc.__class__.__name__}).", None, part, ""))
        return set()


def _lint_part_bounded(file: str, part: str, xml: bytes, spec: LintSpec, add) -> set[str]:
    from jinja2 import TemplateSyntaxError, meta, nodes

    from .engine import jinja_env

    glossary = spec.glossary
    paras = _paragraphs(xml)

    def report(severity, message, where=None):
        para = where if isinstance(where, _Para) else (paras[where - 1] if isinstance(where, int) and 0 < where <= len(paras) else None)
        add(LintProblem(file, severity, message, para.index if para else None, part, _short(para.text) if para else ""))

    _read_part(paras, report)
    if not any(p.tags for p in paras) or not _check_blocks(paras, report):
        return set()
    source = "\n".join("".join(p.tags) for p in paras)  # line N holds the tags of paragraph N
    env = jinja_env(spec.vocabulary)
    analysis = analysis_env()  # the engine's syntax without its rewriting; folds no operator; knows unknown filters too
    analysis.filters.update(env.filters)
    analysis.tests.update(env.tests)
    huge = _long_number_line(source)
    if huge is not None:  # Jinja's lexer or code generator would fail on it (Python's limit on integers)
        report(ERROR, f"nombre démesuré écrit dans une balise (plus de {_fr(MAX_LITERAL_DIGITS)} chiffres) : le rendu échouera.", huge)
        return set()
    try:
        tree = analysis.parse(source)
    except TemplateSyntaxError as exc:
        report(ERROR, f"balise mal formée : {_jinja_message(exc.message or '')}.", exc.lineno)
        return set()
    except RecursionError:
        report(ERROR, f"expression ou blocs imbriqués trop profondément (plus de {MAX_DEPTH} niveaux) : le rendu échouera.",
               deepest_line(source))
        return set()
    depth, line = tree_depth(tree)
    if depth > MAX_DEPTH:
        report(ERROR, f"expression ou blocs imbriqués trop profondément (plus de {MAX_DEPTH} niveaux) : le rendu échouera.", line)
        return set()
    for line, reason in constant_problems(tree):
        report(ERROR, f"expression refusée au rendu : {reason}.", line)
    for node in tree.find_all((nodes.Filter, nodes.Test)):
        known = env.filters if isinstance(node, nodes.Filter) else env.tests
        (analysis.filters if known is env.filters else analysis.tests).setdefault(node.name, _unknown)
        if node.name not in known:
            near = difflib.get_close_matches(node.name, list(glossary.filters) + sorted(known), n=1)
            what = "filtre" if isinstance(node, nodes.Filter) else "test"
            report(ERROR, f"{what} inconnu « {node.name} ».{f' Vouliez-vous dire « {near[0]} » ?' if near else ''}", node.lineno)
    # Names Jinja may have to look up in the context; the walk reports those used outside their scope.
    unknown = meta.find_undeclared_variables(tree) - glossary.top_names - set(env.globals)
    analyzer = _Analyzer(glossary, report, unknown)
    analyzer.walk(tree, {})
    return analyzer.used
