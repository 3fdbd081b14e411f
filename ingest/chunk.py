"""Split documents into retrievable chunks that keep their section, page and offsets."""

from __future__ import annotations

from functools import lru_cache

from langchain_text_splitters import RecursiveCharacterTextSplitter

from kb.models import Chunk, Document, Section, make_id


@lru_cache(maxsize=8)
def _splitter(size: int, overlap: int) -> RecursiveCharacterTextSplitter:
    """Return a cached splitter that records where each piece starts."""
    return RecursiveCharacterTextSplitter(
        chunk_size=size,
        chunk_overlap=min(overlap, size // 2),
        add_start_index=True,
        # NOTE: sentence ends before spaces so a claim's sentence rarely straddles two chunks.
        separators=["\n\n", "\n", ". ", "; ", " ", ""],
        keep_separator="end",
    )


def _sections(doc: Document) -> list[Section]:
    """Return the sections to split, or one covering the whole text."""
    spans = [s for s in doc.sections if s.end > s.start and s.kind != "title"]
    if not spans:
        return [Section(title="", kind="body", start=0, end=len(doc.text))]
    # NOTE: nested sections would duplicate text; keep outermost-first, non-overlapping spans.
    spans.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Section] = []
    for s in spans:
        if not kept or s.start >= kept[-1].end:
            kept.append(s)
    return kept


def chunk_document(doc: Document, size: int = 1000, overlap: int = 150) -> list[Chunk]:
    """Split a document section by section into overlapping chunks with exact offsets."""
    chunks: list[Chunk] = []
    title = doc.title.strip()
    for section in _sections(doc):
        body = doc.text[section.start : section.end]
        for piece in _splitter(size, overlap).create_documents([body]):
            start = section.start + int(piece.metadata["start_index"])
            text = piece.page_content
            if not text.strip() or doc.text[start : start + len(text)] != text:
                continue
            chunks.append(_chunk(doc, section, text, start, title))
    return chunks


def _chunk(doc: Document, section: Section, text: str, start: int, title: str) -> Chunk:
    """Build one chunk with a content-derived id and its page range."""
    end = start + len(text)
    return Chunk(
        id=make_id("chunk", doc.id, doc.content_hash, start, end),
        doc_id=doc.id,
        text=text,
        start=start,
        end=end,
        section=section.title or title,
        section_kind=section.kind,
        page=doc.page_at(start),
        page_end=doc.page_at(max(start, end - 1)),
    )
