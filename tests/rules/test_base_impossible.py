"""base-impossible: une réservation aux entreprises de l'ESS cumulée avec une autre réservation, ou choisie par
une entité adjudicatrice, n'a pas de lecture licite : erreur, et `render` ne publie rien."""

from __future__ import annotations

import pytest

from clausegen.errors import ProfileError

from .helpers import BASE, assert_finding, findings, load, only, variant

RULE = "base-impossible"
SERVICES = ("nature: travaux", "nature: services")


def reserved(base: str, *extra) -> str:
    return variant(BASE, SERVICES, ("base_legale: condition_execution", f"base_legale: {base}"), *extra)


def test_ess_et_siae_cumulees_erreur():
    f = only(findings(reserved("[art37, art36-2]"), RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="le code ne prévoit pas ce cumul")
    assert "L.\u00a02113-14" in f.reference and "L.\u00a02113-15" in f.reference


def test_ess_par_une_entite_adjudicatrice_erreur():
    f = only(findings(reserved("art37", ("type: etat", "type: entite_adjudicatrice")), RULE))
    assert_finding(f, rule=RULE, severity="erreur", line=29, column=18, phrase="aux seuls pouvoirs adjudicateurs")


@pytest.mark.parametrize("base", ["art37", "[art36-1, art36-2]", "art36-2"])
def test_reservation_licite_rien(base):
    assert findings(reserved(base), RULE) == []


def test_render_refuse_le_profil(tmp_path):
    from clausegen.render.pack import render_pack

    profile = load(reserved("[art37, art36-2]"), tmp_path)
    with pytest.raises(ProfileError) as caught:
        render_pack(profile, tmp_path / "dossier")
    assert "le code ne prévoit pas ce cumul" in str(caught.value)
    assert not (tmp_path / "dossier").exists()
