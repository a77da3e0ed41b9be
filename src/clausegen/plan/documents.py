"""The documents of the pack: their names (a contract: ``ccap.docx``…), their titles, and which of them a
market's plan produces."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import OutputError


@dataclass(frozen=True)
class Document:
    name: str  # file stem, a contract: avis.docx, rc.docx…
    title: str


DOCUMENTS = (
    Document("avis", "Avis d'appel public à la concurrence — considérations sociales"),
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


def not_applicable(context: dict) -> dict[str, str]:
    """``{document: reason}`` for the documents that would say nothing for this market: they are not
    produced, and ``render`` says why (in French)."""
    out = {}
    if not context["lots_critere"] and not context["lots_insertion"]:
        out["memoire"] = "aucun lot n'est noté sur l'insertion ni ne constitue un marché d'insertion : le règlement de la consultation ne demande pas de mémoire d'insertion"
    if not context["obligations"]:
        out["annexe-ae"] = "aucun lot ne porte d'heures d'insertion ni de critère d'insertion (lots réservés ou marchés d'insertion) : l'annexe à l'acte d'engagement serait sans objet"
    if not context["lots_heures"] and not context["lots_insertion"]:
        out["suivi"] = "aucun lot ne porte d'heures d'insertion ni ne constitue un marché d'insertion : aucun parcours n'est suivi au titre de la clause"
    return out


def choose_documents(context: dict, names=None, *, strict: bool = True) -> tuple[tuple[Document, ...], dict[str, str]]:
    """The documents to produce and ``{name: reason}`` of those left out because they do not apply to
    this market (no mémoire without a scored lot, no annexe when it would say « sans objet »…). Naming
    such a document explicitly is an ``OutputError`` that explains it (``strict``), or is skipped."""

    skipped = not_applicable(context)
    chosen = select_documents(names)
    if names and strict:
        refused = [d.name for d in chosen if d.name in skipped]
        if refused:
            raise OutputError(
                "document sans objet pour ce marché : "
                + " ; ".join(f"{name}.docx ({skipped[name]})" for name in refused)
                + ". Retirez-le de --documents."
            )
    return tuple(d for d in chosen if d.name not in skipped), {n: r for n, r in skipped.items() if not names or n in [d.name for d in chosen]}
