"""Extract from the eForms SDK what ``clausegen export eforms --format xml`` needs to write and check a notice.

Nothing is downloaded: point the script at a git clone (or bare mirror) of OP-TED/eForms-SDK and name the tag::

    python tools/eforms_notice.py /path/to/eForms-SDK 1.15.1 src/clausegen/law/data

It writes, under that folder:

* ``eforms-notice.json``: the fields clausegen writes (``fields/fields.json``: xpaths, XSD sequence order,
  type, pattern, code list, attributes, notice types where each is mandatory or forbidden without
  condition), their ancestor nodes, the notice subtypes (``notice-types/notice-types.json``), and the codes of the code lists those fields use (``codelists/*.gc``),
  the social-services CPV list (``codelists/cpv_social-service-cpv.gc``) with its French labels;
* ``eforms-schemas/``: the XSD files a ContractNotice needs (``schemas/common/*.xsd`` and
  ``schemas/maindoc/UBL-ContractNotice-2.3.xsd``), byte for byte, and the SDK's ``LICENSE``.

Standard library only; deterministic output (same SDK tag, same files).
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

# The business terms clausegen writes (their attribute fields are added from fields.json).
FIELDS = (
    "OPT-001-notice", "OPT-002-notice", "BT-701-notice", "BT-04-notice", "BT-05(a)-notice", "BT-05(b)-notice", "BT-757-notice",
    "BT-01-notice", "BT-02-notice", "BT-03-notice", "BT-702(a)-notice", "OPP-070-notice",
    "OPT-200-Organization-Company", "BT-500-Organization-Company", "BT-501-Organization-Company", "BT-510(a)-Organization-Company",
    "BT-513-Organization-Company", "BT-512-Organization-Company", "BT-514-Organization-Company", "BT-16-Organization-Company",
    "BT-506-Organization-Company", "BT-503-Organization-Company",
    "OPT-300-Procedure-Buyer", "BT-11-Procedure-Buyer",
    "BT-105-Procedure", "BT-22-Procedure", "BT-21-Procedure", "BT-24-Procedure", "BT-23-Procedure", "BT-262-Procedure", "BT-27-Procedure",
    "BT-137-Lot", "BT-22-Lot", "BT-21-Lot", "BT-24-Lot", "BT-23-Lot", "BT-262-Lot", "BT-36-Lot", "BT-27-Lot", "BT-5141-Lot", "BT-5131-Lot",
    "BT-06-Lot", "BT-777-Lot", "BT-775-Lot", "BT-71-Lot", "BT-736-Lot", "BT-70-Lot",
    "BT-539-Lot", "BT-734-Lot", "BT-540-Lot", "BT-541-Lot-WeightNumber", "BT-5421-Lot",
)
# code list id (fields.json) → file (codelists/NAME.gc); the big lists (cpv, nuts, languages) are not copied.
CODELISTS = {
    "award-criterion-type": "award-criterion-type", "number-weight": "number-weight", "contract-nature": "contract-nature",
    "procurement-procedure-type": "procurement-procedure-type", "buyer-legal-type": "buyer-legal-type", "notice-type": "notice-type",
    "form-type": "form-type", "legal-basis": "legal-basis", "duration-unit": "timeperiod_duration-unit",
    "eu-official-language": "language_eu-official-language", "strategic-procurement": "strategic-procurement",
    "social-objective": "social-objective", "reserved-procurement": "reserved-procurement",
    "reserved-execution": "applicability_reserved-execution", "notice-subtype": "notice-subtype",
}
SCHEMAS = ("schemas/common/", "schemas/maindoc/UBL-ContractNotice-2.3.xsd")


def show(repo: str, rev: str, path: str) -> bytes:
    return subprocess.run(["git", "-C", repo, "show", f"{rev}:{path}"], check=True, capture_output=True).stdout


def rows(repo: str, rev: str, name: str) -> list[dict]:
    root = ET.fromstring(show(repo, rev, f"codelists/{name}.gc"))
    found = []
    for row in root.iter("Row"):
        found.append({v.get("ColumnRef"): v.findtext("SimpleValue") for v in row.findall("Value")})
    return found


def unconditional(constraints: dict | None) -> list[str]:
    types: list[str] = []
    for c in (constraints or {}).get("constraints", []):
        if c.get("value") is True and "condition" not in c:
            types += c.get("noticeTypes", [])
    return sorted(set(types), key=lambda t: (not t.isdigit(), int(t) if t.isdigit() else 0, t))


def main(repo: str, rev: str, out: str) -> None:
    target = Path(out)
    commit = subprocess.run(["git", "-C", repo, "rev-parse", f"{rev}^{{commit}}"], check=True, capture_output=True, text=True).stdout.strip()
    sdk = json.loads(show(repo, rev, "fields/fields.json"))
    fields = {f["id"]: f for f in sdk["fields"]}
    nodes = {n["id"]: n for n in sdk["xmlStructure"]}
    wanted = list(FIELDS)
    for fid in FIELDS:
        wanted += [a for a in fields[fid].get("attributes", []) if a not in wanted]
    out_fields, needed_nodes, lists = {}, set(), set()
    for fid in wanted:
        f = fields[fid]
        entry = {
            "parent": f["parentNodeId"], "xpath": f["xpathRelative"], "absolute": f["xpathAbsolute"], "type": f["type"],
            "order": [[k, v] for step in f.get("xsdSequenceOrder", []) for k, v in step.items()],
            "repeatable": bool(f.get("repeatable", {}).get("value")),
            "mandatory_in": unconditional(f.get("mandatory")), "forbidden_in": unconditional(f.get("forbidden")),
        }
        for key, name in (("attributeName", "attribute_name"), ("attributeOf", "attribute_of"), ("presetValue", "preset"), ("schemeName", "scheme_name")):
            if key in f:
                entry[name] = f[key]
        if f.get("attributes"):
            entry["attributes"] = list(f["attributes"])
        if f.get("pattern"):
            entry["pattern"] = f["pattern"]["value"]
        if f.get("codeList"):
            entry["code_list"] = f["codeList"]["value"]["id"]
            lists.add(entry["code_list"])
        out_fields[fid] = entry
        node = f["parentNodeId"]
        while node:
            needed_nodes.add(node)
            node = nodes[node].get("parentId")
    out_nodes = {}
    for nid in sorted(needed_nodes):
        n = nodes[nid]
        out_nodes[nid] = {"parent": n.get("parentId"), "xpath": n["xpathRelative"], "repeatable": bool(n.get("repeatable")),
                          "order": [[k, v] for step in n.get("xsdSequenceOrder", []) for k, v in step.items()]}
    codes = {name: sorted(r["code"] for r in rows(repo, rev, CODELISTS[name])) for name in sorted(lists) if name in CODELISTS}
    social = {r["code"]: r.get("fra_label") for r in rows(repo, rev, "cpv_social-service-cpv")}
    types = json.loads(show(repo, rev, "notice-types/notice-types.json"))["noticeSubTypes"]
    forms = {t["subTypeId"]: {"document_type": t["documentType"], "form_type": t["formType"], "notice_type": t["type"], "legal_basis": t["legalBasis"]}
             for t in types}
    data = {
        "sdk": {"version": sdk["sdkVersion"].removeprefix("eforms-sdk-"), "repository": "OP-TED/eForms-SDK", "tag": rev, "commit": commit,
                "ubl_version": sdk["ublVersion"], "licence": "CC BY 4.0 (eForms-SDK LICENSE, copied in eforms-schemas/LICENSE)",
                "command": f"python tools/eforms_notice.py CHEMIN/eForms-SDK {rev} src/clausegen/law/data"},
        "nodes": out_nodes, "fields": out_fields, "codelists": codes, "notice_subtypes": forms,
        "social_service_cpv": {"file": "codelists/cpv_social-service-cpv.gc", "values": dict(sorted(social.items()))},
    }
    data = {"commentaire": "Champs, nœuds et listes de codes du SDK eForms pour l'avis XML de clausegen. FICHIER GÉNÉRÉ : ne pas le "
                           "modifier à la main, relancer la commande de « sdk.command » (tools/eforms_notice.py).", **data}
    (target / "eforms-notice.json").write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    schemas = target / "eforms-schemas"
    listing = subprocess.run(["git", "-C", repo, "ls-tree", "-r", "--name-only", rev, "schemas/"], check=True, capture_output=True, text=True).stdout.split()
    for path in listing:
        if any(path == s or (s.endswith("/") and path.startswith(s)) for s in SCHEMAS):
            dest = schemas / path.removeprefix("schemas/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(show(repo, rev, path))
    (schemas / "LICENSE").write_bytes(show(repo, rev, "LICENSE"))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
