"""The regime of each lot: which clause it carries, on which articles, and the combinations that have one
lawful reading (merged into it, with a finding) or none (refused, with a blocking finding).

The rules, decided here once:

* a **marché d'insertion** (R. 2123-1, 3°) is a market of services whose object is insertion: it has its own
  execution articles and its own award grid (R. 2123-7). A criterion on insertion performance on such a lot
  is read as the weight of the insertion project in that one grid (never a second grid); an execution
  condition on it is read as the minimum volume of work of the persons in parcours. Outside a market of
  services it has no lawful reading: blocking.
* a **reservation** (L. 2113-12, -13, -14, -15) may carry an hours condition (redundant but lawful: the
  pieces then state both, and the review warns); the ESS reservation combines with no other reservation,
  covers services only and is open only to a pouvoir adjudicateur: otherwise blocking.
* an **imposed volume** (« heures ») outside a marché d'insertion is an execution condition: the pieces cite
  the condition's articles.
"""

from __future__ import annotations

from .. import fmt
from ..law.codelists import is_social_services_cpv, social_services_cpv
from ..law.registry import UNCERTAIN, LegalRegistry
from ..model import Lot, Profile
from .model import Citation, PlanIssue, Reservation

CODE = "code de la commande publique"
RESERVED = ("reserve_ea_esat", "reserve_siae", "reserve_ess")


def citation(refs, law: LegalRegistry | None = None, code: str = CODE) -> Citation:
    """« article L. 2113-13 du code de la commande publique » / « articles L. 2112-2 et L. 2112-3 du … »."""
    refs = tuple(dict.fromkeys(refs))
    if not refs:
        return Citation((), "", False)
    word = "article" if len(refs) == 1 else "articles"
    known = law.data.get("articles", {}) if law is not None else {}
    uncertain = any(known.get(r, {}).get("confidence") in UNCERTAIN for r in refs)
    return Citation(refs, f"{word} {fmt.articles(list(refs))} du {code}", uncertain)


def _articles(law: LegalRegistry, basis: str, on) -> list[str]:
    return list(law.articles(basis, on).value)


def reservation(lot: Lot, law: LegalRegistry, on) -> Reservation | None:
    bases = tuple(b for b in lot.bases if b in RESERVED)
    if not bases:
        return None
    handicap, insertion, ess = "reserve_ea_esat" in bases, "reserve_siae" in bases, "reserve_ess" in bases
    refs = [a for b in bases for a in _articles(law, b, on) if a.startswith("L")]
    if handicap and insertion:
        combo = law.combination({"reserve_ea_esat", "reserve_siae"})
        if combo and combo.get("article"):
            refs.append(combo["article"])
    if handicap or insertion:
        refs.append("R2113-7")
    entries = [law.basis(b) for b in bases]
    if handicap and insertion:
        short, workers = "réservé aux EA, ESAT et SIAE", "handicapés ou défavorisés"
    elif handicap:
        short, workers = entries[0]["short"], "handicapés"
    elif insertion:
        short, workers = entries[0]["short"], "défavorisés"
    else:
        short, workers = entries[0]["short"], None
    ess_entry = law.basis("reserve_ess") if ess else {}
    return Reservation(
        bases=bases,
        citation=citation(refs, law),
        structures=fmt.typo(fmt.liste([e["structures"] for e in entries], "ou")),
        short=short,
        ratio_minimum=None if ess else entries[0].get("ratio_minimum"),
        handicap=handicap,
        insertion=insertion,
        ess=ess,
        workers=workers,
        conditions=tuple(fmt.typo(c["text"]) for c in ess_entry.get("conditions", [])),
        duree_max_mois=(ess_entry.get("duree_max_mois") or {}).get("value"),
    )


def regime_of(condition: bool, critere: bool, insertion: bool, reserved: Reservation | None) -> str:
    if insertion:
        return "insertion"
    if reserved is not None and reserved.ess and not condition:
        return "ess"
    if reserved is not None:
        return "reserve_condition" if condition else "reserve"
    if condition and critere:
        return "condition_critere"
    if condition:
        return "condition"
    if critere:
        return "critere"
    return "aucun"


def lot_issues(lot: Lot, profile: Profile, law: LegalRegistry, reserved: Reservation | None, has_hours: bool) -> list[PlanIssue]:
    """The combinations of one lot that the plan merges or refuses, as findings positioned on the profile."""
    issues: list[PlanIssue] = []
    bases = set(lot.bases)
    path = f"{lot.path}.base_legale"
    nature = profile.marche.nature
    where = f"Le lot {lot.numero}" if len(profile.lots) > 1 else "Le marché"
    if "marche_insertion" in bases:
        if nature != "services":
            issues.append(PlanIssue(
                "reservation-inadaptee", "erreur", path,
                f"{where} est un marché d'insertion et de qualification professionnelle, qui est un marché de services "
                f"(services sociaux et autres services spécifiques) ; ce marché est de {nature} : aucune pièce ne peut être publiée "
                "sur cette base. Corrigez « marche.nature » ou choisissez une autre base (réservation aux SIAE, condition d'exécution).",
                law.cite("R2123-1"), blocking=True))
        if "critere_attribution" in bases:
            issues.append(PlanIssue(
                "marche-insertion-critere", "avertissement", path,
                f"{where} est un marché d'insertion : ses offres sont jugées sur le projet d'insertion (article R. 2123-7). "
                "Le critère d'insertion du profil n'ajoute pas de seconde grille : sa pondération et ses sous-critères sont lus "
                "comme ceux du projet d'insertion dans la grille unique du marché d'insertion. Retirez « art52 » de « base_legale » "
                "si ce n'est pas l'intention.",
                law.cite("R2123-7")))
        if "condition_execution" in bases:
            issues.append(PlanIssue(
                "marche-insertion-condition", "avertissement", path,
                f"{where} est un marché d'insertion : l'insertion en est l'objet, il n'a pas de condition d'exécution distincte. "
                "Le volume d'heures calculé est lu comme le volume minimal de travail confié aux personnes en parcours. "
                "Retirez « art38 » de « base_legale » et indiquez « heures » si vous voulez fixer ce volume vous-même.",
                law.cite("R2123-1")))
    if reserved is not None:
        kinds = [b for b in lot.bases if b in RESERVED]
        if reserved.ess and len(kinds) > 1:
            issues.append(PlanIssue(
                "base-impossible", "erreur", path,
                f"{where} cumule la réservation aux entreprises de l'économie sociale et solidaire (article L. 2113-15) et une "
                "réservation aux EA, ESAT ou SIAE : le code ne prévoit pas ce cumul (seul l'article L. 2113-14 combine les "
                "réservations des articles L. 2113-12 et L. 2113-13). Choisissez une seule réservation.",
                law.cite("L2113-14", "L2113-15"), blocking=True))
        if reserved.ess and nature != "services":
            issues.append(PlanIssue(
                "reservation-inadaptee", "erreur", path,
                f"{where} est réservé aux entreprises de l'économie sociale et solidaire, ce que l'article L. 2113-15 ne permet que "
                f"pour certains services sociaux, de santé ou culturels ; ce marché est de {nature}. Choisissez une réservation "
                "aux SIAE ou aux EA et ESAT, ou corrigez « marche.nature ».",
                law.cite("L2113-15"), blocking=True))
        if reserved.ess and not law.is_contracting_authority(profile.acheteur.type):
            issues.append(PlanIssue(
                "base-impossible", "erreur", path,
                f"{where} est réservé aux entreprises de l'économie sociale et solidaire : l'article L. 2113-15 ouvre cette "
                "réservation aux seuls pouvoirs adjudicateurs, et l'acheteur est une entité adjudicatrice. Choisissez une autre base.",
                law.cite("L2113-15"), blocking=True))
        if reserved.ess and nature == "services":
            issues += _ess_services(lot, profile, law, where)
        if has_hours and "marche_insertion" not in bases:
            hours_path = f"{lot.path}.heures" if lot.heures is not None else path
            issues.append(PlanIssue(
                "lot-reserve-avec-heures", "avertissement", hours_path,
                f"{where} est réservé et porte aussi une obligation d'heures d'insertion : les pièces le publient comme une "
                "réservation assortie d'une condition d'exécution. La réservation réalise déjà l'objectif d'insertion ; retirez la "
                "condition d'exécution ou le volume imposé si vous ne voulez pas cumuler les deux.",
                law.cite("L2113-12", "L2113-13")))
    return issues


def _ess_services(lot: Lot, profile: Profile, law: LegalRegistry, where: str) -> list[PlanIssue]:
    """An ESS reservation is open only to the health, social and cultural services of the list annexed to the
    code (L. 2113-15); their CPV codes are those of article 77 of directive 2014/24/UE, which the eForms SDK's
    rule BR-BT-00262-0200 holds (a notice reserving such a lot with another main CPV is refused)."""
    cpv = profile.lot_facts(lot).cpv  # the lot's own code, else the market's
    if is_social_services_cpv(cpv):
        return []
    path = f"{lot.path}.cpv" if lot.cpv else "marche.cpv"
    if not cpv:
        found = "le profil ne donne pas de code CPV (« marche.cpv ») : rien n'établit que les services sont de ceux-là"
    else:
        found = f"le code CPV {cpv} n'est pas l'un des {fmt.nombre(len(social_services_cpv()))} codes de cette liste"
    return [PlanIssue(
        "reservation-ess-services", "avertissement", path,
        f"{where} est réservé aux entreprises de l'économie sociale et solidaire, ce que l'article L. 2113-15 ne permet que pour "
        f"les services de santé, sociaux et culturels de la liste annexée au code ; {found}. L'avis européen serait refusé "
        "(règle BR-BT-00262-0200 du SDK eForms). Indiquez le code CPV principal des services, ou choisissez une autre base.",
        law.cite("L2113-15"))]


def market_issues(profile: Profile, law: LegalRegistry) -> list[PlanIssue]:
    """Facts of the whole market the pieces cannot state lawfully."""
    issues = []
    limit = (law.basis("reserve_ess").get("duree_max_mois") or {}).get("value")
    ess = [lot for lot in profile.lots if "reserve_ess" in lot.bases]
    months = profile.marche.duree_mois
    if ess and limit and months > limit:
        issues.append(PlanIssue(
            "reservation-ess-trop-longue", "erreur", "marche.duree_mois",
            f"Le marché dure {months} mois alors qu'un marché réservé aux entreprises de l'économie sociale et solidaire "
            f"({'lots' if len(ess) > 1 else 'lot'} {fmt.liste([str(lot.numero) for lot in ess])}) ne peut dépasser {limit} mois, "
            "reconductions comprises (article L. 2113-16). Réduisez la durée ou choisissez une autre base juridique.",
            law.cite("L2113-15", "L2113-16"), blocking=True))
    return issues
