"""What ingest writes to the store for a finished document, and what it deletes for a replaced one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kb.claims import Claim
from kb.lexicon import LexiconTerm
from kb.models import Chunk, Document, Entity, entity_id
from kb.records import chunk_point, claim_point, document_point, entity_point
from kb.store import Filter, Match, Point, Store


@dataclass(frozen=True)
class Done:
    """A document ready to write: its chunks with their vectors, its claims and its entities."""

    doc: Document
    chunks: list[tuple[Chunk, list[float]]]
    claims: list[Claim]
    entities: list[Entity]


def forget(store: Store, doc_id: str, keep_document: bool = False) -> None:
    """Delete a document's chunks and claims (and the document itself unless kept)."""
    for name in ("chunks", "claims") if keep_document else ("chunks", "claims", "documents"):
        store.delete(name, Filter(must=(Match("doc_id" if name != "documents" else "id", doc_id),)))


def entities(terms: Sequence[LexiconTerm], claims: list[Claim]) -> list[Entity]:
    """Return the entity nodes: the claims' subjects and objects plus the document's terms."""
    nodes = {e.id: e for c in claims for e in (c.subject, c.object)}
    for t in terms:
        eid = entity_id(t.name, t.type, t.normalized_id)
        nodes.setdefault(eid, Entity(id=eid, name=t.name, type=t.type, normalized_id=t.normalized_id))
    return list(nodes.values())


def write(store: Store, batch: Sequence[Done]) -> None:
    """Write documents: all chunks, claims and entities, then the documents themselves as the commit point."""
    chunks: list[Point] = []
    claims: list[Point] = []
    entities: dict[str, Entity] = {}
    for d in batch:
        by_chunk = {c.id: v for c, v in d.chunks}
        chunks += [chunk_point(c, d.doc, v) for c, v in d.chunks]
        claims += [claim_point(c, d.doc, by_chunk[c.chunk_id]) for c in d.claims]
        entities |= {e.id: e for e in d.entities}
    # NOTE: one upsert per collection per batch: each upsert flushes to disk (~50 ms on Edge).
    for name, points in (("chunks", chunks), ("claims", claims), ("entities", [entity_point(e) for e in entities.values()])):
        if points:
            store.upsert(name, points)  # type: ignore[arg-type]
    # NOTE: written last, so a crash mid-batch leaves its documents absent and the next run redoes them whole.
    store.upsert("documents", [document_point(d.doc) for d in batch])
