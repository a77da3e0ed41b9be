"""The law and the official lists as dated, sourced data: the legal registry (``registry.yaml`` read by
``registry``: bases, articles, thresholds, rules, practice figures, each with its date, source and
confidence) and the official code lists (``codelists``: DECP, eForms SDK, CPV).

May import: ``errors``, ``fmt`` and the standard library. Nothing above it.
"""
