"""Document sentences and their vectors pooled from the chunk pass."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.chunk import chunk_document
from ingest.nlp.sentences import chunk_states, document_sentences, encoded_text, fill_missing, sentence_vectors
from ingest.readers.layout import Block, assemble
from kb.embed import OnnxMiniLM
from kb.segment import sentence_spans
from kb.models import Document, content_hash


def _doc(paragraphs: list[str], title: str = "A trial of aspirin") -> Document:
    text, sections = assemble([Block("Title", "title", (title,)), Block("Results", "results", tuple(paragraphs))])
    return Document(id="d1", kind="text", source="x.txt", content_hash=content_hash(text), title=title, text=text,
                    sections=sections)


def test_sentence_spans_are_exact() -> None:
    text = "Aspirin lowered pain (P = 0.01). Nausea was similar.\n\nTable 1"
    assert [text[s:e] for s, e in sentence_spans(text)] == ["Aspirin lowered pain (P = 0.01).",
                                                            "Nausea was similar.", "Table 1"]


def test_sentences_are_kept_once_across_overlapping_chunks() -> None:
    sentence = "Pain scores fell more with aspirin than with placebo in week {} of treatment."
    doc = _doc([" ".join(sentence.format(i) for i in range(40))])
    chunks = chunk_document(doc, 400, 150)
    found = document_sentences(doc, chunks)
    texts = [doc.text[s.start : s.end] for s in found]
    assert len(chunks) > 3 and texts == [sentence.format(i) for i in range(40)]  # NOTE: titles are not chunked
    assert all(s.section == "results" for s in found) and found[0].position < found[-1].position


@pytest.fixture(scope="module")
def minilm() -> OnnxMiniLM:
    """Return one MiniLM shared by the module."""
    return OnnxMiniLM(batch=8)


def test_sentence_vectors_come_from_the_chunk_pass(minilm: OnnxMiniLM) -> None:
    doc = _doc(["Aspirin lowered pain (P = 0.01). Nausea was similar in both groups."])
    chunks = chunk_document(doc, 1000, 150)
    states = [chunk_states(doc, c, s) for c, s in zip(chunks, minilm.encode([encoded_text(doc, c) for c in chunks])
                                                        .states, strict=True)]
    sentences = document_sentences(doc, chunks)
    vectors = sentence_vectors(sentences, chunks, states)
    assert all(v is not None and v.shape == (384,) for v in vectors)
    alone, filled = fill_missing(doc, sentences, [None] * len(sentences), minilm)
    assert filled == len(sentences)
    # NOTE: a sentence's states in its chunk are contextual, yet close to the sentence encoded alone.
    first, second = vectors[0], alone[0]
    assert first is not None and second is not None
    assert float(np.dot(first, second) / np.linalg.norm(first) / np.linalg.norm(second)) > 0.7
