"""The 2026 rule (article L. 2112-2-1 of the code de la commande publique), decided once for the market and
lot by lot, and the environmental requirements of the same article 35 (L. 2112-2, L. 2152-7, R. 2152-7).

* The rule applies to consultations launched from its start (22 August 2026), except defence or security
  markets (L. 2312-1-1), when the estimated value of the whole need (every lot, accords-cadres at their
  maximum) reaches the European threshold of the buyer and the market's nature.
* Social and other specific services (marchés d'insertion, ESS reservations): the registry's reading of
  « seuils européens » for them (confidence B) is applied here, and only here, so that the fiche, the avis and
  the review compare with the same threshold.
* Each lot is a marché: it meets the rule by an execution condition, by a reservation or as a marché
  d'insertion (admitted with reserve, B), or by a derogation of the closed list (on the lot or the market).
"""

from __future__ import annotations

import datetime as _dt

from ..law.registry import LegalRegistry
from ..model import Profile
from .model import Mandatory, MarketRule
from .regime import citation

RULE = "clause_sociale_obligatoire"


def social_services(profile: Profile) -> bool:
    """The market is one of social and other specific services: every lot is a marché d'insertion or is
    reserved to the ESS (both are such services)."""
    return bool(profile.lots) and all(("marche_insertion" in lot.bases or "reserve_ess" in lot.bases) for lot in profile.lots)


def threshold_category(profile: Profile, law: LegalRegistry) -> str:
    if social_services(profile):
        return law.social_threshold_category(profile.acheteur.type)
    return law.threshold_category(profile.acheteur.type, profile.marche.nature)


def market_rule(profile: Profile, law: LegalRegistry) -> MarketRule:
    on = profile.reference_date
    rule = law.rule(RULE)
    in_force = on >= law.rule_start(RULE) and not profile.marche.defense_securite
    category = threshold_category(profile, law)
    fact = law.threshold_or_none(category, on)
    value = profile.valeur_estimee_ht
    social = social_services(profile)
    reading = rule["social_services_reading"]["text"] if social else None
    recording = rule["recording"]["pouvoir_adjudicateur" if law.is_contracting_authority(profile.acheteur.type) else "entite_adjudicatrice"]["text"]
    return MarketRule(
        in_force=in_force,
        threshold=fact.value if fact is not None else None,
        threshold_label=law.threshold_label(category),
        threshold_known_until=law.last_threshold_day(category),
        value=value,
        reached=bool(fact is not None and value is not None and value >= fact.value),
        social_services=social,
        reading=reading,
        citation=citation(rule["citation"]["value"], law),
        recording=recording,
    )


def lot_mandatory(lot, condition: bool, reserved: bool, insertion: bool, rule: MarketRule, profile: Profile) -> Mandatory:
    applies = rule.in_force and rule.reached
    if not applies:
        return Mandatory(False, None)
    if condition:
        return Mandatory(True, "condition")
    derogation = lot.derogation_clause_sociale or profile.marche.derogation_clause_sociale
    if derogation is not None:
        path = f"{lot.path}.derogation_clause_sociale" if lot.derogation_clause_sociale is not None else "marche.derogation_clause_sociale"
        return Mandatory(True, "derogation", derogation, path)
    if insertion:
        return Mandatory(True, "insertion")
    if reserved:
        return Mandatory(True, "reservation")
    return Mandatory(True, None)


def environmental(profile: Profile, law: LegalRegistry) -> dict[str, bool]:
    """Whether the environmental execution condition (L. 2112-2) and the environmental award criterion
    (L. 2152-7, R. 2152-7 2°) are required, each from its own date; defence or security markets aside."""
    on: _dt.date = profile.reference_date
    if profile.marche.defense_securite:
        return {"condition": False, "critere": False}
    return {
        "condition": on >= law.rule_start("condition_environnementale"),
        "critere": on >= law.rule_start("critere_environnemental"),
    }
