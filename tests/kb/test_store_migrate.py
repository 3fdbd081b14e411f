"""copy_store: every point of every collection, whole, from one backend to the other, checked by counts."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from qdrant_client import QdrantClient

from kb.errors import StoreError
from kb.models import make_id
from kb.store import COLLECTIONS, Point, SparseVec, Store
from kb.store.edge import EdgeStore
from kb.store.migrate import Copied, copy_store, source_counts
from kb.store.remote import ClientStore
from tests.kb.test_store_contract import DIM, corpus_points

Dump = dict[str, dict[str, Point]]


def sample() -> dict[str, list[Point]]:
    """Return points for every collection: vectors, sparse only, none at all, across several scroll pages."""
    return {
        "documents": [Point(id=make_id("doc", i), payload={"i": i, "title": f"t{i}", "year": 2000 + i % 20,
                                                           "notices": [], "doi": None}) for i in range(300)],
        "chunks": corpus_points(),
        "claims": [Point(id=make_id("claim", i), payload={"i": i, "hedged": i % 2 == 0, "effect": 0.5 + i},
                         sparse=SparseVec([i, i + 1], [1.5, 0.25])) for i in range(10)],
        "entities": [Point(id=make_id("entity", i), payload={"name": f"e{i}", "normalized_id": None})
                     for i in range(5)],
    }


def dump(store: Store) -> Dump:
    """Return every stored point of every collection by id."""
    return {c: {p.id: p for page in store.scroll_points(c) for p in page} for c in COLLECTIONS}


def assert_same(a: Dump, b: Dump) -> None:
    """Fail unless both dumps hold the same ids, payloads and vectors (float tolerance)."""
    for collection in COLLECTIONS:
        assert a[collection].keys() == b[collection].keys(), collection
        for pid, p in a[collection].items():
            q = b[collection][pid]
            assert p.payload == q.payload
            assert (p.dense is None) == (q.dense is None)
            if p.dense is not None:
                assert q.dense == pytest.approx(p.dense, abs=1e-6)
            assert (p.sparse is None) == (q.sparse is None)
            if p.sparse is not None and q.sparse is not None:
                assert p.sparse.indices == q.sparse.indices
                assert q.sparse.values == pytest.approx(p.sparse.values, rel=1e-6)


@pytest.fixture
def edge(tmp_path: Path) -> Iterator[EdgeStore]:
    """Yield an embedded store holding the sample."""
    store = EdgeStore(tmp_path / "edge", DIM, "fake")
    for collection, points in sample().items():
        store.upsert(collection, points)  # type: ignore[arg-type]
    yield store
    store.close()


def test_round_trip_through_local_qdrant_keeps_ids_payloads_and_vectors(edge: EdgeStore, tmp_path: Path) -> None:
    local = ClientStore(QdrantClient(path=str(tmp_path / "local")), DIM)
    back = EdgeStore(tmp_path / "back", DIM, "fake")
    try:
        seen: dict[str, int] = {}
        there = copy_store(edge, local, lambda c, n: seen.__setitem__(c, seen.get(c, 0) + n))
        assert there == Copied({c: len(points) for c, points in sample().items()})
        assert seen == dict(there.counts) and there.total == sum(source_counts(edge).values()) == 324
        assert copy_store(local, back) == there
        original = dump(edge)
        assert_same(original, dump(local))
        assert_same(original, dump(back))
    finally:
        local.close()
        back.close()


def test_copying_again_changes_nothing(edge: EdgeStore) -> None:
    target = ClientStore(QdrantClient(":memory:"), DIM)
    first = copy_store(edge, target)
    before = dump(target)
    assert copy_store(edge, target) == first
    assert_same(before, dump(target))


def test_a_destination_holding_other_points_is_a_count_mismatch(edge: EdgeStore) -> None:
    target = ClientStore(QdrantClient(":memory:"), DIM)
    target.upsert("claims", [Point(id=make_id("other", 1), payload={"i": -1})])
    with pytest.raises(StoreError, match=r"'claims' holds 11 points at the destination but 10 at the source"):
        copy_store(edge, target)
