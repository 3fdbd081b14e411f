"""The embedded store: one Qdrant Edge shard per collection in a folder on disk."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import qdrant_edge as qe

from kb.errors import StoreBusy, StoreError
from kb.store import (
    COLLECTIONS,
    DENSE,
    SPARSE,
    Collection,
    Filter,
    Hit,
    Layout,
    Match,
    Point,
    Range,
    SparseVec,
    prefetch_depth,
    ranked,
)
from kb.store.edge_folder import MARKER, check_marker, check_room, locked, open_shard

BATCH = 256


def _condition(cond: Match | Range) -> qe.FieldCondition | qe.IsNullCondition:
    """Return the edge condition for one of ours."""
    if isinstance(cond, Range):
        return qe.FieldCondition(cond.key, range=qe.RangeFloat(gte=cond.gte, lte=cond.lte))
    if cond.any_of:
        return qe.FieldCondition(cond.key, match=qe.MatchAny(list(cond.any_of)))  # type: ignore[arg-type]
    if cond.value is None:
        return qe.IsNullCondition(cond.key)
    if isinstance(cond.value, bool):
        # NOTE: qdrant-edge 0.9 reads a Python bool as the integer 1/0, which never equals a JSON true/false;
        # numpy's bool_ is no int, so it reaches the engine as a real bool.
        return qe.FieldCondition(cond.key, match=qe.MatchValue(np.bool_(cond.value)))  # type: ignore[arg-type]
    return qe.FieldCondition(cond.key, match=qe.MatchValue(cond.value))


def to_edge_filter(flt: Filter | None) -> qe.Filter | None:
    """Return the edge filter for ours (None when there is nothing to filter)."""
    if flt is None or not flt.must:
        return None
    return qe.Filter(must=[_condition(c) for c in flt.must])


def _vectors(point: Point) -> dict[str, Any]:
    """Return a point's named vectors; documents may carry none at all."""
    # NOTE: Edge 0.9 stores points with no vector (checked), so documents need no dummy vector; an empty
    # sparse vector (a text of stopwords only) is left out because it could never match a query.
    named: dict[str, Any] = {}
    if point.dense is not None:
        named[DENSE] = point.dense
    if point.sparse is not None and point.sparse.indices:
        named[SPARSE] = qe.SparseVector(point.sparse.indices, point.sparse.values)
    return named


def _point(record: qe.Record) -> Point:
    """Return a stored record as a whole point, its vectors as they were written."""
    named = record.vector if isinstance(record.vector, dict) else {}
    dense, sparse = named.get(DENSE), named.get(SPARSE)
    whole = SparseVec(list(sparse.indices), list(sparse.values)) if isinstance(sparse, qe.SparseVector) else None
    return Point(str(record.id), record.payload or {}, dense if isinstance(dense, list) else None, whole)


class EdgeStore:
    """Qdrant Edge in-process: fast, exact before optimize(), and usable by one process at a time."""

    def __init__(self, path: Path, dim: int, embedder_name: str = "unknown", create: bool = True,
                 wait_s: float = 0.0, layout: Layout = Layout()) -> None:
        self.path = path
        self.dim = dim
        self._shards: dict[str, qe.EdgeShard] = {}
        if path.is_file():
            raise StoreError(f"{path} is a file, not a knowledge-base folder; choose a folder with --store")
        if not create and not (path / MARKER).is_file():  # NOTE: a mistyped --store must not make an empty one.
            raise StoreError(f"no knowledge base at {path}; check the path, or create one there with "
                             f"`medkb ingest FILES --store {path}`")
        self._lock = locked(path, wait_s)
        try:
            check_marker(path, dim, embedder_name)
            # NOTE: opening every shard now surfaces a damaged store at startup, not at the first write.
            for name in COLLECTIONS:
                self._shards[name] = open_shard(path / name, dim, path, layout)
        except StoreError:
            self.close()
            raise

    def _shard(self, collection: Collection) -> qe.EdgeShard:
        """Return the open shard of a collection."""
        if collection not in self._shards:
            raise StoreError(f"knowledge base at {self.path} is closed or has no collection {collection!r}")
        return self._shards[collection]

    def upsert(self, collection: Collection, points: Sequence[Point]) -> None:
        """Write points (idempotent by id); returns once they are flushed to disk."""
        shard = self._shard(collection)
        check_room(self.path)
        for start in range(0, len(points), BATCH):
            batch = [qe.Point(p.id, _vectors(p), p.payload) for p in points[start : start + BATCH]]
            shard.update(qe.UpdateOperation.upsert_points(batch))
        shard.flush()

    def delete(self, collection: Collection, flt: Filter) -> None:
        """Delete every point matching the filter (an empty filter deletes nothing)."""
        edge_filter = to_edge_filter(flt)
        if edge_filter is None:
            raise ValueError("delete needs at least one condition; refusing to empty a collection")
        shard = self._shard(collection)
        check_room(self.path)  # NOTE: a delete is a write-ahead-log write too
        shard.update(qe.UpdateOperation.delete_points_by_filter(edge_filter))
        shard.flush()

    def retrieve(self, collection: Collection, ids: Sequence[str]) -> list[Hit]:
        """Return the stored points among ids (missing ids are left out)."""
        if not ids:
            return []
        records = self._shard(collection).retrieve(list(ids), True, False)
        return [Hit(id=str(r.id), payload=r.payload or {}) for r in records]

    def _pages(self, collection: Collection, **request: Any) -> Iterator[list[qe.Record]]:
        """Yield what a scroll with these request fields returns, page by page."""
        shard = self._shard(collection)
        offset: Any = None
        while True:
            records, offset = shard.scroll(qe.ScrollRequest(offset=offset, limit=BATCH, **request))
            yield records
            if offset is None:
                return

    def scroll(self, collection: Collection, flt: Filter | None = None,
               fields: Sequence[str] | None = None) -> Iterator[Hit]:
        """Yield every point matching the filter, page by page (only the named payload fields if given)."""
        payload = qe.PayloadSelector.Include(list(fields)) if fields is not None else True
        for records in self._pages(collection, filter=to_edge_filter(flt), with_payload=payload):
            yield from (Hit(id=str(r.id), payload=r.payload or {}) for r in records)

    def scroll_points(self, collection: Collection) -> Iterator[list[Point]]:
        """Yield every stored point whole (id, payload, dense and sparse vectors), one page at a time."""
        for records in self._pages(collection, with_payload=True, with_vector=True):
            if records:
                yield [_point(r) for r in records]

    def count(self, collection: Collection, flt: Filter | None = None) -> int:
        """Return how many points match the filter."""
        return self._shard(collection).count(qe.CountRequest(exact=True, filter=to_edge_filter(flt)))

    def search(
        self,
        collection: Collection,
        *,
        dense: list[float] | None = None,
        sparse: SparseVec | None = None,
        flt: Filter | None = None,
        limit: int = 10,
    ) -> list[Hit]:
        """Return the best points: dense, sparse, or both fused with DBSF inside Qdrant."""
        edge_filter = to_edge_filter(flt)
        queries = []
        if dense is not None:
            queries.append(qe.Query.Nearest(dense, using=DENSE))
        if sparse is not None and sparse.indices:
            queries.append(qe.Query.Nearest(qe.SparseVector(sparse.indices, sparse.values), using=SPARSE))
        if not queries:
            return []
        if len(queries) == 1:
            request = qe.QueryRequest(limit=limit, query=queries[0], filter=edge_filter, with_payload=True)
        else:
            depth = prefetch_depth(limit)
            request = qe.QueryRequest(
                limit=limit,
                prefetches=[qe.Prefetch(limit=depth, query=q, filter=edge_filter) for q in queries],
                query=qe.Fusion.Dbsf(),
                with_payload=True,
            )
        points = self._shard(collection).query(request)
        return ranked([Hit(id=str(p.id), payload=p.payload or {}, score=float(p.score)) for p in points])

    def optimize(self) -> None:
        """Build HNSW indexes, quantize (when the layout asks for int8) and merge segments (slow: minutes at 100k
        points); worth it after a big ingest."""
        for shard in self._shards.values():
            shard.optimize()

    def close(self) -> None:
        """Release every shard, then the lock (safe to call twice); every write was flushed when it returned."""
        shards, self._shards = self._shards, {}
        for shard in shards.values():
            shard.close()
        self._lock.release()
