"""From schema-valid plain data to the typed ``Profile``: values parsed, legal bases resolved, lots checked.

Paths the schema already refused are skipped, so one mistake gives one message.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal
from functools import lru_cache

from ..law.registry import load_registry
from ..model import (
    Buyer,
    CalcDefaults,
    Execution,
    Facilitator,
    Market,
    MarketData,
    Profile,
    Renewal,
    Rounding,
    Signatory,
)
from .builder import _Builder, _derogation, _place_code, as_int, parse_siret, placeholder_siret
from .lots import _build_lot, _hourly_cost
from .values import ValueProblem, clip, parse_amount, parse_date, parse_rate


# Practice figures the calculation reads at the market's reference date (``calc``: parcours, ETP,
# accord-cadre tranche; the formula itself): a publication date before one of them starts is refused,
# never computed with a missing figure. tests/test_hardening3_dates.py checks that this list holds every
# dated figure ``calc`` and ``render`` ask the registry for.
DATED_FIGURES = ("formule_heures", "parcours_heures", "etp_heures", "accord_cadre_tranche_ht")


@lru_cache(maxsize=4)
def publication_range(law=None) -> tuple[_dt.date, _dt.date]:
    """(first, last) publication date clausegen answers for: from the latest of the code's entry into force
    (every basis has its articles) and the first day of each figure of ``DATED_FIGURES``, all read from the
    registry, to ``values.LATEST_DATE``."""
    from .values import LATEST_DATE

    law = law or load_registry()
    starts = [law.start_date()]
    for name in DATED_FIGURES:
        starts.append(min(_dt.date.fromisoformat(str(k)) for k in law.practice_entry(name)["values"]))
    return max(starts), LATEST_DATE


def _publication_date(value, *, bounds):
    first, last = bounds
    date = parse_date(value, earliest=_dt.date.min, latest=_dt.date.max)
    if date > last:
        raise ValueProblem(f"« {date.isoformat()} » est hors de la période que clausegen sait traiter.",
                           f"une date du {first.isoformat()} au {last.isoformat()}", "Vérifiez l'année : une faute de frappe ?")
    if date < first:
        raise ValueProblem(
            f"« {date.isoformat()} » précède le {first.isoformat()}, premier jour où le registre juridique de clausegen "
            "connaît tout ce que le calcul et les documents citent (articles du code de la commande publique, durée "
            "d'un parcours, instruction du 11 avril 2019).",
            f"une date à partir du {first.isoformat()}",
            "Pour un marché plus ancien, les documents produits citeraient des règles qui ne s'appliquaient pas encore.",
        )
    return date


def _article_number(b: "_Builder", m: dict, key: str) -> str | None:
    value = m.get(key)
    if value is None or b.refused(f"marche.{key}") or isinstance(value, bool):
        return None
    return str(value)


def _renewal(b: "_Builder", m: dict) -> Renewal | None:
    """``marche.reconduction``, checked against ``duree_mois`` (the total, renewals included)."""
    r = m.get("reconduction")
    keys = ("periode_initiale_mois", "nombre", "periode_mois")
    if not isinstance(r, dict) or any(b.refused(f"marche.reconduction.{k}") for k in keys):
        return None  # a refused period is reported already: no sum to compare
    values = [as_int(r.get(k)) for k in keys]
    if None in values:
        return None
    renewal = Renewal(*values)
    months = None if b.refused("marche.duree_mois") else as_int(m.get("duree_mois"))
    if months is not None and renewal.total_mois != months:
        b.reader.issue(
            "marche.reconduction",
            f"la période initiale et les reconductions font {renewal.periode_initiale_mois} + {renewal.nombre} × {renewal.periode_mois} = "
            f"{renewal.total_mois} mois, alors que « duree_mois » vaut {months}.",
            "une durée totale égale à « duree_mois », reconductions comprises",
            f"Corrigez « duree_mois » ({renewal.total_mois}) ou les périodes.",
        )
        return None
    return renewal


def _is_none(value) -> bool:
    """« aucune » (any case, spaces around): the buyer's explicit choice of no penalty."""
    return isinstance(value, str) and value.strip().lower() in ("aucune", "aucun")


def build_profile(data: dict, reader, bad: set[str], *, today: _dt.date) -> Profile:
    b = _Builder(reader, bad)
    law = load_registry()
    a = data.get("acheteur") if isinstance(data.get("acheteur"), dict) else {}
    m = data.get("marche") if isinstance(data.get("marche"), dict) else {}
    sig = a.get("signataire") if isinstance(a.get("signataire"), dict) else None
    buyer = Buyer(
        nom=a.get("nom", ""),
        type=a.get("type", "autre"),
        service=a.get("service"),
        adresse=a.get("adresse"),
        signataire=Signatory(sig.get("nom"), sig.get("qualite")) if sig else None,
        siret=b.value(a, ["acheteur"], "siret", _buyer_siret),
    )
    market = Market(
        reference=str(m.get("reference", "")),
        objet=m.get("objet", ""),
        nature=m.get("nature", "services"),
        duree_mois=as_int(m.get("duree_mois")) or 12,
        qpv=bool(m.get("qpv", False)) if isinstance(m.get("qpv"), bool) else False,
        date_publication=b.value(m, ["marche"], "date_publication", _publication_date, bounds=publication_range(law)),
        cpv=m.get("cpv"),
        procedure=m.get("procedure"),
        lieu_execution=m.get("lieu_execution"),
        ccag=None if m.get("ccag") in (None, "aucun") else m.get("ccag"),
        derogation_clause_sociale=b.value(m, ["marche"], "derogation_clause_sociale", _derogation),
        defense_securite=m.get("defense_securite") is True,
        reconduction=_renewal(b, m),
        article_ccap=_article_number(b, m, "article_ccap"),
        article_rc=_article_number(b, m, "article_rc"),
        donnees=_market_data(b, m),
    )
    f = data.get("facilitateur")
    facilitator = Facilitator(f.get("nom", ""), f.get("structure"), f.get("courriel"), f.get("telephone"), f.get("civilite")) if isinstance(f, dict) else None

    c = data.get("calcul") if isinstance(data.get("calcul"), dict) else {}
    r = c.get("arrondi") if isinstance(c.get("arrondi"), dict) else {}
    calc = CalcDefaults(
        cout_horaire=b.value(c, ["calcul"], "cout_horaire", _hourly_cost),
        taux_insertion=b.value(c, ["calcul"], "taux_insertion", parse_rate),
        part_main_oeuvre=b.value(c, ["calcul"], "part_main_oeuvre", parse_rate),
        arrondi=Rounding(pas=as_int(r.get("pas")) or 1, mode=r.get("mode", "au_plus_proche")),
    )

    e = data.get("execution") if isinstance(data.get("execution"), dict) else {}
    publics = e.get("publics")
    none = frozenset(k for k in ("penalite_par_heure", "penalite_retard_jour") if _is_none(e.get(k)))
    execution = Execution(
        penalite_par_heure=None if "penalite_par_heure" in none else b.value(e, ["execution"], "penalite_par_heure", parse_amount, maximum=Decimal("10000"), unit="€ HT par heure"),
        penalite_retard_jour=None if "penalite_retard_jour" in none else b.value(e, ["execution"], "penalite_retard_jour", parse_amount, maximum=Decimal("100000"), unit="€ HT par jour"),
        sans_penalite=none,
        plafond_penalites=b.value(e, ["execution"], "plafond_penalites", parse_rate),
        periodicite_suivi=e.get("periodicite_suivi"),
        delai_justificatifs_jours=as_int(e.get("delai_justificatifs_jours")),
        plan_action_jours=as_int(e.get("plan_action_jours")),
        publics=tuple(str(p) for p in publics) if isinstance(publics, list) and publics else None,
        priorite_qpv=e.get("priorite_qpv"),
        apprentissage=e.get("apprentissage", "eligibles_uniquement"),
        mutualisation=e.get("mutualisation", True),
    )

    lots = []
    seen: dict[int, str] = {}
    raw_lots = data.get("lots") if isinstance(data.get("lots"), list) else []
    for index, raw in enumerate(raw_lots):
        if not isinstance(raw, dict):
            continue
        lot = _build_lot(b, law, raw, index, calc)
        if lot is None:
            continue
        path = f"lots[{index + 1}].numero"
        if lot.numero in seen:
            reader.issue(path, f"le numéro de lot {lot.numero} est déjà utilisé par {seen[lot.numero]}.", "des numéros de lot uniques", "Renumérotez l'un des deux lots.")
        else:
            seen[lot.numero] = f"lots[{index + 1}]"
        lots.append(lot)
        ac = lot.accord_cadre
        if market.reconduction is not None and ac is not None and ac.minimum_ht is not None and ac.minimum_porte_sur is None \
                and not b.refused(f"lots[{index + 1}].accord_cadre"):
            reader.issue(
                f"lots[{index + 1}].accord_cadre",
                "accord-cadre reconductible avec un minimum : le profil ne dit pas si ce minimum est celui de chaque période ou de "
                "toute la durée, ce qui change les heures fermes.",
                "« minimum_porte_sur: periode » (le minimum de chaque période) ou « minimum_porte_sur: duree_totale »",
                "Ajoutez « minimum_porte_sur » dans le bloc « accord_cadre » de ce lot.",
            )

    return Profile(
        version=data.get("version", 1),
        acheteur=buyer,
        marche=market,
        lots=tuple(lots),
        calcul=calc,
        execution=execution,
        facilitateur=facilitator,
        source=reader.source,
        positions=dict(reader.positions),
        today=today,
    )


# -- open data (DECP): the buyer's SIRET, the contract's stable facts, what the award of a lot fixes ------------

def _buyer_siret(value) -> str:
    """The buyer's SIRET, checked as a holder's is (``parse_siret``), with the buyer named in the message."""
    text = str(value).replace(" ", "").replace("\u00a0", "")
    if len(text) == 14 and text.isdigit() and text.isascii() and placeholder_siret(text):
        raise ValueProblem(
            f"« {value} » est un SIRET de remplissage (chiffres identiques ou qui se suivent), pas celui de l'acheteur.",
            "le SIRET de l'acheteur, 14 chiffres",
            "Recopiez-le depuis l'avis de situation SIRENE de l'acheteur, ou retirez la clé « siret ».",
        )
    return parse_siret(value)


def _market_data(b: _Builder, m: dict) -> MarketData:
    def listed(key: str) -> tuple[str, ...]:
        value = m.get(key)
        if not isinstance(value, list) or b.refused(f"marche.{key}"):
            return ()
        return tuple(v for v in value if isinstance(v, str))

    innovant = m.get("innovant")
    return MarketData(
        lieu_execution_code=_place_code(b, m),
        forme_prix=m.get("forme_prix") if isinstance(m.get("forme_prix"), str) and not b.refused("marche.forme_prix") else None,
        types_prix=listed("types_prix"),
        techniques=listed("techniques"),
        modalites_execution=listed("modalites_execution"),
        innovant=innovant if isinstance(innovant, bool) else None,
        considerations_environnementales=listed("considerations_environnementales"),
        sans_ccag=m.get("ccag") == "aucun",
    )



