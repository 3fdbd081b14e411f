"""Which words of a clause give its direction: real sentences whose cue was misread."""

from __future__ import annotations

import pytest

from ingest.extract.clauses import parse
from ingest.extract.cue import find_cue


@pytest.mark.parametrize(("sentence", "cue"), [
    ("Training designed to improve auditory processing showed significant cognitive benefit.", None),
    ("Lifestyle counselling has the potential to reduce pain.", None),
    ("Counselling was offered to reduce pain, and pain fell.", "fell"),
    ("Pain scores were lower with A than with B.", "lower"),
])
def test_a_purpose_is_not_a_cue(sentence: str, cue: str | None) -> None:
    got = find_cue(parse(sentence, ()), 0, len(sentence), None)
    assert (got[0].group() if got else None) == cue


def test_an_until_clause_is_no_result() -> None:
    """PMC3532036: "sorafenib decreases toxicity" was read from how one patient's treatment was paused."""
    sentence = "In the other patient, sorafenib was discontinued until the toxicity had decreased to grade 1 after 3 weeks."
    assert find_cue(parse(sentence, ()), 0, len(sentence), None) is None


@pytest.mark.parametrize(("sentence", "cue", "predicate"), [
    # NOTE: PMC3476989, stored as "coffee increases pain".
    ("The pain increase in the active side of the shoulder/neck was significantly lower for the coffee consumers than "
     "for the abstainers (see Table 1; β5)", "increase", "decreases"),
    ("The reduction in pain was greater in the metformin group than in the placebo group (p = 0.01).", "reduction",
     "decreases"),
    ("The reduction in pain was smaller with metformin than with placebo.", "reduction", "increases"),
])
def test_a_compared_change_turns_with_its_comparative(sentence: str, cue: str, predicate: str) -> None:
    got = find_cue(parse(sentence, ()), 0, len(sentence), None)
    assert got is not None and (got[0].group(), got[1]) == (cue, predicate)


def test_a_compared_change_without_its_comparator_is_no_cue() -> None:
    # NOTE: PMC3606371: smaller than the previous clause's arm, which this clause does not name.
    sentence = "whereas the reduction in the DMARD + MTX group was smaller, from 56.3% to 41.6% (P = 0.004, Table 3)."
    assert find_cue(parse(sentence, ()), 0, len(sentence), None) is None
