"""Sentences that more than one piece prints, written once: the person who follows the clause, the legal
basis of the condition, the document de suivi (custody, recipients), the follow-up dates, the nominative
proofs, the personal-data sentence. Templates print ``plan.textes.<clé>``; a test asserts that each piece
holds the identical sentence, so the CCAP, the annexe and the suivi cannot drift apart.
"""

from __future__ import annotations

from .. import fmt
from .model import Citation, FollowUp


def actor(profile) -> dict:
    """Who follows the clause, as the documents name it: the facilitator (« le facilitateur », « la
    facilitatrice », or epicene « la personne chargée de la facilitation » without civility), or, without a
    facilitator, « le référent clause sociale de l'acheteur » (never « facilitateur »)."""
    f = profile.facilitateur
    if f is None:
        noun, article = "référent clause sociale de l'acheteur", "le"
    elif f.civilite == "Mme":
        noun, article = "facilitatrice", "la"
    elif f.civilite == "M.":
        noun, article = "facilitateur", "le"
    else:
        noun, article = "personne chargée de la facilitation de la clause sociale", "la"
    short = noun if f is None or f.civilite else "personne chargée de la facilitation"
    masc = article == "le"
    return {
        "facilitateur": f is not None,
        "le": f"{article} {short}",
        "Le": f"{article.capitalize()} {short}",
        "du": f"du {short}" if masc else f"de la {short}",
        "au": f"au {short}" if masc else f"à la {short}",
        "complet": f"{article} {noun}",
        "pronom": "il" if masc else "elle",
        "nom": None if f is None else (f"{f.civilite} {f.nom}" if f.civilite else f.nom),
        "fonction": None if f is None else {"Mme": "facilitatrice de la clause sociale", "M.": "facilitateur de la clause sociale"}.get(f.civilite, "facilitation de la clause sociale"),
    }


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def shared_texts(actor: dict, follow: FollowUp, condition: Citation | None) -> dict[str, str]:
    fac = actor["facilitateur"]
    recipients = fmt.liste(list(follow.suivi_recipients))
    texts = {
        # The document de suivi: who keeps the original, who receives a copy, who never does.
        "suivi_conservation": fmt.typo(
            f"L'original du document de suivi des compétences est conservé par {follow.suivi_custody}, qui en assure la synthèse "
            f"lorsque la personne effectue plusieurs périodes de travail au titre des clauses sociales ; une copie en est adressée {recipients}. "
            "L'employeur et le titulaire n'en conservent une copie qu'avec l'accord "
            "de la personne ; l'acheteur n'en reçoit pas de copie et n'est informé de la situation des personnes que par des "
            "données agrégées ou pseudonymisées."
        ),
        # When the situation of the persons is followed: one sentence for every piece.
        "suivi_dates": fmt.typo(
            f"La situation des personnes est suivie {follow.dates}, par {follow.tracker}, avec leur accord et sous forme agrégée "
            "pour l'acheteur."
        ),
        # The nominative proofs: held by the holder, seen by the facilitator (or the buyer's referent, without a copy).
        "justificatifs": fmt.typo(
            "Les justificatifs nominatifs (contrats de travail ou déclarations préalables à l'embauche, attestations de mise à "
            "disposition, relevés d'heures, validations d'éligibilité) sont conservés par le titulaire, qui les présente "
            + (f"{actor['au']} à sa demande" if fac else f"{actor['au']}, qui les consulte sans en conserver de copie")
            + " ; l'acheteur ne reçoit que des données agrégées ou pseudonymisées."
        ),
        # The state of hours: each person by an order number, the date and author of the eligibility check, never
        # the category (disability is health data, « sous main de justice » data on offences: GDPR art. 9 and 10).
        "etat_heures": fmt.typo(
            "Dans l'état des heures, chaque personne est désignée par un numéro d'ordre et n'y figurent que les heures réalisées, "
            "la modalité de réalisation, la date de la vérification de son éligibilité et l'organisme qui l'a faite ; la catégorie "
            "d'éligibilité de la personne n'y figure jamais."
        ),
        # Personal data: the subject agrees with the verb, with or without a facilitator.
        "rgpd": fmt.typo(
            ("Le titulaire, l'acheteur et " + actor["le"] if fac else "Le titulaire et l'acheteur")
            + " traitent chacun ces données dans le respect du règlement (UE) 2016/679 du 27 avril 2016 (règlement général sur "
            "la protection des données) et de la loi n° 78-17 du 6 janvier 1978 relative à l'informatique, aux fichiers et aux "
            "libertés, et ne les conservent que le temps nécessaire au suivi et au contrôle de l'exécution du marché."
        ),
    }
    if condition:
        texts["fondement_condition"] = fmt.typo(f"condition d'exécution à caractère social, prise sur le fondement des {condition.text}"
                                                if condition.text.startswith("articles") else
                                                f"condition d'exécution à caractère social, prise sur le fondement de l'{condition.text}")
    return texts
