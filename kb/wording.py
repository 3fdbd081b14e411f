"""Plain-language wording of hypotheses: GRADE's phrasing by certainty, associations, risks, adverse events.

Only validated claims (`Claim.restatable`) are ever worded; the caller checks.
"""

from __future__ import annotations

from collections.abc import Sequence

from kb.answers import Certainty
from kb.claims import Claim, Direction

_VERBS: dict[Direction, tuple[str, str]] = {
    "decrease": ("reduces", "reduce"),
    "increase": ("increases", "increase"),
    "no_difference": ("makes little or no difference to", "make little or no difference to"),
    "unclear": ("affects", "affect"),
}
_ASSOCIATION: dict[Direction, tuple[str, str]] = {
    "decrease": ("is associated with lower", "be associated with lower"),
    "increase": ("is associated with higher", "be associated with higher"),
    "no_difference": ("is not associated with", "not be associated with"),
    "unclear": ("is associated with", "be associated with"),
}
_RISK_PREDICATES = frozenset({"increases_risk_of", "decreases_risk_of"})
_ASSOCIATION_PREDICATES = frozenset({"associated_with", "not_associated_with"})


def _name(text: str) -> str:
    first = text.split(" ", 1)[0]
    return text[:1].upper() + text[1:] if first.islower() else text


def _plural(subject: str) -> bool:
    last = subject.split()[-1] if subject.split() else ""
    return last.islower() and last.endswith("s") and not last.endswith(("ss", "us", "is"))


def statement(subject: str, obj: str, direction: Direction, certainty: Certainty, *,
              association: bool = False) -> str:
    """Return the hypothesis worded to its certainty (GRADE's plain-language phrasing)."""
    third, base = (_ASSOCIATION if association else _VERBS)[direction]
    if _plural(subject):
        third = "are " + third[3:] if third.startswith("is ") else base
    copula, rest = third.split(" ", 1) if third.startswith(("is ", "are ")) else ("", third)
    if certainty == "high":
        return f"{_name(subject)} {third} {obj}"
    if certainty == "moderate":
        hedge = f"{copula} probably {rest}" if copula else f"probably {third}"
        return f"{_name(subject)} {hedge} {obj}"
    if certainty == "low":
        return f"{_name(subject)} may {base} {obj}"
    return f"It is uncertain whether {subject} {third} {obj}"


def _outcome_phrase(claims: Sequence[Claim]) -> tuple[str, bool]:
    """Return the outcome phrase ('the risk of stroke') and whether to word it as an association."""
    votes = sum(c.kind == "association" or c.predicate in _ASSOCIATION_PREDICATES for c in claims)
    association = 2 * votes > len(claims)
    lead = claims[0]
    if lead.predicate in _RISK_PREDICATES:
        return (f"risk of {lead.object.name}" if association else f"the risk of {lead.object.name}"), association
    return lead.object.name, association


def adverse_event(subject: str, event: str) -> str:
    """Return a serious adverse event worded as a report: one arm's count cannot show that the arm caused it."""
    return (f"{_name(event)} was reported as a serious adverse event with {subject}; "
            f"whether {subject} causes it is uncertain")


def wording(claims: Sequence[Claim], direction: Direction, certainty: Certainty, *,
            comparator: str | None = None) -> str:
    """Return the statement of a group of validated claims, worded from its first (strongest) claim."""
    lead = claims[0]
    if lead.predicate == "adverse_event_of" and direction == "unclear":
        return adverse_event(lead.subject.name, lead.object.name)
    obj, association = _outcome_phrase(claims)
    said = statement(lead.subject.name, obj, direction, certainty, association=association)
    return f"{said} compared with {comparator}" if comparator else said
