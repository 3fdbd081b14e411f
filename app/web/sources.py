"""Sources as they look: a PDF page rendered with the quote highlighted, or the paragraph around a quote in
whole sentences, line breaks joined."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pymupdf

from kb.models import Document
from kb.segment import sentence_spans

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")
_HYPHEN_BREAK = re.compile(r"(?<=\w-)[ \t]*\n[ \t]*(?=\w)")
_LINE_BREAK = re.compile(r"[ \t]*\n[ \t]*")
_SPACES = re.compile(r"[ \t]{2,}")
# NOTE: a PDF quote reflowed by the reader rarely matches the page's text whole; runs of words find its lines.
_WINDOW_WORDS = 5
_MAX_SEARCHES = 40
DPI = 110


@dataclass(frozen=True)
class Excerpt:
    """A quote with the text before and after it, cut at whole sentences."""

    before: str
    quote: str
    after: str
    cut_before: bool
    cut_after: bool


def joined(text: str) -> str:
    """Return text with the line breaks of a PDF or a wrapped file joined into spaces (a hyphen stays)."""
    return _SPACES.sub(" ", _LINE_BREAK.sub(" ", _HYPHEN_BREAK.sub("", text)))


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the bounds of the paragraph(s) holding text[start:end]."""
    breaks = [(m.start(), m.end()) for m in _PARAGRAPH_BREAK.finditer(text)]
    lo = max((e for s, e in breaks if e <= start), default=0)
    hi = min((s for s, e in breaks if s >= end), default=len(text))
    return lo, hi


def _whole_sentences(text: str, lo: int, hi: int, start: int, end: int, budget: int) -> tuple[int, int]:
    """Return bounds inside [lo, hi] that keep the quote and add whole sentences around it up to budget."""
    spans = [(lo + s, lo + e) for s, e in sentence_spans(text[lo:hi])]
    first = min((s for s, e in spans if e > start), default=start)
    last = max((e for s, e in spans if s < end), default=end)
    first, last = min(first, start), max(last, end)
    before = [s for s, e in spans if e <= first]
    after = [e for s, e in spans if s >= last]
    while before or after:  # NOTE: grow one sentence a side at a time, so the quote stays in the middle.
        grew = False
        if before and last - before[-1] <= budget:
            first, grew = before.pop(), True
        if after and after[0] - first <= budget:
            last, grew = after.pop(0), True
        if not grew:
            break
    return first, last


def _whole_words(text: str, lo: int, hi: int, start: int, end: int) -> tuple[int, int]:
    """Return [lo, hi] moved inwards to whitespace, never past the quote."""
    while lo < start and not text[lo - 1:lo].isspace() and lo > 0:
        lo += 1
    while hi > end and hi < len(text) and not text[hi].isspace():
        hi -= 1
    return lo, hi


def excerpt(doc: Document, start: int, end: int, budget: int = 700) -> Excerpt:
    """Return the quote at [start, end) in its paragraph, cut to whole sentences within about budget characters."""
    text = doc.text
    start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
    lo, hi = _paragraph(text, start, end)
    first, last = (lo, hi) if hi - lo <= budget else _whole_sentences(text, lo, hi, start, end, budget)
    if last - first > 3 * budget:  # NOTE: a table or a run-on sentence: whole words around the quote instead.
        first, last = _whole_words(text, max(first, start - budget), min(last, end + budget), start, end)
    return Excerpt(before=joined(text[first:start]).strip(), quote=joined(text[start:end]).strip(),
                   after=joined(text[end:last]).strip(), cut_before=first > lo, cut_after=last < hi)


@dataclass(frozen=True)
class PageImage:
    """A rendered PDF page and whether the quote was found on it."""

    png: bytes
    page: int
    pages: int
    found: bool


def _quads(page: pymupdf.Page, quote: str) -> list[pymupdf.Quad]:
    """Return the quads of the quote on the page: whole if it is there, else every run of words that is."""
    whole = page.search_for(" ".join(quote.split()), quads=True)
    if whole:
        return whole
    words = quote.split()
    quads: list[pymupdf.Quad] = []
    step = max(_WINDOW_WORDS, -(-len(words) // _MAX_SEARCHES))
    for i in range(0, max(1, len(words) - _WINDOW_WORDS + 1), step):
        quads += page.search_for(" ".join(words[i:i + _WINDOW_WORDS]), quads=True)
    return quads


def page_image(path: Path, page: int, quote: str, dpi: int = DPI) -> PageImage:
    """Render one page (1-based) of a PDF with the quote highlighted; the file itself is never changed."""
    with pymupdf.open(path) as pdf:
        if not 1 <= page <= pdf.page_count:
            raise ValueError(f"{path} has {pdf.page_count} pages; page {page} is not one of them")
        sheet = pdf[page - 1]
        quads = _quads(sheet, quote)
        if quads:
            sheet.add_highlight_annot(quads)
        png = sheet.get_pixmap(dpi=dpi, annots=True).tobytes("png")
        return PageImage(png=png, page=page, pages=pdf.page_count, found=bool(quads))
