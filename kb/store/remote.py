"""The server store: qdrant-client against a Qdrant server or cluster (or its in-memory mode for tests)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Sequence
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
    Match,
    Point,
    Range,
    SparseVec,
    prefetch_depth,
)

BATCH = 256


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

    def __init__(self, client: QdrantClient, dim: int, prefix: str = "medkb_") -> None:
        self.client = client
        self.dim = dim
        self.prefix = prefix
        try:
            for collection in COLLECTIONS:
                self._ensure(collection)
        except (ResponseHandlingException, UnexpectedResponse) as exc:
            raise StoreError(
                f"cannot set up collections on the Qdrant server ({exc}); "
                "check MEDKB_QDRANT_URL and MEDKB_QDRANT_API_KEY"
            ) from exc

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
        self.client.create_collection(
            name,
            vectors_config={DENSE: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)},
            sparse_vectors_config={SPARSE: models.SparseVectorParams(modifier=models.Modifier.IDF)},
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

    def count(self, collection: Collection, flt: Filter | None = None) -> int:
        """Return how many points match the filter."""
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
        return [Hit(id=str(p.id), payload=p.payload or {}, score=float(p.score)) for p in reply.points]

    def close(self) -> None:
        """Release the client's connections."""
        self.client.close()
