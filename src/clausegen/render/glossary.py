"""The glossary of template variables and filters (``glossary.yaml``), as the lint and ``templates vars`` read it."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ..docx.spec import Glossary

GLOSSARY = Path(__file__).with_name("glossary.yaml")


@lru_cache(maxsize=1)
def load_glossary() -> Glossary:
    from ruamel.yaml import YAML

    data = YAML(typ="safe", pure=True).load(GLOSSARY.read_text(encoding="utf-8"))
    return Glossary({v["nom"]: v for v in data["variables"]}, {f["nom"]: f for f in data["filtres"]}, data.get("sections_requises") or {})
