"""Study design from NLM publication types: what PubMed and MEDLINE readers know about a paper's design."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.models import StudyDesign

# NOTE: checked in order; the most specific publication type wins (an RCT is also a "Clinical Trial").
PUBLICATION_TYPES: tuple[tuple[str, StudyDesign], ...] = (
    ("meta-analysis", "meta_analysis"),
    ("systematic review", "systematic_review"),
    ("randomized controlled trial", "rct"),
    ("pragmatic clinical trial", "rct"),
    ("equivalence trial", "rct"),
    ("practice guideline", "guideline"),
    ("guideline", "guideline"),
    ("consensus development conference", "guideline"),
    ("controlled clinical trial", "non_randomized_trial"),
    ("clinical trial", "non_randomized_trial"),
    ("observational study", "cohort"),
    ("twin study", "cohort"),
    ("case reports", "case_report"),
    ("review", "review"),
)
# NOTE: a registry record's own type names no design; the trial reader reads allocation and study type instead.
NOT_A_DESIGN = frozenset({"clinical trial registration"})
_RANDOMISED = re.compile(r"(?<!non-)(?<!non)(?<!not )randomi[sz]|randomly (?:assigned|allocated)", re.IGNORECASE)
_OBSERVATIONAL: tuple[tuple[re.Pattern[str], StudyDesign], ...] = (
    (re.compile(r"case[- ]control", re.IGNORECASE), "case_control"),
    (re.compile(r"cross-sectional", re.IGNORECASE), "cross_sectional"),
)


def design_of_publication_types(types: Iterable[str], text: str) -> StudyDesign:
    """Return the design a paper's publication types name, refined by its title and abstract; else "unknown"."""
    folded = [t.casefold() for t in types if t.casefold() not in NOT_A_DESIGN]
    for needle, design in PUBLICATION_TYPES:
        if not any(needle in t for t in folded):
            continue
        # NOTE: NLM tags many RCTs only "Clinical Trial, Phase III"; the abstract says whether it randomised.
        if design == "non_randomized_trial" and _RANDOMISED.search(text):
            return "rct"
        if design == "cohort":
            return next((d for rx, d in _OBSERVATIONAL if rx.search(text)), "cohort")
        return design
    return "unknown"
