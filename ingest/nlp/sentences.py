"""A document's sentences, each with its section and the MiniLM vector pooled from the chunk pass's token states.

Training code and the ingest pipeline both go through these functions, so a model sees at inference exactly the
features it was trained on: the document is chunked as ingest chunks it, each chunk is encoded as "title\\nchunk"
(the text the chunk vector is made from), and a sentence's vector is the mean of its tokens' states in the first
chunk that holds the whole sentence within the encoder's 256-token window.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kb.embed import Embedder, TokenStates
from kb.models import Chunk, Document, SectionKind
from kb.segment import sentence_spans


@dataclass(frozen=True)
class Sentence:
    """One sentence of a document: its span, the kind of section the reader put it in, and where it stands."""

    start: int
    end: int
    section: SectionKind
    position: float  # NOTE: 0 at the start of the document text, 1 at its end


def document_sentences(doc: Document, chunks: Sequence[Chunk]) -> list[Sentence]:
    """Return the sentences of every chunked part of a document, in text order, each once."""
    found: dict[int, Sentence] = {}
    size = max(len(doc.text), 1)
    for chunk in chunks:
        for lo, hi in sentence_spans(chunk.text):
            start, end = chunk.start + lo, chunk.start + hi
            section = doc.section_at(start)
            # NOTE: a sentence cut by a chunk boundary shows up again, whole, in the next chunk; keep the longest.
            old = found.get(end)
            if old is None or start < old.start:
                found[end] = Sentence(start, end, section.kind if section else chunk.section_kind, start / size)
    kept: list[Sentence] = []
    reach = -1
    for s in sorted(found.values(), key=lambda s: (s.start, -s.end)):
        if s.end > reach:  # NOTE: a part of a sentence already kept (cut at a chunk's end) is not a sentence.
            kept.append(s)
            reach = s.end
    return kept


def encoded_text(doc: Document, chunk: Chunk) -> str:
    """Return the text ingest encodes for a chunk: the document title, a newline, the chunk."""
    return f"{doc.title}\n{chunk.text}"


def chunk_states(doc: Document, chunk: Chunk, states: TokenStates | None) -> TokenStates | None:
    """Return a chunk's token states with offsets in document coordinates, the title's tokens dropped."""
    if states is None:
        return None
    prefix = len(doc.title) + 1
    return states.shifted(chunk.start - prefix, lo=chunk.start)


def sentence_vectors(sentences: Sequence[Sentence], chunks: Sequence[Chunk],
                     states: Sequence[TokenStates | None]) -> list[np.ndarray | None]:
    """Return each sentence's mean token state from the first chunk that holds it whole (None when none does)."""
    out: list[np.ndarray | None] = []
    for s in sentences:
        vector = None
        for chunk, state in zip(chunks, states, strict=True):
            if state is not None and chunk.start <= s.start and s.end <= chunk.end and state.covers(s.end):
                vector = state.pooled(s.start, s.end)
                break
        out.append(vector)
    return out


def fill_missing(doc: Document, sentences: Sequence[Sentence], vectors: list[np.ndarray | None],
                 embedder: Embedder) -> tuple[list[np.ndarray | None], int]:
    """Return the vectors with the missing ones encoded sentence by sentence, and how many were."""
    todo = [i for i, v in enumerate(vectors) if v is None]
    if not todo:
        return vectors, 0
    encoded = embedder.encode([doc.text[sentences[i].start : sentences[i].end] for i in todo])
    out = list(vectors)
    for i, state in zip(todo, encoded.states, strict=True):
        out[i] = state.pooled(0, sentences[i].end - sentences[i].start) if state is not None else None
    return out, len(todo)
