"""Guided start (``clausegen init``): the answers a buyer gives, their validation, the commented profile.

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

from .errors import ClausegenError, OutputError, ProfileError
from .law.registry import load_registry
from .model import NATURES, PERIODICITES
from .profile.build import MAX_HOURLY_COST
from .profile.values import ValueProblem, parse_amount, parse_date, parse_rate

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
    intitule: str
    bases: list[str]  # canonical names (registry), in the order given
    montant_ht: Decimal | None = None
    minimum_ht: Decimal | None = None  # accord-cadre à bons de commande
    maximum_ht: Decimal | None = None
    part_main_oeuvre: Decimal | None = None
    ponderation: Decimal | None = None  # criterion weighting, when the bases include critere_attribution


@dataclass
class Answers:
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
    from .profile.load import _suggest as suggest

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
    from .profile.schema import profile_schema

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
    """The first day the registry's legal bases are dated from: the rules cannot be read before it."""
    from .law.registry import _as_date

    return max(min(_as_date(k) for k in entry["articles"]) for entry in load_registry().bases.values())


def check_date(value) -> _dt.date:
    day = _wrap(parse_date, str(value).strip())
    first = earliest_date()
    if day < first:
        from .fmt import date_longue

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
    from .profile.schema import profile_schema

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


# -- the profile ----------------------------------------------------------------------------------


def write_profile(answers: Answers, path, *, force: bool = False, today: _dt.date | None = None):
    """Write the commented profile of ``answers`` to ``path`` and return its hours (``MarketHours``).

    The text is written to a temporary file next to ``path``, loaded with ``load_profile`` and computed
    (the per-lot working becomes a comment), then moved into place; on any error nothing is written.
    Raises ``OutputError`` when ``path`` exists and ``force`` is false, ``AnswersError`` when the answers
    are incomplete."""
    from .calc import compute_hours
    from .profile.load import load_profile

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
    """``OutputError`` when ``path`` cannot receive the profile (existing without ``force``, a folder…)."""
    if path.is_dir():
        raise OutputError(f"{path} est un dossier : indiquez le nom du fichier de profil à écrire, comme {path / 'profil.yaml'}.")
    if not path.parent.is_dir():
        raise OutputError(f"{path} : le dossier « {path.parent} » n'existe pas.")
    if path.exists() and not force:
        raise OutputError(f"{path} existe déjà : rien n'a été écrit. Ajoutez --force pour le remplacer, ou choisissez un autre nom.")


_RULE = "# " + "-" * 105


def _comment(text: str, indent: int = 0) -> str:
    """``text`` as « # » comment lines wrapped at 110 columns, never between a word and its « : » or « % »;
    the no-break spaces become plain ones, so that the file reads the same in any editor."""
    import textwrap

    from .fmt import typo

    pad = " " * indent + "# "
    wrapped = (textwrap.fill(typo(part), 110, initial_indent=pad, subsequent_indent=pad) if part else pad.rstrip() for part in text.split("\n"))
    return "\n".join(wrapped).replace("\u00a0", " ").replace("\u202f", " ")


_PLAIN_ARGUMENT = re.compile(r"[A-Za-z0-9_\-.:/\\]+")  # nothing cmd or PowerShell reads (« , » makes an array, « @ » splats)


def shell_quote(argument, *, windows: bool | None = None) -> str:
    """``argument`` as it must be typed in the user's shell for a printed command to be pasted as is.

    POSIX shells: ``shlex.quote`` (single quotes). Windows (``cmd`` and PowerShell, ``windows`` by default on
    Windows): double quotes around anything but letters, digits and ``-_.:/\\``, the backslashes that end
    the argument doubled so that the closing quote stays a quote (``"C:\\Marchés 2027\\"``)."""
    import shlex

    text = str(argument)
    if windows is None:
        windows = os.name == "nt"
    if not windows:
        return shlex.quote(text)
    if text and _PLAIN_ARGUMENT.fullmatch(text):
        return text
    trailing = len(text) - len(text.rstrip("\\"))
    return '"' + text.replace('"', '""') + "\\" * trailing + '"'


def _banner(title: str, note: str = "") -> str:
    return "\n".join([_RULE, f"# {title}", *([_comment(note)] if note else []), _RULE])


def _scalar(text: str) -> str:
    """A plain YAML scalar when it reads back as the same text, else a double-quoted one."""
    import json

    from .profile.load import _yaml

    if text == text.strip() and not re.search(r"^[-?:,\[\]{}#&*!|>'\"%@`]|: | #|:$", text):
        try:
            if _yaml().load(f"k: {text}\n") == {"k": text}:
                return text
        except Exception:  # noqa: BLE001 - any parse failure: quote it
            pass
    return json.dumps(text, ensure_ascii=False)


def _amount(value: Decimal) -> str:
    if value == value.to_integral_value():
        return str(int(value))
    units, cents = format(value, "f").split(".")
    return f'"{int(units):,} €"'.replace(",", " ").replace(" €", f",{cents} €")


def _rate(value: Decimal) -> str:
    return format((value * 100).normalize(), "f").replace(".", ",") + " %"


def practice_hint(name: str, on: _dt.date, *, capital: bool = True) -> str:
    """« taux … : 5 %, 7 % ou 10 % (à confirmer) » from the registry's practice figures."""
    from .fmt import liste

    law = load_registry()
    fact = law.practice(name, on)
    values = liste(fact.value, "ou") if len(fact.value) != 2 or "fourchette" not in name else f"{fact.value[0]} à {fact.value[1]}"
    label = law.practice_entry(name)["label"]
    return f"{label[0].upper() if capital else label[0]}{label[1:]} : {values}" + (" (à confirmer)" if fact.uncertain else "")


def profile_text(answers: Answers, *, name: str = "profil.yaml", hours=None, today: _dt.date | None = None) -> str:
    """The commented YAML profile of ``answers``; ``hours`` (``MarketHours``) adds each lot's working."""
    from .fmt import liste

    law = load_registry()
    on = answers.date_publication or today or _dt.date.today()
    a = answers
    lines = [
        _comment(f"Profil du marché {a.reference}, écrit par « clausegen init ». Relisez chaque valeur : ce qui suit un « # » "
                 "est un commentaire, ignoré par l'outil. Ce qui n'a pas été renseigné figure en commentaire ; la revue "
                 "(« clausegen check ») le signale."),
        "#", "# Ensuite :",
        f"#   clausegen calc {shell_quote(name)}               heures d'insertion et calcul détaillé",
        f"#   clausegen check {shell_quote(name)}              revue comme le ferait la plateforme régionale des achats",
        f"#   clausegen render {shell_quote(name)} -o dce/     les sept documents .docx",
        "#",
        _comment("Autocomplétion dans l'éditeur : « clausegen schema > profil.schema.json », puis ajoutez en première ligne "
                 "« # yaml-language-server: $schema=profil.schema.json »."),
        "#", "# Rappels de syntaxe YAML :",
        "#   - l'indentation (espaces, jamais de tabulation) indique qu'une clé appartient au bloc au-dessus ;",
        "#   - un texte qui contient « : » ou qui commence par un guillemet se met entre guillemets droits \"…\".",
        "", "# Version du format de profil. Toujours 1 ; obligatoire.", "version: 1", "",
        _banner("L'ACHETEUR"), "acheteur:", "  # Nom tel qu'il doit apparaître dans les pièces du marché.", f"  nom: {_scalar(a.acheteur)}",
        _comment(f"Type d'acheteur : {law.buyer_types()[a.type_acheteur]['label']}. Il détermine le seuil européen des fournitures "
                 f"et services. Valeurs possibles : {', '.join(law.buyer_types())}.", 2),
        f"  type: {a.type_acheteur}",
        "  # Facultatif : service, adresse, signataire (nom, qualite).", "",
        _banner("LE MARCHÉ"), "marche:", "  # Référence de la consultation.", f"  reference: {_scalar(a.reference)}",
        "  # Objet du marché, tel qu'il figure dans l'avis de publicité.", f"  objet: {_scalar(a.objet)}",
        f"  # Nature : {liste(NATURES, 'ou')}.", f"  nature: {a.nature}",
        "  # Durée totale d'exécution en mois, reconductions et tranches comprises.", f"  duree_mois: {a.duree_mois}",
        _comment("true si le marché s'exécute dans un quartier prioritaire de la politique de la ville (QPV) ou à proximité : "
                 "les documents demandent alors de privilégier le recrutement de ses résidents (priorité, jamais condition).", 2),
        f"  qpv: {'true' if a.qpv else 'false'}",
        _comment("Date de lancement de la consultation (AAAA-MM-JJ) : les règles datées du registre juridique (seuils, "
                 "articles) s'appliquent à cette date" + (" ; à défaut, la date du jour." if a.date_publication is None else "."), 2),
        f"  date_publication: {a.date_publication.isoformat()}" if a.date_publication else "  # date_publication: AAAA-MM-JJ",
        "  # Facultatif : cpv (comme 45453000-7), procedure, lieu_execution, ccag.", "",
        _banner("LE FACILITATEUR DE LA CLAUSE SOCIALE", "Il aide à calibrer les heures, oriente les candidats vers les publics éligibles et suit la réalisation des heures."),
    ]
    if a.facilitateur:
        lines += ["facilitateur:", f"  nom: {_scalar(a.facilitateur)}"]
        lines += [f"  structure: {_scalar(a.facilitateur_structure)}"] if a.facilitateur_structure else ["  # structure: maison de l'emploi, PLIE, collectivité…"]
        lines += [f"  courriel: {_scalar(a.facilitateur_courriel)}"] if a.facilitateur_courriel else ["  # courriel: prenom.nom@exemple.fr"]
        lines += ["  # telephone: (facultatif)"]
    else:
        lines += [_comment("Aucun facilitateur n'est indiqué : la revue le signalera, et les documents confient son rôle au service "
                           "acheteur. Pour en désigner un, retirez les « # » des lignes suivantes et complétez-les."),
                  "# facilitateur:", "#   nom:", "#   structure:", "#   courriel:"]
    lines += ["", _banner("LE CALCUL DES HEURES D'INSERTION", "heures = montant HT × part de main-d'œuvre ÷ coût horaire × taux d'insertion\n"
                          "Ces valeurs valent pour tous les lots ; un lot peut remplacer chacune d'elles.")]
    calc = [_comment("Coût horaire moyen chargé de la main-d'œuvre, en € HT de l'heure : hypothèse à calibrer avec le facilitateur.", 2)]
    calc += [f"  cout_horaire: {_amount(a.cout_horaire)}"] if a.cout_horaire is not None else ["  # cout_horaire:"]
    calc += ["  # Taux d'insertion : part des heures de main-d'œuvre réservée aux personnes en insertion.",
             _comment(f"{practice_hint('taux_insertion_usuels', on)} ; {practice_hint('taux_insertion_fourchette', on, capital=False)}.", 2)]
    calc += [f"  taux_insertion: {_rate(a.taux_insertion)}"] if a.taux_insertion is not None else ["  # taux_insertion:"]
    calc += ["  # La part de main-d'œuvre est donnée lot par lot (part_main_oeuvre)."]
    active = a.cout_horaire is not None or a.taux_insertion is not None
    lines += ["calcul:" if active else "# calcul:", *calc, ""]
    lines += [_banner("LES MODALITÉS D'EXÉCUTION DE LA CLAUSE", "Aucun texte ne fixe ces valeurs : elles relèvent de l'acheteur, "
                      "l'outil n'en suppose aucune. Laissées vides, le CCAP porte une mention « à compléter » et la revue le signale.")]
    execution = ["  # Pénalité par heure d'insertion non réalisée, en € HT (plus que le coût horaire, pour rester dissuasive)."]
    execution += [f"  penalite_par_heure: {_amount(a.penalite_par_heure)}"] if a.penalite_par_heure is not None else ["  # penalite_par_heure:"]
    execution += [f"  # Périodicité des états de suivi : {liste(PERIODICITES, 'ou')}."]
    execution += [f"  periodicite_suivi: {a.periodicite_suivi}"] if a.periodicite_suivi else ["  # periodicite_suivi:"]
    execution += ["  # Facultatif : penalite_retard_jour, plafond_penalites, delai_justificatifs_jours, plan_action_jours,",
                  "  # publics, priorite_qpv, apprentissage, mutualisation (voir le README)."]
    active = a.penalite_par_heure is not None or a.periodicite_suivi is not None
    lines += ["execution:" if active else "# execution:", *execution, ""]
    aliases = ", ".join(f"{n} ({law.basis(n)['former'][0]['alias']})" for n in law.basis_names())
    lines += [_banner("LES LOTS", f"base_legale : {aliases}, ou une liste de bases comme [condition_execution, critere_attribution]."), "lots:"]
    for numero, lot in enumerate(a.lots, 1):
        lines += [f"  - numero: {numero}", f"    intitule: {_scalar(lot.intitule)}"]
        for basis in lot.bases:
            try:
                refs = f" : {law.cite(*law.articles(basis, on).value)}"
            except LookupError:
                refs = ""
            lines.append(_comment(f"{law.basis(basis)['label'][0].upper()}{law.basis(basis)['label'][1:]}{refs}.", 4))
        lines.append(f"    base_legale: {lot.bases[0] if len(lot.bases) == 1 else '[' + ', '.join(lot.bases) + ']'}")
        if lot.montant_ht is not None:
            lines += ["    # Montant estimé du lot, en € HT.", f"    montant_ht: {_amount(lot.montant_ht)}"]
        if lot.minimum_ht is not None or lot.maximum_ht is not None:
            lines += ["    # Accord-cadre à bons de commande : heures fermes sur le minimum, plafond indicatif sur le maximum.", "    accord_cadre:"]
            lines += [f"      minimum_ht: {_amount(lot.minimum_ht)}"] if lot.minimum_ht is not None else []
            lines += [f"      maximum_ht: {_amount(lot.maximum_ht)}"] if lot.maximum_ht is not None else []
        if lot.part_main_oeuvre is not None:
            lines += ["    # Part de la main-d'œuvre dans le montant du lot.", f"    part_main_oeuvre: {_rate(lot.part_main_oeuvre)}"]
        if hours is not None:
            lines.append(_comment(f"Heures : {hours.lot(numero).raison}", 4))
        if lot.ponderation is not None:
            lines += ["    critere:", _comment(f"Pondération du critère d'insertion dans la note finale. {practice_hint('ponderation_fourchette', on)}.", 6),
                      f"      ponderation: {_rate(lot.ponderation)}",
                      "      # Sous-critères notés sur 100 points (facultatif) :", "      # sous_criteres:", "      #   - libelle:", "      #     points:"]
    return "\n".join(lines) + "\n"
