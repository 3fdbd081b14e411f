"""Study design and sample size of a document, from its metadata and its abstract."""

from __future__ import annotations

import re

from ingest.extract.stats import find_sample_size
from kb.models import Document, StudyDesign

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

# NOTE: text cues in order of evidence strength; "randomized" alone is too weak (methods of reviews say it too).
TEXT_CUES: tuple[tuple[str, StudyDesign], ...] = (
    (r"meta-?analys[ie]s", "meta_analysis"),
    (r"systematic(?:ally)? review", "systematic_review"),
    (r"randomi[sz]ed\b[^.]{0,80}\btrial|randomi[sz]ed controlled|randomly (?:assigned|allocated)", "rct"),
    (r"non-?randomi[sz]ed\b[^.]{0,40}\btrial|single-arm|open-label\s+(?:phase\s+\w+\s+)?trial", "non_randomized_trial"),
    (r"\bin (?:mice|rats)\b|\bmurine\b|\brats?\b|\bmice\b|\brodent|\bzebrafish|\bxenograft", "animal"),
    (r"in vitro|cell lines?|cultured cells", "in_vitro"),
    (r"case[- ]control", "case_control"),
    (r"cross-sectional", "cross_sectional"),
    (r"cohort|prospective(?:ly)? (?:follow|observ)|retrospective (?:analysis|review|study)", "cohort"),
    (r"case series", "case_series"),
    (r"case report|we (?:report|describe|present) (?:a|the|an) (?:\d+-year-old|case|patient)", "case_report"),
    (r"qualitative|semi-structured interviews|focus groups|thematic analysis", "qualitative"),
    (r"\bguidelines?\b[^.]{0,40}\brecommend", "guideline"),
    (r"\breview\b", "review"),
)
_RANDOMISED = re.compile(r"randomi[sz]|randomly (?:assigned|allocated)", re.IGNORECASE)
_OBSERVATIONAL_REFINE: tuple[tuple[str, StudyDesign], ...] = (
    (r"case[- ]control", "case_control"),
    (r"cross-sectional", "cross_sectional"),
)

_PEOPLE = (r"(?:patients|participants|subjects|adults|children|infants|women|men|individuals|persons|people|"
           r"volunteers|cases|respondents|pregnancies|neonates|smokers|students|residents|veterans|eyes)")
_COUNT = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)"
_SIZE_CUES = tuple(re.compile(p, re.IGNORECASE) for p in (
    rf"\b(?:a total of|overall,?|in total,?|total of)\s+{_COUNT}\b(?!\s*%)",
    rf"\b(?:enrolled|recruited|randomi[sz]ed|included|studied|assigned|analy[sz]ed)\s+{_COUNT}\s+"
    rf"(?:[\w-]+\s+){{0,3}}?{_PEOPLE}",
    rf"(?<![\d.,]){_COUNT}\s+(?:[\w-]+\s+){{0,3}}?{_PEOPLE}\b(?!\s*%)",
))
_MAX_CREDIBLE = 50_000_000


def _from_publication_types(doc: Document, text: str) -> StudyDesign | None:
    """Return the design named by the document's publication types, refined by text cues."""
    types = [t.casefold() for t in doc.publication_types]
    for needle, design in PUBLICATION_TYPES:
        if not any(needle in t for t in types):
            continue
        if design == "non_randomized_trial" and _RANDOMISED.search(text):
            return "rct"
        if design == "cohort":
            return _first_cue(_OBSERVATIONAL_REFINE, text) or "cohort"
        return design
    return None


def _from_trial(doc: Document, text: str) -> StudyDesign | None:
    """Return the design implied by a ClinicalTrials.gov record's allocation and study type."""
    if doc.trial is None:
        return None
    allocation = (doc.trial.allocation or "").upper()
    study_type = (doc.trial.study_type or "").upper()
    if allocation == "RANDOMIZED":
        return "rct"
    if study_type == "OBSERVATIONAL":
        return _first_cue(_OBSERVATIONAL_REFINE, text) or "cohort"
    if study_type == "INTERVENTIONAL":
        return "non_randomized_trial"
    return None


def _first_cue(cues: tuple[tuple[str, StudyDesign], ...], text: str) -> StudyDesign | None:
    """Return the design of the first cue pattern found in the text."""
    for pattern, design in cues:
        if re.search(pattern, text, re.IGNORECASE):
            return design
    return None


def _abstract_text(doc: Document) -> str:
    """Return the title plus the abstract (or methods/results) text, or the first 4000 characters."""
    parts = [doc.text[s.start : s.end] for s in doc.sections
             if s.kind in ("title", "abstract", "methods", "results", "registry")]
    return "\n".join([doc.title, *parts]) if parts else f"{doc.title}\n{doc.text[:4000]}"


def design_of(doc: Document) -> StudyDesign:
    """Return the study design: publication types first, then trial registry fields, then text cues."""
    text = _abstract_text(doc)
    return _from_publication_types(doc, text) or _from_trial(doc, text) or _first_cue(TEXT_CUES, text) or "unknown"


def _credible(written: str) -> bool:
    """Return whether a written count is a sample size rather than a year."""
    n = int(written.replace(",", ""))
    return 1 <= n <= _MAX_CREDIBLE and not (1900 <= n <= 2100 and "," not in written)


def sample_size_of(doc: Document) -> int | None:
    """Return the largest credible sample size stated in the abstract or methods (or the trial enrollment)."""
    if doc.trial is not None and doc.trial.enrollment.count:
        return doc.trial.enrollment.count
    text = _abstract_text(doc)
    counts = [n for n in [find_sample_size(text)] if n]
    for cue in _SIZE_CUES:
        for m in cue.finditer(text):
            if _credible(m["n"]):
                counts.append(int(m["n"].replace(",", "")))
    return max(counts, default=None)
