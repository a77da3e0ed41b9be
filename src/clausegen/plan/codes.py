"""The publication codes of each lot, decided from the plan with the official code lists (law.codelists):
the DECP « considérations sociales » and « considérations environnementales », and the eForms strategic
procurement (BT-06), social objective (BT-775) and reserved participation (BT-71) codes.

A lot that is reserved or carries a social clause or criterion is « soc-obj », never « none »; one that carries
an environmental clause or criterion (as the profile says: ``lots[].considerations_environnementales``, else
the market's) is « env-imp » too. The fiche shows these codes and
the exports write them: they cannot disagree.
"""

from __future__ import annotations

from .. import fmt
from ..law.codelists import CodeListError, CodeLists, load_codelists
from .model import PublicationCodes

def description(lot, condition: bool, critere: bool, insertion: bool, terms, citations: dict, profile, law) -> str:
    """BT-777: what makes the lot strategic, in a few French sentences drawn from the plan — the clause and its
    articles, the hours as they bind, the publics (those of the profile, when it restricts them)."""
    sentences = []
    for key, on in (("condition_execution", condition), ("critere_attribution", critere), ("marche_insertion", insertion)):
        if not on:
            continue
        label = law.basis(key)["label"]
        sentence = f"{label[:1].upper()}{label[1:]} ({citations[key]})"
        if key == "critere_attribution" and lot.critere and lot.critere.ponderation is not None:
            sentence += f", pondéré à {fmt.taux(lot.critere.ponderation)}"
        sentences.append(sentence + ".")
    if terms.binds:
        if terms.framework:
            firm = f"au moins {fmt.heures(terms.firm)} d'insertion professionnelle sur le montant minimum, puis " if terms.firm else ""
            sentences.append(f"Le titulaire réalise {firm}{fmt.heures(terms.per_tranche)} par tranche de {fmt.montant(terms.tranche_ht, 0)} HT "
                             f"exécutée{' au-delà du minimum' if terms.firm else ''}.")
        else:
            sentences.append(f"Le titulaire réalise au moins {fmt.heures(terms.total)} d'insertion professionnelle.")
        publics, known = profile.execution.publics, law.publics()
        if publics and set(publics) != set(known):
            sentences.append(f"Publics éligibles : {fmt.liste([known[p]['label'] if p in known else p for p in publics])}.")
        else:
            sentences.append(f"Publics éligibles : ceux de l'{law.instruction('fiche 1')}.")
    return fmt.typo(" ".join(sentences))


def lot_codes(lot, condition: bool, critere: bool, insertion: bool, reservation, profile, law, terms, citations: dict,
              codes: CodeLists | None = None) -> PublicationCodes:
    codes = codes or load_codelists()
    mapping = codes.mapping("decp.consideration_sociale")
    by_basis = mapping["by_basis"]
    keys = (["condition_execution"] if condition and not insertion else []) + (["critere_attribution"] if critere else []) \
        + (["marche_insertion"] if insertion else []) + list(reservation.bases if reservation else ())
    found, notes = set(), []
    for key in keys:
        entry = by_basis.get(key)
        if entry is None:  # pragma: no cover - the code lists cover every basis of the registry
            raise CodeListError(f"« {key} » sans correspondance DECP dans codelists.yaml : erreur interne de clausegen, à signaler.")
        found.add(entry["value"])
        if entry.get("note") and entry["note"] not in notes:
            notes.append(entry["note"])
    social = bool(found)
    if not found:
        found.add(mapping["none"]["value"])
    order = codes.values("decp.consideration_sociale")
    decp_social = tuple(codes.check("decp.consideration_sociale", v) for v in sorted(found, key=order.index))

    declared = profile.lot_facts(lot).considerations_environnementales  # the lot's own, else the market's
    environmental = any(v in ("clause", "critere") for v in declared)
    env_labels = codes.mapping("decp.consideration_environnementale")["values"]
    env_order = codes.values("decp.consideration_environnementale")
    contradictory = "aucune" in declared and environmental  # left to complete (the export says so)
    decp_env = () if contradictory else tuple(
        codes.check("decp.consideration_environnementale", v) for v in sorted((env_labels[d] for d in declared), key=env_order.index))

    strategic = (["soc-obj"] if social else []) + (["env-imp"] if environmental else [])
    bt06 = tuple(codes.check("eforms.strategic-procurement", c) for c in (strategic or ["none"]))
    social_rule = codes.mapping("eforms.social")
    bt775 = tuple(codes.check("eforms.social-objective", c) for c in social_rule["BT-775-Lot"]) if social else ()
    reserved = codes.mapping("eforms.reservation")
    bt71 = tuple(dict.fromkeys(codes.check("eforms.reserved-procurement", reserved["by_basis"][b]["value"]) for b in reservation.bases)) \
        if reservation else (codes.check("eforms.reserved-procurement", reserved["none"]["value"]),)
    bt736 = codes.check("eforms.reserved-execution", codes.mapping("eforms.reserved_execution")["value"])
    text = description(lot, condition, critere, insertion, terms, citations, profile, law) if social else None
    if reservation is not None and text is not None:
        text = fmt.typo(f"{text} {reservation.short[:1].upper()}{reservation.short[1:]} ({reservation.citation.text}).".strip())
    return PublicationCodes(decp_social, decp_env, bt06, bt775, bt71, bt736, text or None, social, environmental, tuple(notes))
