"""Cohérence d'un dossier de documents déjà produit avec le profil."""

from __future__ import annotations

import re

from ... import fmt

HOURS_DOCUMENTS = ("avis", "rc", "ccap", "annexe-ae", "fiche-caracterisation")
_HOURS = re.compile(r"(?<![\d,])(\d{1,3}(?:[\u202f\u00a0 ]\d{3})*|\d+)[\u00a0 ]heures?\b")


def hours_figures(text: str) -> set[int]:
    """Every « N heures » figure of a document text."""
    return {int(re.sub(r"\D", "", m)) for m in _HOURS.findall(text)}


def known_figures(hours) -> set[int]:
    """Every hours figure the calculator may legitimately print for this market."""
    known = {hours.total_heures, int(hours.parcours_heures), int(hours.etp_heures), int(hours.heures_par_an)}
    for r in hours.lots:
        if r.heures is None:
            continue
        known |= {r.heures, int(r.heures_par_an)} | {p.heures for p in r.periodes}
        if r.heures_estimees:
            known.add(r.heures_estimees)
        if r.accord_cadre:
            known.add(r.accord_cadre.heures_fermes)
            ratio = r.accord_cadre.ratio_par_tranche
            if ratio == ratio.to_integral_value():
                known.add(int(ratio))
            if r.accord_cadre.heures_max:
                known.add(r.accord_cadre.heures_max)
    return known


class PackMismatch:
    """Documents produits dont les heures ne correspondent plus au profil.

    Ce que vérifie la règle : avec `--documents DOSSIER`, chaque lot à heures affiche dans l'avis, le RC,
    le CCAP, l'annexe à l'acte d'engagement et la fiche de caractérisation le volume calculé pour le
    profil, et aucun autre volume n'y figure.
    Pourquoi : des documents retouchés à la main, ou produits avec une version antérieure du profil, se
    contredisent ; le candidat ne sait plus quelle obligation s'applique.
    Exemple signalé : un CCAP qui annonce 800 heures pour un lot que le profil calcule à 744 heures.
    À la place : régénérer les documents avec `clausegen render PROFIL -o DOSSIER --force`.
    Référence : cohérence des pièces du DCE ; instruction de 2019, fiche 3, 3.c.
    """

    ID = "documents-divergents"
    SEVERITY = "erreur"

    @staticmethod
    def reference(law) -> str:
        return "cohérence des pièces de la consultation ; " + law.instruction("fiche 3, 3.c")

    @staticmethod
    def check(review, report) -> None:
        folder = review.documents
        if folder is None:
            return
        from ...docx.extract import docx_text

        known = known_figures(review.hours)
        skipped = review.plan.skipped()  # not produced for this market: not expected either
        for name in HOURS_DOCUMENTS:
            if name in skipped:
                continue
            path = folder / f"{name}.docx"
            if not path.is_file():
                report("", f"Le document {path} est absent du dossier comparé.", severity="avertissement")
                continue
            try:
                text = docx_text(path.read_bytes())
            except Exception as exc:  # noqa: BLE001 - any unreadable file is a finding, not a crash
                report("", f"Le document {path} est illisible ({exc.__class__.__name__}).")
                continue
            figures = hours_figures(text)
            for r in review.hours.lots:
                if r.heures and r.heures not in figures:
                    report(f"{r.lot.path}", f"{path.name} n'affiche pas les {fmt.heures(r.heures)} calculées pour le lot {r.lot.numero} : régénérez les documents.")
            if name != "fiche-caracterisation":
                stray = sorted(figures - known)
                if stray:
                    shown = ", ".join(fmt.heures(h) for h in stray)
                    report("lots", f"{path.name} mentionne {shown}, volume(s) qui ne correspondent à aucun calcul du profil : le document a été modifié ou est périmé.")


RULES = (PackMismatch,)
