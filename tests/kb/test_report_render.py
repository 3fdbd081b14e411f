"""render(): every format, deterministic apart from the timestamp line, and nothing invented."""

from __future__ import annotations

import difflib
from datetime import UTC, datetime
from typing import get_args

import pymupdf
import pytest

from kb.answers import Answer, Query
from kb.errors import ConfigError
from kb.report import FORMATS, Format, render
from tests.kb.report_fixtures import ANSWER, CORPUS, DOCUMENTS

LATER = CORPUS.model_copy(update={"generated_at": datetime(2026, 7, 9, 8, 30, tzinfo=UTC)})
TEXT_FORMATS = [f for f in FORMATS if f != "pdf"]


def _changed_lines(a: str, b: str) -> list[str]:
    return [line for line in difflib.ndiff(a.splitlines(), b.splitlines()) if line[:1] in "+-"]


def test_formats_match_the_format_type() -> None:
    assert set(FORMATS) == set(get_args(Format))


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_same_inputs_give_identical_bytes(fmt: str) -> None:
    assert render(ANSWER, CORPUS, fmt, documents=DOCUMENTS) == render(ANSWER, CORPUS, fmt, documents=DOCUMENTS)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_only_the_timestamp_line_depends_on_generation_time(fmt: str) -> None:
    before = render(ANSWER, CORPUS, fmt).decode("utf-8")
    after = render(ANSWER, LATER, fmt).decode("utf-8")
    changed = _changed_lines(before, after)
    if fmt in ("bib", "ris", "csv"):
        assert changed == []
    else:
        assert len(changed) == 2
        assert "2025-03-01T12:00:00" in changed[0] and "2026-07-09T08:30:00" in changed[1]


def test_pdf_text_differs_only_in_the_timestamp_line() -> None:
    def text(corpus: object) -> str:
        doc = pymupdf.open(stream=render(ANSWER, corpus, "pdf"), filetype="pdf")  # type: ignore[arg-type]
        return "\n".join(page.get_text() for page in doc)

    changed = _changed_lines(text(CORPUS), text(LATER))
    assert len(changed) == 2 and "2026-07-09T08:30:00" in changed[1]


def test_unknown_format_names_the_supported_ones() -> None:
    with pytest.raises(ConfigError, match="md, html, pdf, json, bib, ris, csv"):
        render(ANSWER, CORPUS, "docx")


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_an_answer_with_no_evidence_still_renders(fmt: str) -> None:
    empty = Answer(question="Does X help Y?", query=Query(question="Does X help Y?"), gaps=("Nothing on X.",))
    body = render(empty, CORPUS, fmt)
    assert body or fmt in ("bib", "ris")  # no document cited: an empty reference file
    if fmt in ("md", "html"):
        text = body.decode("utf-8")
        assert "No hypothesis is supported by the knowledge base." in text and "Nothing on X." in text
