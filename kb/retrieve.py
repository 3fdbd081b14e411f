"""Hybrid retrieval: dense + BM25 sparse, fused with DBSF inside Qdrant, under payload filters."""

from __future__ import annotations

from kb.answers import Query
from kb.embed import Embedder
from kb.sparse import encode_query
from kb.store import Collection, Filter, Hit, Match, Range, Store


def query_filter(query: Query) -> Filter | None:
    """Return the payload filter a query's year range and designs ask for."""
    must: list[Match | Range] = []
    if query.year_min is not None or query.year_max is not None:
        must.append(Range("year", gte=query.year_min, lte=query.year_max))
    if query.designs:
        must.append(Match("study_design", any_of=tuple(query.designs)))
    return Filter(must=tuple(must)) if must else None


def search_text(query: Query) -> str:
    """Return the text to search with: the question plus the canonical names it mentions."""
    names = [e.name for e in query.entities if e.name.casefold() not in query.question.casefold()]
    return " ".join([query.question, *names])


def search(
    store: Store,
    embedder: Embedder,
    query: Query,
    collection: Collection = "claims",
    limit: int = 40,
    extra: Filter | None = None,
) -> list[Hit]:
    """Return the best points of a collection for a query (hybrid, filtered)."""
    text = search_text(query)
    base = query_filter(query)
    must = (*(base.must if base else ()), *(extra.must if extra else ()))
    return store.search(
        collection,
        dense=embedder.embed([text])[0],
        sparse=encode_query(text),
        flt=Filter(must=must) if must else None,
        limit=limit,
    )
