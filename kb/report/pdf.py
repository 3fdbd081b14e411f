"""PDF rendering, offline: the HTML report laid out on A4 pages by pymupdf's Story."""

from __future__ import annotations

import io

import pymupdf

from kb.report.html import to_html
from kb.report.model import Report

MARGIN = 42  # points; about 15 mm


def to_pdf(report: Report) -> bytes:
    """Return the report as a multi-page A4 PDF."""
    page = pymupdf.paper_rect("a4")
    where = pymupdf.Rect(page.x0 + MARGIN, page.y0 + MARGIN, page.x1 - MARGIN, page.y1 - MARGIN)
    story = pymupdf.Story(html=to_html(report))
    out = io.BytesIO()
    writer = pymupdf.DocumentWriter(out, "compress")
    more = 1
    # NOTE: place() fills one rectangle and reports whether content is left over for a next page.
    while more:
        device = writer.begin_page(page)
        more, _ = story.place(where)
        story.draw(device)
        writer.end_page()
    writer.close()
    return out.getvalue()
