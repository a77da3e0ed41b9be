"""The clause plan: what the market's social clause is, decided once per profile, lot by lot, each decision
with its legal source and the profile key it comes from. Every document, every review rule about the
clause, the exports, the portfolio report and the web page read it; none decides again.

May import: ``errors``, ``fmt``, ``model``, ``law``, ``profile`` (values only), ``calc``, ``working``.
Never ``docx``, ``files``, ``many`` nor any product.
"""

from __future__ import annotations

from .build import build_plan
from .model import ClausePlan, LotPlan, PlanIssue

__all__ = ["ClausePlan", "LotPlan", "PlanIssue", "build_plan"]
