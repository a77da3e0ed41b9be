"""The blanks a pack leaves to the buyer: « [À COMPLÉTER PAR L'ACHETEUR : …] ».

One table says, for every choice that only the buyer can make and the profile may leave open, the text
of the blank, the profile field that fills it and the documents that print it. The clause plan lists the
blanks of a pack (``blanks_of``, in ``ClausePlan.blanks``); templates print them through the context
(``blancs.<clé>``, built from this table), the review (rule ``a-completer``) reports the same list, and a
test renders every example and edge profile to check that the documents hold exactly these blanks.
"""

from __future__ import annotations

from dataclasses import dataclass

MARKER = "[À COMPLÉTER PAR L'ACHETEUR\u00a0: {}]"  # non-breaking space before the colon


@dataclass(frozen=True)
class BlankKind:
    """A kind of blank only the buyer can fill, with the label its marker shows."""

    key: str
    label: str  # the words inside the marker
    field: str  # profile path; « {lot} » stands for ``lots[n]``
    advice: str  # what to write in the profile, in French
    rule: str | None = None  # a review rule that already reports this very gap (a-completer then does not)


KINDS: dict[str, BlankKind] = {
    k.key: k
    for k in (
        BlankKind("procedure", "procédure de passation", "marche.procedure",
                  "Indiquez « marche.procedure » (appel_offres_ouvert, procedure_adaptee…)."),
        BlankKind("ponderation", "pondération du critère d'insertion", "{lot}.critere.ponderation",
                  "Indiquez « critere: {ponderation: 10 %} » pour ce lot.", "critere-sans-ponderation"),
        BlankKind("justification", "justification du volume d'heures imposé", "{lot}.justification",
                  "Indiquez « justification » à côté de « heures » pour ce lot.", "heures-sans-justification"),
        BlankKind("periodicite_suivi", "périodicité des états de suivi", "execution.periodicite_suivi",
                  "Indiquez « execution.periodicite_suivi » (mensuelle, trimestrielle, semestrielle ou annuelle)."),
        BlankKind("delai_justificatifs_jours", "délai de remise des justificatifs, en jours ouvrés", "execution.delai_justificatifs_jours",
                  "Indiquez « execution.delai_justificatifs_jours » (par exemple 10)."),
        BlankKind("plan_action_jours", "délai de remise du plan d'action d'insertion, en jours", "execution.plan_action_jours",
                  "Indiquez « execution.plan_action_jours » (par exemple 30)."),
        BlankKind("penalite_par_heure", "montant de la pénalité par heure d'insertion non réalisée, en euros HT", "execution.penalite_par_heure",
                  "Indiquez « execution.penalite_par_heure » (montant en euros HT décidé par l'acheteur, aucun montant réglementaire), "
                  "ou « aucune » si vous n'en prévoyez pas."),
        BlankKind("penalite_retard_jour", "montant de la pénalité par jour de retard dans la remise des documents, en euros HT", "execution.penalite_retard_jour",
                  "Indiquez « execution.penalite_retard_jour » (montant en euros HT décidé par l'acheteur), ou « aucune »."),
        BlankKind("plafond_penalites", "plafond des pénalités d'insertion, en pourcentage du montant HT", "execution.plafond_penalites",
                  "Indiquez « execution.plafond_penalites » (par exemple 10 %)."),
        BlankKind("ponderation_insertion", "pondération des critères de jugement du marché d'insertion", "{lot}",
                  "Fixez dans le règlement de la consultation la pondération de chaque critère du marché d'insertion avant publication "
                  "(« critere: {ponderation: … } » donne celle du projet d'insertion)."),
    )
}


DOCUMENT_LABELS = {
    "avis": "l'avis",
    "rc": "le règlement de la consultation",
    "ccap": "le CCAP",
    "annexe-ae": "l'annexe à l'acte d'engagement",
    "memoire": "le cadre du mémoire d'insertion",
    "fiche-caracterisation": "la fiche de caractérisation",
    "suivi": "le document de suivi",
}
INTERNAL = frozenset({"fiche-caracterisation"})  # not published: a blank there is the buyer's to-do list


def markers() -> dict[str, str]:
    """``{clé: « [À COMPLÉTER PAR L'ACHETEUR : …] »}``, the ``blancs`` of the template context."""
    return {key: MARKER.format(kind.label) for key, kind in KINDS.items()}


@dataclass(frozen=True)
class Blank:
    """One blank left in a document, where it is and of which kind."""

    kind: BlankKind
    field: str  # concrete profile path
    documents: tuple[str, ...]  # document names (``ccap``, ``fiche-caracterisation``…)
    lot: int | None = None  # lot number, for a lot's blank

    @property
    def text(self) -> str:
        return MARKER.format(self.kind.label)


def blanks_of(plan, documents=None) -> tuple[Blank, ...]:
    """Every blank the pack of ``plan`` holds, with the documents that print it (restricted to ``documents``
    when given). The templates print exactly these (``tests/test_blanks.py`` renders packs to prove it)."""
    out: list[Blank] = []
    produced = {d.name for d in plan.documents if d.produced}

    def add(key: str, docs: tuple[str, ...], lot=None):
        docs = tuple(d for d in docs if d in produced and (documents is None or d in documents))
        if not docs:
            return
        kind = KINDS[key]
        field = kind.field.replace("{lot}", lot.path) if lot is not None else kind.field
        out.append(Blank(kind, field, docs, lot.numero if lot is not None else None))

    if plan.profile.marche.procedure is None:
        add("procedure", ("avis", "fiche-caracterisation"))
    for p in plan.lots:
        grid = p.award
        if grid is not None and not grid.exhaustive and grid.insertion is not None and grid.insertion.blank:
            add("ponderation", ("avis", "rc", "fiche-caracterisation"), p.lot)
        if p.terms.imposed and p.terms.binds and not p.lot.justification:
            add("justification", ("fiche-caracterisation",), p.lot)
    insertion = [p for p in plan.lots if p.award is not None and p.award.exhaustive and any(c.blank for c in p.award.criteria)]
    if insertion:
        add("ponderation_insertion", ("rc",), insertion[0].lot)
    e = plan.execution
    if e.written:
        for key, value in (("plan_action_jours", e.plan_days), ("periodicite_suivi", e.periodicity), ("delai_justificatifs_jours", e.proofs_days)):
            if value is None:
                add(key, ("ccap", "fiche-caracterisation"))
    for penalty in (e.per_hour if e.per_hour.blank else e.insertion_per_hour, e.per_day, e.cap):
        if penalty.blank:
            add(penalty.blank, ("ccap", "fiche-caracterisation"))
    return tuple(out)
