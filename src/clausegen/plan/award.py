"""The award grid of each lot, as one list.

* A lot scored on insertion in an ordinary grid: clausegen's RC writes the insertion criterion (its weight or
  a blank, its sub-criteria); the other criteria are those of the buyer's own RC, which must hold the
  environmental criterion the law requires from 21 August 2026 (R. 2152-7, 2°; L. 2152-7): the review
  reminds it.
* A marché d'insertion: the RC lists its criteria exhaustively (R. 2123-7): the insertion project (its four
  elements, or the profile's sub-criteria when the profile also scores insertion: one grid, never two), the
  quality and continuity of the support activity, the environmental characteristics of the offer when the
  law requires them, and the price. Weights the profile does not give are one blank for the buyer.
"""

from __future__ import annotations

from ..law.registry import LegalRegistry
from ..model import Lot, Profile
from .model import AwardGrid, Criterion
from .regime import citation

INSERTION_CRITERION = "performances en matière d'insertion professionnelle des publics en difficulté"
PROJECT_ELEMENTS = (
    ("l'accompagnement socio-professionnel des personnes en parcours d'insertion : diagnostic d'entrée, référent désigné, "
     "levée des freins à l'emploi, lien avec le service public de l'emploi"),
    "l'encadrement technique sur l'activité support : taux d'encadrement, qualification des encadrants, organisation de la sécurité",
    "les actions de formation et l'acquisition de compétences transférables : plan de formation, certifications ou attestations visées",
    "les résultats de sortie visés et les moyens mis en œuvre pour les atteindre : emploi durable, formation qualifiante, suite de parcours",
)


def formalised(profile: Profile, law: LegalRegistry) -> tuple[bool, bool]:
    """``(formalised, stated)``: whether the procedure is formalised, and whether the profile says so
    (``marche.procedure``) or it is inferred from the estimated value and the EU threshold."""
    from .mandatory import threshold_category

    if profile.marche.procedure is not None:
        return profile.marche.procedure != "procedure_adaptee", True
    if profile.lots and all("marche_insertion" in lot.bases for lot in profile.lots):
        return False, False  # R2123-1 3°: a procédure adaptée whatever the value
    fact = law.threshold_or_none(threshold_category(profile, law), profile.reference_date)
    value = profile.valeur_estimee_ht
    if fact is None or value is None:
        return True, False  # unknown: the stricter reading
    return value >= fact.value, False


def award_grid(lot: Lot, critere: bool, insertion: bool, profile: Profile, law: LegalRegistry, environmental_required: bool) -> AwardGrid | None:
    on = profile.reference_date
    scored = lot.critere
    subs = tuple((s.libelle, s.points) for s in (scored.sous_criteres if scored else ()))
    if insertion:
        weight = scored.ponderation if scored and "critere_attribution" in lot.bases else None
        criteria = [
            Criterion("projet", "la qualité du projet d'insertion", weight, None if weight is not None else "ponderation_insertion",
                      subs if "critere_attribution" in lot.bases else (), None if subs else "; ".join(PROJECT_ELEMENTS)),
            Criterion("support", "la qualité et la continuité de la prestation réalisée sur l'activité support", None, "ponderation_insertion"),
        ]
        if environmental_required:
            criteria.append(Criterion("environnement", "les caractéristiques environnementales de l'offre", None, "ponderation_insertion",
                                      detail="conditions de réalisation de l'activité support : matériels et produits employés, gestion des déchets, déplacements"))
        criteria.append(Criterion("prix", "le prix des prestations", None, "ponderation_insertion"))
        return AwardGrid(tuple(criteria), True, citation(["R2123-7"], law), environmental_required)
    if not critere:
        return None
    weight = scored.ponderation if scored else None
    formal, _ = formalised(profile, law)
    extra = law.basis("critere_attribution").get("formalised_only", [])
    return AwardGrid(
        (Criterion("insertion", INSERTION_CRITERION, weight, None if weight is not None else "ponderation", subs),),
        False,
        citation(list(law.articles("critere_attribution", on).value), law),
        environmental_required,
        citation(extra, law) if formal and extra else None,
    )
