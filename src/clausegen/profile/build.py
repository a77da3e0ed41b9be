"""From schema-valid plain data to the typed ``Profile``: values parsed, legal bases resolved, lots checked.

Paths the schema already refused are skipped, so one mistake gives one message.
"""

from __future__ import annotations

import datetime as _dt
import re
from decimal import Decimal

from ..law.registry import load_registry
from ..model import (
    Award,
    Buyer,
    CalcDefaults,
    Criterion,
    Derogation,
    Execution,
    Facilitator,
    FrameworkAgreement,
    Holder,
    Lot,
    Market,
    MarketData,
    PlaceCode,
    Profile,
    Renewal,
    Rounding,
    Signatory,
    SubCriterion,
)
from .load import _suggest, format_path
from .values import ValueProblem, clip, parse_amount, parse_date, parse_rate

MAX_HOURLY_COST = Decimal("500")


class _Builder:
    def __init__(self, reader, bad: set[str]):
        self.reader = reader
        self.bad = bad

    def refused(self, path: str) -> bool:
        """Whether ``path`` or a block containing it was refused: a set lookup of each prefix, so thousands of
        lots with an unknown key each cost thousands of lookups, not millions of comparisons."""
        if not self.bad:
            return False
        probe = path
        while probe:
            if probe in self.bad:
                return True
            cut = max(probe.rfind("."), probe.rfind("["))
            if cut <= 0:
                return False
            probe = probe[:cut]
        return False

    def value(self, data: dict, parts: list, key: str, parse=None, **kwargs):
        if not isinstance(data, dict) or key not in data:
            return None
        path = format_path([*parts, key])
        if self.refused(path):
            return None
        raw = data[key]
        if parse is None:
            return raw
        if isinstance(raw, float):  # parsed as typed: « 850.000 » is ambiguous, 850.0 would not be
            raw = self.reader.number_text.get(path, raw)
        try:
            return parse(raw, **kwargs)
        except ValueProblem as problem:
            self.reader.issue(path, problem.message, problem.expected, problem.suggestion)
            self.bad.add(path)
            return None


def luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        n = int(char)
        if index % 2 == 1:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


_RUNS = "0123456789" * 3


def placeholder_siret(digits: str) -> bool:
    """A SIRET typed to fill the field: one digit repeated (« 00000000000000 » passes the Luhn key) in the
    whole number or in its SIREN, or a SIREN of consecutive digits (« 123456789 », « 987654321 »)."""
    siren = digits[:9]
    return len(set(digits)) == 1 or len(set(siren)) == 1 or siren in _RUNS or siren in _RUNS[::-1]


def parse_siret(value) -> str:
    text = str(value).replace(" ", "").replace("\u00a0", "")
    if isinstance(value, int) and len(text) < 14:
        raise ValueProblem(f"« {value} » n'est pas un SIRET : {len(text)} chiffres au lieu de 14 (un SIRET commençant par 0 perd ce zéro s'il n'est pas écrit entre guillemets).", "14 chiffres entre guillemets, comme « \"012345678 00011\" »")
    if not (len(text) == 14 and text.isdigit() and text.isascii()):
        raise ValueProblem(f"« {clip(value)} » n'est pas un SIRET.", "14 chiffres, comme « 732 829 320 00074 »")
    if placeholder_siret(text):
        raise ValueProblem(
            f"« {value} » est un SIRET de remplissage (chiffres identiques ou qui se suivent), pas celui d'une entreprise.",
            "le SIRET réel du titulaire, 14 chiffres",
            "Recopiez-le depuis l'avis de situation SIRENE, ou retirez le bloc « titulaire » tant que le lot n'est pas attribué.",
        )
    # La Poste's establishments (SIREN 356 000 000), except its head office 356 000 000 00048, use
    # another key: the sum of the digits is a multiple of 5 (as python-stdnum checks it).
    if text.startswith("356000000") and text != "35600000000048":
        valid = sum(int(c) for c in text) % 5 == 0
    else:
        valid = luhn_ok(text)
    if not valid:
        raise ValueProblem(f"« {value} » : la clé de contrôle du SIRET est fausse.", "un SIRET valide", "Recopiez-le depuis l'avis de situation SIRENE.")
    return text


def as_int(value) -> int | None:
    """An integer field's value: ints and integral floats (``24.0``); None otherwise."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def _publication_date(value, *, start):
    date = parse_date(value)
    if date < start:
        raise ValueProblem(
            f"« {value} » précède l'entrée en vigueur du code de la commande publique ({start.isoformat()}) que clausegen cite.",
            f"une date à partir du {start.isoformat()}",
            "Pour un marché plus ancien, les documents produits citeraient des articles qui ne s'appliquaient pas encore.",
        )
    return date


def _derogation(value) -> Derogation | None:
    """``{cas, motif}`` once the schema has accepted it (the case is one of the registry's codes)."""
    if isinstance(value, dict) and isinstance(value.get("cas"), str) and isinstance(value.get("motif"), str):
        return Derogation(value["cas"], value["motif"])
    return None


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


def _hourly_cost(value):
    return parse_amount(value, maximum=MAX_HOURLY_COST, unit="€ HT de l'heure")


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
        date_publication=b.value(m, ["marche"], "date_publication", _publication_date, start=law.start_date()),
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
    execution = Execution(
        penalite_par_heure=b.value(e, ["execution"], "penalite_par_heure", parse_amount, maximum=Decimal("10000"), unit="€ HT par heure"),
        penalite_retard_jour=b.value(e, ["execution"], "penalite_retard_jour", parse_amount, maximum=Decimal("100000"), unit="€ HT par jour"),
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


def _resolve_bases(b: _Builder, law, raw: dict, parts: list) -> tuple[tuple[str, ...], tuple[str, ...]]:
    value = raw.get("base_legale")
    if value is None or b.refused(format_path([*parts, "base_legale"])):
        return (), ()
    typed = [value] if isinstance(value, str) else list(value)
    canonical = []
    for i, name in enumerate(typed):
        if not isinstance(value, str) and b.refused(format_path([*parts, "base_legale", i])):
            continue
        resolved = law.canonical_basis(str(name))
        if resolved is None:  # the schema's enum normally catches this first
            where = format_path([*parts, "base_legale"] + ([] if isinstance(value, str) else [i]))
            b.reader.issue(where, f"base juridique « {clip(name)} » inconnue.", ", ".join(law.basis_names()), _suggest(name, law.basis_names() + law.alias_names()))
        elif resolved not in canonical:
            canonical.append(resolved)
    return tuple(canonical), tuple(str(t) for t in typed)


def _build_lot(b: _Builder, law, raw: dict, index: int, calc: CalcDefaults) -> Lot | None:
    parts = ["lots", index]
    here = format_path(parts)
    numero = as_int(raw.get("numero"))
    if numero is None:
        return None
    bases, typed = _resolve_bases(b, law, raw, parts)
    ac = raw.get("accord_cadre") if isinstance(raw.get("accord_cadre"), dict) else None
    framework = None
    if ac is not None:
        framework = FrameworkAgreement(
            minimum_ht=b.value(ac, [*parts, "accord_cadre"], "minimum_ht", parse_amount),
            maximum_ht=b.value(ac, [*parts, "accord_cadre"], "maximum_ht", parse_amount),
        )
        if framework.minimum_ht and framework.maximum_ht and framework.minimum_ht > framework.maximum_ht:
            b.reader.issue(f"{here}.accord_cadre.minimum_ht", "le minimum dépasse le maximum de l'accord-cadre.", "un minimum inférieur ou égal au maximum", "Vérifiez l'ordre des deux montants.")
    crit = raw.get("critere") if isinstance(raw.get("critere"), dict) else None
    criterion = None
    if crit is not None:
        subs = tuple(
            SubCriterion(s["libelle"], as_int(s["points"]))
            for s in (crit.get("sous_criteres") if isinstance(crit.get("sous_criteres"), list) else [])
            if isinstance(s, dict) and isinstance(s.get("libelle"), str) and as_int(s.get("points")) is not None
        )
        criterion = Criterion(b.value(crit, [*parts, "critere"], "ponderation", parse_rate), subs)
    holder = None
    t = raw.get("titulaire") if isinstance(raw.get("titulaire"), dict) else None
    if t is not None:
        siret = b.value(t, [*parts, "titulaire"], "siret", parse_siret)
        if siret and isinstance(t.get("nom"), str):
            holder = Holder(t["nom"], siret)
    explicit = as_int(raw.get("heures"))
    lot = Lot(
        numero=numero,
        intitule=raw.get("intitule", ""),
        bases=bases,
        bases_saisies=typed,
        montant_ht=b.value(raw, parts, "montant_ht", parse_amount),
        accord_cadre=framework,
        part_main_oeuvre=b.value(raw, parts, "part_main_oeuvre", parse_rate),
        cout_horaire=b.value(raw, parts, "cout_horaire", _hourly_cost),
        taux_insertion=b.value(raw, parts, "taux_insertion", parse_rate),
        heures=explicit,
        justification=raw.get("justification"),
        critere=criterion,
        metiers=tuple(m for m in raw.get("metiers") if isinstance(m, str)) if isinstance(raw.get("metiers"), list) else (),
        titulaire=holder,
        derogation_clause_sociale=b.value(raw, parts, "derogation_clause_sociale", _derogation),
        id_decp=raw.get("id_decp") if isinstance(raw.get("id_decp"), str) and not b.refused(f"{here}.id_decp") else None,
        attribution=_award(b, raw, parts),
        index=index,
    )
    _check_inputs(b, law, raw, lot, calc)
    return lot


def _check_inputs(b: _Builder, law, raw: dict, lot: Lot, calc: CalcDefaults) -> None:
    """A lot bearing hours needs an amount and the three calculation inputs, unless hours are explicit."""
    here = lot.path
    if "justification" in raw and lot.heures is None and "heures" not in raw:
        b.reader.issue(f"{here}.justification", "une justification est donnée sans volume d'heures imposé.", "la clé « heures » à côté de « justification »")
    if not any(law.basis(base)["obligation_heures"] for base in lot.bases) or lot.heures is not None or b.refused(f"{here}.heures"):
        return  # hours imposed, or typed and refused (already reported): no calculation input is missing
    misspelt = [k for k in raw if b.refused(f"{here}.{k}")]  # unknown keys, already reported

    def typo_of(key: str) -> bool:
        return any(_suggest(k, [key]) for k in misspelt)

    has_amount = lot.montant_ht is not None or (lot.accord_cadre and (lot.accord_cadre.minimum_ht or lot.accord_cadre.maximum_ht))
    refused_amount = any(b.refused(f"{here}.{k}") or typo_of(k) for k in ("montant_ht", "accord_cadre")) or any(
        b.refused(f"{here}.accord_cadre.{k}") for k in ("minimum_ht", "maximum_ht")
    )  # an amount typed and refused is already reported: it is not missing
    if not has_amount and not refused_amount:
        b.reader.issue(here, "lot soumis à une condition d'exécution sans montant.", "« montant_ht » ou un bloc « accord_cadre » (minimum_ht, maximum_ht)", "Ou imposez le volume avec « heures » et « justification ».")
    for key, label in (("part_main_oeuvre", "la part de main-d'œuvre"), ("cout_horaire", "le coût horaire"), ("taux_insertion", "le taux d'insertion")):
        if getattr(lot, key) is None and getattr(calc, key) is None and not b.refused(f"{here}.{key}") and not b.refused(f"calcul.{key}") and not typo_of(key):
            b.reader.issue(here, f"{label} manque pour calculer les heures de ce lot.", f"« {key} » dans le lot ou dans le bloc « calcul »", "Les valeurs usuelles figurent dans la fiche de caractérisation ; aucune valeur n'est supposée par défaut.")


# -- open data (DECP): the buyer's SIRET, the contract's stable facts, what the award of a lot fixes ------------

# Forms of the place codes the DECP names (INSEE codes, Corsica's 2A/2B); the other types are only bounded.
_PLACE_FORMS = {
    "postal": (r"[0-9]{5}", "un code postal de 5 chiffres, comme « 21000 »"),
    "commune": (r"[0-9]{5}|2[AB][0-9]{3}", "un code commune INSEE de 5 caractères, comme « 21231 » ou « 2B002 »"),
    "departement": (r"[0-9]{2}|2[AB]|97[1-8]|98[4-9]", "un code de département, comme « 21 », « 2A » ou « 974 »"),
    "region": (r"[0-9]{2}", "un code de région INSEE de 2 chiffres, comme « 27 »"),
    "pays": (r"99[0-9]{3}", "un code pays INSEE de 5 chiffres commençant par 99, comme « 99100 » (France)"),
}
_PLACE_OTHER = (r"[0-9AB]{3,6}", "un code INSEE de 3 à 6 caractères")


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


def _place_code(b: _Builder, m: dict) -> PlaceCode | None:
    place = m.get("lieu_execution_code")
    path = "marche.lieu_execution_code"
    if not isinstance(place, dict) or any(b.refused(f"{path}.{k}") for k in ("type", "code")) or b.refused(path):
        return None
    kind, raw = place.get("type"), place.get("code")
    if not isinstance(kind, str) or raw is None or isinstance(raw, bool):
        return None
    code = str(raw).strip().upper()
    pattern, expected = _PLACE_FORMS.get(kind, _PLACE_OTHER)
    if not re.fullmatch(pattern, code):
        hint = "Un code qui commence par 0 s'écrit entre guillemets (« \"01053\" »), sinon le zéro se perd." if isinstance(raw, int) else None
        b.reader.issue(f"{path}.code", f"« {clip(raw)} » n'est pas un code de type « {kind} ».", expected, hint)
        return None
    return PlaceCode(kind, code)


def _award(b: _Builder, raw: dict, parts: list) -> Award:
    here = format_path(parts)
    members = []
    listed = raw.get("cotraitants") if isinstance(raw.get("cotraitants"), list) and not b.refused(f"{here}.cotraitants") else []
    for i, member in enumerate(listed):
        if not isinstance(member, dict):
            continue
        siret = b.value(member, [*parts, "cotraitants", i], "siret", parse_siret)
        if siret and isinstance(member.get("nom"), str):
            members.append(Holder(member["nom"], siret))
    groupement = raw.get("groupement") if isinstance(raw.get("groupement"), str) and not b.refused(f"{here}.groupement") else None
    if listed and groupement in (None, "aucun") and not b.refused(f"{here}.groupement"):
        b.reader.issue(
            f"{here}.cotraitants",
            "des cotraitants sont donnés sans groupement.",
            "« groupement: conjoint » ou « groupement: solidaire » à côté de « cotraitants »",
            "Un titulaire seul n'a pas de cotraitant : retirez « cotraitants » ou indiquez le groupement.",
        )
    offers = raw.get("offres_recues")
    return Award(
        date_notification=b.value(raw, parts, "date_notification", parse_date),
        offres_recues=as_int(offers) if not b.refused(f"{here}.offres_recues") else None,
        montant_ht=b.value(raw, parts, "montant_attribue_ht", parse_amount),
        avance=raw.get("attribution_avance") if isinstance(raw.get("attribution_avance"), bool) else None,
        sous_traitance=raw.get("sous_traitance_declaree") if isinstance(raw.get("sous_traitance_declaree"), bool) else None,
        groupement=groupement,
        cotraitants=tuple(members),
    )
