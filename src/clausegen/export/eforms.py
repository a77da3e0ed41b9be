"""eForms export: the business terms of social objectives and reserved procurement, lot by lot.

Codes, French labels, field names, notice types and rules: eForms SDK 1.15.1, read from the one generated
file ``data/eforms-sdk.yaml`` (through ``load_codelists``; the fiche de caractérisation reads the same).
Output, for the notice subtype chosen (``--type-avis``, 16 by default: avis de marché, directive générale)::

    {"format": "eForms SDK 1.15.1", "typeAvis": {"code": "16", "libelle": "Avis de marché – …"},
     "champs": {"BT-06-Lot": "Objectif du marché public stratégique", "BT-71-Lot": "Participation réservée", …},
     "reference": "PREF80-2027-TX-003", "lots": [
      {"id": "LOT-0001", "numero": 1, "intitule": "…",
       "BT-06-Lot":  [{"code": "soc-obj", "listName": "strategic-procurement", "libelle": "Réalisation d’objectifs sociaux"}],
       "BT-777-Lot": {"langue": "FRA", "texte": "Condition d'exécution à caractère social … : 744 heures …"},
       "BT-775-Lot": [{"code": "opp", "listName": "social-objective", "libelle": "Possibilités d’emploi …"}],
       "BT-71-Lot":  [{"code": "none", "listName": "reserved-procurement", "libelle": "La participation n’est pas réservée."}],
       "BT-736-Lot": {"code": "no", "listName": "reserved-execution", "libelle": "Non"},
       "reservation": null},
      {"id": "LOT-0005", …, "BT-71-Lot": [{"code": "res-ws", …}],
       "reservation": {"bases": ["reserve_siae"], "articles": ["L2113-13"],
                       "citation": "article L. 2113-13 du code de la commande publique", "confiance": "V"}}]}

* ``id``: the eForms lot identifier, ``LOT-`` and the lot number on four digits (``LOT-0001``).
* BT-06 / BT-775 / BT-777 / BT-71 / BT-736: the clause plan's publication codes (``plan.codes``), which the
  fiche de caractérisation shows too: ``soc-obj`` (with BT-775 ``opp``) for a lot that is reserved or carries
  insertion hours, an insertion award criterion or a marché d'insertion, ``env-imp`` for a lot with an
  environmental clause or criterion, else ``none`` and no BT-775; BT-777 (the strategic procurement
  description) whenever BT-06 is not ``none``, as the SDK requires: a short French text drawn from the plan
  (basis, hours, publics, reservation). BT-71: ``res-ws`` (EA/ESAT, SIAE) or ``res-pub-ser`` (ESS), else
  ``none``; BT-736: ``no`` (the code reserves participation, not execution).
  BT-71 ``none`` and BT-736 ``no`` are written where the notice subtype makes the field mandatory (7 to 22);
  elsewhere (E3, national notice) only a reservation is. These mappings are clausegen's choices (confidence B
  in ``codelists.yaml``) and the notes say so.
* ``res-pub-ser`` lots are checked against the SDK rules BR-BT-00262-0200 (main CPV from its list) and
  BR-BT-00036-0150 (duration of three years at most): the notes say when the notice would be refused.
* ``reservation``: the articles of the code justifying the reservation, read from the legal registry.
"""

from __future__ import annotations

import re

from .. import fmt
from ..law.registry import UNCERTAIN, load_registry
from ..plan import build_plan
from ..law.codelists import is_social_services_cpv
from . import Export, ExportError, load_codelists, reservation_articles, reserved_bases
from .eforms_terms import award_criteria, condition_text, main_cpv

LOT_ID_FORMAT = "LOT-{:04d}"  # eForms lot identifier: LOT- and four digits
LOT_ID_MAX = 9999

BT_STRATEGIC = "BT-06-Lot"
BT_DESCRIPTION = "BT-777-Lot"
BT_SOCIAL = "BT-775-Lot"
BT_RESERVED = "BT-71-Lot"
BT_EXECUTION = "BT-736-Lot"
LISTS = {
    BT_STRATEGIC: "eforms.strategic-procurement",
    BT_SOCIAL: "eforms.social-objective",
    BT_RESERVED: "eforms.reserved-procurement",
    BT_EXECUTION: "eforms.reserved-execution",
}
FIELDS = (BT_STRATEGIC, BT_DESCRIPTION, BT_SOCIAL, BT_RESERVED, BT_EXECUTION)
RULE_CPV = "BR-BT-00262-0200"
RULE_DURATION = "BR-BT-00036-0150"
LANGUAGE = "FRA"


def lot_identifier(numero: int) -> str:
    if not 1 <= numero <= LOT_ID_MAX:
        raise ExportError(
            f"le lot n° {numero} ne peut pas recevoir d'identifiant eForms : les identifiants vont de "
            f"{LOT_ID_FORMAT.format(1)} à {LOT_ID_FORMAT.format(LOT_ID_MAX)}. Renumérotez les lots du profil."
        )
    return LOT_ID_FORMAT.format(numero)


CONCESSIONS = "32014L0023"  # legal basis of the concessions directive: never a notice for a marché
STANDARD, LIGHT = "16", "20"  # contract notices of the general directive: ordinary and light regime


def notice_types(codes=None) -> dict[str, str]:
    """Notice subtypes the export can target: competition notices of a marché (concession notices refused)
    where the SDK allows BT-06 and BT-71, with their French names (« 16 » → « Avis de marché – directive
    générale, régime ordinaire »)."""
    codes = codes or load_codelists()
    fields = codes.eforms["fields"]
    barred = set(fields[BT_STRATEGIC]["forbidden_in"]) | set(fields[BT_RESERVED]["forbidden_in"])
    return {code: entry["name"] for code, entry in codes.eforms["notice_types"].items()
            if code not in barred and entry.get("legal_basis") != CONCESSIONS}


def default_notice_type(plan) -> tuple[str | None, str | None]:
    """The notice subtype the profile calls for, and a French note: the light regime (20) for social and
    other specific services, the ordinary contract notice (16) otherwise; none for a market below the
    European thresholds (a MAPA: no European notice is required)."""
    rule, profile = plan.rule, plan.profile
    social = rule.social_services or is_social_services_cpv(profile.marche.cpv)
    if rule.value is not None and rule.threshold is not None and not rule.reached:
        return None, (
            f"Le marché est sous le seuil européen ({rule.threshold_label}) : aucun avis eForms n'est obligatoire. "
            f"Pour une publication volontaire au JOUE, choisissez le type d'avis (--type-avis {LIGHT if social else STANDARD}, ou E3)."
        )
    if social:
        return LIGHT, "Type d'avis 20 (régime assoupli) : le code CPV principal est dans la liste des services sociaux et autres services spécifiques du SDK."
    return STANDARD, None


def _justification(lot, law, on) -> dict | None:
    """The articles of the code justifying a lot's reservation (registry), None when it is not reserved."""
    bases = reserved_bases(lot, law)
    if not bases:
        return None
    refs, confidence = reservation_articles(bases, law, on)
    return {"bases": bases, "articles": refs, "citation": law.cite(*refs) if refs else None, "confiance": confidence}


def export_eforms(profile, hours=None, law=None, *, plan=None, notice_type: str | None = None) -> Export:
    """The eForms social and reservation business terms of each lot, and French notes on the choices.

    The codes are the clause plan's (``plan.lots[i].codes``), those the fiche de caractérisation shows: the
    export only writes them. ``plan`` is built here (hours computed once) when not given."""
    law = law or load_registry()
    plan = plan or build_plan(profile, hours, law)
    codes = load_codelists()
    on = profile.reference_date
    notes: list[str] = []
    refusals: list[str] = []
    allowed = notice_types(codes)
    if notice_type is None:
        notice_type, why = default_notice_type(plan)
        notes += [why] if why else []
    if notice_type is not None and notice_type not in allowed:
        concession = codes.eforms["notice_types"].get(notice_type, {}).get("legal_basis") == CONCESSIONS
        reason = " : c'est un avis de concession, et le profil décrit un marché" if concession else ""
        raise ExportError(f"type d'avis eForms « {notice_type} » non pris en charge{reason} ; types admis {fmt.liste(list(allowed), 'ou')}.")
    fields = codes.eforms["fields"]
    mandatory = {bt: notice_type is not None and notice_type in fields[bt]["mandatory_in"] for bt in (BT_RESERVED, BT_EXECUTION)}
    execution = codes.mapping("eforms.reserved_execution")
    lots = []
    social_lots, reserved, uncertain = [], [], []
    for lp in plan.lots:
        lot, decided = lp.lot, lp.codes
        if decided.social:
            social_lots.append(lot.numero)
        justification = _justification(lot, law, on)
        if justification:
            reserved.append(lot.numero)
            if justification["confiance"] in UNCERTAIN:
                uncertain.append(lot.numero)
        facts = profile.lot_facts(lot)
        entry = {"id": lot_identifier(lot.numero), "numero": lot.numero, "intitule": lot.intitule, "BT-21-Lot": {"langue": LANGUAGE, "texte": lot.intitule}}
        if main_cpv(facts):
            entry["BT-262-Lot"] = main_cpv(facts)
        entry["BT-36-Lot"] = {"valeur": facts.duree_mois, "unite": "MONTH"}
        entry[BT_STRATEGIC] = [codes.eforms_value(LISTS[BT_STRATEGIC], c) for c in decided.bt06]
        if decided.bt777:
            if len(decided.bt777) > fields[BT_DESCRIPTION]["max_length"]:  # pragma: no cover - a few sentences
                raise ExportError(f"la description {BT_DESCRIPTION} du lot n° {lot.numero} dépasse {fields[BT_DESCRIPTION]['max_length']} caractères.")
            entry[BT_DESCRIPTION] = {"langue": LANGUAGE, "texte": decided.bt777}
        if decided.bt775:
            entry[BT_SOCIAL] = [codes.eforms_value(LISTS[BT_SOCIAL], c) for c in decided.bt775]
        if mandatory[BT_RESERVED] or justification:
            entry[BT_RESERVED] = [codes.eforms_value(LISTS[BT_RESERVED], c) for c in decided.bt71]
        if mandatory[BT_EXECUTION]:
            entry[BT_EXECUTION] = codes.eforms_value(LISTS[BT_EXECUTION], decided.bt736)
        performance = condition_text(lp, profile, law)
        if performance:
            entry["BT-70-Lot"] = {"langue": LANGUAGE, "texte": performance}
        criteria = award_criteria(lp)
        if criteria:
            entry["criteres"] = criteria
            if any("BT-541-Lot" not in c for c in criteria):
                notes.append(f"Lot n° {lot.numero} : la pondération d'un critère d'attribution est à compléter (BT-541-Lot), comme dans le règlement de la consultation.")
        entry["reservation"] = justification
        lots.append(entry)
        if "res-pub-ser" in decided.bt71:
            refused = _check_public_service_reservation(lot, profile, codes, law)
            notes += refused
            refusals += refused

    if social_lots:
        notes.append(
            f"Pour {_designate(social_lots, profile)}, {BT_STRATEGIC} « soc-obj » et {BT_SOCIAL} « opp » : "
            f"correspondance choisie par clausegen, à confirmer ; la description {BT_DESCRIPTION} est rédigée d'après la clause "
            "du lot, à relire."
        )
    if reserved:
        notes.append(f"Pour {_designate(reserved, profile)}, {BT_RESERVED} : code choisi par clausegen d'après la base juridique, à confirmer.")
    if uncertain:
        notes.append(f"Pour {_designate(uncertain, profile)}, les articles justifiant la réservation sont à confirmer (registre juridique).")
    if mandatory[BT_EXECUTION]:
        notes.append(execution["note"])
    elif notice_type is not None:
        notes.append(
            f"Type d'avis {notice_type} : {BT_RESERVED} et {BT_EXECUTION} n'y sont pas obligatoires ; seuls les lots réservés déclarent {BT_RESERVED}."
        )
    data = {
        "format": f"eForms SDK {codes.eforms_version}",
        "typeAvis": {"code": notice_type, "libelle": allowed[notice_type]} if notice_type else None,
        "champs": {bt: codes.field_name(bt) for bt in FIELDS},
        "reference": profile.marche.reference,
        "lots": lots,
    }
    return Export(data, notes, refusals)


def _check_public_service_reservation(lot, profile, codes, law) -> list[str]:
    """A lot reserved to public-service organisations (``res-pub-ser``, ESS): the SDK refuses the notice
    unless its main CPV is in the list of rule BR-BT-00262-0200 and its duration is at most three years
    (BR-BT-00036-0150, like the code's limit for this reservation)."""
    rules = codes.eforms["rules"]
    where = f"Lot n° {lot.numero}" if len(profile.lots) > 1 else "Marché"
    found = []
    facts = profile.lot_facts(lot)
    cpv = (facts.cpv or "").split("-")[0]
    if not cpv:
        found.append(
            f"{where} réservé « res-pub-ser » : le profil n'a pas de code CPV (« lots[].cpv » ou « marche.cpv ») ; la règle {RULE_CPV} du SDK eForms "
            "exige un code CPV principal de sa liste (services sociaux, de santé, d'éducation, culturels…)."
        )
    elif not is_social_services_cpv(cpv):
        found.append(
            f"{where} réservé « res-pub-ser » : le code CPV {cpv} n'est pas dans la liste de la règle {RULE_CPV} du SDK eForms "
            f"({fmt.nombre(len(rules[RULE_CPV]['cpv']))} codes de services sociaux, de santé, d'éducation et culturels) : l'avis serait refusé. "
            "Vérifiez le code CPV ou la base juridique du lot."
        )
    years = int(re.fullmatch(r"P([0-9]+)Y", rules[RULE_DURATION]["max"]).group(1))
    limit = (law.basis("reserve_ess").get("duree_max_mois") or {}).get("value", years * 12)
    months = facts.duree_mois
    if months > years * 12 or months > limit:
        found.append(
            f"{where} réservé « res-pub-ser » : durée de {fmt.nombre(months)} mois ; la règle {RULE_DURATION} du SDK eForms limite la durée "
            f"(BT-36-Lot) à {fmt.nombre(years)} ans, comme le code pour cette réservation : l'avis serait refusé."
        )
    return found


def _designate(numbers: list[int], profile) -> str:
    """« le lot n° 3 », « les lots n° 1, 2 et 4 », « le marché » when it is not divided into lots."""
    if len(profile.lots) == 1:
        return "le marché"
    if len(numbers) == 1:
        return f"le lot n° {numbers[0]}"
    return f"les lots n° {fmt.liste(numbers)}"
