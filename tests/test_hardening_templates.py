"""Hostile buyer's templates (``render --modeles``): each attack is reproduced and must end in a French
``RenderError`` naming the template, within seconds, with nothing written — never a hang, a crash, another
exception or a .docx Word cannot open.

1. the sandbox bounds every text, list and number a template builds, the depth of its expressions, and
   each document's work (loop turns, operations, characters, CPU seconds);
2. a template file is checked before it is opened (zip bombs, encryption, compression, encodings…);
3. docxtpl's tag repair is never run where it would be quadratic;
4. every XML part written is well-formed;
5. template errors are reported in French, with the paragraph ``templates lint`` gives;
6. the templates folder: exact names only, close names reported, folders/pipes/links refused.
"""

from __future__ import annotations

import datetime
import io
import os
import re
import struct
import time
import warnings
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from docx import Document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clausegen import RenderError, load_profile
from clausegen.docx import container as docxcheck
from clausegen.docx import engine, guard
from clausegen.render.context import build_context
from clausegen.docx.container import find_tags
from clausegen.render.templates import template_warnings
from clausegen.render.templates import builtin_template_dir
from clausegen.docx.engine import render_docx
from clausegen.docx.extract import docx_text
from clausegen.docx.lint_jinja import ERROR
from clausegen.render.templates import lint_templates
from clausegen.render.pack import render_documents, render_pack

ROOT = Path(__file__).resolve().parents[1]
QPV = ROOT / "profiles" / "travaux-qpv.yaml"
SECONDS = 10.0  # generous: every refusal below takes well under a second on an idle machine
ENGLISH = re.compile(r"is undefined|has no attribute|expected token|unexpected|object is unsafe|not well-formed|"
                     r"mismatched tag|Traceback|Error:|No filter named|end of template")
PROPS = {"title": "t", "subject": "s", "author": "a", "comments": "c", "date": datetime.datetime(2026, 1, 1)}


@pytest.fixture(scope="module")
def profile():
    return load_profile(QPV)


@pytest.fixture(scope="module")
def context(profile):
    return build_context(profile)


@pytest.fixture(scope="module")
def builtin_ccap(profile):
    return render_documents(profile, ["ccap"])["ccap.docx"]


def _with_paragraphs(folder: Path, *bodies: str, name: str = "ccap") -> Path:
    """The built-in template ``name`` with paragraphs added at the end."""
    document = Document(str(builtin_template_dir() / f"{name}.docx"))
    for body in bodies:
        document.add_paragraph(body)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.docx"
    document.save(str(path))
    return path


def _parts(name: str = "ccap") -> dict[str, bytes]:
    with zipfile.ZipFile(builtin_template_dir() / f"{name}.docx") as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def _zip(path: Path, parts: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # duplicate names on purpose
        with zipfile.ZipFile(path, "w", method) as archive:
            for name, data in parts.items() if isinstance(parts, dict) else parts:
                archive.writestr(name, data)
    return path


def _refused(profile, folder: Path, tmp_path: Path, *patterns: str, name: str = "ccap", seconds: float = SECONDS) -> RenderError:
    """Rendering with ``folder`` fails with a French RenderError naming the template, fast, writing nothing."""
    out = tmp_path / "dce"
    start = time.monotonic()
    with pytest.raises(RenderError) as info:
        render_pack(profile, out, documents=[name], templates=folder)
    elapsed = time.monotonic() - start
    message = str(info.value)
    assert elapsed < seconds, f"{elapsed:.1f} s: {message}"
    assert not out.exists()
    assert message.startswith(f"{name}.docx : "), message
    assert not ENGLISH.search(message), message
    for pattern in patterns:
        assert re.search(pattern, message), message
    return info.value


# ---------------------------------------------------------------------------------------------------
# 1. The sandbox
# ---------------------------------------------------------------------------------------------------

TEXT = r"trop long|démesuré|trop grande"
SANDBOX_ATTACKS = [
    ("{{ 'a'|center(999999999) }}", TEXT),
    ("{{ 'x'.zfill(999999999) }}", TEXT),
    ("{{ 'x'.ljust(999999999) ~ 'x'.rjust(999999999) }}", TEXT),
    ("{{ '%999999999d' % 1 }}", TEXT),
    ("{{ '%.999999999f' % 1.5 }}", TEXT),
    ("{{ '%*d' % (999999999, 1) }}", r"largeur « \* »"),
    ("{{ '{:>999999999}'.format(1) }}", TEXT),
    ("{{ '{0:{1}}'.format(1, 999999999) }}", TEXT),
    ("{{ '%999999999s'|format('x') }}", TEXT),
    ("{{ '%s%s%s%s%s%s%s%s%s%s%s%s'|format(*(('x' * 100000,) * 12)) }}", TEXT),
    ("{{ '{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}{0}'.format('x' * 100000) }}", TEXT),
    ("{{ range(100)|map('string')|join('x' * 99999) }}", TEXT),
    ("{{ ('a' * 100000).replace('a', 'bbbbbbbbbbbb') }}", TEXT),
    ("{{ ('a' * 100000)|replace('a', 'bbbbbbbbbbbb') }}", TEXT),
    ("{{ 'a'|indent(999999999) }}", TEXT),
    ("{{ ('x' * 100000)|wordwrap(1, wrapstring='y' * 1000) }}", TEXT),
    ("{{ ('\\t' * 100000).expandtabs(100) }}", TEXT),
    ("{{ (1).to_bytes(999999999, 'big') }}", TEXT),
    ("{{ 'a' * 10**9 }}", TEXT),
    ("{{ [1] * 10**9 }}", TEXT),
    ("{% set s = 'x' * 100000 %}{{ ([s] * 100000)|length }}", TEXT),
    ("{{ 2**99999999 }}", TEXT),
    ("{{ 9**(9**9) }}", TEXT),
    ("{% set ns = namespace(x=2) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}{% endfor %}{{ ns.x }}", TEXT),
    ("{% set ns = namespace(x=10**90) %}{% for i in range(40) %}{% set ns.x = ns.x ** 90 %}{% endfor %}{{ ns.x }}", TEXT),
    ("{% set ns = namespace(x='abcdefghij') %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}", TEXT),
    ("{% set ns = namespace(x='abcdefghij') %}{% for i in range(40) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x|length }}", TEXT),
    ("{% set ns = namespace(x=[1]) %}{% for i in range(40) %}{% set ns.x = ns.x + ns.x %}{% endfor %}{{ ns.x|length }}", TEXT),
    ("{{ ([[1] * 1000] * 1000)|sum(start=[])|length }}", TEXT),
    # int(Decimal('1e999999')) alone takes 30 s: no operator may build such a number
    (("{% set ns = namespace(x=lots[0].montant_ht) %}{% for i in range(20000) %}{% set ns.x = ns.x * 1000 %}{% endfor %}"
      "{{ '%d' % ns.x }}"), TEXT),
    (("{% set ns = namespace(x=lots[0].montant_ht) %}{% for i in range(20000) %}{% set ns.x = ns.x - (0 - ns.x) %}{% endfor %}"
      "{{ ns.x|int }}"), TEXT),
    ("{{ 1|montant(999999999) }}", "décimales"),
    ("{{ 1|nombre(999999999) }}", "décimales"),
    ("{{ range(10**7)|list|length }}", "boucle trop longue"),
    ("{% set r = range(1000) %}{% for a in r %}{% for b in r %}x{% endfor %}{% endfor %}", "boucle trop longue"),
    ("{% set s = 'x' * 100000 %}{% set big %}{% for i in range(50000) %}{{ s }}{% endfor %}{% endset %}{{ big|length }}",
     "dépasserait|trop long"),
    ("{% macro f() %}{{ f() }}{% endmacro %}{{ f() }}", "récursion"),
    ("{% include 'ccap' %}", "interdit"),
    ("{% import 'ccap' as x %}", "interdit"),
]


@pytest.mark.parametrize("body,pattern", SANDBOX_ATTACKS, ids=[str(i) for i in range(len(SANDBOX_ATTACKS))])
def test_sandbox_bounds_what_a_template_builds(profile, tmp_path, body, pattern):
    _refused(profile, _with_paragraphs(tmp_path / "modeles", body).parent, tmp_path, pattern)


def test_exponential_macro_is_stopped_by_the_budget(profile, tmp_path):
    """No loop and no big value: 2**40 macro calls. The per-document CPU budget stops it."""
    folder = _with_paragraphs(tmp_path / "modeles", "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}"
                              "{% endmacro %}{{ f(40) }}").parent
    cpu = time.process_time()
    _refused(profile, folder, tmp_path, "travail démesuré", seconds=60)  # wall clock: the machine may be busy
    assert time.process_time() - cpu < guard.MAX_SECONDS + 5


@pytest.mark.parametrize(
    "body",
    [
        "{{ " + "(" * 200 + "1" + ")" * 200 + " }}",
        "{{ marche" + ".a" * 500 + " }}",
        "{{ 1" + "|abs" * 500 + " }}",
        "{{ " + "not " * 3000 + "1 }}",
        "{{ " + "- " * 3000 + "1 }}",
        "{{ 1" + " + 1" * 3000 + " }}",
        "{% for x in lots %}" * 25 + "x" + "{% endfor %}" * 25,
        "{% if true %}" * 150 + "x" + "{% endif %}" * 150,
    ],
    ids=["parentheses", "attributs", "filtres", "not", "moins", "additions", "boucles", "si"],
)
def test_expressions_and_blocks_nested_too_deep_are_refused(profile, tmp_path, body):
    error = _refused(profile, _with_paragraphs(tmp_path / "modeles", body).parent, tmp_path, "imbriqués|complexe")
    assert "modèle trop complexe" in str(error)


def test_reasonable_templates_still_work(profile, tmp_path):
    """The limits do not get in the way of ordinary templates (formatting, loops, macros, « ~ »)."""
    folder = _with_paragraphs(
        tmp_path / "modeles",
        "Réf. {{ '%05d'|format(42) }} {{ '{:>6}'.format('ab') }} {{ 'x'.center(9, '*') }} {{ 'a-b'.replace('-', ' – ') }}",
        "{% macro ligne(l) %}Lot {{ l.numero }}{% endmacro %}{% for l in lots %}{{ ligne(l) ~ ' ; ' }}{% endfor %}",
        "{% set ns = namespace(n=1) %}{% for i in range(20) %}{% set ns.n = ns.n * 3 %}{% endfor %}{{ ns.n }} "
        "{{ ['a', 'b']|join(', ') }} {{ 2 ** 10 }} {{ [0] * 3 }}",
    ).parent
    text = docx_text(render_documents(load_profile(QPV), ["ccap"], templates=folder)["ccap.docx"])
    assert "Réf. 00042     ab ****x**** a – b" in text
    assert "Lot 1\u202f; " in text and "3486784401 a, b 1024 [0, 0, 0]" in text


# ---------------------------------------------------------------------------------------------------
# 2. The template file, before it is opened
# ---------------------------------------------------------------------------------------------------


def _patch_flags(data: bytes, bit: int) -> bytes:
    """Set ``bit`` in the general-purpose flags of every local and central header of a zip."""
    out = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        start = 0
        while (start := out.find(signature, start)) >= 0:
            flags = struct.unpack_from("<H", out, start + offset)[0]
            struct.pack_into("<H", out, start + offset, flags | bit)
            start += 4
    return bytes(out)


def _lying_sizes(real: bytes, declared: int) -> bytes:
    """A one-part-bigger-than-announced .docx: the built-in parts plus a part whose headers announce
    ``declared`` bytes while its deflated data holds ``real``."""
    from clausegen.docx.ziputil import deflate, write_zip

    entries = [deflate(n, d) for n, d in _parts().items()]
    bomb = deflate("word/media/bombe.bin", real)
    entries.append(type(bomb)(bomb.name, bomb.crc, declared, bomb.data))
    return write_zip(entries)


def _with_part(name: str, data: bytes, drop: str | None = None) -> dict:
    parts = _parts()
    parts.pop(drop, None)
    parts[name] = data
    return parts


ZIP_ATTACKS = {
    "partie-geante": (lambda p: _zip(p, _with_part("word/media/zeros.bin", b"\0" * (docxcheck.MAX_PART + 1))), "démesurée"),
    "total-geant": (lambda p: _zip(p, {**_parts(), **{f"word/media/z{i}.bin": b"\0" * (docxcheck.MAX_PART - 1) for i in range(6)}}),
                    "démesuré une fois décompressé"),
    "taille-mensongere": (lambda p: p.write_bytes(_lying_sizes(b"\0" * 50_000_000, 1000)), "abîmée|taille annoncée"),
    "chiffre": (lambda p: p.write_bytes(_patch_flags(_zip(p, _parts()).read_bytes(), 0x1)), "chiffrée"),
    "bzip2": (lambda p: _zip(p, _parts(), zipfile.ZIP_BZIP2), "compression non prise en charge"),
    "lzma": (lambda p: _zip(p, _parts(), zipfile.ZIP_LZMA), "compression non prise en charge"),
    "trop-de-parties": (lambda p: _zip(p, {**_parts(), **{f"customXml/x{i}.bin": b"x" for i in range(docxcheck.MAX_ENTRIES)}}),
                        "parties"),
    "partie-en-double": (lambda p: _zip(p, [*_parts().items(), ("word/document.xml", _parts()["word/document.xml"])]), "deux fois"),
    "sans-document": (lambda p: _zip(p, {n: d for n, d in _parts().items() if n != "word/document.xml"}), "word/document.xml"),
    "sans-types": (lambda p: _zip(p, {n: d for n, d in _parts().items() if n != "[Content_Types].xml"}), r"\[Content_Types\]"),
    "texte": (lambda p: p.write_bytes(b"pas un docx"), "pas un document .docx lisible"),
    "vide": (lambda p: p.write_bytes(b""), "vide"),
    "pdf": (lambda p: p.write_bytes(b"%PDF-1.7\n" + b"x" * 100), "PDF"),
    "doc-ou-mot-de-passe": (lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "mot de passe|97-2003"),
    "doctype": (lambda p: _zip(p, _with_part("word/styles.xml", b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx">'
                                             b'<!ENTITY y "&x;&x;&x;&x;&x;&x;&x;&x;&x;&x;">]><a>&y;</a>')), "DOCTYPE"),
    "xml-casse": (lambda p: _zip(p, _with_part("word/styles.xml", b"<w:styles><w:style></w:styles>")), "XML valide"),
    "latin-1": (lambda p: _zip(p, _with_part("word/document.xml", re.sub(r"encoding=.UTF-8.", 'encoding="ISO-8859-1"', _parts()[
        "word/document.xml"].decode("utf-8"), count=1).encode("latin-1", "replace"))), "pas encodée en UTF-8"),
}


@pytest.mark.parametrize("attack", sorted(ZIP_ATTACKS))
def test_template_file_is_checked_before_it_is_opened(profile, tmp_path, attack):
    build, pattern = ZIP_ATTACKS[attack]
    folder = tmp_path / "modeles"
    folder.mkdir()
    build(folder / "ccap.docx")
    _refused(profile, folder, tmp_path, pattern)
    [problem] = [p for p in lint_templates(folder) if p.severity == ERROR]  # lint says the same, without hanging
    assert problem.file == "ccap.docx" and problem.message.startswith("fichier illisible")


def test_utf16_parts_written_by_word_are_converted(profile, tmp_path, builtin_ccap):
    parts = _parts()
    xml = parts["word/document.xml"].decode("utf-8")
    assert re.search(r"encoding=.UTF-8.", xml[:100])
    parts["word/document.xml"] = re.sub(r"encoding=.UTF-8.", 'encoding="UTF-16"', xml, count=1).encode("utf-16")  # with its BOM
    folder = tmp_path / "modeles"
    _zip(folder / "ccap.docx", parts)
    files = render_documents(profile, ["ccap"], templates=folder)
    assert docx_text(files["ccap.docx"]) == docx_text(builtin_ccap)


def test_template_file_too_big_is_not_read(profile, tmp_path, monkeypatch):
    monkeypatch.setattr(docxcheck, "MAX_FILE", 1000)
    folder = tmp_path / "modeles"
    _zip(folder / "ccap.docx", _parts())
    _refused(profile, folder, tmp_path, "trop gros")


# ---------------------------------------------------------------------------------------------------
# 3. docxtpl's tag repair on a large template
# ---------------------------------------------------------------------------------------------------


def _large_template(paragraphs: int, closed: bool) -> bytes:
    """Paragraphs whose tags Word split across runs of different formatting (XML written directly:
    python-docx takes minutes to add 20 000 paragraphs)."""
    blank = io.BytesIO()
    Document().save(blank)
    with zipfile.ZipFile(blank) as archive:
        parts = {n: archive.read(n) for n in archive.namelist()}
    end = ' }} {% if lots %}oui{% endif %}' if closed else ""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">Paragraphe {i} : {{{{ marche.</w:t></w:r>'
        f'<w:r><w:rPr><w:b/></w:rPr><w:t>reference</w:t></w:r><w:r><w:t xml:space="preserve">{end}</w:t></w:r></w:p>'
        for i in range(paragraphs)
    )
    xml = parts["word/document.xml"].decode("utf-8")
    at = xml.index("<w:sectPr")
    parts["word/document.xml"] = (xml[:at] + body + xml[at:]).encode("utf-8")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_tag_repair_of_a_large_template_is_linear():
    """20 000 paragraphs with split tags: before, 0.8 s for docxtpl's repair (linear when tags are closed)."""
    raw = zipfile.ZipFile(io.BytesIO(_large_template(20_000, closed=True))).read("word/document.xml")
    start = time.monotonic()
    patched = engine._patch("grand.docx", "word/document.xml", raw)
    assert time.monotonic() - start < SECONDS
    assert patched.count("{{ marche.reference }}") == 20_000


def test_tags_left_open_in_a_large_template_are_refused_fast(context):
    """Before: 1.8 s for 1 250 paragraphs, 5.7 s for 2 500, 25 s for 5 000 (quadratic): 20 000 would take
    about 7 minutes. Now refused at once, naming the first paragraph with a tag left open."""
    data = _large_template(20_000, closed=False)
    start = time.monotonic()
    with pytest.raises(RenderError) as info:
        render_docx("grand.docx", data, context, PROPS)
    assert time.monotonic() - start < SECONDS
    assert "balise ouverte mais jamais fermée (paragraphe 1)" in str(info.value)
    assert "Paragraphe 0 : {{ marche.reference" in str(info.value)


def test_a_large_valid_template_renders(context):
    data = _large_template(2_000, closed=True)
    start = time.monotonic()
    out = render_docx("grand.docx", data, context, PROPS)
    assert time.monotonic() - start < 4 * SECONDS  # mostly Jinja compiling 6 000 tags
    assert docx_text(out).count("oui") == 2_000


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["{", "}", "%", "#", "\n", "a", " ", "{{", "}}", "{%", "%}", "{#", "#}"]), max_size=30).map("".join),
       st.booleans(), st.booleans())
def test_linear_tag_finder_agrees_with_the_regular_expression(text, dotall, comments):
    pattern = r"\{\{.*?\}\}|\{%.*?%\}" + (r"|\{#.*?#\}" if comments else "")
    expected = [m.span() for m in re.finditer(pattern, text, re.DOTALL if dotall else 0)]
    assert list(find_tags(text, dotall, comments)) == expected


# ---------------------------------------------------------------------------------------------------
# 4. Every part written is well-formed
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["{{ '<'|safe }}", "{{ ']]>'|safe }}", "{{ 'a & b'|safe }}", "{{ '</w:t></w:r></w:p>'|safe }}",
                                  "{{ '<w:p>'|safe }}", "{{ '\\x01'|safe }}"])
def test_unsafe_text_never_gives_an_invalid_docx(profile, tmp_path, body):
    error = _refused(profile, _with_paragraphs(tmp_path / "modeles", body).parent, tmp_path, "illisible par Word", "paragraphe")
    assert "safe" in str(error)


def test_if_opened_in_a_cell_and_closed_after_the_table(profile, tmp_path):
    document = Document(str(builtin_template_dir() / "ccap.docx"))
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).paragraphs[0].add_run("{% if marche.reference == 'aucune' %}Cellule")
    table.cell(1, 1).paragraphs[0].add_run("Autre cellule")
    document.add_paragraph("Après le tableau {% endif %}")
    folder = tmp_path / "modeles"
    folder.mkdir()
    document.save(str(folder / "ccap.docx"))
    _refused(profile, folder, tmp_path, "illisible par Word", "bloc")
    assert any("même niveau" in p.message for p in lint_templates(folder))  # lint saw it coming


# ---------------------------------------------------------------------------------------------------
# 5. French messages, located like lint's
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body,expected",
    [
        ("Mention {{ marche.refrence }}", ("attribut inconnu « marche.refrence » : « refrence » n'est pas une clé de « marche » "
                                           "(voir clausegen templates vars). Vouliez-vous dire « marche.reference » ?")),
        ("Mention {{ marchee.reference }}", ("variable inconnue « marchee » : absente du glossaire (voir clausegen templates vars). "
                                            "Vouliez-vous dire « marche » ?")),
        ("Mention {{ lots.append(1) }}", "opération interdite : « append » modifierait une liste"),
        ("Mention {{ ''.__class__ }}", "opération interdite : « __class__ » est un attribut interne de Python"),
        ("Mention {% if %}", "balise mal formée : expression attendue avant « %} »."),
        ("Mention {{ marche.reference reference }}", "balise mal formée : « reference » inattendu, « }} » attendu."),
        ("Mention {% for l in lots %}", "balise mal formée : le bloc « for » n'est jamais fermé"),
        ("Mention {{ marche.reference|heurs }}", "filtre inconnu « heurs ». Vouliez-vous dire « heures » ?"),
        ("Mention {{ 1 + 'a' }}", "calcul impossible : « + » entre un nombre entier et un texte."),
        ("Mention {{ 1 / 0 }}", "calcul impossible : division par zéro."),
    ],
)
def test_template_errors_are_french_and_located_like_lint(profile, tmp_path, body, expected):
    folder = _with_paragraphs(tmp_path / "modeles", body).parent
    error = _refused(profile, folder, tmp_path, re.escape(expected))
    assert error.context and body[len("Mention "):] in error.context  # « près du texte … »
    located = [p for p in lint_templates(folder) if p.severity == ERROR and p.paragraph]
    if located:  # the paragraph lint names is the one render names
        assert f"paragraphe {located[0].paragraph} : " in str(error)
    else:  # lint does not evaluate (1 / 0, 1 + 'a'): the paragraph is still the last one
        assert re.search(r"paragraphe \d+ : ", str(error))


def test_error_in_a_header_names_the_header(profile, tmp_path):
    document = Document(str(builtin_template_dir() / "ccap.docx"))
    document.sections[0].header.add_paragraph("En-tête {{ marche.refrence }}")
    folder = tmp_path / "modeles"
    folder.mkdir()
    document.save(str(folder / "ccap.docx"))
    _refused(profile, folder, tmp_path, r"en-tête \(header\d*\.xml\), paragraphe \d+ : attribut inconnu « marche.refrence »")


def test_cli_render_with_a_hostile_template_exits_2_in_french(tmp_path):
    from clausegen.cli import cli

    folder = _with_paragraphs(tmp_path / "modeles", "{{ 'a'|center(999999999) }}").parent
    out = tmp_path / "dce"
    result = CliRunner().invoke(cli, ["render", str(QPV), "-o", str(out), "--modeles", str(folder)])
    assert result.exit_code == 2, result.output
    assert "ccap.docx" in result.output and "démesuré" in result.output
    assert not ENGLISH.search(result.output), result.output
    assert not out.exists()


# ---------------------------------------------------------------------------------------------------
# 6. The templates folder
# ---------------------------------------------------------------------------------------------------


def test_close_names_are_reported_and_the_builtin_template_is_used(profile, tmp_path, builtin_ccap):
    folder = tmp_path / "modeles"
    for name in ("CCAP modifié.docx", "RC.docx", "avis.DOCX", "ccap (1).docx", "mémoire.doc", "notes.txt"):
        _with_paragraphs(folder, "Mention maison {{ marche.reference }}").rename(folder / name)
    warnings_ = template_warnings(folder)
    assert len(warnings_) == 5, warnings_
    by_file = {w.split(" : ", 1)[0]: w for w in warnings_}
    assert "ccap.docx sera produit avec le modèle intégré" in by_file["CCAP modifié.docx"]
    assert "« rc.docx », en minuscules" in by_file["RC.docx"]
    assert "« avis.docx », en minuscules" in by_file["avis.DOCX"]
    assert "seul le nom exact « ccap.docx »" in by_file["ccap (1).docx"]
    assert "format .doc n'est pas pris en charge" in by_file["mémoire.doc"]
    files = render_documents(profile, ["ccap", "rc", "avis"], templates=folder)
    assert files["ccap.docx"] == builtin_ccap
    assert all("Mention maison" not in docx_text(data) for data in files.values())
    lint = {p.file: p.message for p in lint_templates(folder)}
    assert "n'utilisera pas" in lint["RC.docx"] and "n'utilisera pas" in lint["avis.DOCX"]
    _with_paragraphs(folder, "x")  # now ccap.docx exists: the close names are ignored in its favour
    assert "c'est ccap.docx, du même dossier, qui sert de modèle" in dict(w.split(" : ", 1) for w in template_warnings(folder))["ccap (1).docx"]


def _special(kind: str, path: Path) -> None:
    if kind == "dossier":
        path.mkdir()
    elif kind == "tube":
        if not hasattr(os, "mkfifo"):
            pytest.skip("pas de tube nommé sur ce système")
        os.mkfifo(path)
    else:
        target = _with_paragraphs(path.parent.parent / "ailleurs", "x")
        try:
            path.symlink_to(target)
        except OSError:
            pytest.skip("liens symboliques non disponibles")


@pytest.mark.parametrize("kind,pattern", [("dossier", "c'est un dossier"), ("tube", "pas un fichier ordinaire"), ("lien", "lien symbolique")])
def test_folder_pipe_or_link_in_place_of_a_template_is_an_error(profile, tmp_path, kind, pattern):
    folder = tmp_path / "modeles"
    folder.mkdir()
    _special(kind, folder / "ccap.docx")
    _refused(profile, folder, tmp_path, pattern)
    start = time.monotonic()
    [problem] = [p for p in lint_templates(folder) if p.file == "ccap.docx"]  # lint neither hangs on the pipe nor follows the link
    assert time.monotonic() - start < SECONDS
    assert problem.severity == ERROR and re.search(pattern, problem.message)


def test_cli_render_prints_the_close_name_warnings(tmp_path):
    from clausegen.cli import cli

    folder = tmp_path / "modeles"
    _with_paragraphs(folder, "x").rename(folder / "CCAP.docx")
    result = CliRunner().invoke(cli, ["render", str(QPV), "-o", str(tmp_path / "dce"), "--modeles", str(folder)])
    assert result.exit_code == 0, result.output
    assert "CCAP.docx : clausegen render n'utilisera pas ce fichier" in result.output


# ---------------------------------------------------------------------------------------------------
# Random Jinja-ish snippets: a document or a RenderError, nothing else
# ---------------------------------------------------------------------------------------------------

FRAGMENTS = [
    "{{", "}}", "{%", "%}", "{#", "#}", "{%p ", "{%tr ", "{{r ", " if ", " else ", " endif ", " for x in lots ", " endfor ",
    " set y = ", " macro m() ", " endmacro ", "m()", "marche.reference", "marche", "lots", "x", "x.numero", "loop.index",
    ".", "|safe", "|e", "|join(',')", "|length", "|center(", "|format(", "|list", "|sum", "|heures", "|montant",
    "(", ")", "[", "]", ",", "'<'", "'&'", "']]>'", "'%999999999d'", "'{:>99999999}'", "*", "**", "~", "+", "%", "-",
    "9", "99999999", "range(", "namespace(", "'texte'", " not ", " and ", "==", "\t", " ",
]


@pytest.fixture(scope="module")
def snippet_context(context):
    return context


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=14).map("".join), min_size=1, max_size=3))
def test_random_snippets_give_a_document_or_a_render_error(snippet_context, paragraphs):
    document = Document()
    for text in paragraphs:
        document.add_paragraph(text)
    data = io.BytesIO()
    document.save(data)
    start = time.monotonic()
    try:
        out = render_docx("avis.docx", data.getvalue(), snippet_context, PROPS)
    except RenderError as exc:
        assert str(exc).startswith("avis.docx : ")
        return
    finally:
        assert time.monotonic() - start < 2 * SECONDS
    Document(io.BytesIO(out))  # Word-readable: python-docx opens it…
    with zipfile.ZipFile(io.BytesIO(out)) as archive:  # … and every XML part is well-formed
        for name in archive.namelist():
            if name.endswith((".xml", ".rels")):
                assert docxcheck.xml_problem(archive.read(name)) is None, name
