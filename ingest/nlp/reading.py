"""What MedKB reads in one document, once, before any extractor runs: its sentences, their vectors, its lexicon.

One owner per fact: the rule extractor and the LLM extractor's gates both take the same Reading, so a sentence's
role or a span's label is decided here once and never re-decided downstream.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ingest.nlp.sentences import Sentence, chunk_states, document_sentences, fill_missing, sentence_vectors
from kb.embed import Embedder, TokenStates
from kb.lexicon import Lexicon
from kb.models import Chunk, Document


@dataclass(frozen=True)
class Reading:
    """A document as MedKB's models read it (held only while the document is extracted)."""

    doc: Document
    chunks: tuple[Chunk, ...]
    sentences: tuple[Sentence, ...]
    vectors: tuple[np.ndarray | None, ...]  # NOTE: one per sentence, pooled from the chunk pass
    states: tuple[TokenStates | None, ...]  # NOTE: one per chunk, offsets in document coordinates
    # NOTE: the knowledge base's lexicon as it stood when the run began, plus this document's own terms: what
    # other documents of the same run taught it never changes what this one says.
    lexicon: Lexicon
    encoded_alone: int = 0  # NOTE: sentences no chunk held whole inside the encoder's window, encoded by themselves

    def text(self, sentence: Sentence) -> str:
        """Return a sentence's text."""
        return self.doc.text[sentence.start : sentence.end]

    def sentence_at(self, start: int, end: int) -> int | None:
        """Return the index of the sentence holding the span [start, end), if one does."""
        for i, s in enumerate(self.sentences):
            if s.start <= start and end <= s.end:
                return i
        return None


def read_document(doc: Document, chunks: Sequence[Chunk], states: Sequence[TokenStates | None] | None,
                  lexicon: Lexicon, encoder: Embedder | None) -> Reading:
    """Return the Reading of a document from its chunks and their token states (from the chunk pass).

    Without states and encoder (tests, text-only tools) sentences have no vectors and the models use their cues.
    """
    placed = tuple(chunk_states(doc, c, s) for c, s in zip(chunks, states or [None] * len(chunks), strict=True))
    sentences = document_sentences(doc, chunks)
    vectors = sentence_vectors(sentences, chunks, placed)
    vectors, alone = fill_missing(doc, sentences, vectors, encoder) if encoder else (vectors, 0)
    return Reading(doc, tuple(chunks), tuple(sentences), tuple(vectors), placed, lexicon, alone)
