"""The glossary of template variables and filters (``glossary.yaml``), as the lint and ``templates vars`` read it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..docx.spec import Glossary

GLOSSARY = Path(__file__).with_name("glossary.yaml")


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    from ruamel.yaml import YAML

    try:
        yaml = YAML(typ="safe", pure=False)  # libyaml (ruamel.yaml.clib) when installed
    except Exception:  # pragma: no cover - clib missing
        yaml = YAML(typ="safe", pure=True)
    data = yaml.load(GLOSSARY.read_text(encoding="utf-8"))
    return Glossary({v["nom"]: v for v in data["variables"]}, {f["nom"]: f for f in data["filtres"]}, data.get("sections_requises") or {})
