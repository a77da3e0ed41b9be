"""What the profile form shows: its layout (sections, keys asked first, labels and help written for buyers)
and the fields, groups and view built from the schema (``forms.build_form``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ..profile.text import SECTION_TITLES


# (section key, keys asked first: the questions of « clausegen init »); the other keys of the section follow
# under « Autres informations », in the order of the schema.
SECTIONS = (
    ("acheteur", ("nom", "type")),
    ("marche", ("reference", "objet", "nature", "procedure", "techniques", "duree_mois", "qpv", "date_publication")),
    ("facilitateur", ("nom", "structure", "courriel")),
    ("calcul", ("cout_horaire", "taux_insertion")),
    ("execution", ("penalite_par_heure", "periodicite_suivi")),
)


LOT_FIRST = ("numero", "intitule", "base_legale", "montant_ht", "part_main_oeuvre", "critere.ponderation")


TEXTAREAS = {"objet", "motif", "justification"}


MAX_LOTS = 200  # a form with more lots is cut (a market has a few dozen at most)


MAX_SUB_CRITERIA = 30


# Labels the schema's descriptions do not give in a short form (the description stays as help).
LABELS = {
    "base_legale": "Base juridique du lot",
    "publics": "Publics éligibles retenus",
    "mode": "Sens de l'arrondi",
    "arrondi": "Règle d'arrondi des heures",
    "critere": "Critère d'attribution relatif à l'insertion",
    "sous_criteres": "Sous-critères",
    "metiers": "Métiers ou postes susceptibles d'être proposés",
    "cas": "Cas de dérogation prévu par la loi",
    "priorite_qpv": "Priorité aux résidents des quartiers prioritaires",
    "techniques": "Techniques d'achat",
    "modalites_execution": "Modalités d'exécution",
}


HELP = {
    "base_legale": "Cochez une base, ou plusieurs (par exemple une condition d'exécution et un critère d'attribution).",
    "publics": "Sans choix, tous les publics de la fiche 1 de l'instruction du 11 avril 2019 sont retenus.",
    "metiers": "Un métier ou poste par ligne.",
    "cas": None,
    "arrondi": "Par défaut : à l'heure la plus proche, une demi-heure étant arrondie à l'heure supérieure.",
    "critere": None,
    "priorite_qpv": "Sans réponse : comme pour « Exécuté dans ou à proximité d'un quartier prioritaire » (marché).",
    "techniques": "Cochez « Accord-cadre » pour un accord-cadre à bons de commande : chaque lot demande alors ses montants minimum et maximum.",
    "modalites_execution": "Pour les données essentielles (DECP) ; les bons de commande d'un accord-cadre sont ajoutés d'office.",
}


# Enumerations whose values have no label in the registry, the model or the documents' wording.
VALUE_LABELS = {
    "mode": {
        "au_plus_proche": "Au plus proche (une moitié est arrondie au-dessus)",
        "inferieur": "Vers le bas",
        "superieur": "Vers le haut",
    },
    "civilite": {"M.": "M.", "Mme": "Mme"},
}


RATE_HINT = "Un pourcentage : « 7 » ou « 7,5 » (le signe % est facultatif)."


DATE_HINT = "JJ/MM/AAAA ou AAAA-MM-JJ, comme « 15/03/2027 »."


AMOUNT_HINT = "Chiffres seuls, ou avec des espaces et une virgule : « 32 », « 1 250 000,50 »."


BOOLEAN_OPTIONS = (("true", "Oui"), ("false", "Non"))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _split_description(text: str) -> tuple[str, str | None]:
    """« Label : help. » split at the first « : » outside parentheses; the final period removed."""
    depth = 0
    for index, char in enumerate(text):
        depth += char == "("
        depth -= char == ")"
        if depth == 0 and text.startswith(" : ", index):
            return text[:index].strip(), _capital(text[index + 3 :].strip())
    return text.strip().rstrip("."), None


def section_title(key: str) -> str:
    return _capital(SECTION_TITLES[key].lower())


@dataclass
class Option:
    """One choice of a select or radio field of the form."""

    value: str
    label: str
    hint: str | None = None
    unknown: bool = False  # a value the profile holds but the schema refuses, kept to be seen and corrected


@dataclass
class Field:
    """One field of the web form, named by its path in the profile."""

    path: str  # the form field's name and the loader's path: « lots[2].intitule »
    key: str
    label: str
    kind: str  # text | textarea | select | radios | boolean | checkboxes | lines
    value: Any = ""  # a string, or a list of strings (checkboxes)
    help: str | None = None
    required: bool = False
    options: list[Option] = field(default_factory=list)
    suggestions: list[Option] = field(default_factory=list)  # a datalist of usual values
    quick: list[Option] = field(default_factory=list)  # usual values given in one click (a button beside the field)
    value_kind: str | None = None  # form_values.RATE, AMOUNT, PENALTY, DATE: how the field reads what is typed
    suffix: str | None = None  # shown after the input (« % »)
    inputmode: str | None = None
    autocomplete: str | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return field_id(self.path)

    @property
    def filled(self) -> bool:
        return bool(self.value)


@dataclass
class Group:
    """A group of fields of the form (a fieldset with its legend)."""

    path: str
    legend: str
    items: list = field(default_factory=list)  # Field or Group, asked first
    more: list = field(default_factory=list)  # Field or Group, under « Autres informations »
    help: str | None = None
    errors: list[str] = field(default_factory=list)
    kind: str = "group"  # group | lot | item (a sub-criterion)
    index: int = 0  # lot or item number in the form (1-based)
    parent_index: int = 0  # for a sub-criterion: its lot

    @property
    def id(self) -> str:
        return field_id(self.path) if self.path else "profil"

    def walk(self):
        for item in [*self.items, *self.more]:
            yield item
            if isinstance(item, Group):
                yield from item.walk()

    @property
    def more_filled(self) -> int:
        count = 0
        for item in self.more:
            if isinstance(item, Field):
                count += item.filled
            else:
                count += sum(isinstance(x, Field) and x.filled for x in [item, *item.walk()])
        return count

    @property
    def more_has_errors(self) -> bool:
        for item in self.more:
            if item.errors or (isinstance(item, Group) and any(x.errors for x in item.walk())):
                return True
        return False


@dataclass
class FormView:
    """The whole form of a draft: its sections and one group per lot."""

    sections: list[Group]
    lots: list[Group]
    lots_group: Group
    index: dict[str, Any]  # path → Field or Group, to place issues and findings

    def target(self, path: str):
        """The field or group that shows a problem of ``path`` (its closest ancestor in the form)."""
        probe = path or ""
        while probe:
            if probe in self.index:
                return self.index[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return None


def field_id(path: str) -> str:
    """The HTML id of the field at ``path``: « lots[2].critere.ponderation » → « champ-lots-2-critere-ponderation »."""
    return "champ-" + re.sub(r"[^A-Za-z0-9_]+", "-", path).strip("-")
