"""Generate ``src/clausegen/law/data/eforms-sdk.yaml`` from a copy of the eForms SDK (OP-TED/eForms-SDK).

The exports and the fiche de caractérisation read every eForms code, French label, field name and rule they
use from that one generated file, which records the SDK version and the commit it was read from. Nothing is
downloaded: point the script at a git clone (or bare mirror) of the SDK and name the tag to read::

    python tools/eforms_codelists.py /path/to/eForms-SDK 1.15.1 > src/clausegen/law/data/eforms-sdk.yaml

Read from the SDK at that tag: ``codelists/*.gc`` (codes and their ``fra_label``), ``fields/fields.json``
(field names, code lists, notice types where a field is mandatory or forbidden, rules BR-BT-00262-0200 and
BR-BT-00036-0150), ``translations/field_fr.xml``, ``translations/code_fr.xml`` (labels, cross-checked with the
``.gc`` files) and ``translations/notice_fr.xml`` with ``notice-types/notice-types.json`` (notice subtypes).
Standard library only; the output is deterministic (same SDK tag, same file).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# code list file (without .gc) → list name used in notices (listName)
CODELISTS = {
    "strategic-procurement": "strategic-procurement",
    "social-objective": "social-objective",
    "reserved-procurement": "reserved-procurement",
    "applicability_reserved-execution": "reserved-execution",
}
FIELDS = ("BT-06-Lot", "BT-775-Lot", "BT-777-Lot", "BT-71-Lot", "BT-736-Lot", "BT-262-Lot", "BT-36-Lot")
RULE_CPV = "BR-BT-00262-0200"
RULE_DURATION = "BR-BT-00036-0150"


def show(repo: str, rev: str, path: str) -> bytes:
    return subprocess.run(["git", "-C", repo, "show", f"{rev}:{path}"], capture_output=True, check=True).stdout


def properties(repo: str, rev: str, path: str) -> dict[str, str]:
    """A Java properties XML file (``<entry key="…">…</entry>``) as a dict."""
    root = ET.fromstring(show(repo, rev, path))
    return {e.get("key"): (e.text or "") for e in root.iter("entry")}


def codelist(repo: str, rev: str, name: str) -> dict:
    root = ET.fromstring(show(repo, rev, f"codelists/{name}.gc"))
    ident = root.find("Identification")
    list_id = next(e.text for e in ident.iter("LongName") if e.get("Identifier") == "listId")
    values = {}
    for row in root.iter("Row"):
        cells = {v.get("ColumnRef"): v.findtext("SimpleValue") for v in row.iter("Value")}
        values[cells["code"]] = cells["fra_label"]
    return {"file": f"codelists/{name}.gc", "list_id": list_id, "list_version": ident.findtext("Version"), "values": dict(sorted(values.items()))}


def notice_types(constraints: list, key: str = "value") -> list[str]:
    """Notice subtypes where a constraint holds unconditionally (``value: true``, no condition)."""
    found = []
    for c in constraints or []:
        if c.get(key) is True and "condition" not in c:
            found += c["noticeTypes"]
    return found


def field_entry(field: dict, names: dict) -> dict:
    entry = {"name": names[f"field|name|{field['id']}"], "name_en": field["name"], "type": field["type"]}
    if "codeList" in field:
        entry["code_list"] = field["codeList"]["value"]["id"]
    if "maxLength" in field:
        entry["max_length"] = field["maxLength"]
    mandatory = field.get("mandatory", {}).get("constraints", [])
    forbidden = field.get("forbidden", {}).get("constraints", [])
    entry["mandatory_in"] = notice_types(mandatory)
    entry["forbidden_in"] = notice_types(forbidden)
    conditional = [c for c in mandatory if "condition" in c]
    if conditional:
        entry["mandatory_when"] = [{"notice_types": c["noticeTypes"], "condition": c["condition"]} for c in conditional]
    return entry


def rule(field: dict, message: str) -> dict:
    for c in field.get("assert", {}).get("constraints", []):
        if c.get("message") == f"rule|text|{message}":
            return {"field": field["id"], "condition": c["condition"], "assert": c["value"]}
    raise SystemExit(f"rule {message} not found in {field['id']}")


def main(repo: str, rev: str) -> str:
    commit = subprocess.run(["git", "-C", repo, "rev-list", "-n", "1", rev], capture_output=True, check=True, text=True).stdout.strip()
    fields_json = json.loads(show(repo, rev, "fields/fields.json"))
    fields = {f["id"]: f for f in fields_json["fields"]}
    names = properties(repo, rev, "translations/field_fr.xml")
    code_fr = properties(repo, rev, "translations/code_fr.xml")
    notice_fr = properties(repo, rev, "translations/notice_fr.xml")
    subtypes = json.loads(show(repo, rev, "notice-types/notice-types.json"))["noticeSubTypes"]

    lists = {}
    for file_name, list_name in CODELISTS.items():
        entry = codelist(repo, rev, file_name)
        for code, label in entry["values"].items():  # the two French sources of the SDK agree
            other = code_fr.get(f"code|name|{list_name}.{code}")
            if other is not None and other != label:
                raise SystemExit(f"{list_name}.{code}: {label!r} (.gc) != {other!r} (code_fr.xml)")
        lists[list_name] = entry

    cpv_rule = rule(fields["BT-262-Lot"], RULE_CPV)
    cpv_rule["cpv"] = re.findall(r"'([0-9]{8})'", cpv_rule.pop("assert"))
    duration_rule = rule(fields["BT-36-Lot"], RULE_DURATION)
    duration_rule["max"] = re.search(r"<= (P[0-9]+[YMD])", duration_rule["assert"]).group(1)

    data = {
        "sdk": {
            "version": fields_json["sdkVersion"].removeprefix("eforms-sdk-"),
            "repository": "OP-TED/eForms-SDK",
            "tag": rev,
            "commit": commit,
            "command": f"python tools/eforms_codelists.py CHEMIN/eForms-SDK {rev} > src/clausegen/law/data/eforms-sdk.yaml",
        },
        "codelists": lists,
        "fields": {fid: field_entry(fields[fid], names) for fid in FIELDS},
        "rules": {RULE_CPV: cpv_rule, RULE_DURATION: duration_rule},
        "notice_types": {
            s["subTypeId"]: {"name": notice_fr[s["_label"]], "form_type": s["formType"], "document_type": s["documentType"], "legal_basis": s["legalBasis"]}
            for s in subtypes
            if s["formType"] == "competition"
        },
    }
    head = (
        "# Listes de codes, noms de champs et règles du SDK eForms utilisés par clausegen (exports et fiche de\n"
        "# caractérisation). FICHIER GÉNÉRÉ : ne pas le modifier à la main, relancer la commande de « sdk.command »\n"
        "# sur une copie du dépôt OP-TED/eForms-SDK (tools/eforms_codelists.py).\n"
    )
    return head + dump(data) + "\n"


def dump(value, indent: int = 0) -> str:
    """Block YAML with JSON-quoted scalars: valid YAML, stable, readable."""
    pad = "  " * indent
    if isinstance(value, dict):
        lines = []
        for key, item in value.items():
            k = json.dumps(str(key), ensure_ascii=False)
            if isinstance(item, (dict, list)) and item:
                lines.append(f"{pad}{k}:\n{dump(item, indent + 1)}")
            else:
                lines.append(f"{pad}{k}: {scalar(item)}")
        return "\n".join(lines)
    if isinstance(value, list):
        if all(not isinstance(i, (dict, list)) for i in value):
            return f"{pad}[" + ", ".join(scalar(i) for i in value) + "]"
        return "\n".join(f"{pad}-\n{dump(i, indent + 1)}" for i in value)
    return pad + scalar(value)


def scalar(value) -> str:
    if value in ({}, []):
        return "{}" if value == {} else "[]"
    return json.dumps(value, ensure_ascii=False)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit("usage: python tools/eforms_codelists.py CHEMIN/eForms-SDK TAG")
    sys.stdout.write(main(sys.argv[1], sys.argv[2]))
