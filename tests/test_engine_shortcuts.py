"""The render engine's shortcuts give the answers of the slower forms they replace.

- ``engine._text_with_break``: does a rendered part hold a newline or a tab in a ``<w:t>`` text (then docxtpl's
  post-processing runs), found by looking back from each break instead of a regular expression search;
- ``methods.guard_method``: plain values (texts, figures, lists…) are returned without looking for a method name;
- ``filter_guard.guard_filter``: filters without any pre-check skip ``_pre_filter``.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st
from markupsafe import Markup

from clausegen.docx import engine, filter_guard, methods

PIECES = ["<w:t>", "<w:t ", '<w:t xml:space="preserve">', "<w:tab/>", "<w:tbl>", "<w:tc>", "</w:t>", "<w:r>", ">",
          "<", "\n", "\t", "a", " ", "é", "<w:t\n>", "x=\"1\""]


@settings(max_examples=2000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=40))
def test_text_with_break_is_the_regular_expression(pieces):
    xml = "".join(pieces)
    assert engine._text_with_break(xml) == (engine._TEXT_WITH_BREAK.search(xml) is not None)


@pytest.mark.parametrize("xml, expected", [
    ('<w:p><w:r><w:t>un\ndeux</w:t></w:r></w:p>', True),
    ('<w:p><w:r><w:t xml:space="preserve">un\tdeux</w:t></w:r></w:p>', True),
    ('<?xml version="1.0"?>\n<w:document>\n<w:p><w:t>sans saut</w:t></w:p>\n</w:document>', False),
    ('<w:tbl>\n<w:tc>\t</w:tc></w:tbl>', False),  # <w:tbl>, <w:tc> are not texts
    ('<w:t>' + "a\n" * (engine._FEW_BREAKS + 1) + '</w:t>', True),  # many breaks: the regular expression
    ('<w:p>' + "\n" * (engine._FEW_BREAKS + 1) + '</w:p>', False),
])
def test_text_with_break_examples(xml, expected):
    assert engine._text_with_break(xml) is expected


@pytest.mark.parametrize("value", ["texte", 12, 1.5, True, None, Decimal("3.50"), {"a": 1}, [1], (1,), Markup("<b>")])
def test_plain_values_are_returned_as_they_are(value):
    assert methods.guard_method(value) is value


def test_methods_that_build_large_results_are_still_guarded():
    guarded = methods.guard_method("ab".center)
    assert guarded is not "ab".center and guarded(6) == "  ab  "
    with pytest.raises(Exception, match="démesur|trop long|dépasse"):
        guarded(10 ** 9)
    wrapped = methods.guard_method(Markup("x").replace)  # a subclass of str: the slow path, still guarded
    assert wrapped is not None and wrapped("x", "y") == "y"


def test_pre_checks_are_skipped_only_where_there_are_none():
    seen = []
    original = filter_guard._pre_filter
    try:
        filter_guard._pre_filter = lambda *a: seen.append(a[0])
        for name, kind in [("upper", "text"), ("montant", "figure"), ("join", None), ("int", None), ("default", None), ("length", None)]:
            filter_guard.guard_filter(name, lambda v, *a: v, kind)("x")
    finally:
        filter_guard._pre_filter = original
    assert seen == ["upper", "montant", "join", "int"]
