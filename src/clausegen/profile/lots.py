"""The lots of a profile, built from schema-valid data: legal bases resolved (aliases of the 2015 and 2006
numbering included), figures parsed, the inputs of the hours calculation checked, the award data read."""

from __future__ import annotations

from decimal import Decimal

from ..model import Award, CalcDefaults, Criterion, FrameworkAgreement, Holder, Lot, SubCriterion
from .builder import _Builder, _derogation, _place_code, as_int, parse_siret
from .suggest import _suggest, format_path
from .values import clip, parse_amount, parse_date, parse_rate


MAX_HOURLY_COST = Decimal("500")


def _hourly_cost(value):
    return parse_amount(value, maximum=MAX_HOURLY_COST, unit="€ HT de l'heure")


def _resolve_bases(b: _Builder, law, raw: dict, parts: list) -> tuple[tuple[str, ...], tuple[str, ...]]:
    value = raw.get("base_legale")
    if value is None or b.refused(format_path([*parts, "base_legale"])):
        return (), ()
    typed = [value] if isinstance(value, str) else list(value)
    canonical = []
    for i, name in enumerate(typed):
        if not isinstance(value, str) and b.refused(format_path([*parts, "base_legale", i])):
            continue
        resolved = law.canonical_basis(str(name))
        if resolved is None:  # the schema's enum normally catches this first
            where = format_path([*parts, "base_legale"] + ([] if isinstance(value, str) else [i]))
            b.reader.issue(where, f"base juridique « {clip(name)} » inconnue.", ", ".join(law.basis_names()), _suggest(name, law.basis_names() + law.alias_names()))
        elif resolved not in canonical:
            canonical.append(resolved)
    return tuple(canonical), tuple(str(t) for t in typed)


def _build_lot(b: _Builder, law, raw: dict, index: int, calc: CalcDefaults) -> Lot | None:
    parts = ["lots", index]
    here = format_path(parts)
    numero = as_int(raw.get("numero"))
    if numero is None:
        return None
    bases, typed = _resolve_bases(b, law, raw, parts)
    ac = raw.get("accord_cadre") if isinstance(raw.get("accord_cadre"), dict) else None
    framework = None
    if ac is not None:
        framework = FrameworkAgreement(
            minimum_ht=b.value(ac, [*parts, "accord_cadre"], "minimum_ht", parse_amount),
            maximum_ht=b.value(ac, [*parts, "accord_cadre"], "maximum_ht", parse_amount),
            minimum_porte_sur=ac.get("minimum_porte_sur") if not b.refused(f"{here}.accord_cadre.minimum_porte_sur") else None,
        )
        if framework.minimum_ht and framework.maximum_ht and framework.minimum_ht > framework.maximum_ht:
            b.reader.issue(f"{here}.accord_cadre.minimum_ht", "le minimum dépasse le maximum de l'accord-cadre.", "un minimum inférieur ou égal au maximum", "Vérifiez l'ordre des deux montants.")
    crit = raw.get("critere") if isinstance(raw.get("critere"), dict) else None
    criterion = None
    if crit is not None:
        subs = tuple(
            SubCriterion(s["libelle"], as_int(s["points"]))
            for s in (crit.get("sous_criteres") if isinstance(crit.get("sous_criteres"), list) else [])
            if isinstance(s, dict) and isinstance(s.get("libelle"), str) and as_int(s.get("points")) is not None
        )
        criterion = Criterion(b.value(crit, [*parts, "critere"], "ponderation", parse_rate), subs)
    holder = None
    t = raw.get("titulaire") if isinstance(raw.get("titulaire"), dict) else None
    if t is not None:
        siret = b.value(t, [*parts, "titulaire"], "siret", parse_siret)
        if siret and isinstance(t.get("nom"), str):
            holder = Holder(t["nom"], siret)
    explicit = as_int(raw.get("heures"))
    lot = Lot(
        numero=numero,
        intitule=raw.get("intitule", ""),
        bases=bases,
        bases_saisies=typed,
        montant_ht=b.value(raw, parts, "montant_ht", parse_amount),
        accord_cadre=framework,
        part_main_oeuvre=b.value(raw, parts, "part_main_oeuvre", parse_rate),
        cout_horaire=b.value(raw, parts, "cout_horaire", _hourly_cost),
        taux_insertion=b.value(raw, parts, "taux_insertion", parse_rate),
        heures=explicit,
        justification=raw.get("justification"),
        critere=criterion,
        metiers=tuple(m for m in raw.get("metiers") if isinstance(m, str)) if isinstance(raw.get("metiers"), list) else (),
        titulaire=holder,
        derogation_clause_sociale=b.value(raw, parts, "derogation_clause_sociale", _derogation),
        id_decp=raw.get("id_decp") if isinstance(raw.get("id_decp"), str) and not b.refused(f"{here}.id_decp") else None,
        attribution=_award(b, raw, parts),
        index=index,
        **_open_data(b, raw, here),
    )
    _check_inputs(b, law, raw, lot, calc)
    return lot


def _open_data(b: _Builder, raw: dict, here: str) -> dict:
    """The lot's own open-data facts (``cpv``, ``duree_mois``, ``lieu_execution_code``, ``forme_prix``,
    ``types_prix``, ``innovant``, ``considerations_environnementales``); absent keys are the market's."""
    def kept(key: str, kind: type):
        value = raw.get(key)
        return value if isinstance(value, kind) and not b.refused(f"{here}.{key}") else None

    def listed(key: str) -> tuple[str, ...]:
        value = raw.get(key)
        if not isinstance(value, list) or b.refused(f"{here}.{key}"):
            return ()
        return tuple(v for v in value if isinstance(v, str))

    return {
        "cpv": kept("cpv", str),
        "duree_mois": as_int(raw.get("duree_mois")) if not b.refused(f"{here}.duree_mois") else None,
        "lieu_execution_code": _place_code(b, raw, f"{here}.lieu_execution_code"),
        "forme_prix": kept("forme_prix", str),
        "types_prix": listed("types_prix"),
        "innovant": kept("innovant", bool),
        "considerations_environnementales": listed("considerations_environnementales"),
    }


def _check_inputs(b: _Builder, law, raw: dict, lot: Lot, calc: CalcDefaults) -> None:
    """A lot bearing hours needs an amount and the three calculation inputs, unless hours are explicit."""
    here = lot.path
    if "justification" in raw and lot.heures is None and "heures" not in raw:
        b.reader.issue(f"{here}.justification", "une justification est donnée sans volume d'heures imposé.", "la clé « heures » à côté de « justification »")
    if not any(law.basis(base)["obligation_heures"] for base in lot.bases) or lot.heures is not None or b.refused(f"{here}.heures"):
        return  # hours imposed, or typed and refused (already reported): no calculation input is missing
    misspelt = [k for k in raw if b.refused(f"{here}.{k}")]  # unknown keys, already reported

    def typo_of(key: str) -> bool:
        return any(_suggest(k, [key]) for k in misspelt)

    has_amount = lot.montant_ht is not None or (lot.accord_cadre and (lot.accord_cadre.minimum_ht or lot.accord_cadre.maximum_ht))
    refused_amount = any(b.refused(f"{here}.{k}") or typo_of(k) for k in ("montant_ht", "accord_cadre")) or any(
        b.refused(f"{here}.accord_cadre.{k}") for k in ("minimum_ht", "maximum_ht")
    )  # an amount typed and refused is already reported: it is not missing
    if not has_amount and not refused_amount:
        b.reader.issue(here, "lot soumis à une condition d'exécution sans montant.", "« montant_ht » ou un bloc « accord_cadre » (minimum_ht, maximum_ht)", "Ou imposez le volume avec « heures » et « justification ».")
    for key, label in (("part_main_oeuvre", "la part de main-d'œuvre"), ("cout_horaire", "le coût horaire"), ("taux_insertion", "le taux d'insertion")):
        if getattr(lot, key) is None and getattr(calc, key) is None and not b.refused(f"{here}.{key}") and not b.refused(f"calcul.{key}") and not typo_of(key):
            b.reader.issue(here, f"{label} manque pour calculer les heures de ce lot.", f"« {key} » dans le lot ou dans le bloc « calcul »", "Les valeurs usuelles figurent dans la fiche de caractérisation ; aucune valeur n'est supposée par défaut.")


def _award(b: _Builder, raw: dict, parts: list) -> Award:
    here = format_path(parts)
    members = []
    listed = raw.get("cotraitants") if isinstance(raw.get("cotraitants"), list) and not b.refused(f"{here}.cotraitants") else []
    for i, member in enumerate(listed):
        if not isinstance(member, dict):
            continue
        siret = b.value(member, [*parts, "cotraitants", i], "siret", parse_siret)
        if siret and isinstance(member.get("nom"), str):
            members.append(Holder(member["nom"], siret))
    groupement = raw.get("groupement") if isinstance(raw.get("groupement"), str) and not b.refused(f"{here}.groupement") else None
    if listed and groupement in (None, "aucun") and not b.refused(f"{here}.groupement"):
        b.reader.issue(
            f"{here}.cotraitants",
            "des cotraitants sont donnés sans groupement.",
            "« groupement: conjoint » ou « groupement: solidaire » à côté de « cotraitants »",
            "Un titulaire seul n'a pas de cotraitant : retirez « cotraitants » ou indiquez le groupement.",
        )
    offers = raw.get("offres_recues")
    return Award(
        date_notification=b.value(raw, parts, "date_notification", parse_date),
        offres_recues=as_int(offers) if not b.refused(f"{here}.offres_recues") else None,
        montant_ht=b.value(raw, parts, "montant_attribue_ht", parse_amount),
        avance=raw.get("attribution_avance") if isinstance(raw.get("attribution_avance"), bool) else None,
        sous_traitance=raw.get("sous_traitance_declaree") if isinstance(raw.get("sous_traitance_declaree"), bool) else None,
        groupement=groupement,
        cotraitants=tuple(members),
    )
