"""What ingest writes to the store for a finished document, and what it deletes for a replaced one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kb.claims import Claim
from kb.lexicon import LexiconTerm
from kb.models import Chunk, Document, Entity, entity_id
from kb.records import chunk_point, claim_point, document_point, entity_point
from kb.store import Filter, Match, Point, Store


@dataclass(frozen=True)
class Replaced:
    """What a new document version makes stale once it is stored: its old chunks and claims (by collection), and
    the other documents its file held before (an edited file without identifiers gets a new id)."""

    points: dict[str, tuple[str, ...]] = field(default_factory=dict)
    documents: tuple[str, ...] = ()


def replaced(store: Store, doc: Document, stored_before: bool, file_kinds: tuple[str, ...]) -> Replaced:
    """Return what storing doc will replace (file_kinds: the kinds of which a file holds one document, when doc is
    one); nothing is deleted until the new version is written."""
    points: dict[str, tuple[str, ...]] = {}
    if stored_before:
        mine = Filter(must=(Match("doc_id", doc.id),))
        points = {name: tuple(h.id for h in store.scroll(name, mine, fields=())) for name in ("chunks", "claims")}
    others: tuple[str, ...] = ()
    if doc.kind in file_kinds:
        same_file = store.scroll("documents", Filter(must=(Match("source", doc.source),)), fields=("kind",))
        others = tuple(h.id for h in same_file if h.id != doc.id and h.payload.get("kind") in file_kinds)
    return Replaced(points, others)


@dataclass(frozen=True)
class Done:
    """A document ready to write: its chunks with their vectors, its claims, its entities and its lexicon terms."""

    doc: Document
    chunks: list[tuple[Chunk, list[float]]]
    claims: list[Claim]
    entities: list[Entity]
    terms: list[LexiconTerm]
    replaces: Replaced = field(default_factory=Replaced)


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
    for d in batch:
        _retire(store, d)
    # NOTE: written last, so a crash mid-batch leaves its documents absent and the next run redoes them whole.
    store.upsert("documents", [document_point(d.doc) for d in batch])


def _retire(store: Store, done: Done) -> None:
    """Delete what a just-written document version replaces: old points it does not share, other documents."""
    fresh = {"chunks": {c.id for c, _ in done.chunks}, "claims": {c.id for c in done.claims}}
    for name, ids in done.replaces.points.items():
        if stale := tuple(i for i in ids if i not in fresh[name]):
            store.delete(name, Filter(must=(Match("doc_id", done.doc.id), Match("id", any_of=stale))))
    for old in done.replaces.documents:
        forget(store, old)


def delete_citations(store: Store, pmids: Sequence[str]) -> list[str]:
    """Delete every document (with its chunks and claims) of the given PMIDs; return the PMIDs that were stored."""
    found = list(store.scroll("documents", Filter(must=(Match("pmid", any_of=tuple(pmids)),)), fields=("pmid",)))
    for hit in found:
        forget(store, hit.id)
    return sorted({str(h.payload.get("pmid")) for h in found})
