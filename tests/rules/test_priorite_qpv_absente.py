"""priorite-qpv-absente: en quartier prioritaire, ``execution.priorite_qpv`` n'est pas désactivée."""

from __future__ import annotations

import pytest

from .helpers import BASE, assert_finding, findings, only, variant

RULE = "priorite-qpv-absente"


def profile(qpv, priority) -> str:
    pairs = []
    if qpv is not None:
        pairs.append(("  date_publication: 2026-12-15\n", f"  date_publication: 2026-12-15\n  qpv: {qpv}\n"))
    if priority is not None:
        pairs.append(("  periodicite_suivi: trimestrielle\n", f"  periodicite_suivi: trimestrielle\n  priorite_qpv: {priority}\n"))
    return variant(BASE, *pairs)


def test_qpv_et_priorite_desactivee_avertissement():
    f = only(findings(profile("true", "false"), RULE))
    # « qpv: true » adds line 11; « priorite_qpv: false » is line 23, value at column 17
    assert_finding(f, rule=RULE, severity="avertissement", line=23, column=17, phrase="la priorité aux résidents de ces quartiers est désactivée")
    assert "fiche 1, 1" in f.reference


@pytest.mark.parametrize(("qpv", "priority"), [("true", None), ("true", "true"), ("false", "false"), (None, "false"), (None, None)])
def test_autres_combinaisons_rien(qpv, priority):
    assert findings(profile(qpv, priority), RULE) == []
