"""Study design and sample size where a document's reader left them unknown, read from what THIS study did.

Readers own the facts they find (PubMed publication types, registry allocation and ACTUAL enrollment); this
module only fills what they left unknown. A design is read from the document's own self-description, searched in
the title, then the abstract, then the body's methods and results: "this randomised, double-blind trial", "we
randomly assigned", "a pilot randomized controlled trial". Designs a document merely mentions (a meta-analysis it
cites in its discussion, an institutional review board) never count.
"""

from __future__ import annotations

import re

from ingest.readers.publication_types import design_of_publication_types
from ingest.sample_size import sample_size_of
from ingest.study_text import regions
from kb.models import Document, StudyDesign

__all__ = ["design_of", "fill_design_and_size", "sample_size_of", "text_design"]

_I = re.IGNORECASE
# NOTE: words that stop "a ... randomised trial" from being this study: "a previous randomised trial", "a
# meta-analysis of randomised trials", "a non-randomised trial".
_NOT_SELF = (r"(?!(?:of|in|on|from|previous|prior|earlier|recent|other|published|similar|large|several|many|these|"
             r"those|meta-analys[ie]s|review|non|not)\b)")
# NOTE: a word may carry a parenthesis: "a randomised, single (operator)-blind crossover design".
_WORD = rf"{_NOT_SELF}[\w/()-]+[\s,]+"
_SELF = r"(?:this|our|the\s+(?:present|current)|a|an|in\s+a|in\s+this|it\s+(?:is|was)\s+a)"
# NOTE: in order of what a design statement proves; each must describe this document, not one it cites.
_CUES: tuple[tuple[re.Pattern[str], StudyDesign], ...] = tuple((re.compile(p, _I), d) for p, d in (
    (r"\b(?:this|our|the\s+(?:present|current))\s+(?:\w+\s+){0,3}?meta-?analys[ie]s"
     r"|\bwe\s+(?:\w+\s+){0,3}?(?:performed|conducted|undertook|carried\s+out|did|present|report)\s+(?:a|an)\s+"
     r"(?:[\w-]+\s+){0,5}?meta-?analys[ie]s", "meta_analysis"),
    (r"\b(?:this|our|the\s+(?:present|current))\s+systematic\s+review|\bwe\s+(?:\w+\s+){0,3}?(?:performed|conducted|"
     r"undertook|carried\s+out|did|present|report)\s+(?:a|an)\s+systematic\s+review|\bwe\s+systematically\s+"
     r"(?:reviewed|searched)", "systematic_review"),
    (rf"\b{_SELF}\s+(?:{_WORD}){{0,10}}?randomi[sz]ed[\s,]+(?:{_WORD}){{0,8}}?(?:trial|study|design)\b"
     r"|\b(?:were|was|being|been)\s+(?:(?!not\b)\w+\s+){0,3}?(?:randomi[sz]ed|randomly(?:\s+\w+){0,3}?\s+(?:assigned|"
     r"allocated|divided|distributed|placed|split))\b|\brandomly\s+(?:assigned|allocated|divided)\s+(?:in)?to\b"
     r"|\bwe\s+(?:\w+\s+){0,2}?(?:randomi[sz]ed|randomly\s+(?:assigned|allocated))\b"
     r"|\brandomi[sz]ation\s+(?:sequence|list|schedule|code)s?\b|\ballocation\s+concealment\b"
     r"|\brandomi[sz]ation\s+(?:took\s+place|was\s+(?:performed|done|carried\s+out))\b", "rct"),
    (rf"\b{_SELF}\s+(?:{_WORD}){{0,6}}?non-?randomi[sz]ed[\s,-]+(?:{_WORD}){{0,6}}?(?:trial|study|design)\b"
     r"|\b(?:were|was)\s+not\s+randomi[sz]ed|\bno\s+randomi[sz]ation\s+was|\bsingle-?(?:arm|group)\s+(?:\w+\s+){0,3}?"
     r"(?:trial|study)", "non_randomized_trial"),
    (r"\b(?:this|our|a|the\s+present)\s+(?:[\w-]+\s+){0,3}?case[- ]control\s+(?:study|design|analysis)",
     "case_control"),
    (r"\b(?:this|our|a|the\s+present)\s+(?:[\w-]+\s+){0,3}?cross-sectional\s+(?:study|survey|design|analysis)",
     "cross_sectional"),
    (r"\b(?:this|our|a|the\s+present)\s+(?:[\w-]+\s+){0,3}?cohort\s+(?:study|of)\b|\bretrospective(?:ly)?\s+(?:chart\s+"
     r"|record\s+)?(?:review|analy[sz]ed|analysis)\b", "cohort"),
    (r"\b(?:this|a|our)\s+(?:[\w-]+\s+){0,2}?case\s+series\b", "case_series"),
    (r"\bwe\s+(?:report|describe|present)\s+(?:a|the|an)\s+(?:\d+-year-old|case|patient)", "case_report"),
    (r"\b(?:this|a|our)\s+qualitative\s+(?:study|research|design|approach)|\bsemi-structured\s+interviews"
     r"|\bfocus\s+groups\b", "qualitative"),
    (r"\bmice\b|\brats?\b|\bmurine\b|\brodents?\b|\bzebrafish\b|\bxenografts?\b|\brabbits\b|\bpiglets\b", "animal"),
    (r"\bin\s+vitro\b|\bcell\s+lines?\b|\bcultured\s+cells\b", "in_vitro"),
    (r"\b(?:this|these|our)\s+(?:\w+\s+)?guidelines?\b", "guideline"),
    (r"\b(?:this|our|the\s+present)\s+(?:narrative\s+|literature\s+|scoping\s+)?review\b|\bwe\s+review(?:ed)?\s+"
     r"(?:the\s+)?(?:literature|evidence|current)", "review"),
))
# NOTE: a title names what the document is; only the word "review" there needs a cue that it is the document.
_TITLE: tuple[tuple[re.Pattern[str], StudyDesign], ...] = tuple((re.compile(p, _I), d) for p, d in (
    (r"meta-?analys[ie]s", "meta_analysis"),
    (r"systematic\s+review", "systematic_review"),
    (r"non-?randomi[sz]ed|single-?arm", "non_randomized_trial"),
    (r"randomi[sz]ed\b|\brandomised\b|\brandomly\s+(?:assigned|allocated)", "rct"),
    (r"case[- ]control", "case_control"),
    (r"cross-sectional", "cross_sectional"),
    (r"\bcohort\b", "cohort"),
    (r"\bcase\s+series\b", "case_series"),
    (r"\bcase\s+report\b", "case_report"),
    (r"\bguidelines?\b", "guideline"),
    (r"(?:^|[:.]\s*|\b(?:a|an)\s+(?:[\w-]+\s+)?)review\b|\breview\s+of\b", "review"),
))


# NOTE: a trial's methods may use cell lines, animals or interviews on the side; only the abstract says it is one.
_ABSTRACT_ONLY = frozenset({"animal", "in_vitro", "qualitative"})
# NOTE: an abstract without its background states this study's design even in passing ("in a cohort of 500
# adults"); read after every self-description (the body's too), and never in the body.
_ABSTRACT: tuple[tuple[re.Pattern[str], StudyDesign], ...] = tuple((re.compile(p, _I), d) for p, d in (
    (r"case[- ]control", "case_control"),
    (r"cross-sectional", "cross_sectional"),
    (r"\bcohort\b|\bprospective(?:ly)?\s+(?:follow|observ)|\bretrospective(?:ly)?\s+(?:analy|review|stud|collect)",
     "cohort"),
    (r"\bcase\s+series\b", "case_series"),
))


def _first(cues: tuple[tuple[re.Pattern[str], StudyDesign], ...], text: str, body: bool = False) -> StudyDesign | None:
    """Return the design of the first cue found in the text (in the body, not those only an abstract may state)."""
    return next((d for rx, d in cues if not (body and d in _ABSTRACT_ONLY) and rx.search(text)), None)


def text_design(doc: Document) -> StudyDesign:
    """Return the design the document says it has: its title first, then abstract, methods and results."""
    title, front, *body = regions(doc)
    found = _first(_TITLE, title) or _first(_CUES, front)
    found = found or next((d for text in body if (d := _first(_CUES, text, body=True))), None)
    return found or _first(_ABSTRACT, front) or "unknown"


def design_of(doc: Document) -> StudyDesign:
    """Return the study design: the publication types the document carries, else its own self-description."""
    named = design_of_publication_types(doc.publication_types, "\n".join(regions(doc)[:2]))
    return named if named != "unknown" else text_design(doc)


def fill_design_and_size(doc: Document) -> Document:
    """Return the document with design and sample size filled only where its reader left them unknown."""
    design = doc.study_design if doc.study_design != "unknown" else design_of(doc)
    size = doc.sample_size if doc.sample_size is not None else sample_size_of(doc)
    return doc.model_copy(update={"study_design": design, "sample_size": size})
