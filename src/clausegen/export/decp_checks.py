"""What the DECP export says about its records: the summary and legend of the missing fields, the draft
marker a file carries until it is publishable, and the validation against the bundled official schema
(``schema_decp_v2.0.3.json``), in French, record by record."""

from __future__ import annotations

from .. import fmt
from . import decp_schema, load_codelists

# A draft carries this top-level key beside « marches » (the schema's root allows other keys; its records do
# not): a script that saves the output can tell a draft from a publishable file, which never has it.
DRAFT_KEY = "brouillon"


def draft_marker(infos, version: str) -> dict:
    """The ``"brouillon"`` object of a file that is not publishable: why, and what each record lacks."""
    return {
        "publiable": False,
        "motif": (
            f"Brouillon de données essentielles (DECP {version}) : des champs obligatoires manquent ou des valeurs sont refusées. "
            "Ne le publiez pas ; « clausegen export decp --strict » n'écrit que des fichiers publiables, sans cette clé."
        ),
        "marches": [
            {"lot": i.lot, "id": i.id, "champsManquants": list(i.missing), "refus": list(i.refused)}
            for i in infos if i.missing or i.refused
        ],
    }


def summary(infos, required: dict, version: str) -> tuple[list[str], str | None]:
    """What the file is and what each record lacks; the legend of the missing fields (the profile key that
    fills each)."""
    count = len(infos)
    records = "un marché" if count == 1 else f"{fmt.nombre(count)} marchés, un par lot"
    notes = []
    if any(i.missing for i in infos):
        notes.append(
            f"Brouillon des données essentielles (DECP {version}) pré-rempli d'après le profil : {records}. "
            "Il porte la clé « brouillon » et n'est publiable qu'une fois complet ; « clausegen export decp --strict » le vérifie contre le schéma officiel."
        )
        lines = []
        for info in infos:
            before = [n for n in info.missing if not required[n]["apres_attribution"]]
            after = [n for n in info.missing if required[n]["apres_attribution"]]
            parts = ([", ".join(before)] if before else []) + ([f"après l'attribution : {', '.join(after)}"] if after else [])
            if parts:
                lines.append(f"  - {info.designation()} : {' ; '.join(parts)}")
        missing = {n for i in infos for n in i.missing}
        legend = [f"  - {name} : {entry['label']} ; {entry['rempli_par']}" for name, entry in required.items() if name in missing]
        notes.append("Champs obligatoires des DECP que le profil ne permet pas de remplir, marché par marché :\n" + "\n".join(lines))
        return notes, "Ce qu'ils attendent et ce qui les remplit :\n" + "\n".join(legend)
    if any(i.refused for i in infos):
        notes.append(
            f"Brouillon des données essentielles (DECP {version}) : {records}, tous les champs obligatoires remplis, mais des valeurs "
            "sont refusées (ci-dessous) ; il porte la clé « brouillon » et « clausegen export decp --strict » le refuse."
        )
        return notes, None
    notes.append(f"Données essentielles (DECP {version}) : {records}, tous les champs obligatoires remplis.")
    return notes, None


# --------------------------------------------------------------------------------------------------
# Validation against the bundled official schema (--strict)
# --------------------------------------------------------------------------------------------------


def validate_decp(data: dict, records: list | None = None) -> list[str]:
    """French messages for every error of ``data`` against ``schema_decp_v2.0.3.json``, each naming the record
    (its lot and identifier when ``records`` is given) and the field."""
    from jsonschema import Draft7Validator

    codes = load_codelists()
    required = codes.lists["decp.required_fields"]["values"]
    validator = Draft7Validator(decp_schema())
    absent: dict[tuple[str, str], list[str]] = {}  # required fields missing, gathered per object
    messages = []
    for error in sorted(validator.iter_errors(data), key=lambda e: [str(p) for p in e.absolute_path]):
        path = list(error.absolute_path)
        where = "fichier"
        if len(path) >= 3 and path[:2] == ["marches", "marche"] and isinstance(path[2], int):
            index = path[2]
            info = records[index] if records and index < len(records) else None
            where = f"marché n° {index + 1}" + (f" ({info.designation()})" if info else "")
            path = path[3:]
        if error.validator == "required":
            prefix = ".".join(str(p) for p in path if not isinstance(p, int))
            missing = error.message.split("'")[1]
            absent.setdefault((where, prefix), []).append(f"{prefix}.{missing}" if prefix else missing)
            continue
        messages.append(f"{where} : {_french(error, path)}")
    gathered = []
    for (where, _), names in absent.items():
        order = list(required)
        names.sort(key=lambda n: order.index(n) if n in order else len(order))
        word = "champ obligatoire absent" if len(names) == 1 else "champs obligatoires absents"
        gathered.append(f"{where} : {word} : {', '.join(names)}.")
    return gathered + messages


def _french(error, path: list) -> str:
    name = ".".join(str(p) for p in path if not isinstance(p, int)) or "marché"
    kind, value = error.validator, error.instance
    shown = f"« {value} »" if isinstance(value, (str, int, float)) and not isinstance(value, bool) else "la valeur"
    if kind == "enum":
        allowed = ", ".join(f"« {v} »" for v in error.validator_value)
        return f"{name} : {shown} n'est pas une valeur admise (valeurs admises : {allowed})."
    if kind == "type":
        return f"{name} : {shown} n'est pas du type attendu ({error.validator_value})."
    if kind in ("minimum", "maximum"):
        word = "inférieur au minimum" if kind == "minimum" else "supérieur au maximum"
        return f"{name} : {shown} est {word} admis ({error.validator_value})."
    if kind in ("minLength", "maxLength"):
        return f"{name} : {shown} compte {len(value)} caractères ; le schéma en admet {'au moins' if kind == 'minLength' else 'au plus'} {error.validator_value}."
    if kind == "pattern":
        return f"{name} : {shown} n'a pas la forme attendue (motif {error.validator_value})."
    if kind == "additionalProperties":
        return f"{name} : champ inconnu du schéma ({error.message})."
    if kind in ("minItems", "uniqueItems"):
        return f"{name} : la liste est vide ou contient deux fois la même valeur."
    return f"{name} : valeur refusée par le schéma ({kind})."
