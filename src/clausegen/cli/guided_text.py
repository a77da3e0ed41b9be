"""The commented YAML profile the guided start writes: French comments in the style of
``profiles/*.yaml``, each lot's working when the hours are known, and command lines quoted for the user's
shell."""

from __future__ import annotations

import datetime as _dt
import os
import re
from decimal import Decimal

from ..law.registry import load_registry, practice_hint
from ..model import NATURES, PERIODICITES


_RULE = "# " + "-" * 105


def _comment(text: str, indent: int = 0) -> str:
    """``text`` as « # » comment lines wrapped at 110 columns, never between a word and its « : » or « % »;
    the no-break spaces become plain ones, so that the file reads the same in any editor."""
    import textwrap

    from ..fmt import typo

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

    from ..profile.load import _yaml

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


def profile_text(answers, *, name: str = "profil.yaml", hours=None, today: _dt.date | None = None) -> str:
    """The commented YAML profile of ``answers``; ``hours`` (``MarketHours``) adds each lot's working."""
    from ..fmt import liste

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
