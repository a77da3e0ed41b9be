"""The clause plan: every combination that no template branch foresaw is decided once, and every piece, check
and export phrases the same decision. Edge profiles (tests/data/plan/) written for the contradictions that
outside readings found; each test renders the pack and reads the text of the pieces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen import load_profile
from clausegen.docx.extract import docx_text
from clausegen.plan.build import build_plan
from clausegen.render.pack import render_documents
from clausegen.review.run import review_profile

ROOT = Path(__file__).resolve().parent.parent
EDGE = ROOT / "tests" / "data" / "plan"
PROFILES = sorted((ROOT / "profiles").glob("*.yaml"))


def plain(text: str) -> str:
    """The text with the typographic spaces and hyphens made ordinary, for phrase searches."""
    return text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2011", "-")


@pytest.fixture(scope="module")
def packs():
    cache = {}

    def pack(path: Path) -> dict[str, str]:
        if path not in cache:
            cache[path] = {name.removesuffix(".docx"): plain(docx_text(data)) for name, data in render_documents(load_profile(path)).items()}
        return cache[path]

    return pack


def rules_of(path: Path) -> dict[str, list]:
    found: dict[str, list] = {}
    for f in review_profile(load_profile(path)):
        found.setdefault(f.rule, []).append(f)
    return found


# -- a marché d'insertion that the profile also scores on an insertion criterion ---------------------------


def test_marche_d_insertion_avec_critere_une_seule_grille(packs):
    texts = packs(EDGE / "insertion-critere.yaml")
    rc, avis = texts["rc"], texts["avis"]
    # one grid: the insertion project's, weighted by the profile's criterion; no ordinary insertion criterion
    assert "Critère d'attribution relatif à l'insertion" not in rc
    assert rc.count("La qualité du projet d'insertion : 40 % de la note globale") == 1
    assert "pondéré à" not in avis and avis.count("Les offres sont jugées selon les critères fixés, avec leur pondération") == 2
    # a marché d'insertion has no execution condition: the RC never invokes one
    assert "condition d'exécution" not in rc
    found = rules_of(EDGE / "insertion-critere.yaml")
    assert [f.severity for f in found["marche-insertion-critere"]] == ["avertissement"]
    assert "critere-sans-condition" not in found and "ponderation-inhabituelle" not in found


def test_marche_d_insertion_fiche_et_ccap_disent_la_meme_chose(packs):
    texts = packs(EDGE / "insertion-critere.yaml")
    ccap, fiche = texts["ccap"], texts["fiche-caracterisation"]
    assert "au moins 1 200 heures de travail" in ccap
    assert "1 200 heures" in fiche
    assert "le CCAP ne comporte ni suivi des heures ni pénalités" not in fiche
    # no choice of penalties in the profile: a blank to complete, never « Aucune pénalité »
    assert "Aucune pénalité" not in ccap
    assert "[À COMPLÉTER PAR L'ACHETEUR : montant de la pénalité par heure d'insertion non réalisée, en euros HT]" in ccap


def test_penalite_aucune_est_un_choix_exprime(packs):
    ccap = packs(ROOT / "profiles" / "marche-insertion.yaml")["ccap"]
    assert "Aucune pénalité n'est appliquée au titre des heures de travail non réalisées." in ccap
    assert "une pénalité de 30,00 € HT par jour calendaire de retard" in ccap
    assert "Cette pénalité s'ajoute aux autres pénalités prévues par le marché." in ccap


# -- a reserved lot that also carries imposed hours ------------------------------------------------------


def test_lot_reserve_avec_heures_publie_ses_heures_partout(packs):
    texts = packs(EDGE / "reserve-heures.yaml")
    avis, rc, ccap = texts["avis"], texts["rc"], texts["ccap"]
    assert re.search(r"\| 2 \| Site de Roubaix \| [^|]*réservé aux SIAE[^|]* \| 500 heures \|", avis)
    # the lots without hours are named, never the one with hours
    assert "Pour les lots n° 1 et 3, aucune obligation d'heures n'est fixée" in avis
    assert not re.search(r"lots? n° [0-9, et]*2[0-9, et]*, aucune obligation d'heures", avis)
    assert "Le lot n° 2 porte en outre la condition d'exécution relative à l'insertion" in ccap
    assert "Les lots n° 1 et 3 ne comportent pas d'heures d'insertion" in ccap
    assert "| 2 | Site de Roubaix | 500 heures |" in ccap and "500 heures" in rc
    found = rules_of(EDGE / "reserve-heures.yaml")
    assert [f.line for f in found["lot-reserve-avec-heures"]] == [16]


# -- an ESS-only market -------------------------------------------------------------------------------------


def test_marche_ess_seul_n_est_pas_une_action_d_insertion(packs):
    texts = packs(EDGE / "ess-seul.yaml")
    assert set(texts) == {"avis", "rc", "ccap", "fiche-caracterisation"}
    for name in ("avis", "rc", "ccap"):
        assert "Action d'insertion professionnelle" not in texts[name], name
        assert "clause sociale d'insertion" not in texts[name].lower(), name
        assert "économie sociale et solidaire" in texts[name], name
    assert texts["ccap"].splitlines()[3] == "# Marché réservé aux entreprises de l'économie sociale et solidaire"


# -- a renewable accord-cadre whose minimum is that of each period, without facilitator, one lot ------------


def test_accord_cadre_reconductible_minimum_par_periode(packs):
    texts = packs(EDGE / "accord-cadre-reconductible.yaml")
    ccap, avis = texts["ccap"], texts["avis"]
    # 100 000 € × 70 % ÷ 30 € × 10 % = 233,33 → 233 hours per period, 4 periods
    for period in ("Période initiale", "1re reconduction", "2e reconduction", "3e reconduction"):
        assert f"| {period} | 12 mois | 233 heures fermes |" in ccap
    assert "| Total | 48 mois | 932 heures fermes |" in ccap
    assert "Le montant minimum de 100 000,00 € HT est celui de chaque période d'exécution" in ccap
    assert "932 heures" in avis
    # one lot only: « Marché », never « Lot 1 »
    assert "Lot n° 1" not in avis and "lot n° 1" not in ccap
    # no facilitator: never « facilitateur » in a published piece
    for name in ("avis", "rc", "ccap", "annexe-ae", "suivi"):
        assert "facilitat" not in texts[name].lower(), name


# -- shared sentences, written once ------------------------------------------------------------------------

SHARED = {
    "suivi_conservation": ("ccap", "fiche-caracterisation", "suivi"),
    "suivi_dates": ("ccap", "suivi"),
    "justificatifs": ("ccap", "fiche-caracterisation"),
    "rgpd": ("ccap",),
    "etat_heures": ("ccap",),
}


@pytest.mark.parametrize("path", PROFILES + sorted(EDGE.glob("*.yaml")), ids=lambda p: p.stem)
def test_les_phrases_partagees_sont_identiques_dans_chaque_piece(path, packs):
    plan = build_plan(load_profile(path))
    texts = packs(path)
    if not any(p.action for p in plan.lots):
        # reservations only: no person is followed, no proof is kept, and no piece speaks of it
        assert all("document de suivi des compétences" not in text for text in texts.values()), path.stem
        return
    hours = any(p.condition or p.critere for p in plan.lots)
    for key, pieces in SHARED.items():
        if key == "etat_heures" and not hours:
            continue  # a marché d'insertion alone has no state of hours: its reports are aggregated
        sentence = plain(plan.texts[key])
        for piece in pieces:
            assert sentence in texts[piece], (key, piece)


def test_les_dates_du_suivi_sont_les_memes_partout(packs):
    for path in PROFILES:
        texts = packs(path)
        if "suivi" not in texts:
            continue
        dates = "à l'issue de leur contrat, puis six, douze, dix-huit et vingt-quatre mois après la conclusion de leur premier contrat au titre d'une clause sociale"
        assert dates in texts["ccap"], path.stem
        assert "comptées à partir de la conclusion de son premier contrat au titre d'une clause sociale" in texts["suivi"], path.stem
        assert "| Vingt-quatre mois |" in texts["suivi"], path.stem


# -- hours are computed once per profile ---------------------------------------------------------------------


@pytest.fixture
def hour_computations(monkeypatch):
    """Counts the calls of ``calc.compute_hours``, wherever a module bound it (``from ..calc import …``)."""
    import sys

    from clausegen import calc

    original = calc.compute_hours
    calls = []

    def counted(*args, **kwargs):
        calls.append(args[0].marche.reference)
        return original(*args, **kwargs)

    for name, module in list(sys.modules.items()):
        if (name == "clausegen" or name.startswith("clausegen.")) and getattr(module, "compute_hours", None) is original:
            monkeypatch.setattr(module, "compute_hours", counted)
    return calls


@pytest.mark.parametrize("name", ["travaux-qpv", "nettoyage-accord-cadre", "marche-insertion"])
def test_un_seul_calcul_des_heures_pour_un_dossier(name, hour_computations):
    profile = load_profile(ROOT / "profiles" / f"{name}.yaml")
    render_documents(profile)
    assert len(hour_computations) == 1


def test_un_seul_calcul_des_heures_pour_une_relecture(hour_computations):
    review_profile(load_profile(ROOT / "profiles" / "travaux-qpv.yaml"))
    assert len(hour_computations) == 1


def test_un_seul_calcul_des_heures_par_profil_pour_la_commande_render(tmp_path, hour_computations):
    from click.testing import CliRunner

    from clausegen.cli import cli

    result = CliRunner().invoke(cli, ["render", str(ROOT / "profiles" / "travaux-qpv.yaml"), "-o", str(tmp_path / "dce")])
    assert result.exit_code == 0, result.output
    assert hour_computations == ["PREF80-2027-TX-003"]
