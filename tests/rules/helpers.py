"""Helpers of the review-rule tests: run one rule on an inline profile, derive close variants of BASE.

``BASE`` is a valid profile that triggers no finding of any rule (State buyer, works published on
15 December 2026 in procédure adaptée, a facilitator, every execution choice set — penalties, ceiling,
reporting period, deadlines — so that no « [À COMPLÉTER PAR L'ACHETEUR : …] » is left, one lot of
850 000 € HT at 40 % of labour, 32 € HT per hour, 7 % → 744 hours under an execution condition). Its line
numbers are used by the rule tests to assert where a finding points; keep them stable:

     1 version              12 facilitateur             23   plafond_penalites
     2 acheteur             13   nom                    24   delai_justificatifs_jours
     3   nom                14   structure              25   plan_action_jours
     4   type               15   courriel               26 lots
     5 marche               16 calcul                   27   - numero
     6   reference          17   cout_horaire           28     intitule
     7   objet              18   taux_insertion         29     base_legale
     8   nature             19 execution                30     montant_ht
     9   duree_mois         20   penalite_par_heure     31     part_main_oeuvre
    10   date_publication   21   periodicite_suivi
    11   procedure          22   penalite_retard_jour
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

BASE = """\
version: 1
acheteur:
  nom: Préfecture de la Gironde
  type: etat
marche:
  reference: "2026-TRX-014"
  objet: Réhabilitation de la cité administrative
  nature: travaux
  duree_mois: 24
  date_publication: 2026-12-15
  procedure: procedure_adaptee
facilitateur:
  nom: Camille Martin
  structure: PLIE des Graves
  courriel: clauses@example.org
calcul:
  cout_horaire: 32
  taux_insertion: 7 %
execution:
  penalite_par_heure: 50
  periodicite_suivi: trimestrielle
  penalite_retard_jour: 100
  plafond_penalites: 10 %
  delai_justificatifs_jours: 10
  plan_action_jours: 30
lots:
  - numero: 1
    intitule: Gros œuvre
    base_legale: condition_execution
    montant_ht: 850000
    part_main_oeuvre: 40 %
"""

# The single lot of BASE, at column 0, to build multi-lot profiles with ``with_lots``.
LOT1 = """\
- numero: 1
  intitule: Gros œuvre
  base_legale: condition_execution
  montant_ht: 850000
  part_main_oeuvre: 40 %
"""


def variant(text: str = BASE, *pairs: tuple[str, str]) -> str:
    """``text`` with each ``(old, new)`` replaced; every ``old`` must occur exactly once.

    ``variant(BASE, ("nature: travaux", "nature: services"))``. Use ``new=""`` to delete a line (include
    its newline in ``old``).
    """
    text = textwrap.dedent(text)
    for old, new in pairs:
        count = text.count(old)
        assert count == 1, f"« {old} » apparaît {count} fois dans le profil de base"
        text = text.replace(old, new)
    return text


def with_lots(lots_text: str, text: str = BASE) -> str:
    """``text`` with its ``lots:`` block (the last block) replaced by ``lots_text``.

    ``lots_text`` is a YAML list written at column 0 (``- numero: 1``…); it is indented under ``lots:``.
    """
    text = textwrap.dedent(text)
    head, sep, _ = text.partition("lots:\n")
    assert sep, "le profil n'a pas de bloc lots"
    body = textwrap.dedent(lots_text)
    return head + sep + "".join(("  " + line if line.strip() else line) for line in body.splitlines(keepends=True))


def without(text: str, *blocks: str) -> str:
    """``text`` without the top-level ``blocks`` (e.g. ``"facilitateur"``), children included."""
    lines = textwrap.dedent(text).splitlines(keepends=True)
    out, skipping = [], False
    for line in lines:
        top = line[:1] not in (" ", "\n", "")
        if top:
            skipping = line.split(":", 1)[0] in blocks
        if not skipping:
            out.append(line)
    return "".join(out)


def load(yaml_text: str, tmp_path=None, name: str = "profil.yaml"):
    """Write the dedented ``yaml_text`` and load it as a ``Profile`` (the loader must accept it)."""
    from clausegen.profile.load import load_profile

    if tmp_path is None:  # the Profile is read into memory: the file can go at once
        with tempfile.TemporaryDirectory(prefix="clausegen-rules-") as folder:
            return load(yaml_text, folder, name)
    path = Path(tmp_path) / name
    path.write_text(textwrap.dedent(yaml_text), encoding="utf-8")
    return load_profile(path)


def findings(yaml_text: str, rule_id: str, tmp_path=None, documents=None):
    """Findings of the single rule ``rule_id`` on the inline profile ``yaml_text``."""
    from clausegen.review import rules
    from clausegen.review.run import review_profile

    profile = load(yaml_text, tmp_path)
    return review_profile(profile, rules=[rules.get(rule_id)], documents=documents)


def all_findings(yaml_text: str, tmp_path=None, documents=None):
    """Findings of every rule on ``yaml_text``."""
    from clausegen.review.run import review_profile

    return review_profile(load(yaml_text, tmp_path), documents=documents)


def only(found, rule_id: str | None = None):
    """The single finding of ``found`` (asserting there is exactly one, of ``rule_id`` if given)."""
    assert len(found) == 1, [f.format() for f in found]
    finding = found[0]
    if rule_id is not None:
        assert finding.rule == rule_id
    return finding


def assert_finding(finding, *, rule: str, severity: str, line: int, column: int, phrase: str) -> None:
    """The finding's rule, severity, position, a key phrase of its message and a non-empty reference."""
    assert finding.rule == rule, finding.format()
    assert finding.severity == severity, finding.format()
    assert (finding.line, finding.column) == (line, column), finding.format()
    assert phrase in finding.message, finding.format()
    assert finding.reference.strip(), finding.format()
