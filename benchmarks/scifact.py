"""Retrieval on SciFact: claims as queries over the whole corpus, judged by the BEIR qrels.

Each abstract is indexed as MedKB indexes a PubMed record (title + abstract, chunked by the pipeline's
chunker, dense MiniLM + BM25 vectors on every chunk, in a real EdgeStore); chunk hits are folded to their
document by max score. Sparse-only, dense-only and hybrid (kb.retrieve.search) run on the same index.
"""

from __future__ import annotations

import json
import math
import tempfile
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

import numpy as np

from benchmarks import common
from benchmarks.common import Result, Target
from ingest.chunk import chunk_document
from ingest.design import design_of, sample_size_of
from ingest.run import Run
from ingest.readers.layout import Block, assemble
from kb.answers import Query
from kb.embed import Embedder, Encoded, OnnxMiniLM
from kb.lexicon import Lexicon, terms_from_document
from kb.models import Document, content_hash, document_id
from kb.query import parse_query
from kb.records import chunk_point
from kb.retrieve import query_filter, search, search_text
from kb.sparse import encode_query
from kb.store import Hit
from kb.store.edge import EdgeStore

NAME = "scifact"
DATASET = "scifact"
TODAY = date(2026, 1, 1)  # NOTE: fixed, so relative year phrases in claims filter the same way every run.
CHUNK_HITS = 300  # chunks fetched per query; folded to documents this yields well over 100 distinct ones
SAVE_EVERY = 2048
# NOTE: parameters are chosen on the odd-indexed judged claims and checked on the even ones (claims_train is the
# only split with qrels here; held-out claims judge the result).
HALVES: dict[str, int | None] = {"": None, "odd": 1, "even": 0}
Search = Callable[[EdgeStore, Embedder, Query], list[Hit]]


class CachedEmbedder:
    """An embedder that remembers vectors on disk, keyed by model name and text hash."""

    def __init__(self, inner: Embedder, folder: Path) -> None:
        self.inner = inner
        slug = "".join(ch if ch.isalnum() else "-" for ch in inner.name)
        self.path = folder / f"vectors-{slug}.npz"
        self._vectors: dict[str, np.ndarray] = {}
        self.misses = 0
        if self.path.exists():
            saved = np.load(self.path)
            self._vectors = dict(zip(saved["keys"].tolist(), saved["vectors"], strict=True))

    @property
    def name(self) -> str:
        """Return the inner model's name (the store records it)."""
        return self.inner.name

    @property
    def dim(self) -> int:
        """Return the inner model's vector size."""
        return self.inner.dim

    def _key(self, text: str) -> str:
        """Return the cache key of a text."""
        return content_hash(f"{self.inner.name}\x1f{text}")

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit vector per text, embedding only the texts not seen before."""
        keys = [self._key(t) for t in texts]
        todo = list({k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items())
        for start in range(0, len(todo), SAVE_EVERY):
            part = todo[start : start + SAVE_EVERY]
            vectors = self.inner.embed([t for _, t in part])
            self._vectors.update((k, np.asarray(v, dtype=np.float32)) for (k, _), v in zip(part, vectors, strict=True))
            self.misses += len(part)
            if len(todo) > 64:  # NOTE: a long clean run keeps what it embedded if it is interrupted.
                self.save()
        return [self._vectors[k].astype(float).tolist() for k in keys]

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Return vectors and token states from the inner model (states are not cached), remembering the vectors."""
        encoded = self.inner.encode(texts)
        self._vectors.update((self._key(t), np.asarray(v, dtype=np.float32))
                             for t, v in zip(texts, encoded.vectors, strict=True))
        return encoded

    def save(self) -> None:
        """Write the cache (atomically, so an interrupted write never corrupts it)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        keys = np.array(list(self._vectors), dtype=str)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=keys, vectors=np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, 1)))
        tmp.replace(self.path)


def corpus_document(record: dict[str, object], source: str) -> Document:
    """Return a corpus record as MedKB holds a PubMed abstract: title block, then abstract block."""
    title = str(record["title"])
    abstract = " ".join(str(s) for s in record["abstract"])  # type: ignore[attr-defined]
    text, sections = assemble([Block("Title", "title", (title,)), Block("Abstract", "abstract", (abstract,))])
    digest = content_hash(text)
    doc = Document(id=document_id("pubmed", digest=digest), kind="pubmed", source=f"{source}#{record['doc_id']}",
                   content_hash=digest, title=title, text=text, sections=sections)
    return doc.model_copy(update={"study_design": design_of(doc), "sample_size": sample_size_of(doc)})


def load_corpus(path: Path, keep: Callable[[str, int], bool] | None = None) -> dict[str, Document]:
    """Return corpus id → Document for the records keep() accepts (by id and line number)."""
    docs: dict[str, Document] = {}
    with path.open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            record = json.loads(line)
            if keep is None or keep(str(record["doc_id"]), n):
                docs[str(record["doc_id"])] = corpus_document(record, str(path))
    return docs


def load_claims(path: Path) -> dict[str, str]:
    """Return claim id → claim text."""
    with path.open(encoding="utf-8") as lines:
        return {str(r["id"]): str(r["claim"]) for r in map(json.loads, lines)}


def load_qrels(path: Path) -> dict[str, set[str]]:
    """Return query id → relevant corpus ids from a BEIR qrels TSV (score > 0)."""
    qrels: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        qid, did, score = line.split("\t")
        if int(score) > 0:
            qrels.setdefault(qid, set()).add(did)
    return qrels


def index(store: EdgeStore, embedder: Embedder, docs: dict[str, Document]) -> tuple[dict[str, str], int]:
    """Write every document's chunks as the pipeline does; return MedKB doc id → corpus id and the chunk count."""
    chunks = [(d, c) for d in docs.values() for c in chunk_document(d, Run.chunk_size, Run.chunk_overlap)]
    vectors = embedder.embed([f"{d.title}\n{c.text}" for d, c in chunks])
    store.upsert("chunks", [chunk_point(c, d, v) for (d, c), v in zip(chunks, vectors, strict=True)])
    return {d.id: cid for cid, d in docs.items()}, len(chunks)


def _sparse(store: EdgeStore, embedder: Embedder, query: Query) -> list[Hit]:
    """Return BM25-only chunk hits."""
    text = search_text(query)
    return store.search("chunks", sparse=encode_query(text), flt=query_filter(query), limit=CHUNK_HITS)


def _dense(store: EdgeStore, embedder: Embedder, query: Query) -> list[Hit]:
    """Return dense-only chunk hits."""
    text = search_text(query)
    return store.search("chunks", dense=embedder.embed([text])[0], flt=query_filter(query), limit=CHUNK_HITS)


def _hybrid(store: EdgeStore, embedder: Embedder, query: Query) -> list[Hit]:
    """Return MedKB's own hybrid retrieval (kb.retrieve.search) over chunks."""
    return search(store, embedder, query, "chunks", limit=CHUNK_HITS)


MODES: dict[str, Search] = {"sparse": _sparse, "dense": _dense, "hybrid": _hybrid}


def ranked_docs(hits: list[Hit], to_corpus: dict[str, str]) -> list[str]:
    """Return corpus ids in order of their best chunk (hits arrive best first)."""
    return list(dict.fromkeys(to_corpus[h.payload["doc_id"]] for h in hits))


def ndcg(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    """Return binary-relevance nDCG@k."""
    dcg = sum(1 / math.log2(i + 2) for i, d in enumerate(ranked[:k]) if d in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def recall(ranked: list[str], relevant: set[str], k: int = 100) -> float:
    """Return the share of relevant documents in the top k."""
    return len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0


def evaluate(store: EdgeStore, embedder: Embedder, queries: dict[str, Query], qrels: dict[str, set[str]],
             to_corpus: dict[str, str]) -> dict[str, float]:
    """Return nDCG@10 and Recall@100 per mode, averaged over the queries."""
    metrics: dict[str, float] = {}
    for mode, fn in MODES.items():
        runs = [ranked_docs(fn(store, embedder, q), to_corpus) for q in queries.values()]
        rel = [qrels[qid] for qid in queries]
        metrics[f"{mode}_ndcg@10"] = round(sum(map(ndcg, runs, rel)) / len(runs), 4)
        metrics[f"{mode}_recall@100"] = round(sum(map(recall, runs, rel)) / len(runs), 4)
    return metrics


def _subset(claims: dict[str, str], qrels: dict[str, set[str]], limit: int | None,
            half: str = "") -> dict[str, str]:
    """Return the judged claims (odd- or even-indexed ones only for a half), the first `limit` when limited."""
    if half not in HALVES:
        raise ValueError(f"half must be one of {sorted(HALVES)}, not {half!r}")
    judged = [(qid, text) for qid, text in claims.items() if qid in qrels]
    kept = [pair for i, pair in enumerate(judged) if HALVES[half] is None or i % 2 == HALVES[half]]
    return dict(kept[:limit]) if limit else dict(kept)


def folder_of(data: Path) -> Path:
    """Return the SciFact folder: data itself when it holds corpus.jsonl, else data/scifact."""
    return data if (data / "corpus.jsonl").is_file() else data / DATASET


def run(data: Path, limit: int | None = None, *, claims: str = "claims_train.jsonl", qrels: str = "beir_qrels/train.tsv",
        corpus: str = "corpus.jsonl", half: str = "") -> Result:
    """Return nDCG@10 and Recall@100 for sparse, dense and hybrid retrieval (limit: claims, and a corpus slice)."""
    data = folder_of(data)
    judged = load_qrels(data / qrels)
    texts = _subset(load_claims(data / claims), judged, limit, half)
    wanted = set().union(*(judged[q] for q in texts))
    # NOTE: a limited run keeps every judged document plus a slice of distractors, so scores stay meaningful.
    docs = load_corpus(data / corpus, None if not limit else lambda cid, n: cid in wanted or n < 5 * limit)
    lexicon = Lexicon.empty()
    for doc in docs.values():
        lexicon.add(terms_from_document(doc, lexicon))
    embedder = CachedEmbedder(OnnxMiniLM(), common.WORK)
    with tempfile.TemporaryDirectory(prefix="medkb-scifact-") as tmp:
        store = EdgeStore(Path(tmp) / "kb", embedder.dim, embedder.name)
        try:
            to_corpus, n_chunks = index(store, embedder, docs)
            embedder.save()
            queries = {qid: parse_query(t, lexicon, today=TODAY) for qid, t in texts.items()}
            metrics = evaluate(store, embedder, queries, {q: judged[q] for q in texts}, to_corpus)
        finally:
            store.close()
    embedder.save()
    return Result(
        name=NAME,
        metrics={"hybrid_ndcg@10": metrics.pop("hybrid_ndcg@10"), **metrics},
        baselines={"hybrid_ndcg@10": metrics["sparse_ndcg@10"], "hybrid_recall@100": metrics["sparse_recall@100"]},
        targets=[Target("hybrid_ndcg@10", ">=", 0.72)],
        dataset={"path": str(data), "claims": claims, "qrels": qrels, "half": half or "all", "size": len(docs),
                 "unit": "abstracts", "queries": len(texts), "chunks": n_chunks},
        notes=("Baseline = sparse-only BM25 on the same index. Published full-corpus nDCG@10: BM25 0.665, "
               f"MedCPT ~0.72. Vectors embedded this run: {embedder.misses} (the rest from the cache)."),
    )
