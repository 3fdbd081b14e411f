"""Sources as they look: paragraphs cut at whole sentences with line breaks joined, PDF pages highlighted."""

from __future__ import annotations

from pathlib import Path

import pymupdf

from app.web.sources import excerpt, joined, page_image
from kb.models import Document
from tests.conftest import DEMO


def _doc(text: str) -> Document:
    return Document(id="d", kind="pdf", source="x.pdf", content_hash="h", text=text)


def test_pdf_line_breaks_are_joined_and_hyphens_kept() -> None:
    assert joined("placebo-\ncontrolled trial of\nzelmorant  in   adults") == \
        "placebo-controlled trial of zelmorant in adults"


def test_a_short_paragraph_is_shown_whole_around_the_quote() -> None:
    text = "Methods here.\n\nWe enrolled 64\nadolescents. FEV1 rose by 130 mL. It was safe.\n\nNext paragraph."
    start = text.index("FEV1")
    e = excerpt(_doc(text), start, start + len("FEV1 rose by 130 mL."))
    assert (e.before, e.quote, e.after) == ("We enrolled 64 adolescents.", "FEV1 rose by 130 mL.", "It was safe.")
    assert not e.cut_before and not e.cut_after


def test_a_long_paragraph_is_cut_at_whole_sentences() -> None:
    filler = " ".join(f"Sentence number {i} talks about something unrelated to the trial." for i in range(40))
    text = f"{filler} Zelmorant reduced exacerbations by 40 percent. {filler}"
    start = text.index("Zelmorant")
    e = excerpt(_doc(text), start, start + len("Zelmorant reduced exacerbations by 40 percent."), budget=300)
    assert e.cut_before and e.cut_after and len(e.before) + len(e.after) < 400
    assert e.before.startswith("Sentence number") and e.before.endswith("trial.")
    assert e.after.startswith("Sentence number") and e.after.endswith("trial.")


def test_a_run_on_text_is_cut_at_whole_words() -> None:
    words = " ".join(f"word{i}" for i in range(2000))
    text = f"{words} QUOTE HERE {words}"
    start = text.index("QUOTE")
    e = excerpt(_doc(text), start, start + len("QUOTE HERE"), budget=100)
    assert e.before.split()[0].startswith("word") and text.find(" " + e.before.split()[0] + " ") >= 0
    assert e.after.split()[-1] in words.split() and len(e.before) <= 101


def test_the_pdf_page_is_rendered_with_the_quote_highlighted() -> None:
    poster = DEMO / "zelmorant_poster.pdf"
    quote = "FEV1 increased by 130 mL with zelmorant and by 35 mL with placebo."
    image = page_image(poster, 2, quote)
    assert (image.page, image.pages, image.found) == (2, 2, True)
    assert pymupdf.Pixmap(image.png).width > 800
    plain = pymupdf.open(poster)[1].get_pixmap(dpi=110).tobytes("png")
    assert plain != image.png, "the highlight changed the rendering"
    with pymupdf.open(poster) as pdf:
        assert not list(pdf[1].annots()), "the file itself is untouched"


def test_a_quote_reflowed_by_the_reader_is_still_found(tmp_path: Path) -> None:
    pdf = pymupdf.open()
    page = pdf.new_page()
    page.insert_textbox(pymupdf.Rect(56, 56, 300, 400), "In this small pilot trial, zelmorant improved FEV1 in "
                        "adolescents with asthma and the effect lasted twelve weeks.", fontsize=11)
    pdf.save(tmp_path / "narrow.pdf")
    quote = "zelmorant improved FEV1 in adolescents with asthma and the effect lasted twelve weeks."
    assert page_image(tmp_path / "narrow.pdf", 1, quote).found
    assert not page_image(tmp_path / "narrow.pdf", 1, "metformin lowered HbA1c in every participant").found
