"""The JSON Schema of profile format version 1.

One schema serves two purposes: ``clausegen schema`` prints it for editors (yaml-language-server), and the
loader validates the structure of every profile with it before parsing values. Enumerations come from the
legal registry, so a basis added there is accepted everywhere at once.
"""

from __future__ import annotations

from functools import lru_cache

from ..law.registry import load_registry
from ..model import (
    APPRENTISSAGE,
    CONSIDERATIONS_ENVIRONNEMENTALES,
    FORMES_PRIX,
    GROUPEMENTS,
    LIEU_TYPES,
    MINIMUM_SCOPES,
    MODALITES_EXECUTION,
    NATURES,
    PERIODICITES,
    PROCEDURES,
    ROUNDING_MODES,
    TECHNIQUES,
    TYPES_PRIX,
)

SCHEMA_ID = "https://clausegen.invalid/schema/profil-v1.json"

_TEXT = {"type": "string", "minLength": 1}
# Labels of the domain cannot hold a dot, so the match is linear; « [^@\s]+\.[^@\s]+$ » backtracked
# quadratically on a long run of dots (100 000 characters: minutes).
EMAIL_PATTERN = r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)+$"
_RATE = {
    "type": ["string", "number"],
    "description": "Taux : « 7 % », « 7,5 % » ou fraction 0.07.",
    "examples": ["7 %", "40 %", 0.07],
}
_ARTICLE = {
    "type": ["string", "integer"],
    "pattern": r"^[0-9]{1,3}(\.[0-9]{1,3}){0,2}$",
    "minimum": 1,
    "maximum": 999,
    "examples": [12, "7.3"],
}
_AMOUNT = {
    "type": ["string", "number"],
    "description": "Montant en euros HT : 850000 ou « 1 250 000,50 € ».",
    "examples": [850000, "1 250 000,50 €"],
}

_PENALTY = {
    "type": ["string", "number"],
    "description": "Montant en euros HT, ou « aucune » pour ne prévoir aucune pénalité.",
    "examples": [150, "aucune"],
}


def _obj(properties: dict, required: tuple[str, ...] = (), description: str = "") -> dict:
    schema = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def _desc(schema: dict, description: str, **extra) -> dict:
    return {**schema, "description": description, **extra}


@lru_cache(maxsize=1)
def profile_schema() -> dict:
    from .build import publication_range

    law = load_registry()
    bases = sorted(set(law.basis_names()) | set(law.alias_names()), key=str.lower)
    base_item = _desc(
        {"type": "string", "enum": bases},
        "Base juridique : " + ", ".join(law.basis_names()) + " (ou alias art38, art52, art28, art36-1, art36-2…).",
    )
    derogation = _obj(
        {
            "cas": _desc(
                {"enum": list(law.derogations())},
                "Cas de dérogation prévu par la loi : "
                + " ; ".join(f"{code} ({entry['label']})" for code, entry in law.derogations().items())
                + ".",
            ),
            "motif": _desc(_TEXT, "Motif de la dérogation, propre au marché, reporté dans la fiche de caractérisation."),
        },
        required=("cas", "motif"),
        description="Dérogation à la condition d'exécution sociale obligatoire au-delà des seuils européens (liste fermée de cas).",
    )
    lot = _obj(
        {
            "numero": _desc({"type": "integer", "minimum": 1, "maximum": 9999}, "Numéro du lot, unique dans le marché."),
            "intitule": _desc(_TEXT, "Intitulé du lot."),
            "base_legale": _desc(
                {"oneOf": [base_item, {"type": "array", "items": base_item, "minItems": 1, "uniqueItems": True}]},
                "Base juridique du lot, ou liste de bases ([art38, art52]).",
            ),
            "montant_ht": _desc(_AMOUNT, "Montant estimé du lot, en euros HT."),
            "accord_cadre": _obj(
                {
                    "minimum_ht": _desc(_AMOUNT, "Montant minimum de commandes (€ HT) : porte les heures fermes."),
                    "maximum_ht": _desc(_AMOUNT, "Montant maximum de commandes (€ HT), obligatoire depuis 2022 (R2162-4) : valeur estimée du lot et plafond indicatif des heures."),
                    "minimum_porte_sur": _desc({"enum": list(MINIMUM_SCOPES)}, "Marché reconductible : le minimum est celui de chaque période (periode) ou de toute la durée (duree_totale)."),
                },
                required=("maximum_ht",),
                description="Accord-cadre à bons de commande : maximum obligatoire, minimum facultatif.",
            ),
            "part_main_oeuvre": _desc(_RATE, "Part de la main-d'œuvre dans le montant du lot."),
            "cout_horaire": _desc(_AMOUNT, "Coût horaire moyen chargé de la main-d'œuvre (€ HT par heure)."),
            "taux_insertion": _desc(_RATE, "Part des heures de main-d'œuvre réservée à l'insertion."),
            "heures": _desc({"type": "integer", "minimum": 1, "maximum": 10_000_000}, "Volume d'heures imposé, qui remplace le calcul."),
            "justification": _desc(_TEXT, "Raison d'un volume d'heures imposé."),
            "critere": _obj(
                {
                    "ponderation": _desc(_RATE, "Pondération du critère d'insertion dans la note finale."),
                    "sous_criteres": {
                        "type": "array",
                        "description": "Sous-critères notés, avec leurs points.",
                        "items": _obj(
                            {
                                "libelle": _desc(_TEXT, "Intitulé du sous-critère."),
                                "points": _desc({"type": "integer", "minimum": 1, "maximum": 100}, "Points du sous-critère."),
                            },
                            required=("libelle", "points"),
                        ),
                    },
                },
                description="Critère d'attribution relatif à l'insertion (base critere_attribution).",
            ),
            "metiers": _desc({"type": "array", "items": _TEXT}, "Métiers ou postes susceptibles d'être proposés."),
            "titulaire": _obj(
                {
                    "nom": _desc(_TEXT, "Raison sociale du titulaire."),
                    "siret": _desc({"type": ["string", "integer"]}, "SIRET (14 chiffres)."),
                },
                required=("nom", "siret"),
                description="Entreprise attributaire, une fois le lot attribué.",
            ),
            "derogation_clause_sociale": derogation,
            **_lot_open_data(),
        },
        required=("numero", "intitule", "base_legale"),
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Profil de marché clausegen (version 1)",
        "description": "Profil d'un marché public portant une clause sociale d'insertion.",
        "type": "object",
        "additionalProperties": False,
        "required": ["version", "acheteur", "marche", "lots"],
        "properties": {
            "version": _desc({"const": 1}, "Version du format de profil : 1."),
            "acheteur": _obj(
                {
                    "nom": _desc(_TEXT, "Nom de l'acheteur."),
                    "type": _desc({"enum": list(law.buyer_types())}, "Type d'acheteur (maître d'ouvrage)."),
                    "service": _desc(_TEXT, "Service acheteur."),
                    "adresse": _desc(_TEXT, "Adresse postale."),
                    "signataire": _obj(
                        {"nom": _desc(_TEXT, "Nom du signataire."), "qualite": _desc(_TEXT, "Qualité du signataire.")},
                        description="Représentant du pouvoir adjudicateur.",
                    ),
                    "siret": _desc({"type": ["string", "integer"]}, "SIRET de l'acheteur (14 chiffres), vérifié par sa clé : identifiant de l'acheteur dans les données essentielles (DECP, acheteur.id)."),
                },
                required=("nom", "type"),
            ),
            "marche": _obj(
                {
                    "reference": _desc(_TEXT, "Référence du marché."),
                    "objet": _desc(_TEXT, "Objet du marché."),
                    "nature": _desc({"enum": list(NATURES)}, "Nature du marché."),
                    "duree_mois": _desc({"type": "integer", "minimum": 1, "maximum": 600}, "Durée totale en mois, reconductions comprises."),
                    "qpv": _desc({"type": "boolean"}, "Exécuté dans ou à proximité d'un quartier prioritaire de la politique de la ville."),
                    "date_publication": _desc({"type": "string", "format": "date"}, "Date de lancement de la consultation (AAAA-MM-JJ), du {} au {} : le registre juridique décrit les règles à partir de la première.".format(*(d.isoformat() for d in publication_range(law)))),
                    "cpv": _desc({"type": "string", "pattern": r"^[0-9]{8}(-[0-9])?$"}, "Code CPV principal, comme 45453000-7."),
                    "procedure": _desc(
                        {"enum": list(PROCEDURES)},
                        "Procédure de passation.",
                    ),
                    "lieu_execution": _desc(_TEXT, "Lieu principal d'exécution."),
                    "ccag": _desc({"enum": list(law.data["ccag"]) + ["aucun"]}, "CCAG auquel le marché se réfère."),
                    "derogation_clause_sociale": derogation,
                    "defense_securite": _desc({"type": "boolean"}, "Marché de défense ou de sécurité : hors du champ de la condition sociale obligatoire."),
                    "reconduction": _obj(
                        {
                            "periode_initiale_mois": _desc({"type": "integer", "minimum": 1, "maximum": 600}, "Durée de la période initiale, en mois."),
                            "nombre": _desc({"type": "integer", "minimum": 1, "maximum": 50}, "Nombre de reconductions possibles."),
                            "periode_mois": _desc({"type": "integer", "minimum": 1, "maximum": 600}, "Durée de chaque période de reconduction, en mois."),
                        },
                        required=("periode_initiale_mois", "nombre", "periode_mois"),
                        description="Marché reconductible : la période initiale plus les reconductions font « duree_mois ».",
                    ),
                    "article_ccap": _desc(_ARTICLE, "Numéro de l'article du CCAP qui accueille la clause (« 12 » : sous-articles 12.1, 12.2…)."),
                    "article_rc": _desc(_ARTICLE, "Numéro de l'article du règlement de la consultation qui accueille la clause."),
                    **_market_open_data(),
                },
                required=("reference", "objet", "nature", "duree_mois"),
            ),
            "facilitateur": _obj(
                {
                    "nom": _desc(_TEXT, "Nom du facilitateur de la clause sociale."),
                    "structure": _desc(_TEXT, "Structure (maison de l'emploi, PLIE…)."),
                    "courriel": _desc({"type": "string", "maxLength": 254, "pattern": EMAIL_PATTERN}, "Adresse électronique."),
                    "telephone": _desc(_TEXT, "Téléphone."),
                    "civilite": _desc({"enum": ["M.", "Mme"]}, "Civilité du facilitateur (M. ou Mme) : accorde « facilitateur » ou « facilitatrice » ; sans elle, la rédaction est épicène."),
                },
                required=("nom",),
            ),
            "calcul": _obj(
                {
                    "cout_horaire": _desc(_AMOUNT, "Coût horaire moyen chargé (€ HT par heure), pour tous les lots."),
                    "taux_insertion": _desc(_RATE, "Taux d'insertion pour tous les lots."),
                    "part_main_oeuvre": _desc(_RATE, "Part de main-d'œuvre pour tous les lots."),
                    "arrondi": _obj(
                        {
                            "pas": _desc({"type": "integer", "minimum": 1, "maximum": 100}, "Pas d'arrondi en heures (1, 5, 10…)."),
                            "mode": _desc({"enum": list(ROUNDING_MODES)}, "au_plus_proche (demi supérieur), inferieur ou superieur."),
                        },
                        description="Règle d'arrondi des heures (par défaut : à l'heure la plus proche, demi supérieur).",
                    ),
                },
                description="Valeurs par défaut du calcul ; chaque lot peut les remplacer.",
            ),
            "execution": _obj(
                {
                    "penalite_par_heure": _desc(_PENALTY, "Pénalité par heure d'insertion non réalisée (€ HT), ou « aucune »."),
                    "penalite_retard_jour": _desc(_PENALTY, "Pénalité par jour de retard dans la remise du plan d'action, des états de suivi ou des justificatifs (€ HT), ou « aucune »."),
                    "plafond_penalites": _desc(_RATE, "Plafond des pénalités d'insertion, en part du montant HT du lot."),
                    "periodicite_suivi": _desc({"enum": list(PERIODICITES)}, "Périodicité des états de suivi transmis par le titulaire."),
                    "delai_justificatifs_jours": _desc({"type": "integer", "minimum": 1, "maximum": 90}, "Délai de remise des justificatifs demandés, en jours ouvrés."),
                    "plan_action_jours": _desc({"type": "integer", "minimum": 1, "maximum": 180}, "Délai de remise du plan d'action d'insertion après notification, en jours."),
                    "publics": _desc({"type": "array", "items": _TEXT, "minItems": 1}, "Publics éligibles retenus (codes : " + ", ".join(law.publics()) + ")."),
                    "priorite_qpv": _desc({"type": "boolean"}, "Priorité aux résidents des quartiers prioritaires (par défaut : valeur de marche.qpv)."),
                    "apprentissage": _desc({"enum": list(APPRENTISSAGE)}, "Prise en compte des contrats d'apprentissage et de professionnalisation."),
                    "mutualisation": _desc({"type": "boolean"}, "Mutualisation des heures entre marchés d'un même titulaire admise."),
                },
                description="Modalités d'exécution de la clause que seul l'acheteur peut fixer.",
            ),
            "lots": {"type": "array", "minItems": 1, "items": lot, "description": "Lots du marché (un marché non alloti a un seul lot)."},
        },
    }


# -- open data (DECP v2.0.3): stable facts of the contract, then what the award of each lot fixes ------------
# Values are the schema's lists (schema_decp_v2.0.3.json), spelt as profile values; law/data/codelists.yaml maps
# them back to the schema's labels.
_DATE = {"type": "string", "format": "date"}


def _choices(values, description: str) -> dict:
    return _desc({"type": "array", "items": {"enum": list(values)}, "minItems": 1, "uniqueItems": True}, description)


def _market_open_data() -> dict:
    return {
        "lieu_execution_code": _obj(
            {
                "type": _desc({"enum": list(LIEU_TYPES)}, "Type de code : postal (code postal), ou code INSEE de la commune, de l'arrondissement, du canton, du département, de la région ou du pays."),
                "code": _desc({"type": ["string", "integer"]}, "Le code : « 21231 » (commune de Dijon), « 21 » (département), « 2B002 » ; entre guillemets s'il commence par 0 (« \"01053\" »)."),
            },
            required=("type", "code"),
            description="Lieu d'exécution principal codé, pour les données essentielles (DECP lieuExecution) ; les codes INSEE sont à privilégier au code postal.",
        ),
        "forme_prix": _desc({"enum": list(FORMES_PRIX)}, "Forme du prix (DECP formePrix) : unitaire, forfaitaire ou mixte."),
        "types_prix": _choices(TYPES_PRIX, "Types de prix (DECP typesPrix) : definitif_ferme, definitif_actualisable, definitif_revisable, provisoire."),
        "techniques": _choices(TECHNIQUES, "Techniques d'achat (DECP techniques) ; « accord_cadre » est ajouté d'office aux lots qui ont un bloc accord_cadre."),
        "modalites_execution": _choices(MODALITES_EXECUTION, "Modalités d'exécution (DECP modalitesExecution) ; « bons_de_commande » est ajouté d'office aux lots qui ont un bloc accord_cadre."),
        "innovant": _desc({"type": "boolean"}, "Marché portant sur des travaux, fournitures ou services innovants (DECP marcheInnovant)."),
        "considerations_environnementales": _choices(CONSIDERATIONS_ENVIRONNEMENTALES, "Considérations environnementales du marché (DECP) : clause (condition d'exécution), critere (critère d'attribution), ou aucune."),
    }


def _lot_open_data() -> dict:
    holder = _obj(
        {"nom": _desc(_TEXT, "Raison sociale du cotraitant."), "siret": _desc({"type": ["string", "integer"]}, "SIRET (14 chiffres).")},
        required=("nom", "siret"),
    )
    own = _market_open_data()
    market = {
        "cpv": _desc({"type": "string", "pattern": r"^[0-9]{8}(-[0-9])?$"}, "Code CPV principal du lot, comme 90911000-6 ; à défaut, celui du marché (marche.cpv)."),
        "duree_mois": _desc({"type": "integer", "minimum": 1, "maximum": 600}, "Durée du marché du lot en mois, reconductions comprises ; à défaut, celle du marché (marche.duree_mois)."),
        **{key: {**own[key], "description": own[key]["description"].replace("environnementales du marché", "environnementales du lot").rstrip(".") + f" ; à défaut, {fallback} (marche.{key})."}
           for key, fallback in (("lieu_execution_code", "celui du marché"), ("forme_prix", "celle du marché"), ("types_prix", "ceux du marché"),
                                 ("innovant", "la valeur du marché"), ("considerations_environnementales", "celles du marché"))},
    }
    return {
        **market,
        "id_decp": _desc({"type": "string", "minLength": 1, "maxLength": 16}, "Identifiant du marché du lot dans les données essentielles (DECP id, 1 à 16 caractères, propre à l'acheteur) ; à défaut, la référence suivie du numéro du lot quand elle tient en 16 caractères."),
        "date_notification": _desc(_DATE, "Date de notification du marché du lot au titulaire (AAAA-MM-JJ), après l'attribution."),
        "offres_recues": _desc({"type": "integer", "minimum": 1, "maximum": 100000}, "Nombre d'offres reçues pour le lot, irrégulières, inacceptables et inappropriées comprises (DECP offresRecues)."),
        "montant_attribue_ht": _desc(_AMOUNT, "Montant du marché notifié (€ HT) : prix de l'offre retenue ; un accord-cadre déclare son maximum sans cette clé."),
        "attribution_avance": _desc({"type": "boolean"}, "Une avance est attribuée au titulaire (DECP attributionAvance)."),
        "sous_traitance_declaree": _desc({"type": "boolean"}, "Le titulaire a déclaré un ou des sous-traitants à la notification (DECP sousTraitanceDeclaree)."),
        "groupement": _desc({"enum": list(GROUPEMENTS)}, "Groupement d'opérateurs titulaire du lot : aucun, conjoint ou solidaire."),
        "cotraitants": _desc({"type": "array", "items": holder, "minItems": 1}, "Autres membres du groupement titulaire (nom, SIRET), le mandataire étant « titulaire »."),
    }
