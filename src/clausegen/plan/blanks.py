"""The blanks a pack leaves to the buyer: « [À COMPLÉTER PAR L'ACHETEUR : …] ».

One table says, for every choice that only the buyer can make and the profile may leave open, the text
of the blank, the profile field that fills it and the documents that print it. Templates print a blank
through the context (``blancs.<clé>``, built from this table), the review (rule ``a-completer``) lists the
same blanks from ``expected_blanks``, and a test renders every example and edge profile to check that the
documents hold exactly the blanks this module predicts: the two cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass

MARKER = "[À COMPLÉTER PAR L'ACHETEUR\u00a0: {}]"  # non-breaking space before the colon


@dataclass(frozen=True)
class BlankKind:
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
                  "Indiquez « execution.penalite_par_heure » (montant en euros HT décidé par l'acheteur, aucun montant réglementaire)."),
        BlankKind("penalite_retard_jour", "montant de la pénalité par jour de retard dans la remise des documents, en euros HT", "execution.penalite_retard_jour",
                  "Indiquez « execution.penalite_retard_jour » (montant en euros HT décidé par l'acheteur)."),
        BlankKind("plafond_penalites", "plafond des pénalités d'insertion, en pourcentage du montant HT", "execution.plafond_penalites",
                  "Indiquez « execution.plafond_penalites » (par exemple 10 %)."),
        BlankKind("ponderation_insertion", "pondération des critères de jugement du marché d'insertion", "{lot}",
                  "Aucune clé du profil ne la porte encore : fixez-la dans le règlement de la consultation avant publication."),
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
    kind: BlankKind
    field: str  # concrete profile path
    documents: tuple[str, ...]  # document names (``ccap``, ``fiche-caracterisation``…)
    lot: int | None = None  # lot number, for a lot's blank

    @property
    def text(self) -> str:
        return MARKER.format(self.kind.label)


def obligations(hours) -> bool:
    """The CCAP's execution articles are written: a lot other than a marché d'insertion bears hours or is
    scored on insertion (a marché d'insertion's commitments are its own article)."""
    return any(
        "marche_insertion" not in r.lot.bases and (r.heures is not None or "critere_attribution" in r.lot.bases)
        for r in hours.lots
    )


def expected_blanks(profile, hours, documents=None) -> list[Blank]:
    """Every blank the pack of ``profile`` would contain, with the documents that print it (restricted to
    ``documents`` when given). Mirrors the templates; tests/test_blanks.py renders packs to prove it."""
    out: list[Blank] = []
    execution = profile.execution
    corps = obligations(hours)

    def add(key: str, docs: tuple[str, ...], lot=None):
        if documents is not None:
            docs = tuple(d for d in docs if d in documents)
        if not docs:
            return
        kind = KINDS[key]
        field = kind.field.replace("{lot}", lot.path) if lot is not None else kind.field
        out.append(Blank(kind, field, docs, lot.numero if lot is not None else None))

    if profile.marche.procedure is None:
        add("procedure", ("avis", "fiche-caracterisation"))
    for r in hours.lots:
        lot = r.lot
        if "critere_attribution" in lot.bases and (lot.critere is None or lot.critere.ponderation is None):
            add("ponderation", ("avis", "rc", "fiche-caracterisation"), lot)
        if lot.heures is not None and r.heures is not None and not lot.justification:
            add("justification", ("fiche-caracterisation",), lot)
    if any("marche_insertion" in r.lot.bases for r in hours.lots):
        first = next(r.lot for r in hours.lots if "marche_insertion" in r.lot.bases)
        add("ponderation_insertion", ("rc",), first)
    if corps:
        for key in ("plan_action_jours", "periodicite_suivi", "delai_justificatifs_jours", "penalite_par_heure", "penalite_retard_jour", "plafond_penalites"):
            if getattr(execution, key) is None:
                add(key, ("ccap", "fiche-caracterisation"))
    return out
