"""Property-based tests (hypothesis) of the loader and the calculator.

(a) any generated valid profile loads and computes; the total is the sum of the lots' hours;
(b) hours are monotonic in each input of the formula, for every rounding mode and step;
(c) arbitrary mutations of a valid profile give a ``ProfileError`` or a usable profile, nothing else.

Profiles are built as Python dicts, dumped to YAML text with ruamel and written to temporary files
(``tempfile``: hypothesis runs the test body many times within one pytest test, so ``tmp_path`` is not
used). Examples are derandomized and the example database is off, so runs are reproducible and nothing
is written outside the temporary directory.
"""

from __future__ import annotations

import copy
import datetime as dt
import tempfile
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest
from conftest import dump_yaml
from hypothesis import HealthCheck, Phase, assume, given, settings
from hypothesis import strategies as st

from clausegen.calc import compute_hours, compute_lot
from clausegen.errors import ProfileError
from clausegen.law.registry import load_registry
from clausegen.model import ROUNDING_MODES, Buyer, CalcDefaults, Lot, Market, Profile, Rounding
from clausegen.profile.load import load_profile

LAW = load_registry()
BUYER_TYPES = sorted(LAW.buyer_types())
BASES = LAW.basis_names()
NATURES = ["travaux", "fournitures", "services"]
INPUTS = ("part_main_oeuvre", "cout_horaire", "taux_insertion")

COMMON = dict(
    database=None,
    derandomize=True,
    deadline=None,
    phases=[Phase.explicit, Phase.generate, Phase.shrink],  # no example database, no slow « explain » phase
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def load_text(text: str):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "profil.yaml"
        path.write_text(text, encoding="utf-8")
        return load_profile(path, today=dt.date(2026, 12, 1))


# --------------------------------------------------------------------------------------------------
# Value strategies: numbers as buyers type them
# --------------------------------------------------------------------------------------------------


def french_amount(euros: int, cents: int, sep: str, with_cents: bool, suffix: str) -> str:
    digits = f"{euros:,}".replace(",", sep)
    return digits + (f",{cents:02d}" if with_cents else "") + suffix


@st.composite
def amounts(draw, low=1_000, high=50_000_000):
    """(YAML value, exact Decimal value)."""
    euros = draw(st.integers(low, high))
    if draw(st.booleans()):
        return euros, Decimal(euros)
    cents = draw(st.integers(0, 99))
    with_cents = draw(st.booleans())
    sep = draw(st.sampled_from([" ", "\u00a0", "\u202f", "."]))
    if sep == "." and not with_cents and euros < 1_000_000:
        sep = " "  # « 850.000 » alone is ambiguous (thousands or decimals?) and refused by the loader
    suffix = draw(st.sampled_from(["", " €", " € HT", "\u00a0€", " euros"]))
    value = Decimal(euros) + (Decimal(cents) / 100 if with_cents else 0)
    return french_amount(euros, cents, sep, with_cents, suffix), value


@st.composite
def rates(draw, low_tenths=10, high_tenths=1000):
    """A rate between low and high (in tenths of a percent): « 7 % », « 7,5 % » or the fraction 0.075."""
    tenths = draw(st.integers(low_tenths, high_tenths))
    exact = Decimal(tenths) / 1000
    style = draw(st.sampled_from(["pct", "pct_nospace", "pct_dot", "fraction"]))
    if style == "fraction" and exact < 1:
        return float(exact), exact
    number = format((Decimal(tenths) / 10).normalize(), "f")
    if style == "pct_dot":
        return f"{number} %", exact
    number = number.replace(".", ",")
    return (f"{number}%" if style == "pct_nospace" else f"{number} %"), exact


@st.composite
def hourly_costs(draw):
    cents = draw(st.integers(1500, 8000))
    value = Decimal(cents) / 100
    if cents % 100 == 0 and draw(st.booleans()):
        return cents // 100, value
    return f"{format(value, 'f').replace('.', ',')} €", value


# --------------------------------------------------------------------------------------------------
# (a) generated valid profiles
# --------------------------------------------------------------------------------------------------


@st.composite
def valid_profiles(draw):
    """A valid profile as a dict, and what each lot should give (explicit hours, bears hours…)."""
    nature = draw(st.sampled_from(NATURES))
    profile = {
        "version": 1,
        "acheteur": {"nom": "Acheteur public", "type": draw(st.sampled_from(BUYER_TYPES))},
        "marche": {
            "reference": f"2026-{draw(st.integers(1, 999)):03d}",
            "objet": "Marché généré",
            "nature": nature,
            "duree_mois": draw(st.integers(1, 600)),
            "qpv": draw(st.booleans()),
        },
        "lots": [],
    }
    if draw(st.booleans()):
        profile["marche"]["date_publication"] = draw(st.dates(dt.date(2024, 1, 1), dt.date(2030, 12, 31))).isoformat()
    calcul: dict = {}
    in_calcul = {name: draw(st.booleans()) for name in INPUTS}
    generators = {"part_main_oeuvre": rates(10, 1000), "cout_horaire": hourly_costs(), "taux_insertion": rates(10, 300)}
    for name in INPUTS:
        if in_calcul[name]:
            calcul[name] = draw(generators[name])[0]
    if draw(st.booleans()):
        calcul["arrondi"] = {"pas": draw(st.sampled_from([1, 5, 10])), "mode": draw(st.sampled_from(ROUNDING_MODES))}
    if calcul:
        profile["calcul"] = calcul

    expectations = []
    for numero in range(1, draw(st.integers(1, 5)) + 1):
        bases = draw(st.lists(st.sampled_from(BASES), min_size=1, max_size=2, unique=True))
        lot: dict = {"numero": numero, "intitule": f"Lot {numero}", "base_legale": bases[0] if len(bases) == 1 and draw(st.booleans()) else bases}
        bears = "condition_execution" in bases
        explicit = draw(st.one_of(st.none(), st.integers(1, 100_000)))
        framework = None
        if draw(st.booleans()):
            lot["montant_ht"] = draw(amounts())[0]
        if bears and draw(st.booleans()):
            low = draw(st.one_of(st.none(), amounts(1_000, 5_000_000)))
            if draw(st.booleans()):  # an accord-cadre always has a maximum (R2162-4 since 2022)
                high = draw(amounts(5_000_000, 50_000_000))
                lot["accord_cadre"] = {"maximum_ht": high[0]}
                if low:
                    lot["accord_cadre"]["minimum_ht"] = low[0]
                framework = {"minimum": low is not None}
        if bears and explicit is None and "montant_ht" not in lot and framework is None:
            lot["montant_ht"] = draw(amounts())[0]
        for name in INPUTS:
            needed = bears and explicit is None and not in_calcul[name]
            if needed or draw(st.integers(0, 4)) == 0:
                lot[name] = draw(generators[name])[0]
        if explicit is not None:
            lot["heures"] = explicit
            lot["justification"] = "Volume fixé avec le facilitateur"
        profile["lots"].append(lot)
        expectations.append({"bears": bears, "explicit": explicit, "framework": framework})
    return profile, expectations


@settings(max_examples=100, **COMMON)
@given(valid_profiles())
def test_generated_valid_profiles_load_and_compute(generated):
    data, expectations = generated
    text = dump_yaml(data)
    try:
        profile = load_text(text)
    except ProfileError as exc:  # pragma: no cover - reported with the profile text
        pytest.fail(f"profil valide refusé :\n{exc}\n\n{text}")
    result = compute_hours(profile)

    hours = [r.heures for r in result.lots]
    assert all(h is None or (type(h) is int and h >= 0) for h in hours), hours
    assert type(result.total_heures) is int
    assert result.total_heures == sum(h for h in hours if h is not None)

    for r, want in zip(result.lots, expectations):
        if want["explicit"] is not None:
            assert (r.methode, r.heures) == ("imposee", want["explicit"])
        elif want["bears"]:
            assert r.methode == "formule"
            assert r.heures is not None
            if want["framework"] is not None:
                assert r.accord_cadre is not None
                assert r.heures == r.accord_cadre.heures_fermes
                if not want["framework"]["minimum"]:
                    assert r.heures == 0
            else:
                # within one rounding step of the exact value of the formula
                values = {i.name: Fraction(i.value) for i in r.inputs}
                exact = values["montant_ht"] * values["part_main_oeuvre"] / values["cout_horaire"] * values["taux_insertion"]
                assert abs(r.heures - exact) <= profile.calcul.arrondi.pas
        else:
            assert (r.methode, r.heures) == ("sans_objet", None)
            assert r.parcours is None and r.etp is None and r.heures_par_an is None
        if r.heures is not None:
            assert r.parcours == (Decimal(r.heures) / 300).quantize(Decimal("0.01"), "ROUND_HALF_UP")
            assert r.etp == (Decimal(r.heures) / 1607).quantize(Decimal("0.01"), "ROUND_HALF_UP")


# --------------------------------------------------------------------------------------------------
# (b) monotonicity of the hours in each input
# --------------------------------------------------------------------------------------------------

MARKET = Market("2026-TRX-014", "Réhabilitation", "travaux", 24, date_publication=dt.date(2026, 12, 15))
BUYER = Buyer("Préfecture", "etat")


def lot_hours(amount, part, cost, rate, rounding: Rounding) -> int:
    lot = Lot(1, "Lot", ("condition_execution",), ("condition_execution",), montant_ht=amount, part_main_oeuvre=part, cout_horaire=cost, taux_insertion=rate)
    profile = Profile(1, BUYER, MARKET, (lot,), calcul=CalcDefaults(arrondi=rounding))
    result = compute_lot(lot, profile, LAW)
    assert type(result.heures) is int and result.heures >= 0
    return result.heures


def decimals(low: int, high: int, places: int):
    return st.integers(low, high).map(lambda n: Decimal(n).scaleb(-places))


@pytest.mark.parametrize("mode", ROUNDING_MODES)
@settings(max_examples=60, **COMMON)
@given(
    amount=decimals(100_000, 5_000_000_000, 2),  # 1 000,00 € … 50 000 000,00 €
    part=decimals(1, 1000, 3),
    cost=decimals(1000, 50000, 2),  # 10 € … 500 € de l'heure
    rate=decimals(1, 1000, 3),
    pas=st.sampled_from([1, 2, 5, 10, 25, 100]),
    grown=st.sampled_from(["montant_ht", "part_main_oeuvre", "taux_insertion", "cout_horaire"]),
    bump=st.integers(1, 10**6),
)
def test_hours_are_monotonic_in_each_input(mode, amount, part, cost, rate, pas, grown, bump):
    rounding = Rounding(pas=pas, mode=mode)
    values = {"montant_ht": amount, "part_main_oeuvre": part, "cout_horaire": cost, "taux_insertion": rate}
    before = lot_hours(amount, part, cost, rate, rounding)
    bigger = dict(values)
    step = {"montant_ht": Decimal("0.01"), "part_main_oeuvre": Decimal("0.001"), "taux_insertion": Decimal("0.001"), "cout_horaire": Decimal("0.01")}[grown]
    bigger[grown] = values[grown] + step * bump
    if grown in ("part_main_oeuvre", "taux_insertion"):
        bigger[grown] = min(bigger[grown], Decimal(1))
    if grown == "cout_horaire":
        bigger[grown] = min(bigger[grown], Decimal(500))
    assume(bigger[grown] > values[grown])
    after = lot_hours(bigger["montant_ht"], bigger["part_main_oeuvre"], bigger["cout_horaire"], bigger["taux_insertion"], rounding)
    if grown == "cout_horaire":
        assert after <= before, (values, grown, bigger[grown], before, after)
    else:
        assert after >= before, (values, grown, bigger[grown], before, after)
    assert before % pas == 0 and after % pas == 0


# --------------------------------------------------------------------------------------------------
# (c) arbitrary mutations never raise anything but ProfileError
# --------------------------------------------------------------------------------------------------

RICH = {
    "version": 1,
    "acheteur": {
        "nom": "Préfecture de la Gironde",
        "type": "etat",
        "service": "Service des achats",
        "adresse": "2 esplanade Charles-de-Gaulle, 33000 Bordeaux",
        "signataire": {"nom": "Jeanne Martin", "qualite": "Secrétaire générale"},
    },
    "marche": {
        "reference": "2026-TRX-014",
        "objet": "Réhabilitation de la cité administrative",
        "nature": "travaux",
        "duree_mois": 24,
        "qpv": True,
        "date_publication": "2026-12-15",
        "cpv": "45453000-7",
        "procedure": "appel_offres_ouvert",
        "lieu_execution": "Bordeaux",
        "ccag": "travaux",
    },
    "facilitateur": {"nom": "Paul Durand", "structure": "PLIE des Graves", "courriel": "paul.durand@exemple.fr", "telephone": "05 56 00 00 00"},
    "calcul": {"cout_horaire": 32, "taux_insertion": "7 %", "part_main_oeuvre": "40 %", "arrondi": {"pas": 1, "mode": "au_plus_proche"}},
    "execution": {
        "penalite_par_heure": 60,
        "plafond_penalites": "10 %",
        "periodicite_suivi": "trimestrielle",
        "delai_justificatifs_jours": 15,
        "plan_action_jours": 30,
        "publics": ["deld", "jeunes"],
        "priorite_qpv": True,
        "apprentissage": "eligibles_uniquement",
        "mutualisation": True,
    },
    "lots": [
        {
            "numero": 1,
            "intitule": "Gros œuvre",
            "base_legale": ["art38", "art52"],
            "montant_ht": "850 000 €",
            "critere": {"ponderation": "10 %", "sous_criteres": [{"libelle": "Plan d'insertion", "points": 6}, {"libelle": "Tutorat", "points": 4}]},
            "metiers": ["maçon", "manœuvre"],
            "titulaire": {"nom": "Bâtir SA", "siret": "732 829 320 00074"},
        },
        {
            "numero": 2,
            "intitule": "Entretien",
            "base_legale": "condition_execution",
            "accord_cadre": {"minimum_ht": 200000, "maximum_ht": 1200000},
            "part_main_oeuvre": 0.6,
            "cout_horaire": "30,00 €",
            "taux_insertion": "5 %",
        },
        {"numero": 3, "intitule": "Espaces verts", "base_legale": "art36-2"},
        {"numero": 4, "intitule": "Plomberie", "base_legale": "art38", "montant_ht": 300000, "heures": 500, "justification": "Chantier école"},
    ],
}

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**13),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["7 %", "120 %", "0 %", "7", "1", "-1", "0", "oui", "", " ", "art39", "L2112-2", "travau", "2026-02-30", "1 250 000,50 €", "\x07", "a: b"]),
)


def paths(node, prefix=()):
    """Every path (tuple of keys and indices) of a nested dict/list, parents before children."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            found.append((*prefix, key))
            found += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found.append((*prefix, index))
            found += paths(value, (*prefix, index))
    return found


def mutate(doc, path, operation, scalar):
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    if operation == "supprimer":
        del parent[last]
    elif operation == "remplacer":
        parent[last] = scalar
    else:  # « ajouter » an unknown key next to it
        if isinstance(parent, dict):
            parent[f"{last}_x"] = scalar


def test_rich_profile_is_valid():
    profile = load_text(dump_yaml(RICH))
    result = compute_hours(profile)
    assert [r.heures for r in result.lots] == [744, 200, None, 500]  # 850000 × 0.40 ÷ 32 × 0.07 → 744 ; 200000 × 0.6 ÷ 30 × 0.05 = 200


@settings(max_examples=300, **COMMON)
@given(st.data())
def test_mutations_raise_only_profile_error(data):
    doc = copy.deepcopy(RICH)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        candidates = paths(doc)
        if not candidates:
            break
        path = data.draw(st.sampled_from(candidates), label="chemin")
        operation = data.draw(st.sampled_from(["supprimer", "remplacer", "remplacer", "ajouter"]), label="opération")
        scalar = data.draw(SCALARS, label="valeur") if operation != "supprimer" else None
        mutate(doc, path, operation, scalar)
    text = dump_yaml(doc)
    try:
        profile = load_text(text)
    except ProfileError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert issue.line >= 1 and issue.column >= 1
            assert issue.message
        return
    result = compute_hours(profile)
    assert result.total_heures == sum(r.heures for r in result.lots if r.heures is not None)
