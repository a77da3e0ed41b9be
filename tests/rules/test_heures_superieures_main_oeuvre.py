"""heures-superieures-main-oeuvre: le volume d'heures d'un lot ne dépasse pas ses heures de
main-d'œuvre (montant × part de main-d'œuvre ÷ coût horaire)."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "heures-superieures-main-oeuvre"


def imposed(hours, *extra) -> str:
    # 200 000 € × 40 % ÷ 32 € = 2 500 heures de main-d'œuvre
    return variant(
        BASE,
        ("montant_ht: 850000", "montant_ht: 200000"),
        ("    part_main_oeuvre: 40 %\n", f"    part_main_oeuvre: 40 %\n    heures: {hours}\n    justification: convenu\n"),
        *extra,
    )


def test_5000_heures_pour_2500_heures_de_main_d_oeuvre_erreur():
    f = only(findings(imposed(5000), RULE))
    # line 32 « heures: 5000 », value at column 13
    assert_finding(f, rule=RULE, severity="erreur", line=32, column=13, phrase="l'obligation serait inexécutable")
    assert "5\u202f000\u00a0heures" in f.message and "2\u202f500\u00a0heures de main-d'œuvre" in f.message
    assert "pratique des facilitateurs" in f.reference


def test_une_heure_de_trop_erreur():
    assert only(findings(imposed(2501), RULE)).severity == "erreur"


@pytest.mark.parametrize("hours", [2500, 744, 1])
def test_egal_ou_inferieur_a_la_main_d_oeuvre_rien(hours):
    assert findings(imposed(hours), RULE) == []


def test_part_de_main_d_oeuvre_du_bloc_calcul():
    text = variant(
        imposed(5000),
        ("  taux_insertion: 7 %\n", "  taux_insertion: 7 %\n  part_main_oeuvre: 40 %\n"),
        ("    part_main_oeuvre: 40 %\n    heures", "    heures"),
    )
    f = only(findings(text, RULE))
    assert (f.line, f.column) == (32, 13)


def test_formule_jamais_au_dessus_de_la_main_d_oeuvre():
    assert findings(BASE, RULE) == []
    assert findings(variant(BASE, ("taux_insertion: 7 %", "taux_insertion: 100 %")), RULE) == []


def test_regression_heures_imposees_sans_taux_d_insertion_non_controlees():
    """Régression corrigée : la main-d'œuvre (montant × part ÷ coût horaire) ne dépend pas du taux d'insertion, mais
    ``_labour_hours`` lit ses données dans ``LotHours.inputs``, que ``compute_lot`` laisse vide dès que l'un
    des trois paramètres du calcul manque. Un lot qui impose 5 000 heures sur 200 000 € à 40 % et 32 € de
    l'heure (2 500 heures de main-d'œuvre) sans « taux_insertion » (inutile puisque le volume est imposé,
    et le chargeur l'accepte) n'est donc pas signalé. Attendu : la même erreur qu'avec le taux."""
    text = imposed(5000, ("  taux_insertion: 7 %\n", ""))
    f = only(findings(text, RULE))
    assert (f.severity, f.line, f.column) == ("erreur", 31, 13)
