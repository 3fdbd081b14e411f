"""Chunking keeps exact offsets, sections and pages."""

from __future__ import annotations

from ingest.chunk import chunk_document
from kb.models import Document, PageSpan, Section


def _doc() -> Document:
    """A two-page document with a title, methods and results section."""
    title = "Aspirin and pain"
    methods = " ".join(f"Methods sentence {i} describes the randomised design." for i in range(20))
    results = " ".join(f"Result {i}: aspirin reduced pain scores compared with placebo." for i in range(30))
    text = f"{title}\n\n{methods}\n\n{results}"
    m0 = len(title) + 2
    r0 = m0 + len(methods) + 2
    return Document(
        id="d1", kind="pdf", source="x.pdf", content_hash="h", title=title, text=text,
        sections=(
            Section(title=title, kind="title", start=0, end=len(title)),
            Section(title="Methods", kind="methods", start=m0, end=m0 + len(methods)),
            Section(title="Results", kind="results", start=r0, end=len(text)),
        ),
        pages=(PageSpan(page=1, start=0, end=r0), PageSpan(page=2, start=r0, end=len(text))),
    )


def test_chunks_are_verbatim_slices_with_sections_and_pages() -> None:
    doc = _doc()
    chunks = chunk_document(doc, size=400, overlap=80)
    assert len(chunks) > 4
    for c in chunks:
        assert doc.text[c.start : c.end] == c.text
        section = doc.section_at(c.start)
        assert section is not None and section.title == c.section
        assert c.page == doc.page_at(c.start)
    assert {c.section_kind for c in chunks} == {"methods", "results"}
    assert {c.page for c in chunks if c.section_kind == "results"} == {2}


def test_every_section_character_is_covered() -> None:
    doc = _doc()
    chunks = chunk_document(doc, size=400, overlap=80)
    for s in doc.sections[1:]:
        covered = set()
        for c in chunks:
            covered.update(range(max(c.start, s.start), min(c.end, s.end)))
        body = doc.text[s.start : s.end]
        uncovered = [i for i in range(s.start, s.end) if i not in covered and not body[i - s.start].isspace()]
        assert uncovered == []


def test_chunk_ids_are_deterministic_and_unique() -> None:
    a = chunk_document(_doc(), size=400, overlap=80)
    b = chunk_document(_doc(), size=400, overlap=80)
    assert [c.id for c in a] == [c.id for c in b]
    assert len({c.id for c in a}) == len(a)


def test_document_without_sections_is_chunked_whole() -> None:
    doc = Document(id="d2", kind="text", source="n.txt", content_hash="h2", text="Short note about aspirin.")
    [only] = chunk_document(doc)
    assert only.text == doc.text and only.start == 0 and only.page is None
