"""``clausegen export eforms PROFIL --format xml``: an eForms contract notice (UBL ContractNotice 2.3 with the
eForms extensions, SDK 1.15.1) holding every field the profile knows, for a notice editor to import and
complete: the buyer, the procedure, each lot (title, CPV, duration, estimated value, strategic procurement,
social objective, reservation, performance conditions, award criteria). Every field is written at the xpath
of the SDK's ``fields/fields.json`` (``notice_xml.Notice``); :func:`field_problems` checks each written value
against its field's pattern and code list, and the tests validate the notice against the SDK's XSD.

The JSON export (``export_eforms``) gives the same lot terms: this module writes them, it decides nothing."""

from __future__ import annotations

import hashlib
import re
import uuid
from dataclasses import dataclass, field

from ..law.codelists import eforms_notice
from . import ExportError, load_codelists
from .eforms import LANGUAGE, export_eforms, lot_identifier
from .eforms_terms import award_criteria
from .notice_xml import Notice

ORGANIZATION = "ORG-0001"
CUSTOMIZATION = "eforms-sdk-{major_minor}"
COUNTRY = "FRA"
CURRENCY = "EUR"
_POSTAL = re.compile(r"^(?P<street>.*?)[,\s]*(?P<zone>[0-9]{5})\s+(?P<city>[^,]+)$")


@dataclass
class XmlNotice:
    """The notice: its bytes, the French notes, the fields written (ids, in order)."""

    xml: bytes
    notes: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    notice_type: str = ""
    refusals: list[str] = field(default_factory=list)  # what the SDK would refuse (``--strict``: exit 1)

    def write(self, path, *, force: bool = False):
        from ..files.atomic import write_atomic

        return write_atomic(path, self.xml, force=force)


def _uuid(*parts: str) -> str:
    """A version-4 form UUID (BT-701, BT-04 patterns) drawn from the profile: the same profile, the same notice."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()
    return str(uuid.UUID(bytes=digest[:16], version=4))


def _amount(value) -> str:
    return f"{value:.2f}"


def export_eforms_xml(profile, hours=None, law=None, *, plan=None, notice_type: str | None = None) -> XmlNotice:
    """The eForms contract notice of ``profile`` (``notice_type``: a subtype, else the profile's)."""
    from ..plan import build_plan

    plan = plan or build_plan(profile, hours, law)
    terms = export_eforms(profile, law=law, plan=plan, notice_type=notice_type)
    kind = terms.data["typeAvis"]
    if kind is None:
        raise ExportError(" ".join(terms.notes[:1]) + " Indiquez le type d'avis visé avec --type-avis.")
    codes, spec = load_codelists(), eforms_notice()
    subtype = kind["code"]
    meta = codes.eforms["notice_types"][subtype]
    if meta["document_type"] != "CN":
        raise ExportError(f"le type d'avis {subtype} est un avis de préinformation : l'avis XML de clausegen est un avis de marché (types 15 à 22, E3).")
    form = _form_types()[subtype]
    m, buyer = profile.marche, profile.acheteur
    n = Notice()
    n.notice_type = subtype
    version = spec["sdk"]["version"]
    n.put("OPT-001-notice", spec["sdk"]["ubl_version"])
    n.put("OPT-002-notice", CUSTOMIZATION.format(major_minor=".".join(version.split(".")[:2])))
    n.put("BT-701-notice", _uuid("notice", m.reference, buyer.nom))
    n.put("BT-04-notice", _uuid("procedure", m.reference, buyer.nom))
    n.put("BT-05(a)-notice", f"{profile.today.isoformat()}Z")
    n.put("BT-757-notice", "01")
    n.put("BT-01-notice", meta["legal_basis"])
    n.put("BT-02-notice", form, listName=meta["form_type"])
    n.put("BT-702(a)-notice", LANGUAGE)
    n.put("OPP-070-notice", subtype, listName="notice-subtype")
    # the buyer
    n.put("OPT-200-Organization-Company", ORGANIZATION, (1,), schemeName="organization")
    n.put("BT-500-Organization-Company", buyer.nom, (1,), languageID=LANGUAGE)
    if buyer.siret:
        n.put("BT-501-Organization-Company", buyer.siret, (1,))
    address = _POSTAL.match((buyer.adresse or "").strip())
    if address:
        if address["street"].strip(" ,"):
            n.put("BT-510(a)-Organization-Company", address["street"].strip(" ,"), (1,))
        n.put("BT-513-Organization-Company", address["city"].strip(), (1,))
        n.put("BT-512-Organization-Company", address["zone"], (1,))
    if buyer.service:
        n.put("BT-16-Organization-Company", buyer.service, (1,))
    n.put("BT-514-Organization-Company", COUNTRY, (1,), listName="country")
    n.put("OPT-300-Procedure-Buyer", ORGANIZATION, (1,), schemeName="organization")
    legal = codes.mapping("eforms.buyer_legal_type")["values"].get(buyer.type)
    if legal:
        n.put("BT-11-Procedure-Buyer", legal, (1,))
    # the procedure
    procedure = codes.mapping("eforms.procedure")["values"].get(m.procedure or "")
    if procedure:
        n.put("BT-105-Procedure", procedure)
    nature = codes.mapping("eforms.contract_nature")["values"][m.nature]
    n.put("BT-22-Procedure", m.reference)
    n.put("BT-21-Procedure", m.objet, languageID=LANGUAGE)
    n.put("BT-23-Procedure", nature)
    if m.cpv:
        n.put("BT-262-Procedure", m.cpv.split("-")[0], listName="cpv")
    if profile.valeur_estimee_ht is not None:
        n.put("BT-27-Procedure", _amount(profile.valeur_estimee_ht), currencyID=CURRENCY)
    # the lots
    for index, (lp, entry) in enumerate(zip(plan.lots, terms.data["lots"]), start=1):
        _lot(n, index, lp, entry, nature)
    notes = list(terms.notes) + _notes(profile, plan)
    if n.skipped:
        notes.append(f"Type d'avis {subtype} : le SDK y interdit {', '.join(n.skipped)} ; ces champs ne sont pas écrits.")
    result = XmlNotice(n.to_bytes(), notes, n.written, subtype)
    result.refusals = list(terms.refusals) + field_problems(result)
    return result


def _lot(n: Notice, index: int, lp, entry: dict, nature: str) -> None:
    key = (index,)
    lot = lp.lot
    n.put("BT-137-Lot", lot_identifier(lot.numero), key, schemeName="Lot")
    n.put("BT-21-Lot", entry["BT-21-Lot"]["texte"], key, languageID=LANGUAGE)
    n.put("BT-23-Lot", nature, key)
    if "BT-262-Lot" in entry:
        n.put("BT-262-Lot", entry["BT-262-Lot"], key, listName="cpv")
    n.put("BT-36-Lot", entry["BT-36-Lot"]["valeur"], key, unitCode=entry["BT-36-Lot"]["unite"])
    if lot.valeur_estimee_ht is not None:
        n.put("BT-27-Lot", _amount(lot.valeur_estimee_ht), key, currencyID=CURRENCY)
    for i, code in enumerate(entry["BT-06-Lot"], start=1):
        n.put("BT-06-Lot", code["code"], (index, i), listName="strategic-procurement")
        text = entry.get("BT-777-Lot", {}).get("texte") if code["code"] == "soc-obj" else _environmental(lp) if code["code"] == "env-imp" else None
        if text:  # the SDK wants a description for each strategic code but « none » (BR-BT-00777-0022)
            n.put("BT-777-Lot", text, (index, i), languageID=LANGUAGE)
    for i, code in enumerate(entry.get("BT-775-Lot", []), start=1):
        n.put("BT-775-Lot", code["code"], (index, i), listName="social-objective")
    for i, code in enumerate(entry.get("BT-71-Lot", []), start=1):
        n.put("BT-71-Lot", code["code"], (index, i), listName="reserved-procurement")
    if "BT-736-Lot" in entry:
        n.put("BT-736-Lot", entry["BT-736-Lot"]["code"], key, listName="reserved-execution")
    if "BT-70-Lot" in entry:
        described = n.put("BT-70-Lot", entry["BT-70-Lot"]["texte"], key, languageID=LANGUAGE)
        if described is not None:
            n.parent_of(described).find(_code_tag()).text = "performance"  # the SDK's own notices: conditions « performance »
    for i, criterion in enumerate(award_criteria(lp), start=1):
        sub = (index, i)
        n.put("BT-539-Lot", criterion["BT-539-Lot"], sub)
        n.put("BT-734-Lot", criterion["BT-734-Lot"], sub, languageID=LANGUAGE)
        n.put("BT-540-Lot", criterion.get("BT-540-Lot", criterion["BT-734-Lot"]), sub, languageID=LANGUAGE)  # BR-BT-00540-0074
        if "BT-541-Lot" in criterion:
            n.put("BT-5421-Lot", criterion["BT-5421-Lot"], sub, listName="number-weight")
            n.put("BT-541-Lot-WeightNumber", criterion["BT-541-Lot"], sub)


def _environmental(lp) -> str:
    """BT-777 of ``env-imp``: the lot's environmental considerations, as the plan codes them (DECP labels)."""
    shown = [v for v in lp.codes.decp_environmental if v != "Pas de considération environnementale"]
    return "Considérations environnementales du lot : " + " ; ".join(label[:1].lower() + label[1:] for label in shown) + "."


def _code_tag() -> str:
    from .notice_xml import NAMESPACES

    return f"{{{NAMESPACES['cbc']}}}ExecutionRequirementCode"


def _form_types() -> dict[str, str]:
    """Notice subtype → its notice type code (BT-02: cn-standard, cn-social…), from the SDK's notice types."""
    return {code: entry["notice_type"] for code, entry in eforms_notice()["notice_subtypes"].items()}


def _notes(profile, plan) -> list[str]:
    found = ["Avis XML à importer dans un éditeur d'avis eForms et à compléter : les champs que le profil ne donne pas "
             "(date et heure d'envoi, délais de réception des offres, adresse des documents, lieu d'exécution codé NUTS…) "
             "y sont à remplir avant l'envoi."]
    if profile.marche.procedure and profile.marche.procedure not in load_codelists().mapping("eforms.procedure")["values"]:
        found.append("BT-105-Procedure : la procédure adaptée n'a pas de code eForms propre ; le type de procédure est à choisir dans l'éditeur d'avis.")
    return found


def field_problems(notice: XmlNotice) -> list[str]:
    """Every written value checked against its field in fields.json, found by the field's own absolute xpath:
    the pattern, and the code list for the lists shipped (the SDK's schematron does not run here: README,
    « Limites »). Empty when all pass."""
    from lxml import etree  # python-docx's dependency, so always installed with clausegen

    from .notice_xml import NAMESPACES

    spec = eforms_notice()
    root = etree.fromstring(notice.xml)
    problems = []
    for fid in dict.fromkeys(notice.written):
        entry = spec["fields"][fid]
        if notice.notice_type in entry["forbidden_in"]:
            problems.append(f"{fid} : champ interdit dans un avis de type {notice.notice_type} (fields.json).")
        found = root.xpath(entry["absolute"], namespaces={k: v for k, v in NAMESPACES.items() if k})
        if not found:
            problems.append(f"{fid} : écrit, mais introuvable à son xpath ({entry['absolute']}).")
        for element in found:
            value = (element if isinstance(element, str) else element.text or "").strip()
            pattern = entry.get("pattern")
            if pattern and not re.search(pattern.replace("\\p{L}", "\\w").replace("\\p{N}", "0-9"), value):
                problems.append(f"{fid} : « {value} » n'a pas la forme du SDK ({pattern}).")
            listed = spec["codelists"].get(entry.get("code_list", ""))
            if listed and value not in listed:
                problems.append(f"{fid} : « {value} » n'est pas dans la liste {entry['code_list']} du SDK.")
    return problems
