"""A batch of prepared documents, cut into groups that are each encoded in one model pass."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ingest.nlp.sentences import encoded_text
from ingest.writing import Replaced
from kb.claims import Claim
from kb.embed import Embedder, TokenStates
from kb.lexicon import LexiconTerm
from kb.models import Chunk, Document

# NOTE: few enough chunks per encoding pass that the token states of a pass stay small (~64 × 256 × 384 floats).
ENCODE_CHUNKS = 64


@dataclass(frozen=True)
class Prepared:
    """A new or changed document, chunked, with its own lexicon terms; claims come once it is encoded."""

    doc: Document
    chunks: list[Chunk]
    terms: list[LexiconTerm]
    registry: list[Claim]
    replaces: Replaced


def groups(batch: Sequence[Prepared]) -> list[list[Prepared]]:
    """Return the batch cut into runs of whole documents of about ENCODE_CHUNKS chunks."""
    groups: list[list[Prepared]] = [[]]
    size = 0
    for p in batch:
        if groups[-1] and size + len(p.chunks) > ENCODE_CHUNKS:
            groups.append([])
            size = 0
        groups[-1].append(p)
        size += len(p.chunks)
    return [g for g in groups if g]


Encodings = tuple[list[list[float]], list[TokenStates | None]]


def encode(group: Sequence[Prepared], embedder: Embedder) -> list[Encodings]:
    """Return each document's chunk vectors and token states from one encoding pass over the group."""
    encoded = embedder.encode([encoded_text(p.doc, c) for p in group for c in p.chunks])
    out, at = [], 0
    for p in group:
        n = len(p.chunks)
        out.append((encoded.vectors[at : at + n], encoded.states[at : at + n]))
        at += n
    return out
