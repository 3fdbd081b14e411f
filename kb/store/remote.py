"""The server store: qdrant-client against a Qdrant server or cluster (or its in-memory mode for tests)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from qdrant_client import QdrantClient, models
from qdrant_client.http.exceptions import ResponseHandlingException, UnexpectedResponse

from kb.errors import StoreError
from kb.store import (
    COLLECTIONS,
    DENSE,
    INTEGER_FIELDS,
    KEYWORD_FIELDS,
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

BATCH = 256


def client_quantization(layout: Layout) -> models.ScalarQuantization | None:
    """Return int8 scalar quantization with the quantized vectors kept in RAM, when the layout asks for it."""
    if not layout.int8:
        return None
    # NOTE: always_ram, which qdrant-client 1.20 marks deprecated for `memory`, is read by older servers too.
    return models.ScalarQuantization(
        scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8, always_ram=True)
    )


@contextmanager
def _server(doing: str) -> Iterator[None]:
    """Turn the client's transport and server errors into a StoreError that says what was being done."""
    try:
        yield
    except (ResponseHandlingException, UnexpectedResponse) as exc:
        raise StoreError(
            f"the Qdrant server failed while {doing} ({exc}); check that it is up and that its URL and API key "
            "(MEDKB_QDRANT_URL, MEDKB_QDRANT_API_KEY) are right, then run the same command again"
        ) from exc


def _condition(cond: Match | Range) -> models.Condition:
    """Return the qdrant-client condition for one of ours."""
    if isinstance(cond, Range):
        return models.FieldCondition(key=cond.key, range=models.Range(gte=cond.gte, lte=cond.lte))
    if cond.any_of:
        values: list[Any] = list(cond.any_of)
        return models.FieldCondition(key=cond.key, match=models.MatchAny(any=values))
    if cond.value is None:
        return models.IsNullCondition(is_null=models.PayloadField(key=cond.key))
    return models.FieldCondition(key=cond.key, match=models.MatchValue(value=cond.value))


def to_client_filter(flt: Filter | None) -> models.Filter | None:
    """Return the qdrant-client filter for ours (None when there is nothing to filter)."""
    if flt is None or not flt.must:
        return None
    return models.Filter(must=[_condition(c) for c in flt.must])


def _point(record: models.Record) -> Point:
    """Return a stored record as a whole point, its vectors as they were written."""
    named = record.vector if isinstance(record.vector, dict) else {}
    dense, sparse = named.get(DENSE), named.get(SPARSE)
    whole = SparseVec(list(sparse.indices), list(sparse.values)) if isinstance(sparse, models.SparseVector) else None
    return Point(str(record.id), record.payload or {}, dense if isinstance(dense, list) else None, whole)


def _vectors(point: Point) -> dict[str, Any]:
    """Return a point's named vectors; documents may carry none at all."""
    named: dict[str, Any] = {}
    if point.dense is not None:
        named[DENSE] = point.dense
    if point.sparse is not None and point.sparse.indices:
        named[SPARSE] = models.SparseVector(indices=point.sparse.indices, values=point.sparse.values)
    return named


class ClientStore:
    """Collections named <prefix><collection> on a Qdrant server; safe for many processes at once."""

    def __init__(self, client: QdrantClient, dim: int, prefix: str = "medkb_", layout: Layout = Layout()) -> None:
        self.client = client
        self.dim = dim
        self.prefix = prefix
        self.layout = layout
        with _server("setting up MedKB's collections"):
            for collection in COLLECTIONS:
                self._ensure(collection)

    def _name(self, collection: Collection) -> str:
        """Return the server-side collection name."""
        return f"{self.prefix}{collection}"

    def _ensure(self, collection: Collection) -> None:
        """Create a collection with its payload indexes, or check an existing one's vector size."""
        name = self._name(collection)
        if self.client.collection_exists(name):
            vectors = self.client.get_collection(name).config.params.vectors
            size = vectors.get(DENSE).size if isinstance(vectors, dict) and DENSE in vectors else None
            if size != self.dim:
                raise StoreError(
                    f"Qdrant collection {name} holds {size}-d vectors, not {self.dim}-d; "
                    "use another prefix or server, or delete the collection and ingest again"
                )
            return
        # NOTE: the layout applies when a collection is created (on_disk is deprecated for `memory` like always_ram);
        # an existing collection keeps the layout it was made with.
        dense = models.VectorParams(size=self.dim, distance=models.Distance.COSINE, on_disk=self.layout.on_disk_vectors)
        self.client.create_collection(
            name,
            vectors_config={DENSE: dense},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
            shard_number=self.layout.shards,
            replication_factor=self.layout.replicas,
            on_disk_payload=self.layout.on_disk_payload,
            quantization_config=client_quantization(self.layout),
        )
        fields = [(f, models.PayloadSchemaType.KEYWORD) for f in KEYWORD_FIELDS]
        fields += [(f, models.PayloadSchemaType.INTEGER) for f in INTEGER_FIELDS]
        with warnings.catch_warnings():
            # NOTE: local mode warns that indexes do nothing there; on a server they are what makes filters fast.
            warnings.filterwarnings("ignore", message="Payload indexes have no effect")
            for field, schema in fields:
                self.client.create_payload_index(name, field, schema, wait=True)

    def upsert(self, collection: Collection, points: Sequence[Point]) -> None:
        """Write points (idempotent by id); returns once the server has applied them."""
        for start in range(0, len(points), BATCH):
            batch = [
                models.PointStruct(id=p.id, vector=_vectors(p), payload=p.payload)
                for p in points[start : start + BATCH]
            ]
            with _server(f"writing to {self._name(collection)}"):
                self.client.upsert(self._name(collection), batch, wait=True)

    def delete(self, collection: Collection, flt: Filter) -> None:
        """Delete every point matching the filter (an empty filter deletes nothing)."""
        client_filter = to_client_filter(flt)
        if client_filter is None:
            raise ValueError("delete needs at least one condition; refusing to empty a collection")
        selector = models.FilterSelector(filter=client_filter)
        self.client.delete(self._name(collection), points_selector=selector, wait=True)

    def retrieve(self, collection: Collection, ids: Sequence[str]) -> list[Hit]:
        """Return the stored points among ids (missing ids are left out)."""
        if not ids:
            return []
        records = self.client.retrieve(self._name(collection), list(ids), with_payload=True)
        return [Hit(id=str(r.id), payload=r.payload or {}) for r in records]

    def scroll(self, collection: Collection, flt: Filter | None = None,
               fields: Sequence[str] | None = None) -> Iterator[Hit]:
        """Yield every point matching the filter, page by page (only the named payload fields if given)."""
        client_filter = to_client_filter(flt)
        payload: bool | list[str] = list(fields) if fields is not None else True
        offset: Any = None
        while True:
            records, offset = self.client.scroll(
                self._name(collection), scroll_filter=client_filter, limit=BATCH, offset=offset, with_payload=payload
            )
            yield from (Hit(id=str(r.id), payload=r.payload or {}) for r in records)
            if offset is None:
                return

    def scroll_points(self, collection: Collection) -> Iterator[list[Point]]:
        """Yield every stored point whole (id, payload, dense and sparse vectors), one page at a time."""
        offset: Any = None
        while True:
            with _server(f"reading {self._name(collection)}"):
                records, offset = self.client.scroll(
                    self._name(collection), limit=BATCH, offset=offset, with_payload=True, with_vectors=True
                )
            if records:
                yield [_point(r) for r in records]
            if offset is None:
                return

    def count(self, collection: Collection, flt: Filter | None = None) -> int:
        """Return how many points match the filter."""
        with _server(f"counting {self._name(collection)}"):
            return self.client.count(self._name(collection), count_filter=to_client_filter(flt), exact=True).count

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
        client_filter = to_client_filter(flt)
        queries: list[tuple[Any, str]] = []
        if dense is not None:
            queries.append((dense, DENSE))
        if sparse is not None and sparse.indices:
            queries.append((models.SparseVector(indices=sparse.indices, values=sparse.values), SPARSE))
        if not queries:
            return []
        name = self._name(collection)
        if len(queries) == 1:
            query, using = queries[0]
            reply = self.client.query_points(
                name, query=query, using=using, query_filter=client_filter, limit=limit, with_payload=True
            )
        else:
            depth = prefetch_depth(limit)
            prefetch = [models.Prefetch(query=q, using=u, filter=client_filter, limit=depth) for q, u in queries]
            fusion = models.FusionQuery(fusion=models.Fusion.DBSF)
            reply = self.client.query_points(name, prefetch=prefetch, query=fusion, limit=limit, with_payload=True)
        return ranked([Hit(id=str(p.id), payload=p.payload or {}, score=float(p.score)) for p in reply.points])

    def close(self) -> None:
        """Release the client's connections."""
        self.client.close()
