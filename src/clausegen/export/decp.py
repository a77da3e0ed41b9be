"""DECP v2 export: the essential data (données essentielles de la commande publique) a profile can fill.

Format: schéma DECP v2.0.3 (``schema_decp_v2.0.3.json``, dépôt 139bercy/format-commande-publique), which
publishes a list of markets under ``marches.marche[]``. One profile gives one record for the whole
consultation (its lots merged: unique social considerations, total amount)::

    {"marches": {"marche": [{
        "id": "CD21-2027-015",                 # marche.reference when it has 1 to 16 characters
        "nature": "Marché",
        "objet": "…",                          # marche.objet when it has at most 1 000 characters
        "codeCPV": "90919200",                 # marche.cpv, check digit dropped as the schema advises
        "techniques": {"technique": ["Accord-cadre"]},
        "modalitesExecution": {"modaliteExecution": ["Bons de commande"]},
        "ccag": "Fournitures courantes et services",
        "procedure": "Appel d'offres ouvert",
        "dureeMois": 48,
        "montant": 2800000,                    # sum of the lots: accord-cadre maximum, else montant_ht
        "titulaires": [{"titulaire": {"typeIdentifiant": "SIRET", "id": "…"}}],   # every lot attributed
        "considerationsSociales": {"considerationSociale": ["Clause sociale"]},
        "considerationsEnvironnementales": {"considerationEnvironnementale": ["Pas de considération environnementale"]}
    }]}}

Only fields of the schema are produced, and only those the profile knows: the buyer's SIRET
(``acheteur.id``), the notification date, the number of offers, the price form… are left out and listed
in the French notes, with every field omitted because the profile's value breaks a schema constraint.
Each value is checked against ``codelists.yaml`` (``CodeListError`` otherwise: a bug, never published).
"""

from __future__ import annotations

import re
from decimal import Decimal

from .. import fmt
from ..calc import compute_hours
from ..law.registry import load_registry
from . import CodeListError, Export, load_codelists

# Constraints of the DECP v2.0.3 schema (definitions IdentifiantMarche, CodeCPV, marche.objet, montant).
ID_MAX_LENGTH = 16
ID_AVOIDED = ("&", '"', "\\", "<", " ", ",", ";")  # « caractères spéciaux à éviter autant que possible »
OBJET_MAX_LENGTH = 1000
CPV_PATTERN = re.compile(r"^[0-9]{8}(-[0-9])?$")
MONTANT_MINIMUM = Decimal(1)


def _lot_amount(lot) -> Decimal | None:
    """« Montant forfaitaire ou estimé maximum HT » of one lot: the accord-cadre maximum, else the amount."""
    if lot.accord_cadre and lot.accord_cadre.maximum_ht is not None:
        return lot.accord_cadre.maximum_ht
    return lot.montant_ht


def lot_social_considerations(result, codes, used_notes: list[str] | None = None) -> list[str]:
    """DECP social considerations of one lot, in the schema's order (also shown in the fiche)."""
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
    order = codes.values("decp.consideration_sociale")
    return [codes.check("decp.consideration_sociale", v) for v in sorted(found, key=order.index)]


def _social_considerations(hours, codes, used_notes: list[str]) -> list[str]:
    """Unique DECP social considerations of the market, in the schema's order."""
    mapping = codes.mapping("decp.consideration_sociale")
    found: set[str] = set()
    for result in hours.lots:
        found.update(lot_social_considerations(result, codes, used_notes))
    if not found:
        found.add(mapping["none"]["value"])
    order = codes.values("decp.consideration_sociale")
    return [codes.check("decp.consideration_sociale", v) for v in sorted(found, key=order.index)]


def export_decp(profile, hours=None, law=None) -> Export:
    """The DECP v2 record of ``profile`` and the French notes on what it could not fill."""
    law = law or load_registry()
    hours = hours or compute_hours(profile, law, explain=False)
    codes = load_codelists()
    m = profile.marche
    notes: list[str] = []
    record: dict = {}

    reference = m.reference.strip()
    if 1 <= len(reference) <= ID_MAX_LENGTH:
        record["id"] = reference
        avoided = [c for c in ID_AVOIDED if c in reference]
        if avoided:
            shown = fmt.liste(["espace" if c == " " else f"« {c} »" for c in avoided])
            notes.append(f"id : la référence « {reference} » contient des caractères que le schéma DECP demande d'éviter ({shown}).")
    else:
        notes.append(
            f"id : la référence « {m.reference} » compte {fmt.nombre(len(reference))} caractères, "
            f"le schéma DECP en admet {ID_MAX_LENGTH} au plus : indiquez l'identifiant du marché attribué à la notification."
        )

    record["nature"] = codes.check("decp.nature", codes.mapping("decp.nature")["value"])

    if len(m.objet) <= OBJET_MAX_LENGTH:
        record["objet"] = m.objet
    else:
        notes.append(f"objet : l'objet du profil compte {fmt.nombre(len(m.objet))} caractères, le schéma DECP en admet {fmt.nombre(OBJET_MAX_LENGTH)} au plus : résumez-le.")

    if m.cpv and CPV_PATTERN.match(m.cpv):
        record["codeCPV"] = m.cpv.split("-")[0]

    accords = [lot for lot in profile.lots if lot.accord_cadre is not None]
    technique = codes.mapping("decp.technique")
    modalite = codes.mapping("decp.modalite_execution")
    record["techniques"] = {"technique": [codes.check("decp.technique", technique["accord_cadre" if accords else "none"])]}
    record["modalitesExecution"] = {"modaliteExecution": [codes.check("decp.modalite_execution", modalite["accord_cadre" if accords else "none"])]}

    if m.ccag:
        record["ccag"] = codes.check("decp.ccag", codes.mapping("decp.ccag")["values"][m.ccag])
    if m.procedure:
        record["procedure"] = codes.check("decp.procedure", codes.mapping("decp.procedure")["values"][m.procedure])

    record["dureeMois"] = int(m.duree_mois)

    amounts = {lot.numero: _lot_amount(lot) for lot in profile.lots}
    unknown = [n for n, a in amounts.items() if a is None]
    if unknown:
        which = f"le lot n° {unknown[0]} n'a" if len(unknown) == 1 else f"les lots n° {fmt.liste(unknown)} n'ont"
        notes.append(f"montant : {which} ni montant estimé ni maximum d'accord-cadre : le montant total du marché ne peut pas être calculé.")
    else:
        total = sum(amounts.values(), Decimal(0))
        if total >= MONTANT_MINIMUM:
            record["montant"] = total

    holders = [lot.titulaire for lot in profile.lots]
    if holders and all(holders):
        sirets = list(dict.fromkeys(h.siret for h in holders))
        kind = codes.check("decp.type_identifiant", "SIRET")
        record["titulaires"] = [{"titulaire": {"typeIdentifiant": kind, "id": s}} for s in sirets]
    elif any(holders):
        notes.append("titulaires : seuls certains lots ont un titulaire dans le profil ; indiquez les titulaires de tous les lots.")

    choice_notes: list[str] = []
    record["considerationsSociales"] = {"considerationSociale": _social_considerations(hours, codes, choice_notes)}
    env = codes.mapping("decp.consideration_environnementale")
    record["considerationsEnvironnementales"] = {"considerationEnvironnementale": [codes.check("decp.consideration_environnementale", env["value"])]}
    choice_notes.append(env["note"])

    required = codes.lists["decp.required_fields"]["values"]
    missing = [name for name in required if name not in record]
    if missing:
        lines = [f"  - {name} : {required[name]}" for name in missing]
        notes.insert(0, "Champs obligatoires des DECP que le profil ne permet pas de remplir, à compléter par l'acheteur :\n" + "\n".join(lines))
    notes += choice_notes
    return Export({"marches": {"marche": [record]}}, notes)
