"""A million points on one machine: build time, on-disk size, ask latency and peak RSS on the embedded store.

Real records (SciFact's corpus, Evidence Inference abstracts, the MEDLINE/PubMed citation files of pubmed_xml/) go
through the real pipeline (rule extractor) into an EdgeStore laid out as a large knowledge base should be (int8 scalar
quantization kept in RAM, original vectors and payloads on disk, payload indexes on every filtered field), which is
then filled up to the point target with copies of its real documents, chunks and claims (new ids, dense vectors
perturbed as the latency benchmark does) and optimized (HNSW indexes, quantization). A separate process answers
questions with kb.answer.answer_question, as `medkb ask` does, and reports its own peak RSS.
"""

from __future__ import annotations

import json
import resource
import shutil
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from benchmarks import common
from benchmarks.common import Result, Target
from benchmarks.evidence_inference import load_prompts, text_path
from benchmarks.latency import LEXICON, NOISE, Recorder, copies, measure, percentile
from benchmarks.scifact import CachedEmbedder, folder_of, load_claims, load_corpus
from ingest.extract.rules import RuleExtractor
from ingest.pipeline import ingest_paths, ingest_records
from ingest.run import IngestReport, Run
from ingest.readers.text import parse_text
from ingest.train.data import ei_root
from kb.answer import answer_question
from kb.embed import OnnxMiniLM
from kb.lexicon import Lexicon
from kb.lexicon_file import load_lexicon, save_lexicon
from kb.store import COLLECTIONS, Collection, Filter, Hit, Layout, Point, SparseVec
from kb.store.edge import EdgeStore

NAME = "scale"
POINTS = 1_000_000
QUESTIONS = 300
EI_ARTICLES = 200
PER_LIMIT = 200  # NOTE: --limit N builds 200·N points, enough to see every step work in a minute or two.
LAYOUT = Layout(on_disk_payload=True, on_disk_vectors=True, int8=True)
COPIED = ("documents", "chunks", "claims")
SLICE = 5000
MEASURED = ("search_p95_ms", "search_p50_ms", "call_p95_ms", "calls_per_question", "answer_p95_ms",
            "answer_p50_ms", "peak_rss_mib")
T = TypeVar("T")
SPLITS = ("train", "validation")


def ei_articles(data: Path, n: int) -> list[str]:
    """Return the first n Evidence Inference article ids (PMCID order) that have an abstract and prompts."""
    return list(load_prompts(ei_root(data), SPLITS, "abstracts"))[:n]


def questions(data: Path, articles: list[str], n: int) -> list[str]:
    """Return n questions as users ask them: a third plain SciFact claims, a third asked of randomized trials
    (Evidence Inference prompts; a study_design filter), a third limited to recent years (a year filter)."""
    claims = list(load_claims(folder_of(data) / "claims_train.jsonl").values())
    prompts = [p for pmcid, ps in load_prompts(ei_root(data), SPLITS, "abstracts").items()
               if pmcid in articles for p in ps]
    trials = [f"In randomized controlled trials, what is the effect of {p.intervention} compared with "
              f"{p.comparator} on {p.outcome}?" for p in prompts]
    recent = [f"{c.rstrip('.')} since 2005?" for c in claims[n:]]
    third = n // 3
    picked = claims[:third] + trials[:third] + recent[: n - 2 * third]
    return picked + claims[len(picked): n]  # NOTE: topped up with plain claims when a --limit run has few prompts


def pubmed_files(data: Path) -> list[Path]:
    """Return the PubMed/MEDLINE citation files of pubmed_xml/ (the PMC full texts there are left to other runs)."""
    folder = data / "pubmed_xml"
    citations = ("pubmed", "medline")
    return sorted(p for p in folder.rglob("*.xml*") if p.name.startswith(citations)) if folder.is_dir() else []


def ingest_real(store: Recorder, embedder: CachedEmbedder, data: Path, limit: int | None,
                articles: list[str], abstracts: int = 0) -> IngestReport:
    """Ingest SciFact abstracts, Evidence Inference abstracts and MEDLINE citations through the pipeline."""
    # NOTE: abstracts, not full texts: the rule extractor reads a full text in about 25 s (the evidence_inference
    # benchmark), which would make the real part of a million points take hours on two cores.
    lexicon = Lexicon.empty()
    cap = limit or abstracts  # NOTE: SciFact abstracts to ingest; 0 is all of them
    docs = list(load_corpus(folder_of(data) / "corpus.jsonl", None if not cap else lambda _, n: n < cap).values())
    docs += [next(parse_text(text_path(ei_root(data), a, "abstracts"))) for a in articles]
    report = IngestReport()
    ingest_records(((d, []) for d in docs), Run(store, embedder, RuleExtractor(), lexicon), report)
    files = pubmed_files(data)[:1] if limit else pubmed_files(data)
    more = ingest_paths(files, store=store, embedder=embedder, extractor=RuleExtractor(), lexicon=lexicon)
    embedder.save()
    save_lexicon(lexicon, store.inner.path / LEXICON)  # type: ignore[attr-defined]
    report.documents += more.documents
    report.failed += more.failed
    return report


def fill(store: EdgeStore, seen: dict[str, list[Point]], target: int) -> None:
    """Write copies of the real points until the store holds target points, keeping the real mix of collections."""
    real = sum(store.count(c) for c in COLLECTIONS)
    total = sum(len(seen[c]) for c in COPIED)
    for name in COPIED:
        todo = copies(seen[name], max(0, target - real) * len(seen[name]) // total + 1)
        while batch := [p for _, p in zip(range(SLICE), todo)]:  # NOTE: slices bound the memory copies take
            store.upsert(name, batch)  # type: ignore[arg-type]


@dataclass
class Timed:
    """A Store for answering: reads pass through and the time each takes is kept (ms), writes are refused."""

    inner: EdgeStore
    calls: list[float] = field(default_factory=list)

    def _time(self, read: Callable[[], T]) -> T:
        """Return what read returns, keeping how long it took."""
        start = time.perf_counter()
        try:
            return read()
        finally:
            self.calls.append((time.perf_counter() - start) * 1000)

    def upsert(self, collection: Collection, points: Sequence[Point]) -> None:
        """Refuse: answering writes nothing."""
        raise AssertionError("answering a question wrote to the store")

    def delete(self, collection: Collection, flt: Filter) -> None:
        """Refuse: answering deletes nothing."""
        raise AssertionError("answering a question deleted from the store")

    def retrieve(self, collection: Collection, ids: Sequence[str]) -> list[Hit]:
        """Read through, timed."""
        return self._time(lambda: self.inner.retrieve(collection, ids))

    def scroll(self, collection: Collection, flt: Filter | None = None,
               fields: Sequence[str] | None = None) -> Iterator[Hit]:
        """Read through, timed (the whole scroll at once)."""
        return iter(self._time(lambda: list(self.inner.scroll(collection, flt, fields))))

    def scroll_points(self, collection: Collection) -> Iterator[list[Point]]:
        """Read through."""
        return self.inner.scroll_points(collection)

    def count(self, collection: Collection, flt: Filter | None = None) -> int:
        """Count through, timed."""
        return self._time(lambda: self.inner.count(collection, flt))

    def search(self, collection: Collection, *, dense: list[float] | None = None, sparse: SparseVec | None = None,
               flt: Filter | None = None, limit: int = 10) -> list[Hit]:
        """Search through, timed."""
        return self._time(lambda: self.inner.search(collection, dense=dense, sparse=sparse, flt=flt, limit=limit))

    def close(self) -> None:
        """Close through."""
        self.inner.close()


def serve(path: Path, asked: list[str]) -> dict[str, float]:
    """Answer every question as `medkb ask` does; return the p50/p95 of the store's time per question (every search
    and read one answer makes), of single store calls and of whole answers, and peak RSS (child side)."""
    embedder = OnnxMiniLM()
    store = Timed(EdgeStore(path, embedder.dim, embedder.name, create=False))
    lexicon = load_lexicon(path / LEXICON, path)
    per_question, answers = [], []
    try:
        answer_question(asked[0], store=store, embedder=embedder, lexicon=lexicon)  # NOTE: loads the model.
        for q in asked:
            store.calls.clear()
            start = time.perf_counter()
            answer_question(q, store=store, embedder=embedder, lexicon=lexicon)
            answers.append((time.perf_counter() - start) * 1000)
            per_question.append((sum(store.calls), list(store.calls)))
    finally:
        store.close()
    calls = [c for _, cs in per_question for c in cs]
    spent = [s for s, _ in per_question]
    return {"search_p95_ms": percentile(spent, 95), "search_p50_ms": percentile(spent, 50),
            "call_p95_ms": percentile(calls, 95), "calls_per_question": len(calls) / len(spent),
            "answer_p95_ms": percentile(answers, 95), "answer_p50_ms": percentile(answers, 50),
            "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}  # NOTE: Linux: KiB


def disk_bytes(path: Path) -> int:
    """Return the bytes a folder takes on disk (allocated blocks: Qdrant's files are sparse)."""
    return sum(p.stat().st_blocks * 512 for p in path.rglob("*") if p.is_file())


def sizes(seen: dict[str, list[Point]]) -> dict[str, float]:
    """Return the mean payload size (JSON bytes) and sparse non-zeros of the real points of each copied collection."""
    out = {}
    for name in COPIED:
        points = seen[name] or [Point("", {})]
        out[f"payload_bytes_{name}"] = sum(len(json.dumps(p.payload).encode()) for p in points) / len(points)
        out[f"sparse_nnz_{name}"] = sum(len(p.sparse.indices) if p.sparse else 0 for p in points) / len(points)
    return out


def step(what: str, start: float) -> float:
    """Say on stderr that a step ended and how long the build has run; return the seconds since start."""
    spent = time.perf_counter() - start
    print(f"scale: {what} after {spent:,.0f} s", file=sys.stderr, flush=True)
    return spent


def build(path: Path, data: Path, limit: int | None, target: int, articles: list[str],
          abstracts: int = 0) -> dict[str, float]:
    """Build the knowledge base at path and return its counts and the time each step took."""
    embedder = CachedEmbedder(OnnxMiniLM(), common.WORK)
    store = Recorder(EdgeStore(path, embedder.dim, embedder.name, layout=LAYOUT), {c: [] for c in COPIED})
    steps = {}
    try:
        start = time.perf_counter()
        report = ingest_real(store, embedder, data, limit, articles, abstracts)
        real = {c: store.count(c) for c in COLLECTIONS}
        steps["ingest_s"] = step(f"{sum(real.values()):,} real points ingested", start)
        fill(store.inner, store.seen, target)  # type: ignore[arg-type]
        steps["fill_s"] = step("filled", start) - steps["ingest_s"]
        store.inner.optimize()  # type: ignore[attr-defined]
        steps["optimize_s"] = step("optimized", start) - steps["ingest_s"] - steps["fill_s"]
        counts = {c: store.count(c) for c in COLLECTIONS}
    finally:
        store.close()
    return {**counts, **{f"real_{c}": n for c, n in real.items()}, "real_points": sum(real.values()),
            "documents_ingested": report.documents, "files_failed": len(report.failed), **steps,
            **sizes(store.seen)}


def run(data: Path, limit: int | None = None, *, points: int = POINTS, n_questions: int = QUESTIONS,
        ei: int = EI_ARTICLES, abstracts: int = 0, keep: str = "") -> Result:
    """Build a knowledge base of `points` points (limit: N abstracts, 200·N points) and measure ask on it;
    abstracts caps the SciFact abstracts ingested (0: all), keep=PATH builds it there and leaves it (the default
    is a temporary folder under benchmarks/work)."""
    target = points if not limit else min(points, PER_LIMIT * limit)
    articles = ei_articles(data, ei if not limit else min(ei, max(1, limit // 10)))
    asked = questions(data, articles, n_questions if not limit else min(n_questions, limit))
    folder = Path(keep) if keep else common.WORK / f"scale-{time.strftime('%Y%m%d-%H%M%S')}"
    start = time.perf_counter()
    built = build(folder, data, limit, target, articles, abstracts)
    build_s = time.perf_counter() - start
    size = disk_bytes(folder)
    measured = measure(folder, asked, "benchmarks.scale")
    if not keep:
        shutil.rmtree(folder)
    return result(data, built, build_s, size, measured, len(asked), len(articles))


def result(data: Path, built: dict[str, float], build_s: float, size: int, measured: dict[str, float],
           n_questions: int, n_articles: int) -> Result:
    """Return the benchmark's Result from what the build and the query process measured."""
    total = int(sum(built[c] for c in COLLECTIONS))
    build_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Result(
        name=NAME,
        metrics={**{k: round(measured[k], 1) for k in MEASURED}, "disk_mib": round(size / 2**20, 1),
                 "build_s": round(build_s, 1), "points": total},
        targets=[Target("search_p95_ms", "<=", 150.0), Target("peak_rss_mib", "<=", 3072.0)],
        dataset={"path": str(data), "size": total, "unit": "points",
                 **{k: (round(v, 1) if isinstance(v, float) else v) for k, v in built.items()},
                 "questions": n_questions, "ei_articles": n_articles},
        notes=(f"{int(built['real_points']):,} real points from {int(built['documents_ingested']):,} documents "
               f"(SciFact abstracts, {n_articles} Evidence Inference abstracts, the MEDLINE citations of pubmed_xml/) "
               "ingested by the pipeline (rule extractor, no language model); the rest are copies of the real documents, chunks "
               f"and claims with new ids, dense vectors perturbed by N(0, {NOISE}) noise and re-normalised "
               "(sparse vectors and payloads kept). Store: embedded Qdrant Edge with int8 scalar quantization (in "
               "RAM), original vectors and payloads on disk, keyword/integer payload indexes; optimized (HNSW) once "
               "built. Questions: a third SciFact train claims, a third Evidence Inference prompts asked of "
               "randomized controlled trials (study_design filter), a third claims 'since 2005' (year filter), "
               "answered by answer_question (as medkb ask) in a fresh process after one warm-up question. "
               "search_*: the time one answer spends in the store (every search, retrieve and scroll it makes, "
               "summed); call_p95: one store call; answer_*: the whole answer (query embedding, parsing, linking, "
               "aggregation too). Peak RSS is that process's ru_maxrss. The build process peaked at "
               f"{build_rss:,.0f} MiB. Disk: allocated blocks of the store folder."),
    )


if __name__ == "__main__":
    _store, _questions = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
    print(json.dumps(serve(_store, _questions)))
