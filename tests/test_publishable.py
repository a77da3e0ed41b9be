"""A pack a buyer publishes unchanged: no published piece (avis, RC, CCAP, annexe AE, mémoire, suivi)
speaks to the buyer, cites a wrong article or leaves internal text; only the fiche de caractérisation,
which is internal, gathers what the buyer must still do."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from clausegen import load_profile
from clausegen.docx.extract import docx_text
from clausegen.render.pack import render_documents

ROOT = Path(__file__).resolve().parents[1]
PROFILES = sorted((ROOT / "profiles").glob("*.yaml")) + [ROOT / "tests" / "data" / "derogations.yaml"]
PUBLISHED = ("avis", "rc", "ccap", "annexe-ae", "memoire", "suivi")

# Words that only a note to the buyer (or an internal working paper) would contain.
NOTES_TO_THE_BUYER = [
    r"\bremplacer\b",
    r"\bArticle X\b",
    r"\bX\.\d",
    r"[Àà] l'usage de l'acheteur",
    r"Codes à saisir",
    r"\barticle à insérer\b",
    r"\bà insérer dans\b",
    r"legal-facts|document-outlines|clausegen\.invalid",
    r"\bBT-\d",  # eForms business terms belong to the fiche
    r"\bdix pages\b",
    r"L\.\u00a02112-4|L\. 2112-4|2112-2 à L\.",
]


@pytest.fixture(scope="module")
def packs():
    out = {}
    for path in PROFILES:
        profile = load_profile(path)
        out[path.stem] = (profile, {name.removesuffix(".docx"): docx_text(data) for name, data in render_documents(profile).items()})
    return out


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_no_published_piece_speaks_to_the_buyer(path, packs):
    profile, texts = packs[path.stem]
    for name in PUBLISHED:
        if name not in texts:
            continue
        for pattern in NOTES_TO_THE_BUYER:
            found = re.search(pattern, texts[name], re.IGNORECASE)
            assert not found, f"{path.stem}/{name}: « {found.group(0)} » — {texts[name][max(0, found.start() - 80):found.end() + 80]!r}"
        for lot in profile.lots:  # the buyer's own reasons stay in the fiche
            if lot.justification:
                assert lot.justification.strip() not in texts[name], f"{path.stem}/{name}: justification of lot {lot.numero}"
        for derogation in [profile.marche.derogation_clause_sociale, *(lot.derogation_clause_sociale for lot in profile.lots)]:
            if derogation is not None:
                assert derogation.motif not in texts[name], f"{path.stem}/{name}: derogation motive"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_without_facilitator_the_pieces_never_say_facilitateur(path, packs):
    profile, texts = packs[path.stem]
    if profile.facilitateur is not None:
        return
    for name in PUBLISHED:
        if name in texts:
            assert not re.search(r"facilitat(eur|rice)", texts[name], re.IGNORECASE), f"{path.stem}/{name}"


def test_article_numbers_given_by_the_profile_are_used_everywhere(packs):
    _, texts = packs["services-reconductible"]
    assert "Article 9 – Action d'insertion professionnelle" in texts["ccap"]
    assert re.search(r"Article 9\.\d+ – ", texts["ccap"])
    assert "Article 6" in texts["rc"]
    assert "article 9" in texts["rc"].lower() or "article 9" in texts["avis"].lower()


def test_renewable_market_states_its_periods(packs):
    profile, texts = packs["services-reconductible"]
    assert "12 mois, reconductible 3 fois par période de 12 mois" in texts["avis"]
    assert "245" in texts["ccap"]  # lot 1's hours per period (980 ÷ 4)
