"""PDF articles read with PyMuPDF: one Document whose text keeps page boundaries and headings."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import pymupdf

from ingest.readers.pdf_hidden import drop_hidden_text
from ingest.readers.layout import SEP, find_nct_ids, squash
from ingest.readers.text import line_sections
from kb.errors import ParseError
from kb.models import Document, PageSpan, Section, content_hash, document_id

# NOTE: plain "text" follows the content stream, which keeps two-column papers in reading order;
# sort=True interleaves the columns line by line (measured on the four shared PDFs).
TEXT_FLAGS = (pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES) | pymupdf.TEXT_DEHYPHENATE
DOI = re.compile(r"\b10\.\d{4,9}/[-._;()/:A-Za-z0-9]+")


def _clean(page_text: str) -> str:
    """Return page text with trailing spaces and runs of blank lines removed."""
    lines = [line.rstrip() for line in page_text.replace("\r", "").split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _open(path: Path, raw: bytes) -> pymupdf.Document:
    """Return the opened PDF, or raise ParseError for corrupt or password-protected files."""
    try:
        doc = pymupdf.open(stream=raw, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as e:
        raise ParseError(f"{path}: not a readable PDF ({e}); re-download or re-export it") from e
    if doc.needs_pass:
        doc.close()
        raise ParseError(f"{path}: the PDF is encrypted (password required); save a decrypted copy or leave it out")
    return doc


def _page_texts(path: Path, doc: pymupdf.Document) -> list[str]:
    """Return each page's cleaned text, refusing pages that are images without a text layer."""
    texts = [_clean(page.get_text("text", flags=TEXT_FLAGS)) for page in doc]
    for number, (page, text) in enumerate(zip(doc, texts, strict=True), start=1):
        if not text and (page.get_images() or not any(texts)):
            raise ParseError(f"{path}: page {number} has no text layer (scanned PDF?); OCR it or leave it out")
    return texts


def _layout(texts: Sequence[str]) -> tuple[str, tuple[PageSpan, ...]]:
    """Return the pages joined by blank lines and each page's span."""
    spans, pos = [], 0
    for number, text in enumerate(texts, start=1):
        spans.append(PageSpan(page=number, start=pos, end=pos + len(text)))
        pos += len(text) + len(SEP)
    return SEP.join(texts), tuple(spans)


def _title_lines(page: pymupdf.Page) -> list[tuple[float, float, float, str]]:
    """Return (font size, top, bottom, text) per line of a page; a blank entry marks each block's end."""
    lines: list[tuple[float, float, float, str]] = []
    for block in page.get_text("dict", flags=pymupdf.TEXTFLAGS_TEXT)["blocks"]:
        for line in block.get("lines", []):
            text = squash("".join(span["text"] for span in line["spans"]))
            if sum(c.isalpha() for c in text) >= 2:
                size = max(span["size"] for span in line["spans"])
                lines.append((size, line["bbox"][1], line["bbox"][3], text))
        lines.append((0.0, 0.0, 0.0, ""))
    return lines


def _largest_line(page: pymupdf.Page) -> str:
    """Return the longest run of adjacent lines set in the page's largest font."""
    lines = _title_lines(page)
    top = max((line[0] for line in lines), default=0.0)
    runs: list[list[str]] = [[]]
    last_bottom = 0.0
    for size, y0, y1, text in lines:
        # NOTE: a gap wider than a third of the font size separates a kicker ("Research Article") from the title.
        if size < top - 0.5 or (runs[-1] and y0 - last_bottom > size / 3):
            runs.append([])
        if size >= top - 0.5:
            runs[-1].append(text)
            last_bottom = y1
    return max((" ".join(run) for run in runs), key=len, default="")


def _title(doc: pymupdf.Document) -> str:
    """Return the title from metadata when it reads like one, else the largest-font text on page 1."""
    meta = squash((doc.metadata or {}).get("title") or "")
    # NOTE: typesetters often store a job name ("ipg1300180a") as the title; a real one has several words.
    if len(meta.split()) >= 3:
        return meta
    return _largest_line(doc[0]) if doc.page_count else ""


def _title_section(text: str, title: str, stop: int) -> Section | None:
    """Return the span of the title as printed on page 1 (line breaks and case may differ)."""
    words = re.findall(r"\w+", title)
    if not words:
        return None
    pattern = r"\W+".join(re.escape(w) for w in words)
    m = re.search(pattern, text[:stop]) or re.search(pattern, text[:stop], re.IGNORECASE)
    if m is None:
        return None
    return Section(title="Title", kind="title", start=m.start(), end=m.end(), page_start=1, page_end=1)


def _doi(first_page: str, metadata: dict[str, str]) -> str | None:
    """Return the first DOI printed on page 1, else one in the metadata."""
    for source in (first_page, metadata.get("subject") or "", metadata.get("keywords") or ""):
        if m := DOI.search(source):
            return m.group().rstrip(".,;:)")
    return None


def parse_pdf(path: Path) -> Iterator[Document]:
    """Yield the Document of one PDF: page spans, title, DOI and heading sections."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ParseError(f"{path}: cannot read the file ({e.strerror}); check the path and permissions") from e
    with _open(path, raw) as doc:
        drop_hidden_text(doc)  # NOTE: only what a reader of the page sees can become evidence.
        text, pages = _layout(_page_texts(path, doc))
        title = _title(doc)
        metadata = {k: v or "" for k, v in (doc.metadata or {}).items()}
    first_end = pages[0].end if pages else 0
    head = _title_section(text, title, first_end)
    sections = line_sections(text, head.end if head else 0, pages)
    digest = content_hash(raw)
    doi = _doi(text[:first_end], metadata)
    yield Document(
        id=document_id("pdf", doi=doi, digest=digest), kind="pdf", source=str(path), content_hash=digest,
        title=title, text=text, doi=doi, nct_ids=find_nct_ids(text),
        sections=(head, *sections) if head else sections, pages=pages,
    )
