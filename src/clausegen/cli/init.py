"""``clausegen init``: the guided start. Asks the buyer's questions in French (or reads them from options),
then writes a commented profile with ``clausegen.init.write_profile``.

Interactive when stdin is a terminal (or with ``--interactif``): every answer is checked as soon as it is
typed, with the loader's parsers, and asked again with the French message when refused. Non-interactive
with ``--non-interactif`` or when stdin is not a terminal: nothing is asked, every missing or invalid answer
is listed at once (exit 2) and nothing is written.
"""

from __future__ import annotations

import re
import sys

import click

from ..law.registry import practice_hint
from .base import CONTEXT_SETTINGS, _handle_errors


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


# -- answers given as options -----------------------------------------------------------------------

LOT_SPEC = "INTITULE;BASE;MONTANT;PART"


def check_lot_spec(spec: str):
    """« INTITULE;BASE;MONTANT;PART », e.g. « Gros œuvre;art38;850000;40 % ». MONTANT may be an accord-cadre
    « MINIMUM à MAXIMUM » (either side may be left empty); MONTANT and PART may be empty for a lot that carries
    no hours (reserved lot, marché d'insertion, criterion alone)."""
    from . import guided as i

    fields = [f.strip() for f in str(spec).split(";")]
    if not 2 <= len(fields) <= 4:
        raise i.InvalidAnswer(f"« {spec} » : {len(fields)} champ(s) séparé(s) par « ; ».", f"« {LOT_SPEC} », comme « Gros œuvre;art38;850000;40 % »")
    fields += [""] * (4 - len(fields))
    lot = i.LotAnswers(i.check_text(fields[0]), i.check_bases(fields[1]))
    amount = fields[2]
    framework = re.split(r"\s+à\s+|^à\s+|\s+à$|\.\.", amount, maxsplit=1)
    if len(framework) == 2:
        low, high = (f.strip() for f in framework)
        if not high:
            raise i.InvalidAnswer(f"« {amount} » : accord-cadre sans maximum (obligatoire depuis 2022, article R2162-4).", "« MINIMUM à MAXIMUM » ou « à MAXIMUM », comme « 300000 à 1200000 »")
        lot.minimum_ht = i.check_amount(low) if low else None
        lot.maximum_ht = i.check_amount(high) if high else None
    elif amount:
        lot.montant_ht = i.check_amount(amount)
    if lot.minimum_ht is not None and lot.maximum_ht is not None and lot.minimum_ht > lot.maximum_ht:
        raise i.InvalidAnswer(f"« {amount} » : le minimum de l'accord-cadre dépasse son maximum.", "« MINIMUM à MAXIMUM »", "Vérifiez l'ordre des deux montants.")
    if fields[3]:
        lot.part_main_oeuvre = i.check_rate(fields[3])
    return lot


def check_weighting(spec: str):
    """« 10 % » for every lot bearing the criterion, or « 2=10 % » for lot 2."""
    from . import guided as i

    match = re.fullmatch(r"\s*([0-9]+)\s*=\s*(.*)", str(spec))
    if match:
        return int(match.group(1)), i.check_rate(match.group(2))
    return None, i.check_rate(spec)


def _fields():
    """(key, option, French label, checker, required) — required ``"hours"``: only when a lot carries hours."""
    from . import guided as i

    return (
        ("acheteur", "--acheteur", "nom de l'acheteur", i.check_text, True),
        ("type_acheteur", "--type-acheteur", "type d'acheteur", i.check_buyer_type, True),
        ("reference", "--reference", "référence de la consultation", i.check_text, True),
        ("objet", "--objet", "objet du marché", i.check_text, True),
        ("nature", "--nature", "nature du marché (travaux, fournitures ou services)", i.check_nature, True),
        ("duree_mois", "--duree-mois", "durée totale en mois, reconductions comprises", i.check_duration, True),
        ("date_publication", "--date-publication", "date de lancement de la consultation", i.check_date, False),
        ("facilitateur", "--facilitateur", "nom du facilitateur", i.check_text, False),
        ("facilitateur_structure", "--facilitateur-structure", "structure du facilitateur", i.check_text, False),
        ("facilitateur_courriel", "--facilitateur-courriel", "adresse électronique du facilitateur", i.check_email, False),
        ("cout_horaire", "--cout-horaire", "coût horaire moyen chargé, en € HT de l'heure", i.check_hourly_cost, "hours"),
        ("taux_insertion", "--taux-insertion", "taux d'insertion, comme « 7 % »", i.check_rate, "hours"),
        ("penalite_par_heure", "--penalite-par-heure", "pénalité par heure non réalisée, en € HT", i.check_penalty, False),
        ("periodicite_suivi", "--periodicite-suivi", "périodicité du suivi", i.check_periodicite, False),
    )


def parse_options(raw: dict) -> tuple[dict, list[str]]:
    """Check the answers given as options (``None``: not given): the parsed answers, and one French line
    for each refused one. ``lots`` holds the ``--lot`` specs, ``ponderations`` the ``--ponderation`` ones."""
    from . import guided as i

    parsed: dict = {}
    problems: list[str] = []
    for key, option, _label, check, _required in _fields():
        if raw.get(key) is not None:
            try:
                parsed[key] = check(raw[key])
            except i.InvalidAnswer as exc:
                problems.append(f"{option} : {exc}")
    if raw.get("qpv") is not None:
        parsed["qpv"] = bool(raw["qpv"])
    lots = []
    for spec in raw.get("lots") or ():
        try:
            lots.append(check_lot_spec(spec))
        except i.InvalidAnswer as exc:
            problems.append(f"--lot « {spec} » : {exc}")
    if raw.get("lots"):
        parsed["lots"] = lots  # possibly empty when every spec was refused: the refusals say why
    for spec in raw.get("ponderations") or ():
        try:
            numero, rate = check_weighting(spec)
        except i.InvalidAnswer as exc:
            problems.append(f"--ponderation : {exc}")
            continue
        targets = [n for n, lot in enumerate(lots, 1) if "critere_attribution" in lot.bases and numero in (None, n)]
        if not targets:
            which = "" if numero is None else f"n° {numero} "
            problems.append(f"--ponderation « {spec} » : aucun lot {which}ne porte le critère d'attribution (base critere_attribution ou art52).")
        for n in targets:
            lots[n - 1].ponderation = rate
    if "facilitateur" not in parsed and any(raw.get(k) is not None for k in ("facilitateur_structure", "facilitateur_courriel")):
        problems.append("--facilitateur : le nom du facilitateur manque alors que sa structure ou son adresse est donnée.")
    return parsed, problems


def missing_answers(parsed: dict, refused=()) -> list[str]:
    """Required answers absent from ``parsed`` (and not in ``refused``, the options whose value was refused),
    one French line each, naming the option to add."""
    from .guided import bears_hours, lot_problems

    lots = parsed.get("lots") or []
    hours = any(bears_hours(lot.bases) for lot in lots)
    problems = [f"{option} : réponse manquante ({label})." for key, option, label, _c, required in _fields()
                if (required is True or (required == "hours" and hours)) and key not in parsed and key not in refused]
    if "lots" not in parsed:
        problems.append(f"--lot \"{LOT_SPEC}\" : aucun lot ; par exemple --lot \"Gros œuvre;art38;850000;40 %\".")
    where = {"montant": "--lot (3e champ)", "part": "--lot (4e champ)", "ponderation": "--ponderation"}
    for numero, lot in enumerate(lots, 1):
        problems += [f"{where[kind]} : {text}" for kind, text in lot_problems(lot, numero)]
    return problems


# -- interactive questions --------------------------------------------------------------------------


def _ask(text: str, check=None, *, default: str | None = None, optional: bool = False):
    """Prompt until ``check`` accepts the answer; an optional question accepts an empty answer (None)."""
    from .guided import InvalidAnswer

    while True:
        shown_default = default if default is not None else ("" if optional else None)
        value = click.prompt(text, default=shown_default, show_default=default is not None, prompt_suffix=" : ").strip()
        if not value and optional:
            return None
        try:
            return check(value) if check else value
        except InvalidAnswer as exc:
            click.echo(f"Erreur : {exc}", err=True)


def _menu(title: str, rows) -> None:
    click.echo(title)
    for n, row in enumerate(rows, 1):
        click.echo(f"  {n}. {row}")


def _basis_menu(full: bool) -> None:
    import textwrap

    from ..law.registry import load_registry

    law = load_registry()
    click.echo("Bases juridiques (numéro, nom ou alias ; plusieurs bases séparées par « + », comme « 1+2 ») :")
    for n, name in enumerate(law.basis_names(), 1):
        entry = law.basis(name)
        click.echo(f"  {n}. {name} — {entry['label']}")
        if full:
            click.echo(f"     alias acceptés : {', '.join(str(a) for a in entry.get('aliases', []))}")
            click.echo(textwrap.fill(entry["summary"], 100, initial_indent="     ", subsequent_indent="     "))


def _labour_hint(on) -> None:
    from ..law.registry import load_registry

    law = load_registry()
    fact = law.practice("parts_main_oeuvre", on)
    source = law.source(fact.source)["title"]
    label = law.practice_entry("parts_main_oeuvre")["label"]
    click.echo(f"{label[0].upper()}{label[1:]} :")
    for row in fact.value:
        click.echo(f"  - {row['metier']} : {row['part']}")
    uncertain = ", à confirmer" if fact.uncertain else ""
    click.echo(f"  (source : {source}{uncertain}). Ce sont des suggestions : indiquez la part propre à votre lot.")


def _ask_lot(numero: int, on, lot=None):
    """Ask a new lot's answers, or complete a lot given with --lot that lacks its amount or labour share."""
    from . import guided as i

    if lot is None:
        click.echo(f"\nLot {numero}")
        title = _ask("  Intitulé du lot", i.check_text)
        _basis_menu(full=numero == 1)
        lot = i.LotAnswers(title, _ask("  Base juridique", i.check_bases))
        new = True
    else:
        if not i.lot_problems(lot, numero):
            return lot
        click.echo(f"\nLot {numero} (« {lot.intitule} »)")
        new = False
    has_amount = any(v is not None for v in (lot.montant_ht, lot.minimum_ht, lot.maximum_ht))
    if i.bears_hours(lot.bases):
        if has_amount:
            pass
        elif _ask("  Accord-cadre à bons de commande, avec un minimum et un maximum ? (oui/non)", i.check_yes_no, default="non"):
            while lot.maximum_ht is None:
                lot.minimum_ht = _ask("  Montant minimum HT de l'accord-cadre (vide s'il n'y en a pas ; il porte les heures fermes)", i.check_amount, optional=True)
                lot.maximum_ht = _ask("  Montant maximum HT de l'accord-cadre (obligatoire depuis 2022)", i.check_amount)
                if lot.minimum_ht and lot.minimum_ht > lot.maximum_ht:
                    click.echo("Erreur : le minimum dépasse le maximum de l'accord-cadre.", err=True)
                    lot.minimum_ht = lot.maximum_ht = None
        else:
            lot.montant_ht = _ask("  Montant estimé du lot, en € HT (comme 850000 ou « 1 250 000,50 € »)", i.check_amount)
        if lot.part_main_oeuvre is None:
            _labour_hint(on)
            lot.part_main_oeuvre = _ask("  Part de main-d'œuvre du lot (comme « 40 % »)", i.check_rate)
    elif new:
        lot.montant_ht = _ask("  Montant estimé du lot, en € HT (facultatif : aucune heure n'est calculée pour cette base)", i.check_amount, optional=True)
    _ask_weighting(lot, on)
    return lot


def _ask_weighting(lot, on) -> None:
    from .guided import check_rate

    if "critere_attribution" in lot.bases and lot.ponderation is None:
        click.echo(f"  {practice_hint('ponderation_fourchette', on)}.")
        lot.ponderation = _ask("  Pondération du critère d'insertion dans la note finale (comme « 10 % »)", check_rate)


def interview(parsed: dict) -> dict:
    """Ask, in French, every answer not already given as an option; returns the completed answers."""
    import datetime as _dt

    from . import guided as i
    from ..law.registry import load_registry

    law = load_registry()
    p = dict(parsed)

    def ask(key, text, check, **kwargs):
        if key not in p:
            value = _ask(text, check, **kwargs)
            if value is not None:
                p[key] = value

    click.echo("Création d'un profil de marché. Chaque réponse est vérifiée ; Ctrl+C pour abandonner sans rien écrire.\n")
    ask("acheteur", "Nom de l'acheteur, tel qu'il figure dans les pièces", i.check_text)
    if "type_acheteur" not in p:
        _menu("Types d'acheteur :", [f"{code} — {entry['label']}" + (f" ({entry['note']})" if entry.get("note") else "") for code, entry in law.buyer_types().items()])
    ask("type_acheteur", "Type d'acheteur (numéro ou code)", i.check_buyer_type)
    ask("reference", "Référence de la consultation", i.check_text)
    ask("objet", "Objet du marché", i.check_text)
    ask("nature", "Nature du marché (travaux, fournitures ou services)", i.check_nature)
    ask("duree_mois", "Durée totale en mois, reconductions comprises", i.check_duration)
    ask("qpv", "Exécuté dans un quartier prioritaire de la politique de la ville (QPV) ou à proximité ? (oui/non)", i.check_yes_no, default="non")
    ask("date_publication", "Date de lancement de la consultation, AAAA-MM-JJ (facultatif ; à défaut, la date du jour)", i.check_date, optional=True)
    if "facilitateur" not in p:
        click.echo("Facilitateur de la clause sociale (facultatif, vivement recommandé ; sans lui, la revue le signalera).")
        ask("facilitateur", "Nom du facilitateur (vide s'il n'y en a pas)", i.check_text, optional=True)
        if "facilitateur" in p:
            ask("facilitateur_structure", "Structure du facilitateur (maison de l'emploi, PLIE…, facultatif)", i.check_text, optional=True)
            ask("facilitateur_courriel", "Adresse électronique du facilitateur (facultatif)", i.check_email, optional=True)
    on = p.get("date_publication") or _dt.date.today()
    ask("cout_horaire", "Coût horaire moyen chargé de la main-d'œuvre, en € HT de l'heure (comme 32)", i.check_hourly_cost)
    if "taux_insertion" not in p:
        click.echo(f"{practice_hint('taux_insertion_usuels', on)} ; {practice_hint('taux_insertion_fourchette', on, capital=False)}.")
    ask("taux_insertion", "Taux d'insertion (comme « 7 % »)", i.check_rate)
    if "lots" in p:  # given with --lot: only what they lack is asked
        p["lots"] = [_ask_lot(n, on, lot) for n, lot in enumerate(p["lots"], 1)]
    else:
        count = _ask("Nombre de lots (1 pour un marché non alloti)", _lot_count, default="1")
        p["lots"] = [_ask_lot(n, on) for n in range(1, count + 1)]
    click.echo("\nModalités d'exécution (facultatives : laissées vides, le CCAP porte une mention « à compléter » et la revue le signalera).")
    ask("penalite_par_heure", "Pénalité par heure d'insertion non réalisée, en € HT (vide pour plus tard)", i.check_penalty, optional=True)
    ask("periodicite_suivi", "Périodicité du suivi : mensuelle, trimestrielle, semestrielle ou annuelle (vide pour plus tard)", i.check_periodicite, optional=True)
    return p


def _lot_count(value) -> int:
    from .guided import InvalidAnswer

    if not value.isdigit() or not 1 <= int(value) <= 99:
        raise InvalidAnswer(f"« {value} » n'est pas un nombre de lots.", "un nombre entier entre 1 et 99")
    return int(value)


# -- the command ------------------------------------------------------------------------------------


def buyer_types_help() -> str:
    """« etat, etablissement_public_etat, epic_etat, … ou autre. », read from the registry (never typed here)."""
    from ..fmt import liste
    from ..law.registry import load_registry

    return liste(list(load_registry().buyer_types()), "ou") + "."


class _HelpFromRegistry(click.Option):
    """An option whose help is computed when shown (``help`` is a function): ``clausegen --help`` does not
    read the registry, ``clausegen init --help`` lists what it holds."""

    def __init__(self, *args, help=None, **kwargs):  # noqa: A002 - click's own name
        self._help_text = help
        super().__init__(*args, **kwargs)

    def get_help_record(self, ctx):
        if callable(self._help_text):
            self.help = self._help_text()
        return super().get_help_record(ctx)


@click.command("init", context_settings=CONTEXT_SETTINGS, short_help="Crée un profil commenté en répondant à des questions.")
@click.argument("fichier", default="profil.yaml", required=False, type=click.Path(dir_okay=False, path_type=str))
@click.option("--force", is_flag=True, help="Remplace le fichier s'il existe déjà.")
@click.option("--interactif/--non-interactif", "interactive", default=None, help="Pose les questions, ou n'en pose aucune (scripts). Par défaut : questions si l'entrée est un terminal.")
@click.option("--acheteur", metavar="NOM", help="Nom de l'acheteur.")
@click.option("--type-acheteur", metavar="CODE", cls=_HelpFromRegistry, help=lambda: buyer_types_help())
@click.option("--reference", metavar="TEXTE", help="Référence de la consultation.")
@click.option("--objet", metavar="TEXTE", help="Objet du marché.")
@click.option("--nature", metavar="NATURE", help="travaux, fournitures ou services.")
@click.option("--duree-mois", metavar="N", help="Durée totale en mois, reconductions comprises.")
@click.option("--qpv/--hors-qpv", "qpv", default=None, help="Marché exécuté dans un quartier prioritaire (QPV) ou non (par défaut : hors QPV).")
@click.option("--date-publication", metavar="AAAA-MM-JJ", help="Date de lancement de la consultation.")
@click.option("--facilitateur", metavar="NOM", help="Nom du facilitateur de la clause sociale.")
@click.option("--facilitateur-structure", metavar="TEXTE", help="Structure du facilitateur.")
@click.option("--facilitateur-courriel", metavar="ADRESSE", help="Adresse électronique du facilitateur.")
@click.option("--cout-horaire", metavar="MONTANT", help="Coût horaire moyen chargé, en € HT de l'heure (comme 32).")
@click.option("--taux-insertion", metavar="TAUX", help="Taux d'insertion (comme « 7 % »).")
@click.option("--lot", "lots", multiple=True, metavar="SPEC", help="Un lot « INTITULE;BASE;MONTANT;PART », répétable ; BASE : nom ou alias (art38+art52 pour deux bases) ; MONTANT : « MINIMUM à MAXIMUM » pour un accord-cadre.")
@click.option("--ponderation", "ponderations", multiple=True, metavar="TAUX", help="Pondération du critère d'insertion : « 10 % » pour tous les lots qui le portent, « 2=10 % » pour le lot 2.")
@click.option("--penalite-par-heure", metavar="MONTANT", help="Pénalité par heure d'insertion non réalisée, en € HT.")
@click.option("--periodicite-suivi", metavar="PERIODICITE", help="mensuelle, trimestrielle, semestrielle ou annuelle.")
@_handle_errors
def init(fichier, force, interactive, **options):
    """Crée un profil de marché commenté (FICHIER, par défaut profil.yaml) en posant les questions utiles.

    \b
    Sans terminal, ou avec --non-interactif, aucune question n'est posée : chaque réponse est donnée
    par une option et les réponses manquantes sont toutes signalées (code 2, rien n'est écrit).
    Un fichier existant n'est remplacé qu'avec --force.

    \b
    Exemples :
      clausegen init
      clausegen init marche.yaml --non-interactif --acheteur "Préfecture de la Somme" \\
        --type-acheteur etat --reference PREF80-2027-TX-003 --objet "Réhabilitation du bâtiment B" \\
        --nature travaux --duree-mois 18 --cout-horaire 32 --taux-insertion "7 %" \\
        --lot "Gros œuvre;art38+art52;850000;40 %" --ponderation "10 %"
    """
    from pathlib import Path

    from ..fmt import heures
    from .guided import AnswersError, check_destination, make_answers, write_profile
    from .guided_text import shell_quote

    path = Path(fichier)
    check_destination(path, force=force)
    parsed, problems = parse_options(options)
    if interactive is None:
        interactive = _stdin_is_tty()
    if not interactive:
        problems += missing_answers(parsed, refused={k for k, v in options.items() if v is not None})
    if problems:
        raise AnswersError(problems)
    if interactive:
        parsed = interview(parsed)
        problems = missing_answers(parsed)
        if problems:  # every required answer is asked: a safety net only
            raise AnswersError(problems)
    result = write_profile(make_answers(parsed), path, force=force)
    bearing = [r for r in result.lots if r.heures is not None]
    summary = f"{len(result.lots)} lot{'s' if len(result.lots) > 1 else ''}" + (f", {heures(result.total_heures)} d'insertion au total" if bearing else ", aucune heure d'insertion calculée")
    quoted = shell_quote(path)
    click.echo(f"\nProfil écrit : {path} ({summary}).")
    click.echo("Étapes suivantes :")
    click.echo(f"  clausegen calc {quoted}               vérifier le calcul des heures")
    click.echo(f"  clausegen check {quoted}              relire le profil (ce qui manque est signalé)")
    click.echo(f"  clausegen render {quoted} -o dce/     produire les documents")
