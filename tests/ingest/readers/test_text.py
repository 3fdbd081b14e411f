"""Plain text and Markdown files, and the shared section layout."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunk import chunk_document
from ingest.readers.text import line_sections, parse_text
from kb.errors import ParseError
from kb.models import Document
from tests.conftest import DATA as DATASETS

DATA = DATASETS / "evidence_inference" / "txt_files"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/datasets not present")

MARKDOWN = """# Statins after stroke

Some intro text.

## Methods

We enrolled 120 adults.

### Statistical analysis

Cox models.

## Results

Risk fell (HR 0.7).

```
# a comment in code, not a heading
```
"""


def _spans(doc: Document) -> dict[str, str]:
    return {s.title: doc.text[s.start : s.end] for s in doc.sections}


def test_markdown_headings_become_sections(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text(MARKDOWN)
    (doc,) = parse_text(path)
    assert doc.kind == "markdown" and doc.title == "Statins after stroke"
    assert [(s.title, s.kind) for s in doc.sections] == [
        ("Statins after stroke", "title"), ("Methods", "methods"), ("Statistical analysis", "methods"),
        ("Results", "results")]
    spans = _spans(doc)
    assert spans["Statistical analysis"] == "Cox models."
    assert spans["Methods"] == "We enrolled 120 adults.\n\n### Statistical analysis\n\nCox models."
    assert spans["Results"].startswith("Risk fell (HR 0.7).") and "# a comment" in spans["Results"]


def test_plain_text_first_line_title_and_bare_headings(tmp_path: Path) -> None:
    path = tmp_path / "paper.txt"
    path.write_text("Vitamin D and falls\n\nMethods\nWe pooled 9 trials.\n\nResults\nFalls fell 14%.\n")
    (doc,) = parse_text(path)
    assert doc.kind == "text" and doc.title == "Vitamin D and falls"
    assert _spans(doc) == {"Title": "Vitamin D and falls", "Methods": "Methods\nWe pooled 9 trials.",
                           "Results": "Results\nFalls fell 14%."}
    (again,) = parse_text(path)
    assert again.id == doc.id


def test_plain_text_without_headings_is_one_body_section(tmp_path: Path) -> None:
    path = tmp_path / "memo.txt"
    path.write_text("\n\nA memo\nline two\nline three (results. not a heading)\n")
    (doc,) = parse_text(path)
    assert [(s.kind, doc.text[s.start : s.end]) for s in doc.sections] == [
        ("title", "A memo"), ("body", "line two\nline three (results. not a heading)")]


def test_cp1252_bom_and_nul_bytes(tmp_path: Path) -> None:
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Café au lait – 5 µg\n".encode("cp1252") + b"\x00\x81 body")
    (doc,) = parse_text(legacy)
    assert doc.title == "Café au lait – 5 µg" and "\x00" not in doc.text
    bom = tmp_path / "bom.md"
    bom.write_bytes(b"\xef\xbb\xbf# Titled\r\n\r\ntext\r\n")
    (doc,) = parse_text(bom)
    assert doc.text == "# Titled\n\ntext\n" and doc.title == "Titled"


def test_empty_file_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_text("  \n\n")
    with pytest.raises(ParseError, match="empty.txt: the file is empty"):
        list(parse_text(path))


def test_line_sections_start_offset_and_numbered_headings() -> None:
    text = "2. Methods\nfoo\n3 RESULTS\nbar"
    assert [(s.title, s.kind, text[s.start : s.end]) for s in line_sections(text)] == [
        ("Methods", "methods", "2. Methods\nfoo"), ("Results", "results", "3 RESULTS\nbar")]
    assert [s.title for s in line_sections(text, start=text.index("3 RESULTS"))] == ["Results"]


@needs_data
def test_evidence_inference_labelled_text() -> None:
    (doc,) = parse_text(DATA / "PMC101395.txt")
    assert doc.title == "Diclofenac does not interact with codeine metabolism in vivo: A study in healthy volunteers"
    kinds = [s.kind for s in doc.sections]
    assert kinds[:5] == ["title", "background", "methods", "results", "conclusions"]
    results = doc.sections[3]
    assert doc.text[results.start : results.end].startswith("A single dose of diclofenac did not alter")
    stats = next(s for s in doc.sections if s.title == "Statistical Analysis")
    assert stats.kind == "methods"


@needs_data
def test_evidence_inference_labels_with_a_space_after_the_dot() -> None:
    # NOTE: PMC5045682 writes "ABSTRACT. RESULTS :"; its results were read as part of the background before.
    (doc,) = parse_text(DATA / "PMC5045682.txt")
    assert [s.kind for s in doc.sections][:5] == ["title", "background", "methods", "results", "conclusions"]
    results = doc.sections[3]
    assert results.title == "Results" and doc.text[results.start : results.end].startswith("No significant differences in pain score")


@needs_data
def test_an_unlabelled_abstract_between_title_and_first_label_is_a_section() -> None:
    # NOTE: issue 12: PMC4590915's whole abstract sat between "TITLE:" and "BODY.1. INTRODUCTION:" and was never
    # chunked, so its results could be neither found nor quoted.
    (doc,) = parse_text(DATA / "PMC4590915.txt")
    abstract = doc.sections[1]
    assert (abstract.title, abstract.kind) == ("Abstract", "abstract")
    assert doc.text[abstract.start : abstract.end].startswith("Objective. To evaluate the efficacy and safety")
    chunks = chunk_document(doc)
    assert any("There was reduction in blood glucose" in c.text for c in chunks)


def test_text_between_title_and_first_heading_is_kept_as_front_matter_or_abstract() -> None:
    authors = "Ann Author1, Bob Writer2\n1 Department of Medicine\n"
    text = f"A trial\n{authors}Abstract\nWe found less pain.\nMethods\nWe randomised."
    first = [(s.title, s.kind, text[s.start : s.end]) for s in line_sections(text, start=len("A trial"))][0]
    assert first == ("Front matter", "other", authors.strip())
    prose = "Objective. To test whether the drug helps. Results. Pain fell. " * 10
    text = f"A trial\n{prose}\nMethods\nWe randomised."
    first = [(s.title, s.kind, text[s.start : s.end]) for s in line_sections(text, start=len("A trial"))][0]
    assert first == ("Abstract", "abstract", prose.strip())


def test_a_first_line_too_long_for_a_title_is_body_text(tmp_path: Path) -> None:
    path = tmp_path / "one_line.txt"
    path.write_text("Aspirin reduced pain. " * 5000)  # NOTE: 110,000 characters on one line
    (doc,) = parse_text(path)
    assert doc.title == "" and [s.kind for s in doc.sections] == ["body"]
    assert max(len(c.text) for c in chunk_document(doc)) <= 1000


@needs_data
def test_flattened_subsections_of_results_stay_results() -> None:
    """PMC3691744: BODY.RESULTS is followed by BODY.BASELINE CHARACTERISTICS and BODY.OBJECTIVES, ASSESSMENTS AND
    OUTCOME MEASURES; the second named the whole results section 'background', and its findings were never read."""
    doc = next(iter(parse_text(DATA / "PMC3691744.txt")))
    at = doc.text.index("all doses of AZD3199 had increased mean peak and trough FEV1 values compared with placebo")
    assert next(s.kind for s in reversed(doc.sections) if s.start <= at < s.end) == "results"
    # NOTE: the same heading under BODY.METHODS, before the results, is still methods; the discussion still comes.
    assert [s.kind for s in doc.sections if s.title.startswith("Objectives, Assessments")] == ["methods"]
    assert "discussion" in {s.kind for s in doc.sections}
