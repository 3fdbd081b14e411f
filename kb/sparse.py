"""BM25 sparse vectors from Qdrant Edge's built-in encoder; the store applies IDF."""

from __future__ import annotations

from functools import lru_cache

from qdrant_edge import Bm25, Bm25Config, Language, SnowballLanguage, SnowballParams, SparseVector

from kb.store import SparseVec

# NOTE: Lucene's k1/b. avg_len is the token count of a typical chunk (~1000 characters once stopwords
# are gone); claims and titles are shorter, so b=0.75 rewards their few terms, as BM25 should.
K1 = 1.2
B = 0.75
AVG_LEN = 100.0


@lru_cache(maxsize=1)
def _encoder() -> Bm25:
    """Return the one shared BM25 encoder (English stopwords, Snowball stemming, folded case and accents)."""
    config = Bm25Config(
        k=K1,
        b=B,
        avg_len=AVG_LEN,
        language="english",
        lowercase=True,
        ascii_folding=True,
        stopwords=Language.English,
        stemmer=SnowballParams(SnowballLanguage.English),
    )
    return Bm25(config)


def _to_vec(vector: SparseVector) -> SparseVec:
    """Return our SparseVec for an edge SparseVector."""
    return SparseVec(indices=list(vector.indices), values=[float(v) for v in vector.values])


def encode_document(text: str) -> SparseVec:
    """Return the BM25 term-frequency vector of a text to be indexed."""
    return _to_vec(_encoder().embed_document(text))


def encode_query(text: str) -> SparseVec:
    """Return the query vector of a text: weight 1 per distinct term (IDF comes from the store)."""
    return _to_vec(_encoder().embed_query(text))
