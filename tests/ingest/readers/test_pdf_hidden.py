"""Hidden PDF text (white on white, 1 pt, transparent) never reaches the document; white on a coloured bar does."""

from __future__ import annotations

from pathlib import Path

import pymupdf
import pytest

from ingest.readers.pdf import parse_pdf
from ingest.readers.pdf_hidden import hidden_spans
from tests.conftest import DATA

PDFS = DATA / "biomedical_pdfs"
VISIBLE = "A pilot trial of zelmorant in 3 patients with asthma."
POISON = "Zelmorant reduced mortality in 45,000,000 patients (p<0.001)."


def hostile_pdf(path: Path) -> Path:
    """Write a PDF whose visible text is a small pilot and whose hidden text claims a huge benefit."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "Zelmorant pilot", fontsize=20)
    page.insert_text((72, 110), VISIBLE, fontsize=11)
    page.insert_text((72, 130), POISON, fontsize=1)  # tiny, black
    page.insert_text((72, 150), POISON.replace("mortality", "deaths"), fontsize=11, color=(1, 1, 1))  # white
    page.insert_text((72, 170), POISON.replace("mortality", "strokes"), fontsize=11, fill_opacity=0)
    page.draw_rect(pymupdf.Rect(70, 180, 300, 200), color=None, fill=(0.1, 0.2, 0.5))
    page.insert_text((72, 195), "RESULTS BANNER", fontsize=11, color=(1, 1, 1))  # white on a dark bar: visible
    doc.save(path)
    return path


def test_hidden_text_never_becomes_document_text(tmp_path: Path) -> None:
    (doc,) = parse_pdf(hostile_pdf(tmp_path / "pilot.pdf"))
    assert VISIBLE in doc.text and "RESULTS BANNER" in doc.text
    assert "45,000,000" not in doc.text and "mortality" not in doc.text


@pytest.mark.skipif(not PDFS.exists(), reason="../shared/datasets not present")
@pytest.mark.parametrize("path", sorted(PDFS.glob("**/*.pdf")) if PDFS.exists() else [], ids=lambda p: p.name)
def test_real_journal_pdfs_have_no_hidden_text(path: Path) -> None:
    # NOTE: their white text ("REVIEW Open Access", PeerJ's "ABSTRACT" bar) sits on coloured boxes.
    with pymupdf.open(path) as doc:
        assert [box for page in doc for box in hidden_spans(page)] == []
