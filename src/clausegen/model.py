"""The typed market profile, built by ``clausegen.profile.load`` once the YAML is valid.

Plain frozen dataclasses: no I/O, no YAML. ``Profile.where(path)`` gives the ``fichier:ligne:colonne`` of
any field, so the review can point at the line to fix.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import field
from decimal import Decimal

from .records import record

NATURES = {"travaux": "travaux", "fournitures": "fournitures", "services": "services"}
PERIODICITES = {
    "mensuelle": "mensuelle",
    "trimestrielle": "trimestrielle",
    "semestrielle": "semestrielle",
    "annuelle": "annuelle",
}
PROCEDURES = {
    "appel_offres_ouvert": "appel d'offres ouvert",
    "appel_offres_restreint": "appel d'offres restreint",
    "procedure_adaptee": "procédure adaptée",
    "procedure_avec_negociation": "procédure avec négociation",
    "dialogue_competitif": "dialogue compétitif",
}
APPRENTISSAGE = ("eligibles_uniquement", "exclu", "sans_condition")
# Open data (DECP v2.0.3): profile values → the schema's labels are mapped in law/data/codelists.yaml.
LIEU_TYPES = ("postal", "commune", "arrondissement", "canton", "departement", "region", "pays")
FORMES_PRIX = ("unitaire", "forfaitaire", "mixte")
TYPES_PRIX = ("definitif_ferme", "definitif_actualisable", "definitif_revisable", "provisoire")
TECHNIQUES = ("accord_cadre", "concours", "systeme_qualification", "systeme_acquisition_dynamique", "catalogue_electronique", "enchere_electronique", "sans_objet")
MODALITES_EXECUTION = ("tranches", "bons_de_commande", "marches_subsequents", "sans_objet")
CONSIDERATIONS_ENVIRONNEMENTALES = ("clause", "critere", "aucune")
GROUPEMENTS = ("aucun", "conjoint", "solidaire")
ROUNDING_MODES = ("au_plus_proche", "inferieur", "superieur")


@record
class Position:
    """Where a value is in the profile's YAML file (line and column, from 1)."""

    line: int  # 1-based
    column: int  # 1-based


@record
class Signatory:
    """Who signs the documents for the buyer."""

    nom: str | None = None
    qualite: str | None = None


@record
class Buyer:
    """The public buyer (« acheteur ») of the profile."""

    nom: str
    type: str
    service: str | None = None
    adresse: str | None = None
    signataire: Signatory | None = None
    siret: str | None = None  # the buyer's SIRET: acheteur.id of the essential data (DECP)


@record
class Derogation:
    """A recorded derogation from the mandatory social condition: a case of the registry's closed list and
    the buyer's reasons."""

    cas: str
    motif: str


@record
class Renewal:
    """A renewable market: an initial period, then ``nombre`` renewals of ``periode_mois`` months each."""

    periode_initiale_mois: int
    nombre: int
    periode_mois: int

    @property
    def total_mois(self) -> int:
        return self.periode_initiale_mois + self.nombre * self.periode_mois

    def periods(self) -> list[tuple[int, int]]:
        """``(rang, mois)`` of every period: rank 0 is the initial period, then the renewals."""
        return [(0, self.periode_initiale_mois)] + [(i, self.periode_mois) for i in range(1, self.nombre + 1)]


@record
class PlaceCode:
    """The place of execution as the DECP codes it: a type (``LIEU_TYPES``) and its code."""

    type: str
    code: str


@record
class MarketData:
    """Stable facts of the contract that only the essential data (DECP) use; empty when not given."""

    lieu_execution_code: PlaceCode | None = None
    forme_prix: str | None = None  # FORMES_PRIX
    types_prix: tuple[str, ...] = ()  # TYPES_PRIX
    techniques: tuple[str, ...] = ()  # TECHNIQUES
    modalites_execution: tuple[str, ...] = ()  # MODALITES_EXECUTION
    innovant: bool | None = None
    considerations_environnementales: tuple[str, ...] = ()  # CONSIDERATIONS_ENVIRONNEMENTALES
    sans_ccag: bool = False  # « ccag: aucun » (Market.ccag is then None, as when the key is absent)


@record
class Market:
    """The market (« marché ») the documents are for."""

    reference: str
    objet: str
    nature: str
    duree_mois: int
    qpv: bool = False
    date_publication: _dt.date | None = None
    cpv: str | None = None
    procedure: str | None = None
    lieu_execution: str | None = None
    ccag: str | None = None
    derogation_clause_sociale: Derogation | None = None
    defense_securite: bool = False
    reconduction: Renewal | None = None
    article_ccap: str | None = None  # number of the host CCAP article (« 12 »), sub-articles 12.1, 12.2…
    article_rc: str | None = None
    donnees: MarketData = field(default_factory=MarketData)


@record
class Facilitator:
    """The facilitator of the clause sociale (« facilitateur ») named in the profile."""

    nom: str
    structure: str | None = None
    courriel: str | None = None
    telephone: str | None = None
    civilite: str | None = None  # « M. » or « Mme »: drives agreement; None gives epicene wording


@record
class Rounding:
    """How computed hours are rounded: the step and the mode."""

    pas: int = 1
    mode: str = "au_plus_proche"


@record
class CalcDefaults:
    """The market's defaults for the computation of hours (hourly cost, insertion rate…)."""

    cout_horaire: Decimal | None = None
    taux_insertion: Decimal | None = None
    part_main_oeuvre: Decimal | None = None
    arrondi: Rounding = field(default_factory=Rounding)


@record
class Execution:
    """The execution terms of the clause: penalties, their ceiling, follow-up and deadlines."""

    penalite_par_heure: Decimal | None = None
    penalite_retard_jour: Decimal | None = None
    plafond_penalites: Decimal | None = None  # share of the lot's amount (0.10 = 10 %)
    periodicite_suivi: str | None = None
    delai_justificatifs_jours: int | None = None
    plan_action_jours: int | None = None
    publics: tuple[str, ...] | None = None  # None = every public of the instruction's fiche 1
    priorite_qpv: bool | None = None  # None = follows marche.qpv
    apprentissage: str = "eligibles_uniquement"
    mutualisation: bool = True
    sans_penalite: frozenset = frozenset()  # keys set to « aucune » (penalite_par_heure, penalite_retard_jour): an explicit choice


@record
class SubCriterion:
    """One sub-criterion of the award criterion, with its points."""

    libelle: str
    points: int


@record
class Criterion:
    """The award criterion on insertion: its weighting and sub-criteria."""

    ponderation: Decimal | None = None
    sous_criteres: tuple[SubCriterion, ...] = ()


MINIMUM_SCOPES = ("periode", "duree_totale")


@record
class FrameworkAgreement:
    """An accord-cadre: the maximum is required since 1 January 2022 (R2162-4); the minimum is optional.
    ``minimum_porte_sur`` says, for a renewable accord-cadre, whether the minimum is that of each period
    (« periode ») or of the whole duration (« duree_totale »): the profile must say it, nothing is guessed."""

    minimum_ht: Decimal | None = None
    maximum_ht: Decimal | None = None
    minimum_porte_sur: str | None = None  # MINIMUM_SCOPES


@record
class Holder:
    """A holder (« titulaire ») named in the profile."""

    nom: str
    siret: str


@record
class Award:
    """What the award of a lot fixes, for its essential data (DECP); every value None until known."""

    date_notification: _dt.date | None = None
    offres_recues: int | None = None
    montant_ht: Decimal | None = None  # amount of the market as notified (an accord-cadre: its maximum)
    avance: bool | None = None
    sous_traitance: bool | None = None
    groupement: str | None = None  # GROUPEMENTS
    cotraitants: tuple[Holder, ...] = ()  # the other members of a groupement, besides ``titulaire``


@record
class Lot:
    """One lot of the market, with its own insertion terms."""

    numero: int
    intitule: str
    bases: tuple[str, ...]  # canonical names, in the order given
    bases_saisies: tuple[str, ...]  # as the buyer typed them (aliases kept)
    montant_ht: Decimal | None = None
    accord_cadre: FrameworkAgreement | None = None
    part_main_oeuvre: Decimal | None = None
    cout_horaire: Decimal | None = None
    taux_insertion: Decimal | None = None
    heures: int | None = None  # explicit hours, overriding the formula
    justification: str | None = None
    critere: Criterion | None = None
    metiers: tuple[str, ...] = ()
    titulaire: Holder | None = None
    derogation_clause_sociale: Derogation | None = None
    id_decp: str | None = None  # identifier of the lot's market in the essential data (1 to 16 characters)
    attribution: Award = field(default_factory=Award)
    # The lot's own facts for the open data; None or () = the market's (see ``Profile.lot_facts``).
    cpv: str | None = None
    duree_mois: int | None = None
    lieu_execution_code: PlaceCode | None = None
    forme_prix: str | None = None  # FORMES_PRIX
    types_prix: tuple[str, ...] = ()  # TYPES_PRIX
    innovant: bool | None = None
    considerations_environnementales: tuple[str, ...] = ()  # CONSIDERATIONS_ENVIRONNEMENTALES
    index: int = 0  # position in the ``lots`` list, 0-based

    @property
    def path(self) -> str:
        return f"lots[{self.index + 1}]"

    @property
    def valeur_estimee_ht(self) -> Decimal | None:
        """The lot's estimated value: an accord-cadre at its maximum, else the amount, else the minimum."""
        ac = self.accord_cadre
        for amount in (ac.maximum_ht if ac else None, self.montant_ht, ac.minimum_ht if ac else None):
            if amount is not None:
                return amount
        return None


@record
class LotFacts:
    """A lot's open-data facts, each the lot's own or, failing it, the market's; ``own`` names the keys the
    lot gives itself (``lots[].cpv``…)."""

    KEYS = ("cpv", "duree_mois", "lieu_execution_code", "forme_prix", "types_prix", "innovant", "considerations_environnementales")

    cpv: str | None
    duree_mois: int
    lieu_execution_code: PlaceCode | None
    forme_prix: str | None
    types_prix: tuple[str, ...]
    innovant: bool | None
    considerations_environnementales: tuple[str, ...]
    own: tuple[str, ...] = ()


@record
class Profile:
    """A market profile, as read and checked from its YAML file."""

    version: int
    acheteur: Buyer
    marche: Market
    lots: tuple[Lot, ...]
    calcul: CalcDefaults = field(default_factory=CalcDefaults)
    execution: Execution = field(default_factory=Execution)
    facilitateur: Facilitator | None = None
    source: str = "<profil>"
    positions: dict[str, Position] = field(default_factory=dict, compare=False, repr=False)
    today: _dt.date = field(default_factory=_dt.date.today, compare=False)

    @property
    def valeur_estimee_ht(self) -> Decimal | None:
        """Estimated value of the market (all lots, accords-cadres at their maximum); None when no lot has
        an amount. This is the value compared with the EU thresholds."""
        amounts = [lot.valeur_estimee_ht for lot in self.lots if lot.valeur_estimee_ht is not None]
        return sum(amounts, Decimal(0)) if amounts else None

    @property
    def reference_date(self) -> _dt.date:
        """The day dated legal rules are read at: the publication date, or today."""
        return self.marche.date_publication or self.today

    def lot_facts(self, lot: Lot) -> LotFacts:
        """The open-data facts of ``lot``: its own when the profile gives them, else the market's."""
        m, d = self.marche, self.marche.donnees
        return LotFacts(
            cpv=lot.cpv or m.cpv,
            duree_mois=lot.duree_mois or m.duree_mois,
            lieu_execution_code=lot.lieu_execution_code or d.lieu_execution_code,
            forme_prix=lot.forme_prix or d.forme_prix,
            types_prix=lot.types_prix or d.types_prix,
            innovant=d.innovant if lot.innovant is None else lot.innovant,
            considerations_environnementales=lot.considerations_environnementales or d.considerations_environnementales,
            own=tuple(k for k in LotFacts.KEYS if getattr(lot, k) not in (None, ())),
        )

    def position(self, path: str) -> Position:
        """Position of ``path`` (dotted, ``lots[2].heures``), else of its closest present parent."""
        probe = path
        while probe:
            if probe in self.positions:
                return self.positions[probe]
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        return self.positions.get("", Position(1, 1))

    def where(self, path: str) -> str:
        pos = self.position(path)
        return f"{self.source}:{pos.line}:{pos.column}"
