"""What a buyer's template must not carry into a pack that goes to every bidder: content fetched from outside
the document, and code.

``inspect(parts)`` lists every such item of a .docx (its parts as ``container.read_docx`` reads them):

* **external relationships** (``TargetMode="External"`` in a ``.rels`` part): an image linked to
  ``http://…`` (fetched, like a beacon, each time a bidder opens the document), a template attached from a
  server (``attachedTemplate`` → remote ``.dotm``), content imported from outside (``altChunk``), a linked
  OLE object, sub-document or frame; a hyperlink is allowed to ``http:``, ``https:`` and ``mailto:`` only
  (a reader clicks it), never to a file or a network share (``file:///\\\\host\\share``: the bidder's
  Windows password hash is sent to that host);
* **fields that reach outside or run a program**: ``DDE``/``DDEAUTO`` (runs a command), ``INCLUDEPICTURE``,
  ``INCLUDETEXT``, ``LINK``, ``IMPORT``, ``INCLUDE`` (content loaded from a path or an address), and a
  ``HYPERLINK`` field to a file or a share — as simple fields (``w:fldSimple``) and as complex ones
  (``w:fldChar`` … ``w:instrText`` … ``w:fldChar``, the code possibly split over several runs);
* **macros and active content**: ``vbaProject.bin``, a macro-enabled content type, ActiveX controls.

``refuse(name, parts)`` raises a French ``RenderError`` naming each item, its part and its target
(``container.read_docx`` runs it on every template); with the policy « retirer » (``clausegen render
--retirer-liens-externes``, which sets ``POLICY_VARIABLE`` for the render and its worker processes)
``container.without_external`` gives the template without the items that can be removed
(``external_strip``: the relationship and what refers to it, a hyperlink keeping its text; the code of a
field, its last result staying), and macros and DDE are refused all the same. ``templates lint`` reports
each item (``inspect``).

Imports only ``errors``: ``container`` imports this module.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from xml.parsers import expat

from ..errors import RenderError

POLICY_VARIABLE = "CLAUSEGEN_LIENS_EXTERNES"  # « retirer »: remove what can be removed, instead of refusing
OPTION = "--retirer-liens-externes"
SAFE_SCHEMES = ("http://", "https://", "mailto:")

_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"

_RELATION_LABELS = {
    "image": "image liée, chargée depuis l'extérieur à chaque ouverture",
    "hyperlink": "lien hypertexte",
    "attachedTemplate": "modèle attaché distant, chargé à l'ouverture",
    "aFChunk": "contenu importé depuis l'extérieur (altChunk)",
    "oleObject": "objet OLE lié",
    "subDocument": "sous-document lié",
    "frame": "cadre lié",
    "package": "objet lié",
    "video": "vidéo liée",
    "audio": "son lié",
}
_INCLUDE_FIELDS = {"INCLUDEPICTURE", "INCLUDETEXT", "INCLUDE", "LINK", "IMPORT"}
_CODE_FIELDS = {"DDE", "DDEAUTO"}
_MACRO_TYPES = ("macroenabled", "vbaproject", "vbadata", "activex")


@dataclass(frozen=True)
class Item:
    """One thing of a template that reaches outside the document or runs code."""

    part: str  # the part that holds it (a .rels part for a relationship)
    label: str  # French: « image liée… », « champ DDEAUTO (lance un programme) »
    target: str  # the address, path or field code
    removable: bool  # what --retirer-liens-externes may remove (macros and DDE never: refused)
    rel_id: str | None = None  # the relationship's Id, for a relationship

    def describe(self) -> str:
        shown = self.target if len(self.target) <= 120 else self.target[:119] + "…"
        return f"{self.label} — {self.part} → {shown}" if shown else f"{self.label} — {self.part}"


def policy() -> str:
    """« retirer » when the buyer asked to remove what can be removed, else « refuser »."""
    return "retirer" if os.environ.get(POLICY_VARIABLE, "").strip().lower() == "retirer" else "refuser"


# -------------------------------------------------------------------------------------------------
# Inspection
# -------------------------------------------------------------------------------------------------


def _safe_link(target: str) -> bool:
    return target.strip().lower().startswith(SAFE_SCHEMES) and "\\" not in target


def _relations(part: str, raw: bytes) -> list[Item]:
    items: list[Item] = []

    def start(tag, attrs):
        if tag.rsplit(" ", 1)[-1] != "Relationship" or attrs.get("TargetMode", "").lower() != "external":
            return
        kind = attrs.get("Type", "").rstrip("/").rsplit("/", 1)[-1]
        target = attrs.get("Target", "")
        if kind == "hyperlink":
            if _safe_link(target):
                return
            label = "lien hypertexte vers un fichier ou un partage réseau, qui peut envoyer le mot de passe Windows du candidat à cette machine" \
                if target.lower().startswith(("file:", "\\\\", "//", "smb:")) or re.match(r"^[a-z]:[\\/]", target, re.I) else \
                f"lien hypertexte d'un type refusé (seuls {', '.join(s.rstrip(':/') for s in SAFE_SCHEMES)} sont admis)"
        else:
            label = _RELATION_LABELS.get(kind, f"relation externe « {kind or '?'} »")
        items.append(Item(part, label, target, True, attrs.get("Id")))

    _parse(raw, start)
    return items


def field_kind(instruction: str) -> tuple[str, bool] | None:
    """(French label, removable) of a field code that reaches outside or runs a program, else None."""
    words = instruction.strip().split(None, 1)
    if not words:
        return None
    name = words[0].upper().lstrip("\\")
    argument = words[1].strip() if len(words) > 1 else ""
    if name in _CODE_FIELDS:
        return f"champ {name}, qui lance un programme à l'ouverture du document", False
    if name in _INCLUDE_FIELDS:
        return f"champ {name}, dont le contenu est chargé depuis un fichier ou une adresse extérieure", True
    if name == "HYPERLINK":
        target = argument.split('"')[1] if argument.count('"') >= 2 else argument.split(" ", 1)[0]
        if not _safe_link(target) and not argument.startswith(("\\l", "\\o")):
            return "champ HYPERLINK vers un fichier ou un partage réseau", True
    return None


def _fields(part: str, raw: bytes) -> list[Item]:
    """Fields of one XML part: simple ones from their ``w:instr``, complex ones from the ``w:instrText`` runs
    between their « begin » and « separate » (or « end »), nested fields included."""
    items: list[Item] = []
    stack: list[list] = []  # per open complex field: [instruction pieces, still reading the code]
    in_instr = [False]

    def add(instruction: str):
        found = field_kind(instruction)
        if found:
            items.append(Item(part, found[0], " ".join(instruction.split()), found[1]))

    def start(tag, attrs):
        local = tag.rsplit(" ", 1)[-1]
        if local == "fldSimple":
            add(attrs.get(f"{_W_NS} instr", ""))
        elif local == "fldChar":
            kind = attrs.get(f"{_W_NS} fldCharType")
            if kind == "begin":
                stack.append([[], True])
            elif kind in ("separate", "end") and stack:
                if stack[-1][1]:
                    add("".join(stack[-1][0]))
                    stack[-1][1] = False
                if kind == "end":
                    stack.pop()
        elif local == "instrText":
            in_instr[0] = True

    def end(tag):
        if tag.rsplit(" ", 1)[-1] == "instrText":
            in_instr[0] = False

    def text(data):
        if in_instr[0] and stack and stack[-1][1]:
            stack[-1][0].append(data)

    _parse(raw, start, end, text)
    for pieces, reading in stack:  # a field never closed: its code still counts
        if reading:
            add("".join(pieces))
    return items


def _parse(raw: bytes, start, end=None, text=None) -> None:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if text is not None:
        parser.CharacterDataHandler = text
    try:
        parser.Parse(raw, True)
    except expat.ExpatError:  # read_docx refuses malformed XML before this is called
        pass


def _macros(parts) -> list[Item]:
    items = []
    for part, raw in parts:
        lower = part.lower()
        if lower.endswith("vbaproject.bin") or lower.endswith("vbadata.xml") or "/activex/" in lower:
            items.append(Item(part, "macros VBA ou contrôles ActiveX (du code exécuté par Word)", "", False))
        elif part == "[Content_Types].xml" and any(t.encode() in raw.lower() for t in _MACRO_TYPES):
            kinds = sorted({m.group(1) for m in re.finditer(rb'ContentType="([^"]*)"', raw)
                            if any(t.encode() in m.group(1).lower() for t in _MACRO_TYPES)})
            items.append(Item(part, "type de document avec macros (.docm) : Word refuserait le document produit", ", ".join(k.decode("utf-8", "replace") for k in kinds), False))
    return items


_FIELD_MARKERS = (b"instrText", b"fldSimple")


def inspect(parts) -> list[Item]:
    """Every item of the module docstring in ``parts`` ((name, bytes) of a .docx), in the parts' order."""
    items = _macros(parts)
    for part, raw in parts:
        if part.endswith(".rels"):
            if b"xternal" in raw:
                items += _relations(part, raw)
        elif part.endswith(".xml") and any(marker in raw for marker in _FIELD_MARKERS):
            items += _fields(part, raw)
    return items


# -------------------------------------------------------------------------------------------------
# Refusal, and removal on request
# -------------------------------------------------------------------------------------------------


def refusal(name: str, items: list[Item]) -> RenderError:
    """The French refusal naming every item (part and target) and what to do."""
    shown = " ; ".join(item.describe() for item in items[:8]) + (f" ; et {len(items) - 8} autre(s)" if len(items) > 8 else "")
    fixed = [i for i in items if not i.removable]
    if fixed:
        advice = ("Ce contenu ne peut pas être retiré automatiquement : ouvrez le modèle dans Word, supprimez-le (macros, "
                  "contrôles, champs DDE) et enregistrez-le au format « Document Word (.docx) ».")
    else:
        advice = (f"Retirez-les du modèle dans Word, ou relancez la commande avec {OPTION} : clausegen les retire alors "
                  "(un avertissement pour chacun) et garde le texte des liens.")
    what = "élément" if len(items) == 1 else "éléments"
    return RenderError(name, f"le modèle contient {len(items)} {what} qui iraient, avec le dossier, chez chaque candidat : {shown}. {advice}")


def refuse(name: str, parts) -> None:
    """``RenderError`` when ``parts`` hold anything this module looks for (what ``container.read_docx`` runs)."""
    items = inspect(parts)
    if items:
        raise refusal(name, items)
