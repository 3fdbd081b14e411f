"""Hypothesis wording: GRADE phrasing by certainty, plural subjects, associations, adverse events."""

from __future__ import annotations

import pytest

from kb.claims import Direction
from kb.wording import adverse_event, statement


@pytest.mark.parametrize(("direction", "level", "association", "text"), [
    ("decrease", "high", False, "Aspirin reduces stroke"),
    ("decrease", "moderate", False, "Aspirin probably reduces stroke"),
    ("decrease", "low", False, "Aspirin may reduce stroke"),
    ("decrease", "very low", False, "It is uncertain whether aspirin reduces stroke"),
    ("increase", "low", False, "Aspirin may increase stroke"),
    ("no_difference", "high", False, "Aspirin makes little or no difference to stroke"),
    ("no_difference", "moderate", False, "Aspirin probably makes little or no difference to stroke"),
    ("no_difference", "low", False, "Aspirin may make little or no difference to stroke"),
    ("no_difference", "very low", False, "It is uncertain whether aspirin makes little or no difference to stroke"),
    ("increase", "high", True, "Aspirin is associated with higher stroke"),
    ("increase", "moderate", True, "Aspirin is probably associated with higher stroke"),
    ("increase", "low", True, "Aspirin may be associated with higher stroke"),
    ("no_difference", "low", True, "Aspirin may not be associated with stroke"),
    ("decrease", "very low", True, "It is uncertain whether aspirin is associated with lower stroke"),
])
def test_wording_follows_certainty(direction: Direction, level: str, association: bool, text: str) -> None:
    assert statement("aspirin", "stroke", direction, level, association=association) == text  # type: ignore[arg-type]


@pytest.mark.parametrize(("subject", "level", "association", "text"), [
    ("statins", "high", False, "Statins reduce stroke"),
    ("statins", "moderate", False, "Statins probably reduce stroke"),
    ("statins", "very low", False, "It is uncertain whether statins reduce stroke"),
    ("beta-blockers", "moderate", True, "Beta-blockers are probably associated with lower stroke"),
    ("HbA1c", "high", False, "HbA1c reduces stroke"),
    ("tuberculosis", "high", False, "Tuberculosis reduces stroke"),
])
def test_plural_subjects_take_plural_verbs(subject: str, level: str, association: bool, text: str) -> None:
    assert statement(subject, "stroke", "decrease", level, association=association) == text  # type: ignore[arg-type]


def test_an_adverse_event_names_the_event_first_and_leaves_causation_open() -> None:
    text = adverse_event("placebo-controlled zelmorant", "atrial fibrillation")
    assert text.startswith("Atrial fibrillation was reported as a serious adverse event with placebo-controlled zelmorant")
    assert text.endswith("whether placebo-controlled zelmorant causes it is uncertain")
