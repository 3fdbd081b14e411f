"""Ingestion throughput: documents/s and pages/s end to end, beside the embedding model's own speed.

Both sides see the same texts in the same run: the embedder alone embeds every chunk text the pipeline
would embed (title + chunk), and the pipeline ingests the same documents (rule extractor, BM25, one fresh
EdgeStore in a temporary folder). SciFact abstracts come in as Documents; the PDFs go through ingest_paths.
The two sides alternate slice by slice, so a load that comes and goes on a shared machine hits both alike.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

from benchmarks.common import Result, Target
from benchmarks.scifact import folder_of, load_corpus
from ingest.chunk import chunk_document
from ingest.extract.rules import RuleExtractor
from ingest.readers.folders import discover
from ingest.readers.load import load_records
from ingest.pipeline import ingest_paths, ingest_records
from ingest.run import IngestReport, Run
from kb.embed import OnnxMiniLM
from kb.lexicon import Lexicon
from kb.models import Document
from kb.store.edge import EdgeStore

NAME = "throughput"
PDFS = "biomedical_pdfs"
RATIO = 0.8
T = TypeVar("T")


SLICES = 8


def embed_seconds(embedder: OnnxMiniLM, docs: Sequence[Document]) -> tuple[float, int]:
    """Return the seconds the embedder alone takes on the documents' chunk texts, and how many there were."""
    texts = [f"{d.title}\n{c.text}" for d in docs for c in chunk_document(d, Run.chunk_size, Run.chunk_overlap)]
    start = time.perf_counter()
    embedder.embed(texts)
    return time.perf_counter() - start, len(texts)


def alternate(embedder: OnnxMiniLM, slices: Sequence[Sequence[T]], docs_of: Callable[[Sequence[T]], list[Document]],
              write: Callable[[Run, Sequence[T]], IngestReport]) -> tuple[float, float, int, IngestReport]:
    """Return (embed s, ingest s, chunks, report): per slice, the embedder alone, then the ingest into one store."""
    embed_s = ingest_s = 0.0
    chunks = 0
    total = IngestReport()
    with tempfile.TemporaryDirectory(prefix="medkb-throughput-") as tmp:
        store = EdgeStore(Path(tmp) / "kb", embedder.dim, embedder.name)
        lexicon = Lexicon.empty()
        run = Run(store, embedder, RuleExtractor(), lexicon)
        try:
            for part in slices:
                seconds, n = embed_seconds(embedder, docs_of(part))
                embed_s, chunks = embed_s + seconds, chunks + n
                start = time.perf_counter()
                report = write(run, part)
                ingest_s += time.perf_counter() - start
                total.documents, total.claims = total.documents + report.documents, total.claims + report.claims
                total.failed += report.failed
        finally:
            store.close()
    return embed_s, ingest_s, chunks, total


def sliced(items: Sequence[T], n: int = SLICES) -> list[Sequence[T]]:
    """Return items cut into at most n consecutive, nearly equal slices."""
    size = max(1, -(-len(items) // n))
    return [items[i : i + size] for i in range(0, len(items), size)]


def scifact(embedder: OnnxMiniLM, data: Path, limit: int | None) -> dict[str, float]:
    """Return SciFact abstracts/s for the embedder alone and for the whole ingest."""
    docs = list(load_corpus(folder_of(data) / "corpus.jsonl", None if not limit else lambda _, n: n < limit).values())
    embed_s, ingest_s, n_chunks, report = alternate(embedder, sliced(docs), list, _ingest_docs)
    if report.documents != len(docs):
        raise RuntimeError(f"SciFact ingest stored {report.documents} of {len(docs)} documents: {report.failed[:3]}")
    return {
        "scifact_docs": len(docs), "scifact_chunks": n_chunks, "scifact_claims": report.claims,
        "scifact_embed_docs_per_s": len(docs) / embed_s, "scifact_ingest_docs_per_s": len(docs) / ingest_s,
    }


def pdfs(embedder: OnnxMiniLM, folder: Path) -> dict[str, float]:
    """Return PDF pages/s for the embedder alone (on the parsed text) and for the whole ingest from files."""
    files = discover([folder]).files
    parsed = {f: [doc for doc, _ in load_records(f)] for f in files}
    docs = [d for f in files for d in parsed[f]]
    pages = sum(max(len(d.pages), 1) for d in docs)
    embed_s, ingest_s, _, report = alternate(
        embedder, [[f] for f in files], lambda part: [d for f in part for d in parsed[f]],
        lambda run, part: ingest_paths(part, store=run.store, embedder=run.embedder, extractor=run.extractor,
                                       lexicon=run.lexicon))
    return {
        "pdf_docs": len(docs), "pdf_pages": pages, "pdf_ingested": report.documents,
        "pdf_embed_pages_per_s": pages / embed_s, "pdf_ingest_pages_per_s": pages / ingest_s,
        "pdf_ingest_docs_per_s": len(docs) / ingest_s,
    }


def _ingest_docs(run: Run, docs: Sequence[Document]) -> IngestReport:
    """Return the report of ingesting ready-made documents."""
    report = IngestReport()
    ingest_records(((d, []) for d in docs), run, report)
    return report


def run(data: Path, limit: int | None = None) -> Result:
    """Return ingest vs embedding throughput on SciFact abstracts (limit: abstracts) and the shared PDFs."""
    embedder = OnnxMiniLM()
    embedder.embed(["warm up the session"])  # NOTE: model loading is not throughput; both sides start warm.
    sf = scifact(embedder, data, limit)
    pdf = pdfs(embedder, data / PDFS) if (data / PDFS).is_dir() else {}
    metrics = {
        "scifact_ingest_vs_embed": round(sf["scifact_ingest_docs_per_s"] / sf["scifact_embed_docs_per_s"], 3),
        "scifact_ingest_docs_per_s": round(sf["scifact_ingest_docs_per_s"], 2),
    }
    baselines = {"scifact_ingest_docs_per_s": round(sf["scifact_embed_docs_per_s"], 2)}
    if pdf:
        metrics["pdf_ingest_vs_embed"] = round(pdf["pdf_ingest_pages_per_s"] / pdf["pdf_embed_pages_per_s"], 3)
        metrics["pdf_ingest_pages_per_s"] = round(pdf["pdf_ingest_pages_per_s"], 2)
        metrics["pdf_ingest_docs_per_s"] = round(pdf["pdf_ingest_docs_per_s"], 3)
        baselines["pdf_ingest_pages_per_s"] = round(pdf["pdf_embed_pages_per_s"], 2)
    return Result(
        name=NAME,
        metrics=metrics,
        baselines=baselines,
        targets=[Target("scifact_ingest_vs_embed", ">=", RATIO), Target("pdf_ingest_vs_embed", ">=", RATIO)],
        dataset={"path": str(data), "size": int(sf["scifact_docs"]), "unit": "abstracts",
                 "scifact_chunks": int(sf["scifact_chunks"]), "scifact_claims": int(sf["scifact_claims"]),
                 **{k: int(v) for k, v in pdf.items() if k in ("pdf_docs", "pdf_pages", "pdf_ingested")}},
        notes=("Baseline = the embedder alone (OnnxMiniLM, 2 threads) on the same chunk texts in the same run; "
               "ingest = parse (PDFs) + chunk + rule extraction + embed + BM25 + EdgeStore writes, into a fresh "
               "store; the two alternate slice by slice (8 SciFact slices, one PDF at a time). "
               "*_vs_embed = ingest rate / embedding rate."),
    )
