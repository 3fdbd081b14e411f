"""Ingest files into the knowledge base: parse, chunk, extract, embed, store; idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ingest.chunk import chunk_document
from ingest.design import design_of, sample_size_of
from ingest.extract import Extractor
from ingest.readers.load import discover, load_records
from kb.claims import Claim, QuoteError, check_quote_in_chunk
from kb.embed import Embedder
from kb.errors import EmbeddingError, ExtractionError, MedKBError, SkippedInput
from kb.lexicon import Lexicon, LexiconTerm, terms_from_document
from kb.llm import BudgetExceeded
from kb.models import Chunk, Document, Entity, entity_id
from kb.records import chunk_point, claim_point, document_point, entity_point
from kb.store import Filter, Match, Point, Store

Progress = Callable[[str], None]
SINGLE_DOCUMENT_KINDS = ("pdf", "text", "markdown")
# NOTE: enough chunks per write that embedding batches are full and length-sorted, and flushes are rare.
BATCH_CHUNKS = 1024


@dataclass
class IngestReport:
    """What a run did: counts, and every file or document it could not take, with the reason."""

    files: int = 0
    documents: int = 0
    unchanged: int = 0
    chunks: int = 0
    claims: int = 0
    trials: int = 0
    dropped_claims: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        """Return whether anything at all was ingested or already present."""
        return self.documents + self.unchanged > 0


@dataclass(frozen=True)
class Prepared:
    """A parsed document ready to write: its chunks, claims and entities."""

    doc: Document
    chunks: list[Chunk]
    claims: list[Claim]
    entities: list[Entity]


def ingest_paths(
    paths: Sequence[Path],
    *,
    store: Store,
    embedder: Embedder,
    extractor: Extractor,
    lexicon: Lexicon,
    chunk_size: int = 1000,
    chunk_overlap: int = 150,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest every supported file under paths; record per-file failures and carry on."""
    report = IngestReport()
    run = Run(store, embedder, extractor, lexicon, chunk_size, chunk_overlap)
    pending = Pending()
    # NOTE: absolute sources, so a citation's path works from anywhere and a re-edited file is recognised.
    for path in discover([p.resolve() for p in paths]):
        report.files += 1
        if progress:
            progress(str(path))
        try:
            _ingest(load_records(path), run, report, pending)
        except BudgetExceeded as exc:
            # NOTE: the half-done document is not written; its finished chunks sit in the LLM cache.
            report.stopped = str(exc)
            break
        except SkippedInput as exc:
            report.skipped.append((str(path), str(exc)))
        except MedKBError as exc:
            report.failed.append((str(path), str(exc)))
        except Exception as exc:  # noqa: BLE001 - one bad file must not end a batch run
            report.failed.append((str(path), f"{path}: unexpected {type(exc).__name__}: {exc}"))
    pending.flush(run, report)
    return report


@dataclass(frozen=True)
class Run:
    """The resources one ingest run writes with."""

    store: Store
    embedder: Embedder
    extractor: Extractor
    lexicon: Lexicon
    chunk_size: int = 1000
    chunk_overlap: int = 150


def ingest_records(records: Iterable[tuple[Document, list[Claim]]], run: Run, report: IngestReport) -> None:
    """Write parsed documents (with any registry claims) that are new or changed."""
    pending = Pending()
    try:
        _ingest(records, run, report, pending)
    finally:
        pending.flush(run, report)


def _ingest(records: Iterable[tuple[Document, list[Claim]]], run: Run, report: IngestReport,
            pending: Pending) -> None:
    """Prepare each new or changed document and queue it; write whenever the queue is full."""
    for doc, registry_claims in records:
        if pending.holds(doc.id):  # NOTE: a repeat must see its first copy as stored, as it would unbatched.
            pending.flush(run, report)
        try:
            prepared = _prepare(doc, registry_claims, run, report)
        except BudgetExceeded:
            raise
        except ExtractionError as exc:  # NOTE: one record's failure spares its siblings.
            report.failed.append((_label(doc), str(exc)))
            continue
        if prepared is not None and pending.add(prepared) >= BATCH_CHUNKS:
            pending.flush(run, report)


def _label(doc: Document) -> str:
    """Return how a failed record is named in the report."""
    return f"{doc.source} [{doc.pmid or doc.title[:60] or doc.id}]"


@dataclass
class Pending:
    """Prepared documents waiting to be written together: one embedding pass and one upsert per collection."""

    docs: list[Prepared] = field(default_factory=list)
    chunks: int = 0

    def holds(self, doc_id: str) -> bool:
        """Return whether a document with this id is waiting."""
        return any(p.doc.id == doc_id for p in self.docs)

    def add(self, prepared: Prepared) -> int:
        """Queue a prepared document and return how many chunks are waiting."""
        self.docs.append(prepared)
        self.chunks += len(prepared.chunks)
        return self.chunks

    def flush(self, run: Run, report: IngestReport) -> None:
        """Write every waiting document; if the batch fails to embed, retry one by one to isolate the culprit."""
        batch, self.docs, self.chunks = self.docs, [], 0
        if not batch:
            return
        try:
            _write(run.store, run.embedder, batch)
        except EmbeddingError:
            for prepared in batch:
                try:
                    _write(run.store, run.embedder, [prepared])
                except EmbeddingError as exc:
                    report.failed.append((_label(prepared.doc), str(exc)))
                    continue
                _count(report, prepared)
            return
        for prepared in batch:
            _count(report, prepared)


def _count(report: IngestReport, prepared: Prepared) -> None:
    """Add a written document to the report."""
    report.documents += 1
    report.trials += prepared.doc.kind == "trial"
    report.chunks += len(prepared.chunks)
    report.claims += len(prepared.claims)


def _prepare(doc: Document, registry_claims: list[Claim], run: Run, report: IngestReport) -> Prepared | None:
    """Return a new or changed document prepared for writing, or None when it is already stored."""
    doc = doc.model_copy(update={"study_design": design_of(doc), "sample_size": sample_size_of(doc)})
    stored = run.store.retrieve("documents", [doc.id])
    if stored and stored[0].payload.get("content_hash") == doc.content_hash:
        report.unchanged += 1
        return None
    if stored:  # NOTE: a new version of a record replaces every point of the old one.
        _forget(run.store, doc.id, keep_document=True)
    if doc.kind in SINGLE_DOCUMENT_KINDS:  # NOTE: an edited file without identifiers gets a new id.
        for old in run.store.scroll("documents", Filter(must=(Match("source", doc.source),)), fields=("kind",)):
            if old.id != doc.id and old.payload.get("kind") in SINGLE_DOCUMENT_KINDS:
                _forget(run.store, old.id)
    terms = terms_from_document(doc, run.lexicon)
    run.lexicon.add(terms)
    chunks = chunk_document(doc, run.chunk_size, run.chunk_overlap)
    dropped_before = getattr(run.extractor, "dropped", 0)
    claims, dropped = _claims(doc, chunks, run.extractor, registry_claims)
    report.dropped_claims += dropped + getattr(run.extractor, "dropped", 0) - dropped_before
    return Prepared(doc, chunks, claims, _entities(terms, claims))


def _forget(store: Store, doc_id: str, keep_document: bool = False) -> None:
    """Delete a document's chunks and claims (and the document itself unless kept)."""
    for name in ("chunks", "claims") if keep_document else ("chunks", "claims", "documents"):
        store.delete(name, Filter(must=(Match("doc_id" if name != "documents" else "id", doc_id),)))


def _claims(doc: Document, chunks: list[Chunk], extractor: Extractor,
            registry: list[Claim]) -> tuple[list[Claim], int]:
    """Return the document's verified claims (deduplicated by id) and how many were dropped."""
    found: dict[str, Claim] = {}
    extract_many = getattr(extractor, "extract_many", None)
    extracted = extract_many(doc, chunks) if extract_many else [c for ch in chunks for c in extractor.extract(doc, ch)]
    for claim in extracted:
        found.setdefault(claim.id, claim)
    dropped = 0
    for claim in registry:
        chunk = next((c for c in chunks if c.start <= claim.quote.start and claim.quote.end <= c.end), None)
        try:
            if chunk is None:
                raise QuoteError(f"no chunk holds the span {claim.quote.start}-{claim.quote.end}")
            check_quote_in_chunk(claim.quote, chunk)
            found.setdefault(claim.id, claim.model_copy(update={"chunk_id": chunk.id}))
        except (QuoteError, ValidationError):
            dropped += 1
    return list(found.values()), dropped


def _entities(terms: Sequence[LexiconTerm], claims: list[Claim]) -> list[Entity]:
    """Return the entity nodes: the claims' subjects and objects plus the document's terms."""
    nodes = {e.id: e for c in claims for e in (c.subject, c.object)}
    for t in terms:
        eid = entity_id(t.name, t.type, t.normalized_id)
        nodes.setdefault(eid, Entity(id=eid, name=t.name, type=t.type, normalized_id=t.normalized_id))
    return list(nodes.values())


def _write(store: Store, embedder: Embedder, batch: Sequence[Prepared]) -> None:
    """Write documents: all chunks, claims and entities, then the documents themselves as the commit point."""
    texts = [f"{p.doc.title}\n{c.text}" for p in batch for c in p.chunks]
    vectors = iter(embedder.embed(texts) if texts else [])
    chunks: list[Point] = []
    claims: list[Point] = []
    entities: dict[str, Entity] = {}
    for p in batch:
        by_chunk = {c.id: next(vectors) for c in p.chunks}
        chunks += [chunk_point(c, p.doc, by_chunk[c.id]) for c in p.chunks]
        claims += [claim_point(c, p.doc, by_chunk[c.chunk_id]) for c in p.claims]
        entities |= {e.id: e for e in p.entities}
    # NOTE: one upsert per collection per batch: each upsert flushes to disk (~50 ms on Edge).
    for name, points in (("chunks", chunks), ("claims", claims), ("entities", [entity_point(e) for e in entities.values()])):
        if points:
            store.upsert(name, points)  # type: ignore[arg-type]
    # NOTE: written last, so a crash mid-batch leaves its documents absent and the next run redoes them whole.
    store.upsert("documents", [document_point(p.doc) for p in batch])
