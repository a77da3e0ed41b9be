"""Presentations of the calculator's result: a readable French table and a JSON-ready dict."""

from __future__ import annotations

from decimal import Decimal

from . import fmt
from .calc import LotHours, MarketHours
from .law.registry import load_registry

_MAIN_ORDER = ("condition_execution", "marche_insertion", "reserve_siae", "reserve_ea_esat", "reserve_ess", "critere_attribution")


def main_basis(bases) -> str:
    """The basis that governs a lot's documents when it names several."""
    return min(bases, key=_MAIN_ORDER.index) if bases else ""


def _num(value: Decimal | None):
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def hours_as_dict(result: MarketHours) -> dict:
    """The ``calc --format json`` document. Decimals become JSON numbers."""
    profile = result.profile
    return {
        "reference": profile.marche.reference,
        "objet": profile.marche.objet,
        "date_reference": profile.reference_date.isoformat(),
        "total_heures": result.total_heures,
        "parcours": _num(result.parcours),
        "etp": _num(result.etp),
        "heures_par_an": _num(result.heures_par_an),
        "etp_moyen": _num(result.etp_moyen),
        "arrondi": result.arrondi,
        "lots": [_lot_dict(r) for r in result.lots],
    }


def _lot_dict(r: LotHours) -> dict:
    ac = r.accord_cadre
    return {
        "numero": r.lot.numero,
        "intitule": r.lot.intitule,
        "base_legale": main_basis(r.lot.bases),
        "bases_legales": list(r.lot.bases),
        "heures": r.heures,
        "methode": r.methode,
        "raison": r.raison,
        "parcours": _num(r.parcours),
        "etp": _num(r.etp),
        "heures_par_an": _num(r.heures_par_an),
        "donnees": [{"nom": i.name, "valeur": _num(i.value), "origine": i.origin} for i in r.inputs],
        "etapes": [{"libelle": s.label, "calcul": s.expression, "resultat": _num(s.value), "unite": s.unit} for s in r.steps],
        "accord_cadre": None if ac is None else {
            "minimum_ht": _num(ac.minimum_ht),
            "maximum_ht": _num(ac.maximum_ht),
            "heures_fermes": ac.heures_fermes,
            "tranche_ht": _num(ac.tranche_ht),
            "heures_par_tranche": _num(ac.ratio_par_tranche),
            "heures_max_indicatives": ac.heures_max,
        },
        "heures_estimees": r.heures_estimees,
        "etp_moyen": _num(r.etp_moyen),
        "periodes": [{"rang": p.rang, "mois": p.mois, "heures": p.heures} for p in r.periodes],
    }


def period_label(rang: int) -> str:
    """« période initiale », « 1re reconduction », « 2e reconduction »…"""
    if rang == 0:
        return "période initiale"
    return f"{rang}{'re' if rang == 1 else 'e'} reconduction"


def period_text(renewal) -> str:
    """« 12 mois, reconductible 3 fois par période de 12 mois » (the avis's wording)."""
    fois = "fois" if renewal.nombre > 1 else "fois"
    return f"{renewal.periode_initiale_mois} mois, reconductible {renewal.nombre} {fois} par période de {renewal.periode_mois} mois"


def basis_label(bases) -> str:
    law = load_registry()
    short = {
        "condition_execution": "condition d'exécution",
        "critere_attribution": "critère d'attribution",
        "marche_insertion": "marché d'insertion",
        "reserve_ea_esat": "réservé EA/ESAT",
        "reserve_siae": "réservé SIAE",
        "reserve_ess": "réservé ESS",
    }
    return " + ".join(short.get(b, law.basis(b)["label"]) for b in bases)


def _plain(text: str) -> str:
    return text.replace(fmt.NBSP, " ").replace(fmt.NNBSP, " ")


def _cut(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def hours_as_text(result: MarketHours) -> str:
    profile = result.profile
    m = profile.marche
    lines = [
        f"Marché {m.reference} — {m.objet}",
        f"Date de référence : {fmt.date_longue(profile.reference_date)} · {result.arrondi}",
        "",
    ]
    rows = [("Lot", "Intitulé", "Base juridique", "Heures")]
    for r in result.lots:
        rows.append((str(r.lot.numero), r.lot.intitule, basis_label(r.lot.bases), "—" if r.heures is None else fmt.nombre(r.heures)))
    rows.append(("Total", "", "", fmt.nombre(result.total_heures)))
    widths = [min(max(len(_plain(row[i])) for row in rows), 40) for i in range(4)]
    for n, row in enumerate(rows):
        cells = [_cut(_plain(c)).ljust(widths[i]) if i < 3 else _plain(c).rjust(widths[i]) for i, c in enumerate(row)]
        lines.append("  ".join(cells).rstrip())
        if n == 0 or n == len(rows) - 2:
            lines.append("  ".join("─" * w for w in widths))
    lines.append("")
    lines.append(
        f"Soit {fmt.nombre(result.parcours, 2)} parcours de {fmt.nombre(result.parcours_heures)} heures, "
        f"{fmt.nombre(result.etp, 2)} ETP-année ({fmt.nombre(result.etp_heures)} heures par an, convention), "
        f"soit {fmt.nombre(result.etp_moyen, 2)} ETP en moyenne sur les {m.duree_mois} mois d'exécution, "
        f"et {fmt.heures(result.heures_par_an)} par année d'exécution."
    )
    if m.reconduction is not None:
        lines.append(f"Marché reconductible : {period_text(m.reconduction)} ; heures réparties au prorata de la durée de chaque période.")
    lines += ["", "Détail du calcul"]
    for r in result.lots:
        lines.append("")
        lines.append(f"Lot {r.lot.numero} — {r.lot.intitule}")
        if r.inputs:
            for i in r.inputs:
                lines.append(f"  {i.label} : {i.shown} ({i.origin})")
        for s in r.steps:
            lines.append(f"  {s.label} : {s.expression} = {fmt.exact(s.value)}{' ' + s.unit if s.unit else ''}")
        lines.append(f"  → {r.raison}")
        if r.periodes:
            lines.append("  par période : " + " ; ".join(f"{period_label(p.rang)} ({p.mois} mois) : {fmt.heures(p.heures)}" for p in r.periodes))
    for note in result.notes:
        lines += ["", note]
    return _plain("\n".join(lines))
