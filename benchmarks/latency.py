"""Query latency and memory: answer_question p50/p95 and peak RSS on a knowledge base of >= 100,000 points.

The knowledge base is SciFact's corpus ingested by the real pipeline (rule extractor; vectors from the
embedding cache when present), then filled up to the point target with copies of its real chunk and claim
points under new ids, their dense vectors perturbed. Questions are SciFact claims. Queries run in a separate
process (`python -m benchmarks.latency STORE QUESTIONS`), so the peak RSS measured is the query process's own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from benchmarks import common
from benchmarks.common import Result, Target
from benchmarks.scifact import CachedEmbedder, folder_of, load_claims, load_corpus
from ingest.extract.rules import RuleExtractor
from ingest.pipeline import ingest_records
from ingest.run import IngestReport, Run
from kb.answer import answer_question
from kb.embed import OnnxMiniLM
from kb.lexicon import Lexicon
from kb.lexicon_file import load_lexicon, save_lexicon
from kb.models import make_id
from kb.store import COLLECTIONS, Collection, Filter, Hit, Point, SparseVec, Store
from kb.store.edge import EdgeStore

NAME = "latency"
POINTS = 100_000
QUESTIONS = 200
NOISE = 0.02  # NOTE: small enough that copies stay near real text, large enough that no two vectors tie.
LEXICON = "lexicon.json.gz"


@dataclass
class Recorder:
    """A Store that passes writes through and keeps the chunk and claim points it saw (to copy them later)."""

    inner: Store
    seen: dict[str, list[Point]] = field(default_factory=lambda: {"chunks": [], "claims": []})

    def upsert(self, collection: Collection, points: Sequence[Point]) -> None:
        """Write points and remember the ones worth copying."""
        self.inner.upsert(collection, points)
        if collection in self.seen:
            self.seen[collection].extend(points)

    def delete(self, collection: Collection, flt: Filter) -> None:
        """Delete through."""
        self.inner.delete(collection, flt)

    def retrieve(self, collection: Collection, ids: Sequence[str]) -> list[Hit]:
        """Read through."""
        return self.inner.retrieve(collection, ids)

    def scroll(self, collection: Collection, flt: Filter | None = None,
               fields: Sequence[str] | None = None) -> Iterator[Hit]:
        """Read through."""
        return self.inner.scroll(collection, flt, fields)

    def scroll_points(self, collection: Collection) -> Iterator[list[Point]]:
        """Read through, vectors included."""
        return self.inner.scroll_points(collection)

    def count(self, collection: Collection, flt: Filter | None = None) -> int:
        """Count through."""
        return self.inner.count(collection, flt)

    def search(self, collection: Collection, *, dense: list[float] | None = None, sparse: SparseVec | None = None,
               flt: Filter | None = None, limit: int = 10) -> list[Hit]:
        """Search through."""
        return self.inner.search(collection, dense=dense, sparse=sparse, flt=flt, limit=limit)

    def close(self) -> None:
        """Close through."""
        self.inner.close()


def copies(points: list[Point], n: int, seed: int = 7) -> Iterator[Point]:
    """Yield n copies of the points, round robin, with new ids and unit dense vectors nudged by noise (a point
    without a dense vector, a document, is copied as it is)."""
    rng = np.random.default_rng(seed)
    for i in range(n):
        p = points[i % len(points)]
        if p.dense is None:
            yield replace(p, id=make_id("copy", p.id, i))
            continue
        vec = np.asarray(p.dense, dtype=np.float32) + rng.normal(0, NOISE, len(p.dense or ())).astype(np.float32)
        yield replace(p, id=make_id("copy", p.id, i), dense=(vec / np.linalg.norm(vec)).tolist())


def build(path: Path, data: Path, limit: int | None, target: int) -> dict[str, int]:
    """Ingest SciFact into a new store at path, fill it up to target points, and return the counts."""
    docs = load_corpus(folder_of(data) / "corpus.jsonl", None if not limit else lambda _, n: n < limit)
    embedder = CachedEmbedder(OnnxMiniLM(), common.WORK)
    store = Recorder(EdgeStore(path, embedder.dim, embedder.name))
    lexicon = Lexicon.empty()
    try:
        report = IngestReport()
        ingest_records(((d, []) for d in docs.values()), Run(store, embedder, RuleExtractor(), lexicon), report)
        embedder.save()
        real = sum(store.count(c) for c in COLLECTIONS)
        pools = [(c, store.seen[c]) for c in ("chunks", "claims") if store.seen[c]]
        total = sum(len(pool) for _, pool in pools)
        for name, pool in pools:
            # NOTE: copies keep the real ratio of chunks to claims; written in slices to bound memory.
            todo = copies(pool, max(0, target - real) * len(pool) // total + 1)
            while batch := [p for _, p in zip(range(5000), todo)]:
                store.inner.upsert(name, batch)
        counts = {c: store.count(c) for c in COLLECTIONS}
    finally:
        store.close()
    save_lexicon(lexicon, path / LEXICON)
    return counts | {"real_points": real, "documents_ingested": report.documents}


def percentile(values: list[float], q: float) -> float:
    """Return the q-th percentile of values (linear interpolation)."""
    return float(np.percentile(np.asarray(values), q))


def serve(path: Path, questions: list[str]) -> dict[str, float]:
    """Answer every question against the store at path and return latency percentiles and peak RSS (child side)."""
    embedder = OnnxMiniLM()
    store = EdgeStore(path, embedder.dim, embedder.name)
    lexicon = load_lexicon(path / LEXICON, path)
    try:
        answer_question(questions[0], store=store, embedder=embedder, lexicon=lexicon)  # NOTE: loads the model.
        times = []
        for q in questions:
            start = time.perf_counter()
            answer_question(q, store=store, embedder=embedder, lexicon=lexicon)
            times.append((time.perf_counter() - start) * 1000)
    finally:
        store.close()
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # NOTE: Linux reports KiB.
    return {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95), "mean_ms": sum(times) / len(times),
            "peak_rss_mib": rss_mib, "questions": len(times)}


def measure(path: Path, questions: list[str], module: str = "benchmarks.latency") -> dict[str, float]:
    """Run a module's serve() (this one's by default) in a fresh Python process and return what it printed."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(questions, f)
    cmd = [sys.executable, "-m", module, str(path), f.name]
    try:
        done = subprocess.run(cmd, cwd=common.HERE.parent, capture_output=True, text=True, check=False)
    finally:
        Path(f.name).unlink()
    if done.returncode != 0:
        raise RuntimeError(f"query process failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def run(data: Path, limit: int | None = None, *, points: int = POINTS, questions: int = QUESTIONS) -> Result:
    """Return answer_question latency and the query process's peak RSS (limit: abstracts, points scaled down)."""
    target = points if not limit else min(points, 50 * limit)
    claims = list(load_claims(folder_of(data) / "claims_train.jsonl").values())[: min(questions, limit or questions)]
    with tempfile.TemporaryDirectory(prefix="medkb-latency-") as tmp:
        start = time.perf_counter()
        counts = build(Path(tmp) / "kb", data, limit, target)
        build_s = time.perf_counter() - start
        measured = measure(Path(tmp) / "kb", claims)
    total = sum(counts[c] for c in COLLECTIONS)
    return Result(
        name=NAME,
        metrics={"p95_ms": round(measured["p95_ms"], 1), "p50_ms": round(measured["p50_ms"], 1),
                 "peak_rss_mib": round(measured["peak_rss_mib"], 1)},
        targets=[Target("p95_ms", "<=", 100.0), Target("peak_rss_mib", "<=", 1536.0)],
        dataset={"path": str(data), "size": total, "unit": "points", **counts, "questions": len(claims),
                 "build_s": round(build_s, 1)},
        notes=(f"{counts['real_points']:,} real points from {counts['documents_ingested']:,} SciFact abstracts "
               "(rule extractor); the rest are copies of real chunk and claim points with new ids and dense vectors "
               f"perturbed by N(0, {NOISE}) noise. No language model. Questions: SciFact train claims. Each query is "
               "a full answer_question (parse, hybrid claim search, linking, trial search, aggregation) in a fresh "
               "process after one warm-up question; RSS is that process's ru_maxrss."),
    )


if __name__ == "__main__":
    _store, _questions = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
    print(json.dumps(serve(_store, _questions)))
