"""Claims from results-table rows: the row is the quote, its label the outcome, its column headers the arms.

A row counts only in a primary study's results (a review's or meta-analysis's table lists other studies), never
in a baseline-characteristics table, and only when its arms and its label name something.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ingest.extract.build import confidence, verified
from ingest.extract.clauses import SAFETY, Named
from ingest.extract.table_rows import HEADER_WINDOW, Row, is_cell, table_rows
from ingest.nlp.arms import generic_arm
from ingest.nlp.entities import is_entity_name
from ingest.nlp.reading import Reading, intervention_key
from kb.claims import Claim, Quote
from kb.models import Chunk

_CAPTION = re.compile(r"^[ \t]*Table\s*\d+[^\n]*", re.IGNORECASE | re.MULTILINE)
_NOT_RESULTS = re.compile(r"baseline|characteristic|demographic|at entry|at enrol?ment|at randomi[sz]ation|"
                          r"included (?:studies|trials)|eligib", re.IGNORECASE)
# NOTE: a table may hold the groups' make-up and their outcomes together ("Intake status" rows, then "Clinical
# outcomes"): a row under a group heading like that, or labelled with a trait people bring to the study, is no result.
_GROUP_HEADING = re.compile(r"^[ \t]*([A-Za-z][^\n]{2,60}?)[ \t]*\n[ \t]*\n", re.MULTILINE)
_NOT_RESULT_GROUP = re.compile(rf"{_NOT_RESULTS.pattern}|\bintake\b|\bat (?:assessment|admission)\b|"
                               r"\bpre-?(?:treatment|test|intervention)\b", re.IGNORECASE)
_TRAIT_ROW = re.compile(r"^\s*(?:age\b|gender\b|sex\b|male\b|female\b|employ|relationship\b|marital\b|married\b|"
                        r"education|high school|ethnic|race\b|income\b|height\b|smoking status)|"
                        # NOTE: "change from baseline in HbA1c" is a result; "HbA1c at baseline" is not.
                        r"(?<!from )(?<!since )(?<!to )\b(?:baseline|pre-?(?:treatment|test|intervention))\b|"
                        r"(?-i:[a-z]Pre\b)", re.IGNORECASE)
_COUNT = re.compile(r"\s*[(\[]\s*[nN]\s*=\s*[\d,]+\s*[)\]]|\s*\b[nN]\s*=\s*[\d,]+")
SYNTHESES = ("meta_analysis", "systematic_review", "review", "guideline")


def _caption(text: str, at: int) -> str:
    """Return the caption line of the table a row belongs to ("" when none is near)."""
    found = [m.group() for m in _CAPTION.finditer(text, max(0, at - HEADER_WINDOW), at)]
    return found[-1] if found else ""


def _arm(reading: Reading, header: str | None) -> Named | None:
    """Return the intervention a column header names (its "(n = 28)" dropped), or None when it names nothing."""
    name = _COUNT.sub("", header or "").strip(" :")
    if not name or not is_entity_name(name):
        return None
    if generic_arm(name) == "active" and reading.arms.active is not None:
        a = reading.arms.active
        return Named(a.surface, "intervention", a.normalized_id, a.name, True)
    known = [m for m in reading.lexicon.find(name) if m.type == "intervention"]
    keys = {intervention_key(m.normalized_id, m.surface) for m in known} | {intervention_key(None, name)}
    if not keys & reading.studied_keys() and name.casefold() not in reading.doc.title.casefold():
        return None  # NOTE: "Fabry patients" vs "control subjects": groups the study did not give anything to
    return Named(name, "intervention", known[0].normalized_id if len(known) == 1 else None,
                 known[0].name if len(known) == 1 else None, True)


def _group(text: str, at: int) -> str:
    """Return the last group heading (a short line followed by a blank one) of the table a row belongs to."""
    caption = list(_CAPTION.finditer(text, max(0, at - HEADER_WINDOW), at))
    start = caption[-1].end() if caption else at
    found = [m.group(1) for m in _GROUP_HEADING.finditer(text, start, at) if not is_cell(m.group(1))]
    return found[-1] if found else ""


def result_row(text: str, at: int, label: str) -> bool:
    """Return whether the table row at `at` reports a result: not in a baseline table or group of rows, and not a
    trait people bring to the study (age, gender, a pre-treatment score)."""
    return (not _NOT_RESULTS.search(_caption(text, at)) and not _TRAIT_ROW.search(label)
            and not _NOT_RESULT_GROUP.search(_group(text, at)))


def _usable(reading: Reading, row: Row, label: str) -> bool:
    """Return whether a row may speak: a result row of a primary study's results."""
    section = reading.doc.section_at(row.start)
    return (reading.doc.study_design not in SYNTHESES and (section is None or section.kind in ("results", "table"))
            and result_row(reading.doc.text, row.start, label))


def row_claims(reading: Reading, extractor: str, version: str) -> Iterator[Claim]:
    """Yield the verified claims of the document's usable results-table rows."""
    doc = reading.doc
    for row in table_rows(doc.text):
        chunk = next((c for c in reading.chunks if c.start <= row.start and row.end <= c.end), None)
        subject = _arm(reading, row.arms[0])
        label = doc.text[row.label[0] : row.label[1]]
        if chunk is None or subject is None or not is_entity_name(label) or not _usable(reading, row, label):
            continue
        if (claim := _row_claim(reading, chunk, row, subject, label, extractor, version)) is not None:
            yield claim


def _row_claim(reading: Reading, chunk: Chunk, row: Row, subject: Named, label: str, extractor: str,
               version: str) -> Claim | None:
    """Return the claim a usable row states: its first arm against its second on the row's label."""
    doc = reading.doc
    text = doc.text[row.start : row.end]
    quote = Quote(text=text, doc_id=doc.id, start=row.start, end=row.end, page=doc.page_at(row.start))
    obj = Named(label, "outcome", validated=True)
    control = _COUNT.sub("", row.arms[1] or "").strip(" :") or None
    data: dict[str, Any] = {
        "doc_id": doc.id, "chunk_id": chunk.id, "subject": subject.entity(), "predicate": row.predicate,
        "object": obj.entity(), "direction": row.direction, "kind": "safety" if SAFETY.search(text) else "efficacy",
        "comparator": control, "population": reading.population, "sample_size": doc.sample_size,
        "study_design": doc.study_design, "quote": quote, "extractor": extractor, "extractor_version": version,
        "restatable": row.direction != "unclear", "confidence": confidence(subject, obj, None, None, False,
                                                                         doc.study_design),
    }
    return verified(data, chunk)
