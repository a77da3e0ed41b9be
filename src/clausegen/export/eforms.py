"""eForms export: the business terms of social objectives and reserved procurement, lot by lot.

Code lists: eForms SDK 1.15 (``codelists.yaml``, each value with its official French label). Output::

    {"format": "eForms SDK 1.15", "reference": "PREF80-2027-TX-003", "lots": [
      {"id": "LOT-0001", "numero": 1, "intitule": "…",
       "BT-06-Lot":  [{"code": "soc-obj", "listName": "strategic-procurement", "libelle": "Réalisation d’objectifs sociaux"}],
       "BT-775-Lot": [{"code": "opp", "listName": "social-objective", "libelle": "Possibilités d’emploi …"}],
       "BT-71-Lot":  [{"code": "none", "listName": "reserved-procurement", "libelle": "Sans objet"}],
       "BT-736-Lot": {"code": "no", "listName": "reserved-execution", "libelle": "Non"},
       "reservation": null},
      {"id": "LOT-0005", …, "BT-71-Lot": [{"code": "res-ws", …}],
       "reservation": {"bases": ["reserve_siae"], "articles": ["L2113-13"],
                       "citation": "article L. 2113-13 du code de la commande publique", "confiance": "V"}}]}

* ``id``: the eForms lot identifier, ``LOT-`` and the lot number on four digits (``LOT-0001``).
* BT-06 / BT-775 (repeatable, so lists): ``soc-obj`` + ``opp`` for a lot carrying insertion hours, an
  insertion award criterion or a marché d'insertion — the codes the avis asks the buyer to enter —, else
  ``none`` and no BT-775. BT-71: ``res-ws`` (EA/ESAT, SIAE) or ``res-pub-ser`` (ESS), else ``none``.
  BT-736: ``no`` (the code reserves participation, not execution). These mappings are clausegen's
  choices (confidence B in ``codelists.yaml``) and the notes say so.
* ``reservation``: the articles of the code justifying the reservation, read from the legal registry.
"""

from __future__ import annotations

from .. import fmt
from ..calc import compute_hours
from ..law.registry import UNCERTAIN, load_registry
from . import CodeListError, Export, ExportError, load_codelists, reservation_articles, reserved_bases

LOT_ID_FORMAT = "LOT-{:04d}"  # eForms lot identifier: LOT- and four digits
LOT_ID_MAX = 9999

BT_STRATEGIC = "BT-06-Lot"
BT_SOCIAL = "BT-775-Lot"
BT_RESERVED = "BT-71-Lot"
BT_EXECUTION = "BT-736-Lot"
LISTS = {
    BT_STRATEGIC: "eforms.strategic-procurement",
    BT_SOCIAL: "eforms.social-objective",
    BT_RESERVED: "eforms.reserved-procurement",
    BT_EXECUTION: "eforms.reserved-execution",
}


def lot_identifier(numero: int) -> str:
    if not 1 <= numero <= LOT_ID_MAX:
        raise ExportError(
            f"le lot n° {numero} ne peut pas recevoir d'identifiant eForms : les identifiants vont de "
            f"{LOT_ID_FORMAT.format(1)} à {LOT_ID_FORMAT.format(LOT_ID_MAX)}. Renumérotez les lots du profil."
        )
    return LOT_ID_FORMAT.format(numero)


def _is_social(result, rule: dict) -> bool:
    return any(b in rule["bases"] for b in result.lot.bases) or (rule.get("heures") and result.heures is not None)


def _reservation(lot, law, codes, on) -> tuple[list[str], dict | None]:
    bases = reserved_bases(lot, law)
    mapping = codes.mapping("eforms.reservation")
    if not bases:
        return [mapping["none"]["value"]], None
    found: list[str] = []
    for basis in bases:
        entry = mapping["by_basis"].get(basis)
        if entry is None:
            raise CodeListError(f"base juridique « {basis} » sans code eForms (BT-71) dans codelists.yaml : erreur interne de clausegen, à signaler.")
        if entry["value"] not in found:
            found.append(entry["value"])
    refs, confidence = reservation_articles(bases, law, on)
    justification = {
        "bases": bases,
        "articles": refs,
        "citation": law.cite(*refs) if refs else None,
        "confiance": confidence,
    }
    return found, justification


def export_eforms(profile, hours=None, law=None) -> Export:
    """The eForms social and reservation business terms of each lot, and French notes on the choices."""
    law = law or load_registry()
    hours = hours or compute_hours(profile, law, explain=False)
    codes = load_codelists()
    on = profile.reference_date
    social_rule = codes.mapping("eforms.social")
    plain_rule = codes.mapping("eforms.not_social")
    execution = codes.mapping("eforms.reserved_execution")
    notes: list[str] = []
    lots = []
    social_lots, reserved, uncertain = [], [], []
    for result in hours.lots:
        lot = result.lot
        rule = social_rule if _is_social(result, social_rule) else plain_rule
        if rule is social_rule:
            social_lots.append(lot.numero)
        reservation_codes, justification = _reservation(lot, law, codes, on)
        if justification:
            reserved.append(lot.numero)
            if justification["confiance"] in UNCERTAIN:
                uncertain.append(lot.numero)
        lots.append({
            "id": lot_identifier(lot.numero),
            "numero": lot.numero,
            "intitule": lot.intitule,
            BT_STRATEGIC: [codes.eforms_value(LISTS[BT_STRATEGIC], c) for c in rule[BT_STRATEGIC]],
            BT_SOCIAL: [codes.eforms_value(LISTS[BT_SOCIAL], c) for c in rule[BT_SOCIAL]],
            BT_RESERVED: [codes.eforms_value(LISTS[BT_RESERVED], c) for c in reservation_codes],
            BT_EXECUTION: codes.eforms_value(LISTS[BT_EXECUTION], execution["value"]),
            "reservation": justification,
        })

    version = codes.lists[LISTS[BT_STRATEGIC]]["version"]
    if social_lots:
        notes.append(
            f"Pour {_designate(social_lots, profile)}, {BT_STRATEGIC} « soc-obj » et {BT_SOCIAL} « opp » : "
            "correspondance choisie par clausegen, à confirmer."
        )
    if reserved:
        notes.append(f"Pour {_designate(reserved, profile)}, {BT_RESERVED} : code choisi par clausegen d'après la base juridique, à confirmer.")
    if uncertain:
        notes.append(f"Pour {_designate(uncertain, profile)}, les articles justifiant la réservation sont à confirmer (registre juridique).")
    notes.append(execution["note"])
    data = {"format": f"eForms SDK {version}", "reference": profile.marche.reference, "lots": lots}
    return Export(data, notes)


def _designate(numbers: list[int], profile) -> str:
    """« le lot n° 3 », « les lots n° 1, 2 et 4 », « le marché » when it is not divided into lots."""
    if len(profile.lots) == 1:
        return "le marché"
    if len(numbers) == 1:
        return f"le lot n° {numbers[0]}"
    return f"les lots n° {fmt.liste(numbers)}"
