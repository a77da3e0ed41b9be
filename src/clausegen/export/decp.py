"""DECP v2 export: the essential data (données essentielles de la commande publique) of each lot's market.

Format: schéma DECP v2.0.3 (``data/schema_decp_v2.0.3.json``, dépôt 139bercy/format-commande-publique, commit
in ``data/README.md``), which publishes a list of markets under ``marches.marche[]``. Each lot is awarded as
its own market, so a profile gives one record per lot, in the profile's order::

    {"marches": {"marche": [{
        "id": "CD21-2027-015-1",              # lots[].id_decp, else the reference and the lot number (≤ 16)
        "acheteur": {"id": "…"},               # acheteur.siret
        "nature": "Marché",                    # « Marché de défense ou de sécurité » with marche.defense_securite
        "objet": "… – lot n° 1 : …",           # the market's object and the lot's title (≤ 1 000 characters)
        "codeCPV": "90919200",                 # marche.cpv, check digit dropped as the schema advises
        "techniques": {"technique": ["Accord-cadre"]},                 # marche.techniques (+ the lot's accord-cadre)
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
        "montant": 1600000,                    # lots[].montant_attribue_ht, else the accord-cadre's maximum
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "…"}}],   # the lot's holder(s) only
        "considerationsSociales": {"considerationSociale": ["Clause sociale"]},    # the lot's own
        …}]}}

The file is a pre-filled draft: a field is written only when the profile states it as a fact of the contract
(never a default, never an estimate), and every required field left out is listed, record by record, in the
French notes with the profile key that fills it — the values known at the consultation first, then those the
award fixes (notification date, offers received, holders…). :meth:`DecpExport.schema_errors` validates the
result against the bundled official schema (``clausegen export decp --strict``). Each value is checked
against ``codelists.yaml`` (``CodeListError`` otherwise: a bug, never published).
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

from .. import fmt
from ..calc import compute_hours
from ..law.registry import load_registry
from . import CodeListError, Export, decp_schema, load_codelists

# Constraints of the DECP v2.0.3 schema (definitions IdentifiantMarche, CodeCPV, marche.objet, montant).
ID_MAX_LENGTH = 16
ID_AVOIDED = ("&", '"', "\\", "<", " ", ",", ";")  # « caractères spéciaux à éviter autant que possible »
OBJET_MAX_LENGTH = 1000
CPV_PATTERN = re.compile(r"^[0-9]{8}(-[0-9])?$")
MONTANT_MINIMUM = Decimal(1)
SCHEMA_VERSION = "2.0.3"


@dataclass
class RecordInfo:
    """What the export knows of one record: its lot, its identifier, the required fields it lacks."""

    lot: int
    id: str | None
    missing: list[str] = field(default_factory=list)  # schema field names, in the schema's order

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

    def schema_errors(self) -> list[str]:
        """The result checked against the bundled DECP schema: one French sentence per error, naming the
        record (lot and identifier) and the field. Empty when the file is a complete, valid DECP."""
        return validate_decp(self.data, self.records)


def _lot_amount(lot) -> Decimal | None:
    """« Montant forfaitaire ou estimé maximum HT » of the lot's market: the amount notified, else the
    accord-cadre's maximum (fixed by the consultation). An estimate is never published as the amount."""
    if lot.attribution.montant_ht is not None:
        return lot.attribution.montant_ht
    if lot.accord_cadre and lot.accord_cadre.maximum_ht is not None:
        return lot.accord_cadre.maximum_ht
    return None


def lot_social_considerations(result, codes, used_notes: list[str] | None = None) -> list[str]:
    """DECP social considerations of one lot, in the schema's order (also shown in the fiche): a reserved lot
    « Marché réservé », a condition « Clause sociale », a criterion « Critère social »."""
    mapping = codes.mapping("decp.consideration_sociale")
    by_basis = mapping["by_basis"]
    found: set[str] = set()
    for basis in result.lot.bases:
        entry = by_basis.get(basis)
        if entry is None:
            raise CodeListError(f"base juridique « {basis} » sans correspondance DECP dans codelists.yaml : erreur interne de clausegen, à signaler.")
        found.add(entry["value"])
        if used_notes is not None and entry.get("note") and entry["note"] not in used_notes:
            used_notes.append(entry["note"])
    if result.heures is not None and result.methode == "imposee":
        found.add(mapping["heures_imposees"]["value"])
    if not found:
        found.add(mapping["none"]["value"])
    order = codes.values("decp.consideration_sociale")
    return [codes.check("decp.consideration_sociale", v) for v in sorted(found, key=order.index)]


def _identifiers(profile, remarks: dict[int, list[str]]) -> dict[int, str | None]:
    """Each lot's market identifier: ``lots[].id_decp``, else the reference (a market not divided into lots)
    or the reference and the lot number (« CD21-2027-015-2 ») when it fits in 16 characters. Two lots never
    share one: the later lot's is left out and said so."""
    reference = profile.marche.reference.strip()
    single = len(profile.lots) == 1
    ids: dict[int, str | None] = {}
    for lot in profile.lots:
        if lot.id_decp:
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
            remarks[numero].append(f"id : « {ident} » contient des caractères que le schéma DECP demande d'éviter ({shown}).")
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


def export_decp(profile, hours=None, law=None, *, date_publication_donnees: _dt.date | None = None) -> DecpExport:
    """One DECP v2.0.3 record per lot of ``profile``, and the French notes on what is left to fill.

    ``date_publication_donnees``: the day the essential data are first published (``datePublicationDonnees``),
    which no profile holds (``--date-publication-donnees``)."""
    law = law or load_registry()
    hours = hours or compute_hours(profile, law, explain=False)
    codes = load_codelists()
    m, data = profile.marche, profile.marche.donnees
    remarks: dict[int, list[str]] = {lot.numero: [] for lot in profile.lots}
    choice_notes: list[str] = []
    ids = _identifiers(profile, remarks)
    single = len(profile.lots) == 1

    shared: dict = {}
    if profile.acheteur.siret:
        shared["acheteur"] = {"id": profile.acheteur.siret}
    nature = codes.mapping("decp.nature")
    shared["nature"] = codes.check("decp.nature", nature["defense_securite"] if m.defense_securite else nature["value"])
    if m.cpv and CPV_PATTERN.match(m.cpv):
        shared["codeCPV"] = m.cpv.split("-")[0]
    if data.innovant is not None:
        shared["marcheInnovant"] = data.innovant
    if m.ccag or data.sans_ccag:
        shared["ccag"] = codes.check("decp.ccag", codes.mapping("decp.ccag")["values"][m.ccag or "aucun"])
    if m.procedure:
        shared["procedure"] = codes.check("decp.procedure", codes.mapping("decp.procedure")["values"][m.procedure])
    if data.lieu_execution_code:
        place = data.lieu_execution_code
        kind = codes.mapping("decp.lieu_type_code")["values"][place.type]
        shared["lieuExecution"] = {"code": place.code, "typeCode": codes.check("decp.lieu_type_code", kind)}
    shared["dureeMois"] = int(m.duree_mois)
    if date_publication_donnees is not None:
        shared["datePublicationDonnees"] = date_publication_donnees.isoformat()
    if data.types_prix:
        labels = codes.mapping("decp.type_prix")["values"]
        shared["typesPrix"] = {"typePrix": [codes.check("decp.type_prix", labels[v]) for v in data.types_prix]}
    if data.forme_prix:
        shared["formePrix"] = codes.check("decp.forme_prix", codes.mapping("decp.forme_prix")["values"][data.forme_prix])
    env = data.considerations_environnementales
    if env and not ("aucune" in env and len(env) > 1):
        labels = codes.mapping("decp.consideration_environnementale")["values"]
        order = codes.values("decp.consideration_environnementale")
        values = sorted((labels[v] for v in env), key=order.index)
        shared["considerationsEnvironnementales"] = {"considerationEnvironnementale": [codes.check("decp.consideration_environnementale", v) for v in values]}
    elif env:
        choice_notes.append("considerationsEnvironnementales : « aucune » est donnée avec une considération environnementale dans « marche.considerations_environnementales » ; le champ est laissé à compléter.")

    technique, modalite = codes.mapping("decp.technique"), codes.mapping("decp.modalite_execution")
    order = list(decp_schema()["definitions"]["marche"]["properties"])
    required = codes.lists["decp.required_fields"]["values"]
    records, infos = [], []
    for result in hours.lots:
        lot = result.lot
        award = lot.attribution
        record: dict = dict(shared)
        if ids[lot.numero]:
            record["id"] = ids[lot.numero]
        objet = m.objet if single else f"{m.objet} – lot n° {lot.numero} : {lot.intitule}"
        if len(objet) <= OBJET_MAX_LENGTH:
            record["objet"] = objet
        else:
            remarks[lot.numero].append(
                f"objet : {'l' + chr(39) + 'objet du marché compte' if single else 'l' + chr(39) + 'objet du marché et l' + chr(39) + 'intitulé du lot comptent'} {fmt.nombre(len(objet))} caractères, "
                f"le schéma DECP en admet {fmt.nombre(OBJET_MAX_LENGTH)} au plus : résumez « marche.objet »."
            )
        techniques = _listed(lot, data.techniques, technique, "decp.technique", codes)
        if techniques:
            record["techniques"] = {"technique": techniques}
        modalites = _listed(lot, data.modalites_execution, modalite, "decp.modalite_execution", codes)
        if modalites:
            record["modalitesExecution"] = {"modaliteExecution": modalites}
        if award.offres_recues is not None:
            record["offresRecues"] = award.offres_recues
        if award.avance is not None:
            record["attributionAvance"] = award.avance
        if award.groupement:
            label = codes.mapping("decp.type_groupement")["values"][award.groupement]
            record["typeGroupementOperateurs"] = codes.check("decp.type_groupement", label)
        if award.sous_traitance is not None:
            record["sousTraitanceDeclaree"] = award.sous_traitance
        if award.date_notification:
            record["dateNotification"] = award.date_notification.isoformat()
            if date_publication_donnees and date_publication_donnees < award.date_notification:
                remarks[lot.numero].append("datePublicationDonnees : les données seraient publiées avant la notification du marché ; vérifiez les deux dates.")
            if m.date_publication and award.date_notification < m.date_publication:
                remarks[lot.numero].append("dateNotification : la notification précède le lancement de la consultation (« marche.date_publication ») ; vérifiez les deux dates.")
        amount = _lot_amount(lot)
        if amount is not None and amount >= MONTANT_MINIMUM:
            record["montant"] = amount
        holders = ([lot.titulaire] if lot.titulaire else []) + list(award.cotraitants)
        if lot.titulaire:
            kind = codes.check("decp.type_identifiant", "SIRET")
            sirets = list(dict.fromkeys(h.siret for h in holders))
            record["titulaires"] = [{"titulaire": {"typeIdentifiant": kind, "id": s}} for s in sirets]
        elif award.cotraitants:
            remarks[lot.numero].append("titulaires : des cotraitants sont donnés sans titulaire (mandataire) ; indiquez « lots[].titulaire ».")
        if award.groupement in ("conjoint", "solidaire") and lot.titulaire and not award.cotraitants:
            remarks[lot.numero].append(f"titulaires : groupement {award.groupement} sans cotraitant ; indiquez ses autres membres dans « lots[].cotraitants ».")
        record["considerationsSociales"] = {"considerationSociale": lot_social_considerations(result, codes, choice_notes)}
        records.append({k: record[k] for k in order if k in record})
        infos.append(RecordInfo(lot.numero, record.get("id"), [name for name in required if name not in record]))

    summary, legend = _summary(infos, required)
    shown = [r if len(infos) == 1 else f"Lot n° {i.lot} : {r}" for i in infos for r in remarks[i.lot]] + choice_notes
    notes = summary + ([legend] if legend else []) + shown
    return DecpExport({"marches": {"marche": records}}, notes, infos, legend, shown)


def _summary(infos: list[RecordInfo], required: dict) -> tuple[list[str], str | None]:
    """What the file is and what each record lacks; the legend of the missing fields (the profile key that
    fills each)."""
    count = len(infos)
    records = "un marché" if count == 1 else f"{fmt.nombre(count)} marchés, un par lot"
    notes = []
    if any(i.missing for i in infos):
        notes.append(
            f"Brouillon des données essentielles (DECP {SCHEMA_VERSION}) pré-rempli d'après le profil : {records}. "
            "Il n'est publiable qu'une fois complet ; « clausegen export decp --strict » le vérifie contre le schéma officiel."
        )
        lines = []
        for info in infos:
            before = [n for n in info.missing if not required[n]["apres_attribution"]]
            after = [n for n in info.missing if required[n]["apres_attribution"]]
            parts = ([", ".join(before)] if before else []) + ([f"après l'attribution : {', '.join(after)}"] if after else [])
            if parts:
                lines.append(f"  - {info.designation()} : {' ; '.join(parts)}")
        missing = {n for i in infos for n in i.missing}
        legend = [f"  - {name} : {entry['label']} ; {entry['rempli_par']}" for name, entry in required.items() if name in missing]
        notes.append("Champs obligatoires des DECP que le profil ne permet pas de remplir, marché par marché :\n" + "\n".join(lines))
        return notes, "Ce qu'ils attendent et ce qui les remplit :\n" + "\n".join(legend)
    notes.append(f"Données essentielles (DECP {SCHEMA_VERSION}) : {records}, tous les champs obligatoires remplis.")
    return notes, None


# --------------------------------------------------------------------------------------------------
# Validation against the bundled official schema (--strict)
# --------------------------------------------------------------------------------------------------


def validate_decp(data: dict, records: list[RecordInfo] | None = None) -> list[str]:
    """French messages for every error of ``data`` against ``schema_decp_v2.0.3.json``, each naming the record
    (its lot and identifier when ``records`` is given) and the field."""
    from jsonschema import Draft7Validator

    codes = load_codelists()
    required = codes.lists["decp.required_fields"]["values"]
    validator = Draft7Validator(decp_schema())
    absent: dict[tuple[str, str], list[str]] = {}  # required fields missing, gathered per object
    messages = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        where = "fichier"
        if len(path) >= 3 and path[:2] == ["marches", "marche"] and isinstance(path[2], int):
            index = path[2]
            info = records[index] if records and index < len(records) else None
            where = f"marché n° {index + 1}" + (f" ({info.designation()})" if info else "")
            path = path[3:]
        if error.validator == "required":
            prefix = ".".join(str(p) for p in path if not isinstance(p, int))
            missing = error.message.split("'")[1]
            absent.setdefault((where, prefix), []).append(f"{prefix}.{missing}" if prefix else missing)
            continue
        messages.append(f"{where} : {_french(error, path)}")
    gathered = []
    for (where, _), names in absent.items():
        order = list(required)
        names.sort(key=lambda n: order.index(n) if n in order else len(order))
        word = "champ obligatoire absent" if len(names) == 1 else "champs obligatoires absents"
        gathered.append(f"{where} : {word} : {', '.join(names)}.")
    return gathered + messages


def _french(error, path: list) -> str:
    name = ".".join(str(p) for p in path if not isinstance(p, int)) or "marché"
    kind, value = error.validator, error.instance
    shown = f"« {value} »" if isinstance(value, (str, int, float)) and not isinstance(value, bool) else "la valeur"
    if kind == "enum":
        allowed = ", ".join(f"« {v} »" for v in error.validator_value)
        return f"{name} : {shown} n'est pas une valeur admise (valeurs admises : {allowed})."
    if kind == "type":
        return f"{name} : {shown} n'est pas du type attendu ({error.validator_value})."
    if kind in ("minimum", "maximum"):
        word = "inférieur au minimum" if kind == "minimum" else "supérieur au maximum"
        return f"{name} : {shown} est {word} admis ({error.validator_value})."
    if kind in ("minLength", "maxLength"):
        return f"{name} : {shown} compte {len(value)} caractères ; le schéma en admet {'au moins' if kind == 'minLength' else 'au plus'} {error.validator_value}."
    if kind == "pattern":
        return f"{name} : {shown} n'a pas la forme attendue (motif {error.validator_value})."
    if kind == "additionalProperties":
        return f"{name} : champ inconnu du schéma ({error.message})."
    if kind in ("minItems", "uniqueItems"):
        return f"{name} : la liste est vide ou contient deux fois la même valeur."
    return f"{name} : valeur refusée par le schéma ({kind})."
