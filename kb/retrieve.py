"""Hybrid retrieval: dense + BM25 sparse, fused with DBSF inside Qdrant, under payload filters."""

from __future__ import annotations

import re

from kb.answers import Citation, Query, QueryEntity
from kb.embed import Embedder
from kb.models import make_id
from kb.sparse import encode_query
from kb.store import Collection, Filter, Hit, Match, Range, Store
from kb.terms import occurs_any

# NOTE: a few of each entity's other names widen the search; all of them would drown the question.
SEARCH_FORMS = 3
PASSAGE_DEPTH = 200
# NOTE: a sentence ends at . ! or ? before a space and a capital (or the end), never inside "P <0.01" or "8.0%".
_SENTENCE = re.compile(r"\S.*?(?:[.!?](?=\s+[A-Z(\[]|\s*$)|\n|$)", re.S)


def query_filter(query: Query) -> Filter | None:
    """Return the payload filter a query's year range and designs ask for."""
    must: list[Match | Range] = []
    if query.year_min is not None or query.year_max is not None:
        must.append(Range("year", gte=query.year_min, lte=query.year_max))
    if query.designs:
        must.append(Match("study_design", any_of=tuple(query.designs)))
    return Filter(must=tuple(must)) if must else None


def search_text(query: Query) -> str:
    """Return the text to search with: the question plus canonical names and a few other names of its terms."""
    names = [n for e in query.entities
             for n in (e.name, *e.synonyms[:SEARCH_FORMS], *e.related[:SEARCH_FORMS])]
    extra = [n for n in names if n.casefold() not in query.question.casefold()]
    return " ".join(dict.fromkeys([query.question, *extra]))


def search(
    store: Store,
    embedder: Embedder,
    query: Query,
    collection: Collection = "claims",
    limit: int = 40,
    extra: Filter | None = None,
    text: str | None = None,
) -> list[Hit]:
    """Return the best points of a collection for a query (hybrid, filtered)."""
    text = text or search_text(query)
    base = query_filter(query)
    must = (*(base.must if base else ()), *(extra.must if extra else ()))
    return store.search(
        collection,
        dense=embedder.embed([text])[0],
        sparse=encode_query(text),
        flt=Filter(must=must) if must else None,
        limit=limit,
    )


def pair_text(i: QueryEntity | None, o: QueryEntity | None) -> str:
    """Return the search text for one asked intervention and outcome: a few names of each."""
    return " ".join(f for e in (i, o) if e is not None for f in (*e.forms()[:4], *e.related[:2]))


def _passage(hit: Hit, lo: int, hi: int) -> Citation:
    """Return one sentence of a stored chunk as a citation of the passage."""
    p, doc = hit.payload, hit.payload.get("doc", {})
    start = p["start"] + lo
    return Citation(claim_id=make_id("passage", p["doc_id"], start, start + hi - lo), doc_id=p["doc_id"],
                    title=doc.get("title") or "", quote=p["text"][lo:hi], page=p.get("page"), start=start,
                    end=start + hi - lo, source=doc.get("source") or "", pmid=doc.get("pmid"), doi=doc.get("doi"),
                    nct_id=doc.get("nct_id"), year=doc.get("year"), study_design=doc.get("study_design") or "unknown",
                    sample_size=doc.get("sample_size"), notices=tuple(doc.get("notices") or ()),
                    note="mentions the asked intervention and outcome; no finding was read from it")


def mentions(store: Store, query: Query, i: QueryEntity | None, o: QueryEntity | None,
             depth: int = PASSAGE_DEPTH) -> list[Citation]:
    """Return passages of the store that name both terms (any of their names): one sentence per chunk."""
    want = [e.forms() + e.related for e in (i, o) if e is not None]
    hits = store.search("chunks", sparse=encode_query(pair_text(i, o)), flt=query_filter(query), limit=depth)
    found = []
    for hit in hits:
        text = hit.payload.get("text", "")
        if not all(occurs_any(forms, text) for forms in want):
            continue
        spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(text)]
        best = next((s for s in spans if all(occurs_any(f, text[s[0]:s[1]]) for f in want)), None)
        best = best or next((s for s in spans if occurs_any(want[-1], text[s[0]:s[1]])), spans[0])
        lo, hi = best
        lo += len(text[lo:hi]) - len(text[lo:hi].lstrip())
        found.append(_passage(hit, lo, hi))
    return found
