"""Removal of a template's external items (``external.without_external``, on the buyer's request): the
relationship goes, and so does what refers to it in its part; a field's code goes, its last result stays.

* a hyperlink (``w:hyperlink r:id``) is unwrapped: its text stays, not the link;
* a linked picture (``a:blip r:link``, VML ``v:imagedata r:id``…) loses the attribute: an empty frame stays;
* any other element referring to the relationship (``w:attachedTemplate``, ``w:altChunk``, ``w:subDoc``,
  ``o:OLEObject``…) is removed;
* a simple field (``w:fldSimple``) is replaced by its result runs; a complex field loses its ``w:fldChar``
  and ``w:instrText`` elements, from its « begin » to its « end » when it has no result, else to its
  « separate » and its « end »: the runs of its result stay as plain text.
"""

from __future__ import annotations

from .external import _REL_NS, _W_NS, field_kind

_KEEP_ELEMENT = {"blip", "imagedata", "fill", "stroke", "textpath", "shape", "imagefile"}  # lose the attribute only


def _parse(raw: bytes):
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_blank_text=False)
    return etree.fromstring(raw, parser)


def _serialize(root) -> bytes:
    from lxml import etree

    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _local(element) -> str:
    tag = element.tag
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _owner(rels_part: str) -> str | None:
    """``word/_rels/document.xml.rels`` → ``word/document.xml``; the package's own ``_rels/.rels`` → None."""
    folder, _, file = rels_part.rpartition("_rels/")
    return (folder + file[: -len(".rels")]) if file.endswith(".rels") and file != ".rels" else None


def _unwrap(element) -> None:
    parent = element.getparent()
    index = parent.index(element)
    for offset, child in enumerate(list(element)):
        parent.insert(index + offset, child)
    tail = element.tail
    parent.remove(element)
    if tail:  # keep the text that followed (none in Word XML, but stay exact)
        previous = parent[index - 1] if index > 0 else None
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail


def _drop_references(root, ids: set[str]) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        refs = [key for key, value in element.attrib.items() if key.startswith("{" + _REL_NS + "}") and value in ids]
        if not refs or element.getparent() is None:
            continue
        local = _local(element)
        if local == "hyperlink":
            _unwrap(element)
        elif local in _KEEP_ELEMENT:
            for key in refs:
                del element.attrib[key]
        else:
            element.getparent().remove(element)


def _neutralise_fields(root) -> None:
    w = "{" + _W_NS + "}"
    for simple in [e for e in root.iter(w + "fldSimple")]:
        found = field_kind(simple.get(w + "instr", ""))
        if found and found[1] and simple.getparent() is not None:
            _unwrap(simple)
    markers = [e for e in root.iter(w + "fldChar", w + "instrText")]
    fields, stack = [], []  # per complex field: its fldChar/instrText elements to remove, and its code
    for element in markers:
        if _local(element) == "instrText":
            if stack and stack[-1]["reading"]:
                stack[-1]["code"].append(element.text or "")
                stack[-1]["remove"].append(element)
            continue
        kind = element.get(w + "fldCharType")
        if kind == "begin":
            stack.append({"code": [], "remove": [element], "reading": True})
        elif stack:
            field = stack[-1]
            field["remove"].append(element)
            field["reading"] = False
            if kind == "end":
                fields.append(stack.pop())
    for field in fields:
        found = field_kind("".join(field["code"]))
        if found and found[1]:
            for element in field["remove"]:
                if element.getparent() is not None:
                    element.getparent().remove(element)


def strip(parts, items) -> list[tuple[str, bytes]]:
    """``parts`` without the removable ``items`` (``external.inspect``), in the same order."""
    by_rels: dict[str, set[str]] = {}
    field_parts = set()
    for item in items:
        if item.rel_id is not None:
            by_rels.setdefault(item.part, set()).add(item.rel_id)
        elif item.removable:
            field_parts.add(item.part)
    owners = {_owner(rels): ids for rels, ids in by_rels.items() if _owner(rels)}
    out = []
    for part, raw in parts:
        if part in by_rels:
            root = _parse(raw)
            for rel in list(root):
                if rel.get("Id") in by_rels[part]:
                    root.remove(rel)
            raw = _serialize(root)
        if part in owners or part in field_parts:
            root = _parse(raw)
            if part in owners:
                _drop_references(root, owners[part])
            if part in field_parts:
                _neutralise_fields(root)
            raw = _serialize(root)
        out.append((part, raw))
    return out
