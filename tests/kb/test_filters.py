"""Filters a question names, read by kb.filters (parse_query's tests cover them through the whole question)."""

from __future__ import annotations

from datetime import date

from kb.filters import filters


def test_years_and_designs_come_with_the_spans_that_said_them() -> None:
    question = "Randomized trials of aspirin since 2015?"
    low, high, designs, spans = filters(question, date(2025, 6, 1))
    assert (low, high, designs) == (2015, None, ("rct",))
    assert [question[s:e] for s, e in spans] == ["Randomized trials", "since 2015"]
