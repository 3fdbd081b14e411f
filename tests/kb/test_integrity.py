"""kb.integrity on a real in-memory Qdrant: orphaned chunks and claims are found and repaired, nothing else."""

from __future__ import annotations

from kb.config import Settings
from kb.integrity import check, repair
from kb.models import make_id
from kb.store import Point
from kb.store.factory import make_store


def point(kind: str, key: str, **payload: str) -> Point:
    """Return a point whose payload carries its own id, as MedKB's points do."""
    pid = make_id(kind, key)
    return Point(id=pid, payload={"id": pid, **payload}, dense=[0.6, 0.8] * 4)


def test_orphans_are_found_and_repaired() -> None:
    store = make_store(Settings(qdrant_url=":memory:"), 8, "fake")
    doc, chunk = point("doc", "d"), point("chunk", "c", doc_id=make_id("doc", "d"))
    kept = point("claim", "k", doc_id=make_id("doc", "d"), chunk_id=chunk.id)
    lost_doc = point("claim", "x", doc_id="gone", chunk_id=chunk.id)
    lost_chunk = point("claim", "y", doc_id=make_id("doc", "d"), chunk_id="gone")
    store.upsert("documents", [doc])
    store.upsert("chunks", [chunk, point("chunk", "o", doc_id="gone")])
    store.upsert("claims", [kept, lost_doc, lost_chunk])
    found = check(store)
    assert not found.ok and found.counts["claims"] == 3
    assert set(found.orphans["claims"]) == {lost_doc.id, lost_chunk.id}
    assert found.orphans["chunks"] == (make_id("chunk", "o"),)
    assert repair(store, found) == 3
    again = check(store)
    assert again.ok and again.counts["claims"] == 1 and again.counts["chunks"] == 1
