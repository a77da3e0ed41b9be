"""templates/build.py: the clause markup → docxtpl template compiler."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
import re
import subprocess
import sys
from pathlib import Path

import docx
import jinja2
import pytest
from docx.oxml.ns import qn
from docx.shared import Pt
from docxtpl import DocxTemplate

BUILD_PY = Path(__file__).resolve().parents[1] / "templates" / "build.py"
_spec = importlib.util.spec_from_file_location("template_build", BUILD_PY)
build = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build)

TITLE = "Règlement de la consultation — clause sociale d'insertion"
TAGS = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")


def compile_(source: str, title: str = "titre-par-défaut") -> docx.document.Document:
    return docx.Document(io.BytesIO(build.build_docx(source, title)))


def body(document) -> list[tuple[str, str]]:
    return [(p.style.name, p.text) for p in document.paragraphs]


def num_id(paragraph) -> int:
    return paragraph._p.pPr.numPr.numId.val


@pytest.mark.parametrize(
    ("line", "style", "text"),
    [
        ("= Règlement de la consultation", "Title", "Règlement de la consultation"),
        ("# Article 1 — Objet", "Heading 1", "Article 1 — Objet"),
        ("## 1.1 Publics", "Heading 2", "1.1 Publics"),
        ("### Modalités", "Heading 3", "Modalités"),
        ("- demandeurs d'emploi ;", "List Bullet", "demandeurs d'emploi ;"),
        ("  - depuis 12 mois ;", "List Bullet 2", "depuis 12 mois ;"),
        ("\t- indentation libre", "List Bullet 2", "indentation libre"),
        ("1. premier point", "List Number", "premier point"),
        ("12. le chiffre est ignoré", "List Number", "le chiffre est ignoré"),
        ("> Le candidat précise…", "Quote", "Le candidat précise…"),
        ("Texte « courant » de 12\u00a0000\u00a0€.", "Normal", "Texte « courant » de 12\u00a0000\u00a0€."),
        ("#sans espace", "Normal", "#sans espace"),
    ],
)
def test_line_constructs_get_their_style(line, style, text):
    assert body(compile_(line)) == [(style, text)]


def test_comments_blank_lines_and_titre_make_no_paragraph():
    document = compile_(f"@titre {TITLE}\n%% note pour les rédacteurs\n\n\nTexte\n\n")
    assert body(document) == [("Normal", "Texte")]
    assert document.core_properties.title == TITLE


def test_checkbox_line():
    (paragraph,) = compile_("[ ] Je m'engage à **respecter** la clause.").paragraphs
    assert paragraph.style.name == "Normal"
    assert paragraph.text == "\u2610\u00a0Je m'engage à respecter la clause."
    assert paragraph.paragraph_format.first_line_indent < 0 < paragraph.paragraph_format.left_indent
    assert [r.text for r in paragraph.runs if r.bold] == ["respecter"]


def test_page_break():
    document = compile_("Avant\n---\nAprès")
    breaks = document.element.body.findall(f".//{qn('w:br')}")
    assert [b.get(qn("w:type")) for b in breaks] == ["page"]
    assert [text for _, text in body(document)] == ["Avant", "", "Après"]


def test_paragraph_tag_is_one_run_in_its_own_paragraph():
    paragraphs = compile_("{%p if marche.qpv %}\nTexte\n{%p endif %}").paragraphs
    assert [[r.text for r in p.runs] for p in paragraphs] == [["{%p if marche.qpv %}"], ["Texte"], ["{%p endif %}"]]


def test_inline_bold_and_italic():
    (paragraph,) = compile_("Un **gras** et un __italique__, puis **un reste").paragraphs
    assert [(r.text, r.bold, r.italic) for r in paragraph.runs] == [
        ("Un ", None, None),
        ("gras", True, None),
        (" et un ", None, None),
        ("italique", None, True),
        (", puis **un reste", None, None),  # an unpaired marker stays literal
    ]


def test_jinja_tags_are_never_split_across_runs():
    line = (
        "Le titulaire réalise **au moins {{ a.b|heures }} heures** d'insertion"
        "{% if x %}, dont __{{ lot.heures|heures }}__ en QPV{% endif %}{# note #}"
        " et {{ a.__dict__|join('**') }} {% if y %}**{% endif %}."
    )
    (paragraph,) = compile_(line).paragraphs
    runs = [r.text for r in paragraph.runs]
    tags = TAGS.findall(line)
    assert len(tags) == 8
    for tag in tags:
        assert any(tag in run for run in runs), (tag, runs)
    assert "".join(runs) == (  # the paired markers are gone, the unpaired last ** stays
        "Le titulaire réalise au moins {{ a.b|heures }} heures d'insertion"
        "{% if x %}, dont {{ lot.heures|heures }} en QPV{% endif %}{# note #}"
        " et {{ a.__dict__|join('**') }} {% if y %}**{% endif %}."
    )
    assert any(r.bold and "{{ a.b|heures }}" in r.text for r in paragraph.runs)
    assert any(r.italic and r.text == "{{ lot.heures|heures }}" for r in paragraph.runs)


TABLE = """\
!largeurs 2,7,3,3
| Lot | Intitulé | Heures | Taux \\| % |
| {%tr for lot in lots %} |
| {{ lot.numero }} | **{{ lot.intitule }}**<br>- maçonnerie<br>- peinture | {{ lot.heures|heures }} | {{ lot.taux }} |
| {%tr endfor %} |
"""


def test_table():
    document = compile_(TABLE)
    (table,) = document.tables
    assert table.style.name == "Table Grid"
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Lot", "Intitulé", "Heures", "Taux | %"],
        ["{%tr for lot in lots %}", "", "", ""],
        ["{{ lot.numero }}", "{{ lot.intitule }}\nmaçonnerie\npeinture", "{{ lot.heures|heures }}", "{{ lot.taux }}"],
        ["{%tr endfor %}", "", "", ""],
    ]
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r.bold for c in header.cells for p in c.paragraphs for r in p.runs)
    assert [c._tc.tcPr.find(qn("w:shd")).get(qn("w:fill")) for c in header.cells] == ["D9D9D9"] * 4
    assert table.rows[2].cells[0]._tc.tcPr.find(qn("w:shd")) is None
    assert all(row._tr.trPr is None or row._tr.trPr.find(qn("w:tblHeader")) is None for row in table.rows[1:])
    # the row tag is one run; a <br> part starting "- " is a bullet
    assert [r.text for r in table.rows[1].cells[0].paragraphs[0].runs] == ["{%tr for lot in lots %}"]
    assert [p.style.name for p in table.rows[2].cells[1].paragraphs] == ["Normal", "List Bullet", "List Bullet"]
    # column widths follow !largeurs, scaled to the full text width (17 cm)
    widths = [int(g.get(qn("w:w"))) for g in table._tbl.tblGrid.findall(qn("w:gridCol"))]
    text_width = 17 * 1440 / 2.54
    assert abs(sum(widths) - text_width) < 5
    assert [round(w / sum(widths) * 15, 2) for w in widths] == [2, 7, 3, 3]


def test_table_cells_keep_pipes_inside_jinja_tags():
    (table,) = compile_("| A | B |\n| {{ x|heures }} | {{ y|default('-') }} |").tables
    assert [c.text for c in table.rows[1].cells] == ["{{ x|heures }}", "{{ y|default('-') }}"]


def test_tables_are_followed_by_a_spacer_that_keeps_two_tables_apart():
    document = compile_("| A |\n| 1 |\n\n| B |\n| 2 |\nTexte")
    assert len(document.tables) == 2
    kinds = [el.tag.rsplit("}", 1)[1] for el in document.element.body]
    assert kinds == ["tbl", "p", "tbl", "p", "p", "sectPr"]
    assert body(document) == [("Normal", ""), ("Normal", ""), ("Normal", "Texte")]


def test_numbered_lists_restart_and_span_paragraph_tags():
    document = compile_("1. a\n{%p if x %}\n2. b\n{%p endif %}\n3. c\nTexte\n1. d\n2. e")
    numbered = [p for p in document.paragraphs if p.style.name == "List Number"]
    assert [p.text for p in numbered] == ["a", "b", "c", "d", "e"]
    ids = [num_id(p) for p in numbered]
    assert ids[0] == ids[1] == ids[2] != ids[3] == ids[4]
    numbering = document.part.numbering_part.element
    for n in {ids[0], ids[3]}:
        override = numbering.num_having_numId(n).find(qn("w:lvlOverride"))
        assert override.find(qn("w:startOverride")).get(qn("w:val")) == "1"


def test_last_list_item_gets_normal_spacing_after():
    document = compile_("- a\n  - b\n{%p if x %}\n- c\n{%p endif %}\nTexte\n1. d\n| T |")
    items = [p for p in document.paragraphs if p.style.name.startswith("List")]
    assert [p.paragraph_format.space_after for p in items] == [None, None, Pt(6), Pt(6)]
    assert document.styles["List Bullet"].paragraph_format.space_after == Pt(3)


def test_header_and_footer():
    document = compile_(f"@titre {TITLE}\nTexte")
    section = document.sections[0]
    (header,) = section.header.paragraphs
    assert [r.text for r in header.runs] == ["{{ marche.entete }}"]
    assert header.runs[0].font.size or header.style.font.size == Pt(8)
    (footer,) = section.footer.paragraphs
    assert footer.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.CENTER
    xml = footer._p.xml
    instructions = [t.text.strip() for t in footer._p.iter(qn("w:instrText"))]
    assert instructions == ["PAGE", "NUMPAGES"]
    assert [f.get(qn("w:fldCharType")) for f in footer._p.iter(qn("w:fldChar"))] == [
        "begin", "separate", "end", "begin", "separate", "end"
    ]
    assert f"{TITLE} — page " in xml and " sur " in xml


def test_page_setup_fonts_and_language():
    document = compile_("Texte")
    section = document.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert all(round(m.cm, 1) == 2.0 for m in (section.top_margin, section.bottom_margin, section.left_margin))
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size) == ("Arial", Pt(10))
    assert normal.paragraph_format.alignment == docx.enum.text.WD_ALIGN_PARAGRAPH.JUSTIFY
    assert normal.paragraph_format.space_after == Pt(6)
    for name, size in [("Heading 1", 14), ("Heading 2", 12), ("Heading 3", 11), ("Title", 18)]:
        style = document.styles[name]
        assert (style.font.name, style.font.size, style.font.bold) == ("Arial", Pt(size), True)
        assert str(style.font.color.rgb) == "1F3864"
        assert style.paragraph_format.keep_with_next
    defaults = document.styles.element.find(qn("w:docDefaults"))
    assert defaults.find(f".//{qn('w:lang')}").get(qn("w:val")) == "fr-FR"
    assert normal.element.rPr.find(qn("w:lang")).get(qn("w:val")) == "fr-FR"
    assert "Theme" not in normal.element.xml and "majorHAnsi" not in document.styles["Heading 1"].element.xml


def test_core_properties_are_fixed():
    props = compile_(f"@titre {TITLE}\nTexte").core_properties
    assert (props.title, props.author, props.revision) == (TITLE, "clausegen", 1)
    assert props.created == props.modified == dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    assert props.last_modified_by == ""
    assert compile_("Texte", "rc-insertion").core_properties.title == "rc-insertion"  # no @titre: the argument


def test_build_is_byte_identical():
    source = f"@titre {TITLE}\n= Titre\n{TABLE}\n1. a\n- b\n[ ] c"
    assert build.build_docx(source, "x") == build.build_docx(source, "x")


SAMPLE = f"""\
@titre {TITLE}
= Règlement de la consultation
# Article 1 — Clause d'insertion
Le titulaire réalise **{{{{ lot.heures|heures }}}} heures** d'insertion.
{{%p if marche.qpv %}}
> Les quartiers prioritaires sont visés.
{{%p endif %}}
{{%p if not marche.qpv %}}
Aucun quartier prioritaire.
{{%p endif %}}
{TABLE}
Fin.
"""


def test_renders_with_docxtpl():
    template = DocxTemplate(io.BytesIO(build.build_docx(SAMPLE, "x")))
    env = jinja2.Environment()
    env.filters["heures"] = lambda value: f"{value:,}".replace(",", "\u202f")
    lots = [
        {"numero": 1, "intitule": "Gros œuvre", "heures": 1200, "taux": "5 %"},
        {"numero": 2, "intitule": "Second œuvre", "heures": 800, "taux": "4 %"},
    ]
    context = {"marche": {"reference": "2026-014", "objet": "Groupe scolaire", "qpv": True, "entete": "2026-014 — Groupe scolaire"}, "lot": lots[0], "lots": lots}
    template.render(context, env)
    out = io.BytesIO()
    template.save(out)
    rendered = docx.Document(io.BytesIO(out.getvalue()))
    assert body(rendered) == [
        ("Title", "Règlement de la consultation"),
        ("Heading 1", "Article 1 — Clause d'insertion"),
        ("Normal", "Le titulaire réalise 1\u202f200 heures d'insertion."),
        ("Quote", "Les quartiers prioritaires sont visés."),
        ("Normal", ""),  # the spacer below the table
        ("Normal", "Fin."),
    ]
    (table,) = rendered.tables
    assert [[c.text for c in row.cells] for row in table.rows] == [
        ["Lot", "Intitulé", "Heures", "Taux | %"],
        ["1", "Gros œuvre\nmaçonnerie\npeinture", "1\u202f200", "5 %"],
        ["2", "Second œuvre\nmaçonnerie\npeinture", "800", "4 %"],
    ]
    assert rendered.sections[0].header.paragraphs[0].text == "2026-014 — Groupe scolaire"
    assert "{" not in rendered.sections[0].footer.paragraphs[0]._p.xml


@pytest.mark.parametrize(
    ("source", "line", "message"),
    [
        ("Texte\n{{ lot.heures", 2, "unbalanced"),
        ("Texte %} fin", 1, "unbalanced"),
        ("{%tr for x in xs %}", 1, "table row"),
        ("{%p if x %} et du texte", 1, "alone"),
        ("@auteur moi", 1, "unknown directive"),
        (f"@titre A\n@titre B", 2, "second @titre"),
        ("!largeurs 2,3\nTexte", 1, "followed by a table"),
        ("!largeurs 2,x\n| a | b |", 1, "bad widths"),
        ("!largeurs 2,3,4\n| a | b |", 1, "widths for 2 columns"),
        ("| a | b |\n| 1 | 2 | 3 |", 2, "3 cells"),
        ("| a | b |\n| {%tr for x in xs %} | 2 |", 2, "row tag"),
        ("|\n| a |", 1, "at least one cell"),
    ],
)
def test_markup_errors_name_the_line(source, line, message):
    with pytest.raises(build.BuildError) as info:
        build.build_docx(source, "x")
    assert info.value.line == line
    assert message in info.value.message


# --------------------------------------------------------------------------- command line
def run_script(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """The real script, in a subprocess, from another working directory."""
    return subprocess.run([sys.executable, str(BUILD_PY), *args], cwd=cwd, capture_output=True, text=True)


def test_command_line_build_and_check(tmp_path, capsys):
    src, out = tmp_path / "src", tmp_path / "orme"
    src.mkdir()
    (src / "rc.txt").write_text(f"@titre {TITLE}\n# Article 1\nTexte\n", encoding="utf-8")
    (src / "ae.txt").write_text("@titre Acte d'engagement\n[ ] Oui\n", encoding="utf-8")
    tree = ["--src", str(src), "--out", str(out)]

    assert build.main(["--check", *tree]) == 1  # nothing built yet
    assert build.main(["rc", *tree]) == 0  # only the named template
    assert sorted(p.name for p in out.iterdir()) == ["rc.docx"]

    done = run_script(*tree, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in out.iterdir()) == ["ae.docx", "rc.docx"]
    assert (out / "rc.docx").read_bytes() == build.build_docx((src / "rc.txt").read_text(encoding="utf-8"), "rc")
    assert build.main(["--check", *tree]) == 0

    (src / "rc.txt").write_text(f"@titre {TITLE}\n# Article 1\nTexte modifié\n", encoding="utf-8")
    capsys.readouterr()
    stale = run_script("--check", *tree, cwd=tmp_path)
    assert stale.returncode == 1
    assert "rc" in stale.stderr.split() and "ae" not in stale.stderr.split()
    assert build.main(["--check", "ae", *tree]) == 0
    assert build.main(["--check", "rc.txt", *tree]) == 1


def test_command_line_reports_markup_errors(tmp_path, capsys):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "bad.txt").write_text("Texte\n{{ oubli\n", encoding="utf-8")
    assert build.main(["--src", str(tmp_path / "src"), "--out", str(tmp_path / "orme")]) == 2
    assert "bad.txt:2: unbalanced" in capsys.readouterr().err
    assert not (tmp_path / "orme").exists()
    with pytest.raises(SystemExit) as info:
        build.main(["absent", "--src", str(tmp_path / "src")])
    assert info.value.code == 2
