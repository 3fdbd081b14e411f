"""The app in a real browser, as a researcher uses it: ask, open a source page, upload a PDF and find it in the
library; nothing the page loads comes from anywhere but 127.0.0.1. Add a step: take the `app` fixture
(tests/app/browser.py), drive `app.page`, call `app.shot(name)` and end with `assert not app.outside`."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.views import PAGE_WIDTH
from tests.app.browser import Browsed

pytestmark = pytest.mark.slow
UPLOAD_TITLE = "Velmorant and serum urate in adults with gout"


def open_page(app: Browsed, path: str = "") -> None:
    """Open a page of the app and wait until it has drawn the knowledge base's counts."""
    app.page.goto(f"{app.url}/{path}")
    app.page.get_by_text("documents:", exact=False).first.wait_for()
    app.page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def ask(app: Browsed, question: str) -> None:
    """Type a question, press Ask and wait for the answer."""
    page = app.page
    page.get_by_label("Question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    page.get_by_text("Supporting evidence", exact=False).first.wait_for()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")


def make_pdf(path: Path) -> Path:
    """Write a small one-page trial report PDF (a real file, made with PyMuPDF)."""
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page()
    text = (f"{UPLOAD_TITLE}\n\nSYNTHETIC TEST RECORD - fictional compound.\n\nResults\n\n"
            "In this randomised controlled trial of 120 adults with gout, velmorant reduced serum urate compared "
            "with placebo at week 12 (mean difference -1.2 mg/dL, 95% CI -1.8 to -0.6; P<0.001).\n")
    page.insert_textbox(pymupdf.Rect(56, 56, 540, 780), text, fontsize=11)
    doc.set_metadata({"title": UPLOAD_TITLE})
    doc.save(path)
    return path


def test_ask_and_see_the_source_page(app: Browsed) -> None:
    page = app.page
    open_page(app)
    app.shot("ask-empty")
    page.get_by_role("button", name="Ask", exact=True).click()  # NOTE: a blank question lists nothing.
    page.get_by_text("Type a question first", exact=False).wait_for()
    ask(app, "Does zelmorant improve FEV1?")
    assert page.get_by_role("link", name="PMID 90000001").count() or page.locator("a[href*='pubmed']").count()
    app.shot("answer")
    first = page.get_by_test_id("stExpander").first
    first.get_by_text("Open the source passage").click()
    first.locator("mark, span[class*=background], [style*=background]").first.wait_for()
    app.shot("text-passage-marked", first)
    # NOTE: the demo poster's passage is among the related ones, past the first few shown.
    page.get_by_text("related passages", exact=False).filter(has_text="Show all").click()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    poster = page.get_by_test_id("stExpander").filter(has=page.get_by_test_id("stImage")).first
    poster.get_by_text("Open the source passage").click()
    image = poster.get_by_test_id("stImage").locator("img")
    image.wait_for()
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.naturalWidth") > 500, "the PDF page is rendered"
    assert image.evaluate("img => img.clientWidth") <= PAGE_WIDTH, "shown no wider than the text column"
    assert "page 2 of 2" in poster.inner_text()
    app.shot("pdf-page-highlighted", poster)
    assert not app.outside, f"requests left 127.0.0.1: {app.outside}"


def test_upload_a_pdf_and_find_it_in_the_library(app: Browsed, tmp_path: Path) -> None:
    page = app.page
    open_page(app, "library")
    page.get_by_role("tab", name="Add documents").click()
    page.locator("input[type=file]").set_input_files(str(make_pdf(tmp_path / "velmorant_trial.pdf")))
    add = page.get_by_role("button", name="Add to the knowledge base")
    add.wait_for()
    app.shot("upload-chosen")
    add.click()
    page.get_by_text("Stored 1 new or changed document (", exact=False).wait_for()
    app.shot("upload-stored")
    page.get_by_label("Find documents").fill("velmorant")
    page.get_by_label("Find documents").press("Enter")
    page.get_by_text("1 of ", exact=False).wait_for()
    page.get_by_label("Open a document").click()
    page.get_by_role("option", name=UPLOAD_TITLE, exact=False).click()
    page.get_by_role("heading", name=UPLOAD_TITLE).wait_for()
    page.get_by_text("sources/uploads/velmorant_trial.pdf", exact=False).wait_for()  # NOTE: kept in the store
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    app.shot("library-document")
    assert not app.outside, f"requests left 127.0.0.1: {app.outside}"


def test_save_and_rerun_a_question_then_open_the_graph_and_the_topic_map(app: Browsed) -> None:
    page = app.page
    open_page(app)
    question = "Does quorvafil lower blood pressure?"
    ask(app, question)
    open_page(app, "memory")
    # NOTE: the Ask page kept it in the history; the newest question is the one the save form offers first.
    page.get_by_label("Note (optional)").fill("check again after the next trial")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_test_id("stMarkdownContainer").get_by_text(question).wait_for()
    page.get_by_role("button", name="Re-run").first.wait_for()
    app.shot("memory-saved")
    page.get_by_role("button", name="Re-run").first.click()
    page.get_by_text("No change since", exact=False).wait_for()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    app.shot("memory-rerun")
    open_page(app, "graph")
    box = page.get_by_role("combobox").first
    box.click()
    box.fill("zelmorant")
    page.get_by_role("option", name="zelmorant", exact=False).first.click()
    page.get_by_text("Matched as:", exact=False).wait_for()
    page.get_by_text("Network", exact=True).click()
    page.locator("iframe").first.wait_for()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    page.wait_for_timeout(1500)  # NOTE: the network lays itself out inside its frame after it loads
    app.shot("claim-graph-network")
    open_page(app, "topic")
    page.get_by_label("Condition").fill("asthma")
    page.get_by_role("button", name="Map", exact=True).click()
    page.get_by_text("Intervention × outcome grid").wait_for()
    page.get_by_role("button", name="Download topic map", exact=False).wait_for()
    page.get_by_test_id("stStatusWidget").wait_for(state="hidden")
    app.shot("topic-map")
    assert not app.outside, f"requests left 127.0.0.1: {app.outside}"
