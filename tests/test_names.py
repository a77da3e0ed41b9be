"""``docx.names.prefixes_bound``: when the rendered parts of a built-in template may be checked without
namespace processing (issue 20), and never for a buyer's template."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from clausegen.docx import container, engine, known
from clausegen.docx.names import prefixes_bound
from clausegen.errors import RenderError
from clausegen.profile.load import load_profile
from clausegen.render.pack import render_documents
from clausegen.render.templates import builtin_template_dir

ROOT = Path(__file__).resolve().parents[1]
PROFILE = ROOT / "profiles" / "travaux-qpv.yaml"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = f"<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n<w:document xmlns:w=\"{W}\" xmlns:r=\"{R}\">"


def doc(body: str, head: str = HEAD) -> str:
    return f"{head}<w:body>{body}</w:body></w:document>"


def test_a_plain_part_is_bound():
    assert prefixes_bound(doc('<w:p><w:r><w:t xml:space="preserve">{{ marche.objet }} : {{ x|heures }}</w:t></w:r></w:p>'))


def test_jinja_code_is_not_scanned_for_names():
    # « [1:]|map(attribute=… » looks like a name with a colon: it is code, whose output is escaped
    assert prefixes_bound(doc("<w:p><w:r><w:t>{{ lot.criteres[1:]|map(attribute='libelle')|join(', ') }}</w:t></w:r></w:p>"))


@pytest.mark.parametrize("body", [
    "<w:p><v:shape/></w:p>",  # a prefix the root does not declare
    '<w:p><w:r w:x:y="1"/></w:p>',  # a name with two colons
    '<w:p><w:r q:val="1"/></w:p>',  # an attribute with an undeclared prefix
    f'<w:p xmlns:v="{W}x"><v:shape/></w:p>',  # a prefix declared below the root
    "<w:p><w:r><w:t>{{ x|safe }}</w:t></w:r></w:p>",  # a text let through as markup
    "<w:p><w:r><w:t>{{ d|xmlattr }}</w:t></w:r></w:p>",
    "<w:p><w:r><w:t>{{ u|urlize }}</w:t></w:r></w:p>",
    "<w:p>{% autoescape false %}{{ x }}{% endautoescape %}</w:p>",
    "<w:p>{% raw %}{{ <v:shape/> }}{% endraw %}</w:p>",  # written out as it is: not Jinja code after all
    "<w:p>{% include 'autre' %}</w:p>",
    "<w:p>{% from 'autre' import m %}</w:p>",
])
def test_anything_else_is_checked_with_namespaces(body):
    assert not prefixes_bound(doc(body))


@pytest.mark.parametrize("head", [
    f'<?xml version="1.0"?><w:document xmlns:r="{R}">',  # no « w » (what the engine writes)
    f'<?xml version="1.0"?><w:document xmlns:w="{W}" xmlns:x="{W}">',  # two prefixes, one URI
    f'<?xml version="1.0"?><w:document xmlns:w="{W}" xmlns:r="">',  # an empty URI
    f'<?xml version="1.0"?><w:document xmlns:w="{W}" {{{{ attributs }}}}>',  # Jinja in the root
    f'<?xml version="1.0"?><w:document xmlns:w="{W}" xmlns:w="{R}">',  # a prefix declared twice
])
def test_a_root_in_doubt_is_checked_with_namespaces(head):
    assert not prefixes_bound(doc("<w:p/>", head=head))


def test_every_part_of_the_built_in_templates_is_bound():
    for path in sorted(builtin_template_dir().glob("*.docx")):
        data = path.read_bytes()
        assert known.builtin(data), path.name
        bound = engine._template_parts(path.name, data)[5]
        assert bound and all(bound.values()), (path.name, bound)


def _counted_checks(monkeypatch) -> list:
    calls = []
    original = container.xml_problem
    monkeypatch.setattr(container, "xml_problem", lambda data, namespaces=True: calls.append(namespaces) or original(data, namespaces))
    return calls


def test_built_in_renders_are_checked_without_namespaces_and_still_parse(monkeypatch):
    engine.prepare.cache_clear()
    calls = _counted_checks(monkeypatch)
    documents = render_documents(load_profile(PROFILE))
    assert calls and not any(calls)
    from xml.parsers import expat

    for name, data in documents.items():  # what the tests of every document do with lxml: with namespaces
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for part in archive.namelist():
                if part.endswith(".xml"):
                    expat.ParserCreate(namespace_separator=" ").Parse(archive.read(part), True)


def _buyer_copy(tmp_path: Path, name: str, replace: tuple[bytes, bytes] | None = None) -> Path:
    """The built-in template ``name`` with one more byte in a comment part (so not the built-in bytes)."""
    source = builtin_template_dir() / f"{name}.docx"
    folder = tmp_path / "modeles"
    folder.mkdir(exist_ok=True)
    out = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml" and replace:
                data = data.replace(*replace, 1)
            dst.writestr(info, data)
        dst.writestr("customXml/note.txt", b"copie de l'acheteur")
    (folder / f"{name}.docx").write_bytes(out.getvalue())
    return folder


def test_a_buyer_template_is_always_checked_with_namespaces(tmp_path, monkeypatch):
    engine.prepare.cache_clear()
    folder = _buyer_copy(tmp_path, "avis")
    calls = _counted_checks(monkeypatch)
    render_documents(load_profile(PROFILE), ["avis"], templates=folder)
    assert calls and all(calls)


def test_an_unbound_prefix_a_buyer_writes_is_still_refused(tmp_path):
    engine.prepare.cache_clear()
    folder = _buyer_copy(tmp_path, "avis", (b"<w:body>", b"<w:body><w:p><w:r><w:t>{{ '<zz:forme/>'|safe }}</w:t></w:r></w:p>"))
    with pytest.raises(RenderError, match="préfixe d'espace de noms non déclaré"):
        render_documents(load_profile(PROFILE), ["avis"], templates=folder)
