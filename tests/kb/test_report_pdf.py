"""PDF reports: laid out offline on A4 pages that open and render."""

from __future__ import annotations

import pymupdf

from kb.report import render
from tests.kb.report_fixtures import ANSWER, CORPUS, DOCUMENTS, RCT

# NOTE: MuPDF sets "fi"/"ff" as ligature glyphs; extraction expands them back unless told to keep them.
PLAIN = pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES


def test_pdf_opens_renders_and_carries_the_report_text() -> None:
    doc = pymupdf.open(stream=render(ANSWER, CORPUS, "pdf", documents=DOCUMENTS), filetype="pdf")
    assert doc.page_count >= 2
    a4 = pymupdf.paper_rect("a4")
    text = ""
    for page in doc:
        assert (round(page.rect.width), round(page.rect.height)) == (round(a4.width), round(a4.height))
        pix = page.get_pixmap()
        assert pix.width > 0 and pix.height > 0
        text += page.get_text(flags=PLAIN) + "\n"
    flat = " ".join(text.split())
    assert " ".join(ANSWER.question.split()) in flat
    assert "Summary of findings" in flat
    assert "Comparison" in flat and "Certainty of evidence" in flat
    assert "HR 0.82 (0.71–0.95)" in flat
    # NOTE: extraction may break a line after a hyphen, so the quote is compared without whitespace.
    assert "".join(RCT.quote.split()) in "".join(flat.split())
    assert "Speculative — not established" in flat
    assert "research aid, not medical advice" in flat
