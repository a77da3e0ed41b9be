"""A generic eForms XML writer driven by the SDK's ``fields/fields.json`` (as shipped in
``data/eforms-notice.json``): a value is put at its field's xpath, under the instance of each repeatable node
it belongs to, and every element is placed in the order of the UBL/eForms XSD sequences (``xsdSequenceOrder``).
It knows nothing of markets: ``eforms_xml`` says what to write."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from ..law.codelists import eforms_notice

NAMESPACES = {
    "": "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
ROOT = "ContractNotice"
_PREDICATE = re.compile(r"^(?:(?P<child>[\w:]+)/)?@(?P<attr>\w+)='(?P<value>[^']*)'$")


def _tag(name: str) -> str:
    prefix, _, local = name.rpartition(":")
    return f"{{{NAMESPACES[prefix]}}}{local}"


def _steps(xpath: str) -> list[tuple[str, list[str]]]:
    """``a[p]/b/@c`` → [("a", ["p"]), ("b", []), ("@c", [])]; brackets may nest."""
    steps, depth, current = [], 0, ""
    for char in xpath:
        if char == "/" and depth == 0:
            steps.append(current)
            current = ""
            continue
        depth += (char == "[") - (char == "]")
        current += char
    steps.append(current)
    parsed = []
    for step in steps:
        name, preds, depth, pred = "", [], 0, ""
        for char in step:
            if char == "[":
                depth += 1
                if depth == 1:
                    continue
            elif char == "]":
                depth -= 1
                if depth == 0:
                    preds.append(pred)
                    pred = ""
                    continue
            if depth:
                pred += char
            else:
                name += char
        parsed.append((name, preds))
    return parsed


class Notice:
    """An eForms notice being written: ``put(field, value, key)`` where ``key`` gives, in order, the instance
    number of each repeatable node above the field (its lot, its criterion…); deeper ones left out are 1."""

    def __init__(self):
        self.spec = eforms_notice()
        self.root = ET.Element(_tag(ROOT))
        self.order: dict[int, int] = {}  # id(element) → its rank in its parent's XSD sequence
        self.nodes: dict[tuple, ET.Element] = {("ND-Root", ()): self.root}
        self.written: list[str] = []  # field ids, in the order written
        self.notice_type: str | None = None  # fields forbidden in this notice subtype are left out (``skipped``)
        self.skipped: list[str] = []

    # -- structure -------------------------------------------------------------------------------------
    def _chain(self, node_id: str) -> list[str]:
        chain = []
        while node_id:
            chain.append(node_id)
            node_id = self.spec["nodes"][node_id]["parent"]
        return chain[::-1]

    def node(self, node_id: str, key: tuple = ()) -> ET.Element:
        chain, element, used = self._chain(node_id), self.root, 0
        repeatable = sum(self.spec["nodes"][nid]["repeatable"] for nid in chain[1:])
        if len(key) > repeatable:
            raise ValueError(f"{node_id}: {len(key)} instance numbers for {repeatable} repeatable nodes")
        key = tuple(key) + (1,) * (repeatable - len(key))  # the first instance of the deeper ones
        for nid in chain[1:]:
            spec = self.spec["nodes"][nid]
            if spec["repeatable"]:
                used += 1
            ident = (nid, key[:used])
            if ident not in self.nodes:
                self.nodes[ident] = self._walk(element, spec["xpath"], spec["order"], fresh=spec["repeatable"])
            element = self.nodes[ident]
        return element

    def _match(self, element: ET.Element, preds: list[str]) -> bool:
        for pred in preds:
            found = _PREDICATE.match(pred)
            if not found:
                continue  # not(...): nothing to create, nothing to match
            target = element.find(_tag(found["child"])) if found["child"] else element
            if target is None or target.get(found["attr"]) != found["value"]:
                return False
        return True

    def _walk(self, element: ET.Element, xpath: str, order: list, fresh: bool = False, leaf_fresh: bool = False) -> ET.Element:
        steps = [s for s in _steps(xpath) if not s[0].startswith("@")]
        ranks = dict((name, rank) for name, rank in order)
        for i, (name, preds) in enumerate(steps):
            last = i == len(steps) - 1
            child = None
            if not ((fresh or leaf_fresh) and last):
                child = next((c for c in element.findall(_tag(name)) if self._match(c, preds)), None)
            if child is None:
                child = ET.SubElement(element, _tag(name))
                for pred in preds:
                    found = _PREDICATE.match(pred)
                    if found and found["child"]:
                        ET.SubElement(child, _tag(found["child"])).set(found["attr"], found["value"])
                    elif found:
                        child.set(found["attr"], found["value"])
            if name in ranks:
                self.order[id(child)] = ranks[name]
            element = child
        return element

    # -- values ----------------------------------------------------------------------------------------
    def put(self, field_id: str, value, key: tuple = (), **attributes) -> ET.Element | None:
        """Write ``value`` at ``field_id``; ``attributes``: the values of its attribute fields, by attribute
        name (``languageID="FRA"``, ``unitCode="MONTH"``, ``currencyID="EUR"``)."""
        spec = self.spec["fields"][field_id]
        if self.notice_type in spec["forbidden_in"]:
            if field_id not in self.skipped:
                self.skipped.append(field_id)
            return None
        context = self.node(spec["parent"], key)
        steps = _steps(spec["xpath"])
        if steps[-1][0].startswith("@"):
            element = self._walk(context, spec["xpath"], spec["order"]) if len(steps) > 1 else context
            element.set(steps[-1][0][1:], str(value))
        else:
            element = self._walk(context, spec["xpath"], spec["order"], leaf_fresh=spec["repeatable"])
            if element.text and not spec["repeatable"]:
                raise ValueError(f"{field_id} written twice in one instance")
            element.text = str(value)
        for name, text in attributes.items():
            element.set(name, str(text))
        for attribute in spec.get("attributes", []):
            preset = self.spec["fields"][attribute]
            if preset.get("preset") and preset["attribute_name"] not in element.attrib:
                element.set(preset["attribute_name"], preset["preset"])
        self.written.append(field_id)
        return element

    def parent_of(self, element: ET.Element) -> ET.Element:
        return next(p for p in self.root.iter() if element in list(p))

    # -- output ----------------------------------------------------------------------------------------
    def _sort(self, element: ET.Element) -> None:
        children = list(element)
        for child in children:
            self._sort(child)
        children.sort(key=lambda c: self.order.get(id(c), 0))
        element[:] = children

    def to_bytes(self) -> bytes:
        self._sort(self.root)
        for prefix, uri in NAMESPACES.items():
            ET.register_namespace(prefix, uri)
        ET.indent(self.root, space="  ")
        return ET.tostring(self.root, encoding="UTF-8", xml_declaration=True) + b"\n"
