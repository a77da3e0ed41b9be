"""The documents of the pack: their names (a contract: ``ccap.docx``…), their titles, and which of them a
market's plan produces — each one left out with the reason ``render`` prints."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import OutputError
from .model import DocumentChoice


@dataclass(frozen=True)
class Document:
    """One document of the pack: its file stem and its title."""

    name: str  # file stem, a contract: avis.docx, rc.docx…
    title: str


DOCUMENTS = (
    Document("avis", "Avis de marché — rubriques sociales"),
    Document("rc", "Règlement de la consultation — clause sociale d'insertion"),
    Document("ccap", "CCAP — action d'insertion professionnelle"),
    Document("annexe-ae", "Annexe à l'acte d'engagement — engagement d'insertion"),
    Document("memoire", "Mémoire d'insertion — cadre de réponse"),
    Document("fiche-caracterisation", "Fiche de caractérisation du marché"),
    Document("suivi", "Document de suivi des compétences du bénéficiaire"),
)
DOCUMENT_NAMES = tuple(d.name for d in DOCUMENTS)


def select_documents(names) -> tuple[Document, ...]:
    if not names:
        return DOCUMENTS
    wanted = [n.strip() for n in names if n.strip()]
    unknown = [n for n in wanted if n not in DOCUMENT_NAMES]
    if unknown:
        raise OutputError(f"document inconnu : {', '.join(unknown)}. Documents disponibles : {', '.join(DOCUMENT_NAMES)}.")
    return tuple(d for d in DOCUMENTS if d.name in wanted)


def titles(lots, allotted: bool) -> dict[str, str]:
    """The titles of the pieces, from what the market's clause is: an insertion action, reservations only
    (to the ESS or not), or no social consideration (every lot derogates)."""
    if any(p.action for p in lots):
        return {"ccap": "Action d'insertion professionnelle", "rc": "Clause sociale d'insertion", "objet": "l'action d'insertion professionnelle",
                "objet_rc": "la clause sociale d'insertion", "documents": "CCAP — action d'insertion professionnelle",
                "documents_rc": "Règlement de la consultation — clause sociale d'insertion"}
    reserved = [p for p in lots if p.reserved]
    if reserved:
        ess = all(p.reservation.ess for p in reserved)
        what = "réservés" if allotted and len(reserved) > 1 else "réservé"
        head = ("Lots " if allotted and len(reserved) > 1 else "Lot " if allotted else "Marché ") + what
        title = head + (" aux entreprises de l'économie sociale et solidaire" if ess else "")
        objet = ("la réservation des lots" if allotted and len(reserved) > 1 else "la réservation du lot" if allotted else "la réservation du marché")
        return {"ccap": title, "rc": title, "objet": objet, "objet_rc": objet, "documents": f"CCAP — {title[:1].lower()}{title[1:]}",
                "documents_rc": f"Règlement de la consultation — {title[:1].lower()}{title[1:]}"}
    return {"ccap": "Considérations sociales", "rc": "Considérations sociales", "objet": "les considérations sociales",
            "objet_rc": "les considérations sociales", "documents": "CCAP — considérations sociales",
            "documents_rc": "Règlement de la consultation — considérations sociales"}


def document_choices(lots, names: dict[str, str]) -> tuple[DocumentChoice, ...]:
    """Every document of the pack, produced or not, with the reason of each one left out."""
    scored = any(p.critere or p.insertion for p in lots)
    engaged = any(p.engaged for p in lots)
    followed = any(p.action for p in lots)
    reasons = {
        "memoire": None if scored else (
            "aucun lot n'est noté sur l'insertion ni ne constitue un marché d'insertion : le règlement de la consultation ne "
            "demande pas de mémoire d'insertion"),
        "annexe-ae": None if engaged else (
            "aucun lot ne porte d'heures d'insertion ni de critère d'insertion hors marché d'insertion : le soumissionnaire n'a "
            "aucun engagement d'insertion à souscrire"),
        "suivi": None if followed else (
            "aucun lot ne porte d'action d'insertion (heures, critère ou marché d'insertion) : aucun parcours n'est suivi au titre "
            "de la clause"),
    }
    out = []
    for doc in DOCUMENTS:
        title = {"ccap": names["documents"], "rc": names["documents_rc"]}.get(doc.name, doc.title)
        reason = reasons.get(doc.name)
        out.append(DocumentChoice(doc.name, title, reason is None, reason))
    return tuple(out)


def choose_documents(plan, names=None, *, strict: bool = True) -> tuple[tuple[Document, ...], dict[str, str]]:
    """The documents to produce and ``{name: reason}`` of those left out because they do not apply to this
    market. Naming such a document explicitly is an ``OutputError`` that explains it (``strict``), or is
    skipped."""
    skipped = plan.skipped()
    chosen = select_documents(names)
    if names and strict:
        refused = [d.name for d in chosen if d.name in skipped]
        if refused:
            raise OutputError(
                "document sans objet pour ce marché : "
                + " ; ".join(f"{name}.docx ({skipped[name]})" for name in refused)
                + ". Retirez-le de --documents."
            )
    titles_by_name = {d.name: d.title for d in plan.documents}
    chosen = tuple(Document(d.name, titles_by_name.get(d.name, d.title)) for d in chosen if d.name not in skipped)
    return chosen, {n: r for n, r in skipped.items() if not names or n in [d.name for d in select_documents(names)]}
