"""The SciFact benchmark's claim selection: judged claims, halves for tuning and checking, limits."""

from __future__ import annotations

import pytest

from benchmarks.scifact import _subset

CLAIMS = {str(i): f"claim {i}" for i in range(8)}
QRELS = {q: {"d"} for q in ("0", "2", "3", "5", "6")}  # NOTE: claims 1, 4 and 7 have no judgement.


def test_subset_keeps_judged_claims_in_file_order() -> None:
    assert list(_subset(CLAIMS, QRELS, None)) == ["0", "2", "3", "5", "6"]
    assert list(_subset(CLAIMS, QRELS, 2)) == ["0", "2"]


def test_halves_split_the_judged_claims_by_their_index_among_judged_ones() -> None:
    odd, even = _subset(CLAIMS, QRELS, None, "odd"), _subset(CLAIMS, QRELS, None, "even")
    assert list(odd) == ["2", "5"] and list(even) == ["0", "3", "6"]
    assert list(_subset(CLAIMS, QRELS, 1, "even")) == ["0"]


def test_unknown_half_is_refused() -> None:
    with pytest.raises(ValueError, match="half must be one of"):
        _subset(CLAIMS, QRELS, None, "first")
