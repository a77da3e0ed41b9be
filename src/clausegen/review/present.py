"""Presentations of review results and of the rule catalogue (text for people, JSON for tools)."""

from __future__ import annotations

import json
from itertools import groupby

from ..law.registry import load_registry
from .finding import SEVERITIES
from .rules import RULES, title


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n > 1 else ''}"


def summary(result) -> str:
    counts = {s: sum(f.severity == s for f in result.findings) for s in SEVERITIES}
    parts = [_plural(counts["erreur"], "erreur"), _plural(counts["avertissement"], "avertissement"), _plural(counts["conseil"], "conseil")]
    text = f"{_plural(len(result.files), 'profil')} relu{'s' if len(result.files) > 1 else ''} : " + ", ".join(parts) + "."
    invalid = len({i.file for i in result.invalid})
    if invalid:
        text += f" {_plural(invalid, 'profil')} invalide{'s' if invalid > 1 else ''} (voir les messages ci-dessus)."
    return text


def findings_as_text(result) -> str:
    lines = []
    for file, group in groupby(sorted(result.findings, key=lambda f: f.sort_key()), key=lambda f: f.file):
        lines.append(file)
        for f in group:
            lines.append(f"  {f.line}:{f.column}  {f.severity}  [{f.rule}]")
            lines.append(f"      {f.message}")
            lines.append(f"      Référence : {f.reference}")
        lines.append("")
    lines.append(summary(result))
    return "\n".join(lines)


def findings_as_json(result) -> str:
    return json.dumps(
        {
            "profils": result.files,
            "constats": [f.as_dict() for f in sorted(result.findings, key=lambda f: f.sort_key())],
            "invalides": [i.as_dict() for i in result.invalid],
            "resume": {s: sum(f.severity == s for f in result.findings) for s in SEVERITIES},
        },
        ensure_ascii=False,
        indent=2,
    )


def rules_as_text() -> str:
    law = load_registry()
    lines = []
    for rule in RULES:
        lines.append(f"{rule.ID}  ({rule.SEVERITY})")
        lines.append(f"    {title(rule)}")
        lines.append(f"    Référence : {rule.reference(law)}")
    return "\n".join(lines)


def rules_as_json() -> str:
    law = load_registry()
    return json.dumps(
        [
            {"regle": r.ID, "gravite": r.SEVERITY, "titre": title(r), "reference": r.reference(law), "documentation": (r.__doc__ or "").strip()}
            for r in RULES
        ],
        ensure_ascii=False,
        indent=2,
    )
