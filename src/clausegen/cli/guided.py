"""Guided start (``clausegen init``): the answers a buyer gives, their validation, the profile written.

Every answer is checked with the parsers the loader uses (``clausegen.profile.values``), so an answer
accepted here is accepted in the profile. ``write_profile`` writes a commented French profile in the style
of ``profiles/*.yaml``, loads it back with ``load_profile`` and computes its hours before moving it into
place (temporary file then ``os.replace``): a profile that would not load is never written.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..errors import ClausegenError, OutputError, ProfileError
from ..law.registry import load_registry
from ..model import NATURES, PERIODICITES
from ..profile.lots import MAX_HOURLY_COST
from ..profile.values import ValueProblem, parse_amount, parse_date, parse_rate
from .guided_text import profile_text

MAX_PENALTY = Decimal("10000")  # as clausegen.profile.build (penalite_par_heure)


class InvalidAnswer(ClausegenError):
    """One answer refused: what is wrong, what was expected, a suggestion (as the loader's issues)."""

    def __init__(self, message: str, expected: str | None = None, suggestion: str | None = None):
        self.message, self.expected, self.suggestion = message, expected, suggestion
        text = message
        if expected:
            text += f" Attendu : {expected.rstrip('.')}."
        if suggestion:
            text += f" {suggestion}"
        super().__init__(text)


class AnswersError(ClausegenError):
    """Answers missing or invalid; ``issues`` lists every one of them (the CLI counts them)."""

    def __init__(self, problems: list[str]):
        self.issues = problems
        super().__init__("Profil non écrit : réponses manquantes ou invalides.\n" + "\n".join(f"  {p}" for p in problems))


@dataclass
class LotAnswers:
    """The answers ``clausegen init --guide`` collected for one lot."""

    intitule: str
    bases: list[str]  # canonical names (registry), in the order given
    montant_ht: Decimal | None = None
    minimum_ht: Decimal | None = None  # accord-cadre à bons de commande
    maximum_ht: Decimal | None = None
    part_main_oeuvre: Decimal | None = None
    ponderation: Decimal | None = None  # criterion weighting, when the bases include critere_attribution


@dataclass
class Answers:
    """Every answer ``clausegen init --guide`` collected, from which the profile is written."""

    acheteur: str
    type_acheteur: str
    reference: str
    objet: str
    nature: str
    duree_mois: int
    lots: list[LotAnswers] = field(default_factory=list)
    qpv: bool = False
    date_publication: _dt.date | None = None
    facilitateur: str | None = None
    facilitateur_structure: str | None = None
    facilitateur_courriel: str | None = None
    cout_horaire: Decimal | None = None
    taux_insertion: Decimal | None = None
    penalite_par_heure: Decimal | None = None
    periodicite_suivi: str | None = None


# -- validation of single answers -------------------------------------------------------------------


def _wrap(parse, value, **kwargs):
    try:
        return parse(value, **kwargs)
    except ValueProblem as problem:
        raise InvalidAnswer(problem.message, problem.expected, problem.suggestion) from None


def _suggest(value: str, choices) -> str | None:
    from ..profile.suggest import _suggest as suggest

    return suggest(value, choices)


def check_text(value) -> str:
    text = str(value).strip()
    if not text:
        raise InvalidAnswer("la réponse est vide.", "un texte non vide")
    bad = next((c for c in text if unicodedata.category(c) in ("Cc", "Cs", "Zl", "Zp")), None)
    if bad is not None:
        raise InvalidAnswer(f"le texte contient un caractère de contrôle invisible (U+{ord(bad):04X}).", "du texte sur une seule ligne", "Retapez le texte.")
    return text


def _pick(value, choices: list[str], what: str) -> str:
    """A choice given by its menu number or its code (any case)."""
    text = str(value).strip()
    if text.isdigit() and 1 <= int(text) <= len(choices):
        return choices[int(text) - 1]
    for choice in choices:
        if text.lower() == choice.lower():
            return choice
    shown = ", ".join(f"« {c} »" for c in choices)
    raise InvalidAnswer(f"« {text} » n'est pas une valeur admise pour {what}.", f"{shown} (ou son numéro)", _suggest(text, choices))


def check_buyer_type(value) -> str:
    return _pick(value, list(load_registry().buyer_types()), "le type d'acheteur")


def check_nature(value) -> str:
    return _pick(value, list(NATURES), "la nature du marché")


def check_periodicite(value) -> str:
    return _pick(value, list(PERIODICITES), "la périodicité du suivi")


def check_duration(value) -> int:
    from ..profile.schema import profile_schema

    most = profile_schema()["properties"]["marche"]["properties"]["duree_mois"]["maximum"]
    text = re.sub(r"\s*mois\s*$", "", str(value).strip(), flags=re.IGNORECASE)
    if not text.isdigit() or not 1 <= int(text) <= most:
        raise InvalidAnswer(f"« {value} » n'est pas une durée en mois.", f"un nombre entier de mois entre 1 et {most}, reconductions comprises, comme 18")
    return int(text)


def check_yes_no(value) -> bool:
    text = str(value).strip().lower()
    if text in ("o", "oui", "y", "yes", "true", "1"):
        return True
    if text in ("n", "non", "no", "false", "0"):
        return False
    raise InvalidAnswer(f"« {value} » n'est pas une réponse admise.", "« oui » ou « non »")


def earliest_date() -> _dt.date:
    """The first publication date the loader accepts (``profile.build.publication_range``, from the registry)."""
    from ..profile.build import publication_range

    return publication_range()[0]


def check_date(value) -> _dt.date:
    day = _wrap(parse_date, str(value).strip())
    first = earliest_date()
    if day < first:
        from ..fmt import date_longue

        raise InvalidAnswer(f"« {value} » précède le {date_longue(first)}, date à partir de laquelle le registre juridique décrit les règles.", "une date de lancement récente, au format AAAA-MM-JJ")
    return day


def check_rate(value) -> Decimal:
    return _wrap(parse_rate, str(value).strip())


def check_amount(value) -> Decimal:
    return _wrap(parse_amount, str(value).strip())


def check_hourly_cost(value) -> Decimal:
    return _wrap(parse_amount, str(value).strip(), maximum=MAX_HOURLY_COST, unit="€ HT de l'heure")


def check_penalty(value) -> Decimal:
    return _wrap(parse_amount, str(value).strip(), maximum=MAX_PENALTY, unit="€ HT par heure")


def check_email(value) -> str:
    from ..profile.schema import profile_schema

    text = check_text(value)
    pattern = profile_schema()["properties"]["facilitateur"]["properties"]["courriel"]["pattern"]
    if not re.match(pattern, text):
        raise InvalidAnswer(f"« {text} » n'est pas une adresse électronique.", "une adresse comme « prenom.nom@exemple.fr »")
    return text


def check_bases(value) -> list[str]:
    """One or several bases: menu numbers, canonical names or aliases, separated by « + », « , » or spaces."""
    law = load_registry()
    names = law.basis_names()
    tokens = [t for t in re.split(r"[+,\s]+", str(value).strip()) if t]
    if not tokens:
        raise InvalidAnswer("la réponse est vide.", "une base juridique, comme « condition_execution » ou « art38 »")
    found: list[str] = []
    for token in tokens:
        basis = names[int(token) - 1] if token.isdigit() and 1 <= int(token) <= len(names) else law.canonical_basis(token)
        if basis is None:
            shown = ", ".join(f"« {n} »" for n in names)
            aliases = ", ".join(law.basis(n)["former"][0]["alias"] for n in names)
            raise InvalidAnswer(f"base juridique « {token} » inconnue.", f"{shown} (ou les alias {aliases})", _suggest(token, names + law.alias_names()))
        if basis not in found:
            found.append(basis)
    return found


def bears_hours(bases) -> bool:
    law = load_registry()
    return any(law.basis(b)["obligation_heures"] for b in bases)


def lot_problems(lot: LotAnswers, numero: int) -> list[tuple[str, str]]:
    """What a lot still lacks for its profile to load and compute: (field, French sentence) pairs, the field
    being ``montant``, ``part`` or ``ponderation``."""
    where = f"lot {numero} (« {lot.intitule} »)"
    problems = []
    if bears_hours(lot.bases):
        if lot.montant_ht is None and lot.minimum_ht is None and lot.maximum_ht is None:
            problems.append(("montant", f"{where} : montant HT manquant, nécessaire au calcul des heures d'une condition d'exécution."))
        if lot.part_main_oeuvre is None:
            problems.append(("part", f"{where} : part de main-d'œuvre manquante, nécessaire au calcul des heures."))
    if lot.minimum_ht is not None and lot.maximum_ht is None:
        problems.append(("montant", f"{where} : maximum de l'accord-cadre manquant (obligatoire depuis 2022, article R2162-4)."))
    if lot.minimum_ht is not None and lot.maximum_ht is not None and lot.minimum_ht > lot.maximum_ht:
        problems.append(("montant", f"{where} : le minimum de l'accord-cadre dépasse son maximum."))
    if "critere_attribution" in lot.bases and lot.ponderation is None:
        problems.append(("ponderation", f"{where} : pondération du critère d'insertion manquante."))
    return problems


def make_answers(values: dict) -> Answers:
    """``Answers`` from a mapping of checked answers (unknown keys ignored)."""
    return Answers(**{k: v for k, v in values.items() if k in Answers.__dataclass_fields__})


def answers_problems(answers: Answers) -> list[str]:
    """What keeps ``answers`` from giving a profile that loads and computes (French sentences)."""
    problems = [f"{label} manquant." for key, label in (("acheteur", "nom de l'acheteur"), ("reference", "référence"), ("objet", "objet"))
                if not getattr(answers, key)]
    if not answers.lots:
        problems.append("aucun lot : un marché non alloti a un seul lot.")
    if any(bears_hours(lot.bases) for lot in answers.lots):
        problems += [f"{label} manquant, nécessaire au calcul des heures." for key, label in (("cout_horaire", "coût horaire"), ("taux_insertion", "taux d'insertion"))
                     if getattr(answers, key) is None]
    return problems + [text for n, lot in enumerate(answers.lots, 1) for _f, text in lot_problems(lot, n)]


# -- the profile (its text: ``guided_text``) -----------------------------------------------------------


def write_profile(answers: Answers, path, *, force: bool = False, today: _dt.date | None = None):
    """Write the commented profile of ``answers`` to ``path`` and return its hours (``MarketHours``).

    The text is written to a temporary file next to ``path``, loaded with ``load_profile`` and computed
    (the per-lot working becomes a comment), then moved into place; on any error nothing is written.
    Raises ``OutputError`` when ``path`` exists and ``force`` is false, ``AnswersError`` when the answers
    are incomplete."""
    from ..calc import compute_hours
    from ..profile.load import load_profile

    path = Path(path)
    check_destination(path, force=force)
    problems = answers_problems(answers)
    if problems:
        raise AnswersError(problems)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"{path} : écriture impossible ({exc.strerror}).") from None
    tmp_path = Path(tmp)
    try:
        os.close(fd)
        os.chmod(tmp_path, path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask())
        text = profile_text(answers, name=path.name)
        for final in (False, True):
            tmp_path.write_text(text, encoding="utf-8")
            try:
                result = compute_hours(load_profile(tmp_path, today=today))
            except ProfileError as exc:  # an answer the checks above let through: say it, write nothing
                raise AnswersError([str(exc).replace(str(tmp_path), path.name)]) from None
            if not final:
                text = profile_text(answers, name=path.name, hours=result)
        check_destination(path, force=force)  # again: a device put there meanwhile is not replaced either
        os.replace(tmp_path, path)
    except OSError as exc:
        raise OutputError(f"{path} : écriture impossible ({exc.strerror}).") from None
    finally:
        tmp_path.unlink(missing_ok=True)
    return result


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_destination(path: Path, *, force: bool) -> None:
    """``OutputError`` when ``path`` cannot receive the profile: a folder, a missing folder, and the checks of
    every single-file writer (``files.atomic.check_target``): existing without ``force``, a device, a pipe or
    a socket (never replaced, even with ``force``), a read-only file."""
    from ..files.atomic import check_target

    if path.is_dir():
        raise OutputError(f"{path} est un dossier : indiquez le nom du fichier de profil à écrire, comme {path / 'profil.yaml'}.")
    if not path.parent.is_dir():
        raise OutputError(f"{path} : le dossier « {path.parent} » n'existe pas.")
    check_target(path, force=force, example="profil.yaml")


