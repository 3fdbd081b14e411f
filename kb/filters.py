"""Filters a question names: publication years ("since 2015", "in the last 5 years") and study designs."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from kb.models import StudyDesign

Span = tuple[int, int]

_YEAR = r"((?:19|20)\d{2})"
_NUMBERS = dict(zip("a one two three four five six seven eight nine ten".split(), [1, *range(1, 11)], strict=True))
_NUMBERS |= {"few": 5, "several": 5, "fifteen": 15, "twenty": 20}


def _relative(m: re.Match[str], today: date) -> tuple[int | None, int | None]:
    amount = (m.group("n") or "1").casefold()
    count = int(amount) if amount.isdigit() else _NUMBERS.get(amount, 1)
    return today.year - count * (10 if m.group("unit").casefold().startswith("decade") else 1), None


YearRule = tuple[re.Pattern[str], Callable[[re.Match[str], date], tuple[int | None, int | None]]]
# NOTE: ranges first, so "between 2000 and 2010" is not also read as "in 2010"; matched text is consumed.
_YEAR_RULES: tuple[YearRule, ...] = tuple((re.compile(p, re.I), f) for p, f in (
    (rf"\bbetween\s+{_YEAR}\s+and\s+{_YEAR}\b", lambda m, t: (int(m[1]), int(m[2]))),
    (rf"\bfrom\s+{_YEAR}\s*(?:to|until|through|-|–)\s*{_YEAR}\b", lambda m, t: (int(m[1]), int(m[2]))),
    (rf"\b{_YEAR}\s*(?:-|–|—|to)\s*{_YEAR}\b", lambda m, t: (int(m[1]), int(m[2]))),
    (r"\b(?:(?:in|over|during|within|from)\s+)?(?:the\s+)?(?:last|past)\s+(?:(?P<n>\d{1,3}|[a-z]+)\s+)?"
     r"(?P<unit>years?|decades?)\b", _relative),
    (rf"\b(?:since|from|as\s+of)\s+{_YEAR}\b", lambda m, t: (int(m[1]), None)),
    (rf"\b(?:after|post)\s+{_YEAR}\b", lambda m, t: (int(m[1]) + 1, None)),
    (rf"\b(?:before|prior\s+to|pre)\s+{_YEAR}\b", lambda m, t: (None, int(m[1]) - 1)),
    (rf"\b(?:until|till|up\s+to|through)\s+{_YEAR}\b", lambda m, t: (None, int(m[1]))),
    (rf"\bin\s+{_YEAR}\b", lambda m, t: (int(m[1]), int(m[1]))),
))

# NOTE: "non-randomized" precedes "randomized" so it is consumed before the shorter pattern can match.
_DESIGN_PATTERNS: tuple[tuple[str, tuple[StudyDesign, ...]], ...] = (
    (r"\bnon-?\s?randomi[sz]ed(?:\s+controlled)?(?:\s+clinical)?\s+(?:trials?|stud(?:y|ies))",
     ("non_randomized_trial",)),
    (r"\b(?:RCTs?|randomi[sz]ed(?:[\s-]+controlled)?(?:\s+clinical)?\s+(?:trials?|stud(?:y|ies))|"
         r"randomi[sz]ed[\s-]+controlled)\b", ("rct",)),
    (r"\bmeta-?\s?analy[sz][ie]s\b", ("meta_analysis",)),
    (r"\bsystematic\s+reviews?\b", ("systematic_review",)),
    (r"\b(?:prospective\s+|retrospective\s+)?cohort\s+stud(?:y|ies)\b", ("cohort",)),
    (r"\bcase[\s-]+control(?:\s+stud(?:y|ies))?\b", ("case_control",)),
    (r"\bcross[\s-]+sectional(?:\s+stud(?:y|ies)|\s+surveys?)?\b", ("cross_sectional",)),
    (r"\bobservational(?:\s+(?:stud(?:y|ies)|data|evidence|research))?\b",
     ("cohort", "case_control", "cross_sectional")),
    (r"\bcase\s+series\b", ("case_series",)),
    (r"\bcase\s+reports?\b", ("case_report",)),
    (r"\banimal\s+(?:stud(?:y|ies)|models?|experiments?)\b", ("animal",)),
    (r"\bin\s+vitro\b", ("in_vitro",)),
    (r"\bclinical\s+trials?\b", ("rct", "non_randomized_trial")),
)
_DESIGN_RULES = tuple((re.compile(p, re.I), d) for p, d in _DESIGN_PATTERNS)


def filters(question: str, today: date) -> tuple[int | None, int | None, tuple[StudyDesign, ...], list[Span]]:
    """Return year bounds, study designs and the spans of text that expressed them."""
    taken: list[Span] = []
    mins: list[int] = []
    maxs: list[int] = []
    designs: list[StudyDesign] = []

    def free(m: re.Match[str]) -> bool:
        return all(m.end() <= s or m.start() >= e for s, e in taken)

    for pattern, read in _YEAR_RULES:
        for m in filter(free, pattern.finditer(question)):
            low, high = read(m, today)
            mins += [low] if low is not None else []
            maxs += [high] if high is not None else []
            taken.append(m.span())
    for pattern, found in _DESIGN_RULES:
        for m in filter(free, pattern.finditer(question)):
            designs += [d for d in found if d not in designs]
            taken.append(m.span())
    return (max(mins) if mins else None, min(maxs) if maxs else None, tuple(designs), sorted(taken))
