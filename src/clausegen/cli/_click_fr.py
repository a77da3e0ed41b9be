"""French for the messages click writes itself (usage, errors, option help).

click marks its strings for gettext (``from gettext import gettext as _`` in each module) but ships no
catalogue. Users of clausegen read only French, so the CLI binds click's ``_``/``ngettext`` names to this
small table. Strings not in the table stay as click wrote them.
"""

from __future__ import annotations

FR = {
    "Usage:": "Usage :",
    "Options": "Options",
    "Commands": "Commandes",
    "Show this message and exit.": "Affiche cette aide et quitte.",
    "Show the version and exit.": "Affiche la version et quitte.",
    "Error: {message}": "Erreur : {message}",
    "Try '{command} {option}' for help.": "Essayez « {command} {option} » pour l'aide.",
    "Missing argument": "Argument manquant",
    "Missing option": "Option manquante",
    "Missing parameter": "Paramètre manquant",
    "Missing command.": "Commande manquante.",
    "Missing parameter: {param_name}": "Paramètre manquant : {param_name}",
    "Missing {param_type}": "{param_type} manquant",
    "No such command {name!r}.": "Commande inconnue : {name!r}.",
    "No such option {name!r}.": "Option inconnue : {name!r}.",
    "Invalid value for {param_hint}: {message}": "Valeur invalide pour {param_hint} : {message}",
    "Invalid value: {message}": "Valeur invalide : {message}",
    "Aborted!": "Abandon.",
    "default: {default}": "par défaut : {default}",
    "required": "obligatoire",
    "env var: {var}": "variable d'environnement : {var}",
    "directory": "dossier",
    "file": "fichier",
    "path": "chemin",
    "{name} {filename!r} does not exist.": "{name} {filename!r} introuvable.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} est un dossier.",
    "{name} {filename!r} is a file.": "{name} {filename!r} est un fichier.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} n'est pas lisible.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} n'est pas accessible en écriture.",
    "Could not open file {filename!r}: {message}": "Impossible d'ouvrir le fichier {filename!r} : {message}",
    "{value!r} is not a valid {number_type}.": "{value!r} n'est pas un {number_type} valide.",
    "{value} is not in the range {range}.": "{value} n'est pas admis : valeur {range} attendue.",
    "Choose from:\n\t{choices}": "Choisissez parmi :\n\t{choices}",
    "unknown error": "erreur inconnue",
    "integer": "entier",
    "integer range": "nombre entier",
    "float": "nombre",
    "float range": "nombre",
    "Got unexpected extra argument ({args})": "Argument supplémentaire inattendu ({args})",
    "Got unexpected extra arguments ({args})": "Arguments supplémentaires inattendus ({args})",
    "{value!r} is not {choice}.": "{value!r} n'est pas {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} ne fait pas partie de {choices}.",
    "Did you mean {possibility}?": "Vouliez-vous dire {possibility} ?",
    "(Did you mean one of: {possibilities}?)": "(Vouliez-vous dire l'un de : {possibilities} ?)",
    "Option {name!r} requires an argument.": "L'option {name!r} demande une valeur.",
    "Option {name!r} requires {nargs} arguments.": "L'option {name!r} demande {nargs} valeurs.",
    "Takes {nargs} values but 1 was given.": "Demande {nargs} valeurs, mais 1 a été donnée.",
    "Takes {nargs} values but {len} were given.": "Demande {nargs} valeurs, mais {len} ont été données.",
    "{value!r} does not match the format {format}.": "{value!r} ne suit pas le format {format}.",
    "{value!r} does not match the formats {formats}.": "{value!r} ne suit aucun des formats {formats}.",
    "{len_type} values are required, but {len_value} was given.": "{len_type} valeurs sont demandées, mais {len_value} a été donnée.",
    "{len_type} values are required, but {len_value} were given.": "{len_type} valeurs sont demandées, mais {len_value} ont été données.",
    "Option {name!r} does not take a value.": "L'option {name!r} ne prend pas de valeur.",
    "Argument {name!r} takes {nargs} values.": "L'argument {name!r} demande {nargs} valeurs.",
    "Invalid start character for option ({option})": "Caractère initial invalide pour l'option ({option})",
    "Error: invalid input": "Erreur : réponse invalide",
    "Error: The two entered values do not match.": "Erreur : les deux valeurs saisies diffèrent.",
    "Repeat for confirmation": "Répétez pour confirmer",
    "Do you want to continue?": "Voulez-vous continuer ?",
    "Confirm the action without prompting.": "Confirme l'action sans poser de question.",
    "Press any key to continue...": "Appuyez sur une touche pour continuer…",
    "Positional arguments": "Arguments",
    "deprecated": "obsolète",
    "(dynamic)": "(dynamique)",
    "Value must be an iterable.": "La valeur doit être une liste.",
    "{name} {filename!r} is not executable.": "{name} {filename!r} n'est pas exécutable.",
    "{value!r} is not a valid UUID.": "{value!r} n'est pas un UUID valide.",
    "Couldn't detect Bash version, shell completion is not supported.": "Version de Bash inconnue : l'autocomplétion n'est pas disponible.",
}


def gettext(message: str) -> str:
    return FR.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def _describe_range(self) -> str:
    """click's « 1<=x<=64 », « x>=1 » in French: « de 1 à 64 », « d'au moins 1 » (help and messages)."""
    low, high = self.min, self.max
    if low is not None and high is not None:
        text = f"de {low}{' (exclu)' if self.min_open else ''} à {high}{' (exclu)' if self.max_open else ''}"
    elif low is not None:
        text = f"{'supérieure à' if self.min_open else 'd’au moins'} {low}".replace("’", "'")
    elif high is not None:
        text = f"{'inférieure à' if self.max_open else 'd’au plus'} {high}".replace("’", "'")
    else:
        text = "quelconque"
    return text


class _TranslatedName:
    """A type's ``name`` read through the French table (« integer range » → « nombre entier »)."""

    def __init__(self, english: str):
        self.english = english

    def __get__(self, obj, owner=None) -> str:
        return gettext(self.english)


def _formatter_class():
    import click.formatting

    class FrenchHelpFormatter(click.formatting.HelpFormatter):
        def write_heading(self, heading: str) -> None:
            self.write(f"{'':>{self.current_indent}}{heading} :\n")

    return FrenchHelpFormatter


def install() -> None:
    """Bind click's translation functions to the French table (idempotent)."""
    import click.core
    import click.decorators
    import click.exceptions
    import click.formatting
    import click.parser
    import click.types

    click.Context.formatter_class = _formatter_class()
    click.types._NumberRangeBase._describe_range = _describe_range
    for kind in (click.types.IntParamType, click.types.IntRange, click.types.FloatParamType, click.types.FloatRange):
        if not isinstance(kind.__dict__.get("name"), _TranslatedName):
            kind.name = _TranslatedName(kind.__dict__.get("name", "integer"))
    for module in (click.core, click.decorators, click.exceptions, click.formatting, click.parser, click.types):
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
