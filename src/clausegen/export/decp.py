"""DECP v2 export: the essential data (données essentielles de la commande publique) of each lot's market.

Format: schéma DECP v2.0.3 (``data/schema_decp_v2.0.3.json``, dépôt 139bercy/format-commande-publique, commit
in ``data/README.md``), which publishes a list of markets under ``marches.marche[]``. Each lot is awarded as
its own market, so a profile gives one record per lot, in the profile's order::

    {"marches": {"marche": [{
        "id": "CD21-2027-015-1",              # lots[].id_decp, else the reference and the lot number (≤ 16)
        "acheteur": {"id": "…"},               # acheteur.siret
        "nature": "Marché",                    # « Marché de défense ou de sécurité » with marche.defense_securite
        "objet": "… – lot n° 1 : …",           # the market's object and the lot's title (≤ 1 000 characters)
        "codeCPV": "90919200",                 # lots[].cpv, else marche.cpv, check digit dropped as the schema advises
        "techniques": {"technique": ["Accord-cadre"]},                 # marche.techniques (+ the lot's accord-cadre)
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
        "montant": 1600000,                    # lots[].montant_attribue_ht, else the accord-cadre's maximum
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "…"}}],   # the lot's holder(s) only
        "considerationsSociales": {"considerationSociale": ["Clause sociale"]},    # the lot's own
        …}]}}

A lot's CPV, place, duration, price form and types, innovation and environmental considerations are its own
(``lots[].cpv``…) or, failing them, the market's (``Profile.lot_facts``). The social and environmental
considerations are the clause plan's (``plan.lots[i].codes``): the export writes what the plan decided.

Until it is publishable the file is a pre-filled draft, and says so: a top-level ``"brouillon"`` object (the
schema allows extra keys beside ``marches``; a publishable file never has one) lists, record by record, what is
missing and what ``--strict`` refuses. A field is written only when the profile states it as a fact of the
contract (never a default, never an estimate), and every required field left out is listed in the French
notes with the profile key that fills it — the values known at the consultation first, then those the award
fixes. :meth:`DecpExport.strict_errors` is the schema's verdict plus the refusals (dates out of order, blank or
badly formed identifiers, a groupement that its holders contradict, an amount under 1 €): ``clausegen export
decp --strict`` writes nothing unless it is empty. Each value is checked against ``codelists.yaml``
(``CodeListError`` otherwise: a bug, never published).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import fmt
from ..law.registry import load_registry
from ..plan import build_plan
from . import Export, decp_schema, load_codelists
from .decp_checks import DRAFT_KEY, draft_marker, summary, validate_decp

# Constraints of the DECP v2.0.3 schema (definitions IdentifiantMarche, CodeCPV, marche.objet, montant).
ID_MAX_LENGTH = 16
ID_AVOIDED = ("&", '"', "\\", "<", " ", ",", ";")  # « caractères spéciaux à éviter autant que possible »
OBJET_MAX_LENGTH = 1000
CPV_PATTERN = re.compile(r"^[0-9]{8}(-[0-9])?$")
MONTANT_MINIMUM = Decimal(1)
SCHEMA_VERSION = "2.0.3"


@dataclass
class RecordInfo:
    """What the export knows of one record: its lot, its identifier, the required fields it lacks and what
    ``--strict`` refuses in it (French sentences)."""

    lot: int
    id: str | None
    missing: list[str] = field(default_factory=list)  # schema field names, in the schema's order
    refused: list[str] = field(default_factory=list)

    def designation(self) -> str:
        shown = f"marché « {self.id} »" if self.id else "marché sans identifiant"
        return f"lot n° {self.lot}, {shown}"


@dataclass
class DecpExport(Export):
    """The DECP export: ``data``, French ``notes`` and, per record, what is missing."""

    records: list[RecordInfo] = field(default_factory=list)
    legend: str | None = None  # what each missing field expects and the profile key that fills it
    remarks: list[str] = field(default_factory=list)  # identifiers, objects, dates, mapping choices

    @property
    def complete(self) -> bool:
        """Every record has every required field (the values may still break the schema: see below)."""
        return not any(r.missing for r in self.records)

    @property
    def draft(self) -> bool:
        """The file carries the ``"brouillon"`` marker: it is not publishable as it is."""
        return DRAFT_KEY in self.data

    def schema_errors(self) -> list[str]:
        """The records checked against the bundled DECP schema: one French sentence per error, naming the
        record (lot and identifier) and the field. Empty when the file is a complete, valid DECP."""
        return validate_decp({"marches": self.data["marches"]}, self.records)

    def strict_errors(self) -> list[str]:
        """What ``--strict`` refuses: the schema's errors, then each record's refusals (dates out of order,
        identifiers blank or with avoided characters, a groupement its holders contradict, an amount under 1 €)."""
        return self.schema_errors() + [f"{r.designation()} : {m}" for r in self.records for m in r.refused]


def _lot_amount(lot, refused: list[str], remarks: list[str]) -> Decimal | None:
    """« Montant forfaitaire ou estimé maximum HT » of the lot's market: an accord-cadre's maximum (fixed by the
    consultation, never replaced by an awarded amount), else the amount notified. An estimate is never
    published as the amount; an amount under 1 € (the schema's minimum) is left out and explained."""
    awarded, ac = lot.attribution.montant_ht, lot.accord_cadre
    amount = awarded
    if ac is not None and ac.maximum_ht is not None:
        amount = ac.maximum_ht
        if awarded is not None and awarded != ac.maximum_ht:
            remarks.append(
                f"montant : le lot est un accord-cadre ; son montant DECP est son maximum, {fmt.montant(ac.maximum_ht)} HT "
                f"(« accord_cadre.maximum_ht »), et non le montant attribué de {fmt.montant(awarded)} HT (« montant_attribue_ht »), "
                "qui n'est pas publié."
            )
    elif ac is not None and awarded is not None:
        remarks.append(f"montant : accord-cadre sans maximum ; le montant attribué ({fmt.montant(awarded)} HT) est publié. "
                       "Un accord-cadre a un maximum depuis le 1er janvier 2022 : indiquez « accord_cadre.maximum_ht ».")
    if amount is not None and amount < MONTANT_MINIMUM:
        refused.append(
            f"montant : {fmt.montant(amount, 2)} HT est inférieur à 1 €, le minimum du schéma DECP ; le champ est laissé à compléter. "
            "Un marché à prix unitaires publie son montant estimé maximum : corrigez « montant_attribue_ht » "
            "(ou le maximum de l'accord-cadre)."
        )
        return None
    return amount


def _identifiers(profile, remarks: dict[int, list[str]], refused: dict[int, list[str]]) -> dict[int, str | None]:
    """Each lot's market identifier: ``lots[].id_decp``, else the reference (a market not divided into lots)
    or the reference and the lot number (« CD21-2027-015-2 ») when it fits in 16 characters. Two lots never
    share one: the later lot's is left out and said so."""
    reference = profile.marche.reference.strip()
    single = len(profile.lots) == 1
    ids: dict[int, str | None] = {}
    for lot in profile.lots:
        if lot.id_decp is not None:
            if not lot.id_decp.strip():
                refused[lot.numero].append("id : l'identifiant « lots[].id_decp » est blanc ; donnez l'identifiant du marché du lot (1 à 16 caractères).")
                ids[lot.numero] = None
            else:
                ids[lot.numero] = lot.id_decp
            continue
        derived = reference if single else f"{reference}-{lot.numero}"
        if 1 <= len(derived) <= ID_MAX_LENGTH:
            ids[lot.numero] = derived
        else:
            what = f"la référence « {reference} »" if single else f"la référence suivie du numéro du lot (« {derived} »)"
            remarks[lot.numero].append(
                f"id : {what} compte {fmt.nombre(len(derived))} caractères, le schéma DECP en admet "
                f"{ID_MAX_LENGTH} au plus : indiquez l'identifiant du marché dans « lots[].id_decp »."
            )
            ids[lot.numero] = None
    owner: dict[str, int] = {}
    for numero, ident in ids.items():
        if ident is None:
            continue
        if ident in owner:
            remarks[numero].append(f"id : « {ident} » est déjà l'identifiant du marché du lot n° {owner[ident]} ; chaque marché a le sien (« lots[].id_decp »).")
            ids[numero] = None
            continue
        owner[ident] = numero
        avoided = [c for c in ID_AVOIDED if c in ident]
        if avoided:
            shown = fmt.liste(["espace" if c == " " else f"« {c} »" for c in avoided])
            refused[numero].append(f"id : « {ident} » contient des caractères que le schéma DECP demande d'éviter ({shown}).")
    return ids


def _listed(lot, chosen: tuple[str, ...], mapping: dict, name: str, codes) -> list[str] | None:
    """Techniques or execution modes of a lot: the profile's list, plus the lot's accord-cadre; « Sans objet »
    only alone. None when the profile says nothing and the lot is no accord-cadre."""
    values = [mapping["values"][v] for v in chosen]
    if lot.accord_cadre is not None and mapping["accord_cadre"] not in values:
        values.insert(0, mapping["accord_cadre"])
    if len(values) > 1 and mapping["none"] in values:
        values.remove(mapping["none"])
    return [codes.check(name, v) for v in values] or None


def export_decp(profile, hours=None, law=None, *, plan=None, date_publication_donnees: _dt.date | None = None) -> DecpExport:
    """One DECP v2.0.3 record per lot of ``profile``, and the French notes on what is left to fill.

    ``plan``: the clause plan (built here, hours computed once, when not given), whose publication codes give
    the social and environmental considerations. ``date_publication_donnees``: the day the essential data
    are first published (``datePublicationDonnees``), which no profile holds (``--date-publication-donnees``)."""
    law = law or load_registry()
    plan = plan or build_plan(profile, hours, law)
    codes = load_codelists()
    m = profile.marche
    remarks: dict[int, list[str]] = {lot.numero: [] for lot in profile.lots}
    refused: dict[int, list[str]] = {lot.numero: [] for lot in profile.lots}
    choice_notes: list[str] = []
    ids = _identifiers(profile, remarks, refused)
    single = len(profile.lots) == 1

    shared: dict = {}
    if profile.acheteur.siret:
        shared["acheteur"] = {"id": profile.acheteur.siret}
    nature = codes.mapping("decp.nature")
    shared["nature"] = codes.check("decp.nature", nature["defense_securite"] if m.defense_securite else nature["value"])
    if m.ccag or m.donnees.sans_ccag:
        shared["ccag"] = codes.check("decp.ccag", codes.mapping("decp.ccag")["values"][m.ccag or "aucun"])
    if m.procedure:
        shared["procedure"] = codes.check("decp.procedure", codes.mapping("decp.procedure")["values"][m.procedure])
    if date_publication_donnees is not None:
        shared["datePublicationDonnees"] = date_publication_donnees.isoformat()

    technique, modalite = codes.mapping("decp.technique"), codes.mapping("decp.modalite_execution")
    order = list(decp_schema()["definitions"]["marche"]["properties"])
    required = codes.lists["decp.required_fields"]["values"]
    records, infos = [], []
    for lp in plan.lots:
        lot, decided = lp.lot, lp.codes
        facts = profile.lot_facts(lot)
        award = lot.attribution
        here, own = refused[lot.numero], remarks[lot.numero]
        record: dict = dict(shared)
        if ids[lot.numero]:
            record["id"] = ids[lot.numero]
        objet = m.objet if single else f"{m.objet} – lot n° {lot.numero} : {lot.intitule}"
        if len(objet) <= OBJET_MAX_LENGTH:
            record["objet"] = objet
        else:
            what = "l'objet du marché compte" if single else "l'objet du marché et l'intitulé du lot comptent"
            own.append(f"objet : {what} {fmt.nombre(len(objet))} caractères, le schéma DECP en admet {fmt.nombre(OBJET_MAX_LENGTH)} au plus : résumez « marche.objet ».")
        record.update(_lot_facts(facts, lot, codes, here, own, choice_notes))
        techniques = _listed(lot, m.donnees.techniques, technique, "decp.technique", codes)
        if techniques:
            record["techniques"] = {"technique": techniques}
        modalites = _listed(lot, m.donnees.modalites_execution, modalite, "decp.modalite_execution", codes)
        if modalites:
            record["modalitesExecution"] = {"modaliteExecution": modalites}
        if award.offres_recues is not None:
            record["offresRecues"] = award.offres_recues
        if award.avance is not None:
            record["attributionAvance"] = award.avance
        if award.sous_traitance is not None:
            record["sousTraitanceDeclaree"] = award.sous_traitance
        if award.date_notification:
            record["dateNotification"] = award.date_notification.isoformat()
            _check_dates(award.date_notification, date_publication_donnees, m.date_publication, codes, here, own)
        amount = _lot_amount(lot, here, own)
        if amount is not None:
            record["montant"] = amount
        record.update(_holders(lot, codes, here, own))
        record["considerationsSociales"] = {"considerationSociale": list(decided.decp_social)}
        if decided.decp_environmental:
            record["considerationsEnvironnementales"] = {"considerationEnvironnementale": list(decided.decp_environmental)}
        for note in decided.notes:
            if note not in choice_notes:
                choice_notes.append(note)
        records.append({k: record[k] for k in order if k in record})
        infos.append(RecordInfo(lot.numero, record.get("id"), [name for name in required if name not in record], list(here)))

    notes, legend = summary(infos, required, SCHEMA_VERSION)
    shown = [r if len(infos) == 1 else f"Lot n° {i.lot} : {r}" for i in infos for r in refused[i.lot] + remarks[i.lot]] + choice_notes
    data = {"marches": {"marche": records}}
    result = DecpExport(data, notes + ([legend] if legend else []) + shown, records=infos, legend=legend, remarks=shown)
    if result.strict_errors():
        result.data = {DRAFT_KEY: draft_marker(infos, SCHEMA_VERSION), **data}
    return result


def _lot_facts(facts, lot, codes, refused: list[str], remarks: list[str], choice_notes: list[str]) -> dict:
    """The lot's own facts (its CPV, place, duration, prices, innovation), else the market's."""
    found: dict = {}
    if facts.cpv and CPV_PATTERN.match(facts.cpv):  # the form only: no official copy of the whole CPV 2008 is shipped
        found["codeCPV"] = facts.cpv.split("-")[0]
    if facts.innovant is not None:
        found["marcheInnovant"] = facts.innovant
    if facts.lieu_execution_code:
        place = facts.lieu_execution_code
        kind = codes.mapping("decp.lieu_type_code")["values"][place.type]
        found["lieuExecution"] = {"code": place.code, "typeCode": codes.check("decp.lieu_type_code", kind)}
    found["dureeMois"] = int(facts.duree_mois)
    if facts.types_prix:
        labels = codes.mapping("decp.type_prix")["values"]
        found["typesPrix"] = {"typePrix": [codes.check("decp.type_prix", labels[v]) for v in facts.types_prix]}
    if facts.forme_prix:
        found["formePrix"] = codes.check("decp.forme_prix", codes.mapping("decp.forme_prix")["values"][facts.forme_prix])
    env = facts.considerations_environnementales
    if "aucune" in env and len(env) > 1:  # the plan leaves the field out (plan/codes.py)
        lot_own = "considerations_environnementales" in facts.own
        where = "lots[].considerations_environnementales" if lot_own else "marche.considerations_environnementales"
        note = f"considerationsEnvironnementales : « aucune » est donnée avec une considération environnementale dans « {where} » ; le champ est laissé à compléter."
        if lot_own:
            remarks.append(note)
        elif note not in choice_notes:
            choice_notes.append(note)
    return found


def _check_dates(notified: _dt.date, published: _dt.date | None, launched: _dt.date | None, codes, refused: list[str], remarks: list[str]) -> None:
    """Publication after notification, notification after the launch (refused by ``--strict``); a market
    notified before the v2 format applies (a note)."""
    if published and published < notified:
        refused.append("datePublicationDonnees : les données seraient publiées avant la notification du marché ; vérifiez les deux dates.")
    if launched and notified < launched:
        refused.append("dateNotification : la notification précède le lancement de la consultation (« marche.date_publication ») ; vérifiez les deux dates.")
    v2 = codes.mapping("decp.format")
    if notified < v2["notified_from"]:
        remarks.append(
            f"dateNotification : un marché notifié avant le {fmt.date_longue(v2['notified_from'])} relève du {v2['earlier']}, "
            f"pas du format DECP {SCHEMA_VERSION} de ce fichier ; vérifiez la date ou publiez-le dans l'ancien format."
        )


def _holders(lot, codes, refused: list[str], remarks: list[str]) -> dict:
    """Holders and groupement type, which must agree: a groupement has at least two distinct SIRET; a member
    given twice (the holder's own SIRET among the co-contractors) is said, never merged silently."""
    award = lot.attribution
    found: dict = {}
    members = ([lot.titulaire] if lot.titulaire else []) + list(award.cotraitants)
    sirets = list(dict.fromkeys(h.siret for h in members))
    if lot.titulaire:
        kind = codes.check("decp.type_identifiant", "SIRET")
        found["titulaires"] = [{"titulaire": {"typeIdentifiant": kind, "id": s}} for s in sirets]
    elif award.cotraitants:
        remarks.append("titulaires : des cotraitants sont donnés sans titulaire (mandataire) ; indiquez « lots[].titulaire ».")
    repeated = [h for i, h in enumerate(members) if h.siret in {o.siret for o in members[:i]}]
    for member in repeated:
        refused.append(f"titulaires : le cotraitant « {member.nom} » a le SIRET {member.siret} d'un autre membre du groupement ; "
                       "chaque membre a le sien (« lots[].cotraitants »).")
    if award.groupement:
        grouped = award.groupement in ("conjoint", "solidaire")
        if grouped and lot.titulaire and len(sirets) < 2:
            refused.append(f"typeGroupementOperateurs : groupement {award.groupement} avec un seul titulaire ; indiquez ses autres membres dans "
                           "« lots[].cotraitants », ou « groupement: aucun ».")
        elif grouped or not award.cotraitants:
            label = codes.mapping("decp.type_groupement")["values"][award.groupement]
            found["typeGroupementOperateurs"] = codes.check("decp.type_groupement", label)
    return found


