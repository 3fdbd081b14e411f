"""Ingest files into the knowledge base: parse, chunk, encode, read, extract, store; idempotent.

Documents wait in a batch; a full batch is encoded a few documents at a time (one model pass gives each chunk its
vector and its token states), each document is read (sentences and their vectors) and extracted while its states
are in memory, and the whole batch is then written with one upsert per collection.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ingest.chunk import chunk_document
from ingest.design import fill_design_and_size
from ingest.extract import Extractor
from ingest.extract.calibration import calibrated, default_calibration
from ingest.nlp.reading import read_document
from ingest.nlp.sentences import encoded_text
from ingest.readers.load import discover, load_records
from ingest.writing import Done, entities, forget, write
from kb.claims import Claim, QuoteError, check_quote_in_chunk
from kb.embed import Embedder, TokenStates
from kb.errors import EmbeddingError, ExtractionError, MedKBError, SkippedInput
from kb.lexicon import Lexicon, LexiconTerm, terms_from_document
from kb.llm import BudgetExceeded
from kb.models import Chunk, Document
from kb.store import Filter, Match, Store

Progress = Callable[[str], None]
SINGLE_DOCUMENT_KINDS = ("pdf", "text", "markdown")
# NOTE: enough chunks per write that flushes are rare (each upsert flushes to disk, ~0.5 s on Edge) ...
BATCH_CHUNKS = 1024
# NOTE: ... and few enough per encoding pass that the token states of a pass stay small (~64 × 256 × 384 floats).
ENCODE_CHUNKS = 64


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
    cache_hits: int = 0
    encoded_alone: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    stopped: str | None = None

    @property
    def ok(self) -> bool:
        """Return whether anything at all was ingested or already present."""
        return self.documents + self.unchanged > 0


@dataclass(frozen=True)
class Run:
    """The resources one ingest run works with; `lexicon` is read-only during the run."""

    store: Store
    embedder: Embedder
    extractor: Extractor
    lexicon: Lexicon
    chunk_size: int = 1000
    chunk_overlap: int = 150
    # NOTE: what encodes a sentence no chunk holds whole; a MiniLM even when the embedder exposes no token states.
    encoder: Embedder | None = None
    learned: list[LexiconTerm] = field(default_factory=list)


@dataclass(frozen=True)
class Prepared:
    """A new or changed document, chunked, with its own lexicon terms; claims come once it is encoded."""

    doc: Document
    chunks: list[Chunk]
    terms: list[LexiconTerm]
    registry: list[Claim]


def ingest_paths(paths: Sequence[Path], *, store: Store, embedder: Embedder, extractor: Extractor,
                 lexicon: Lexicon, chunk_size: int = 1000, chunk_overlap: int = 150,
                 progress: Progress | None = None, encoder: Embedder | None = None) -> IngestReport:
    """Ingest every supported file under paths; record per-file failures and carry on.

    The lexicon is read as it stood when the run began; the terms the run's documents bring are added to it at the
    end, so the claims of a document never depend on which files came before it.
    """
    report = IngestReport()
    run = Run(store, embedder, extractor, lexicon, chunk_size, chunk_overlap, encoder)
    pending = Pending()
    # NOTE: absolute sources, so a citation's path works from anywhere and a re-edited file is recognised.
    for path in discover([p.resolve() for p in paths]):
        report.files += 1
        if progress:
            progress(str(path))
        if not _ingest_file(path, run, report, pending):
            break  # NOTE: documents still waiting were never extracted; the next run takes them up.
    else:
        try:
            pending.flush(run, report)
        except BudgetExceeded as exc:
            report.stopped = str(exc)
    lexicon.add(run.learned)
    return report


def _ingest_file(path: Path, run: Run, report: IngestReport, pending: Pending) -> bool:
    """Queue (and write, as batches fill) one file's documents; return False when the run must stop."""
    try:
        _ingest(load_records(path), run, report, pending)
    except BudgetExceeded as exc:
        # NOTE: the half-done document is not written; its finished chunks sit in the LLM cache.
        report.stopped = str(exc)
        return False
    except SkippedInput as exc:
        report.skipped.append((str(path), str(exc)))
    except MedKBError as exc:
        report.failed.append((str(path), str(exc)))
    except Exception as exc:  # noqa: BLE001 - one bad file must not end a batch run
        report.failed.append((str(path), f"{path}: unexpected {type(exc).__name__}: {exc}"))
    return True


def ingest_records(records: Iterable[tuple[Document, list[Claim]]], run: Run, report: IngestReport) -> None:
    """Write parsed documents (with any registry claims) that are new or changed."""
    pending = Pending()
    try:
        _ingest(records, run, report, pending)
    finally:
        pending.flush(run, report)
        run.lexicon.add(run.learned)


def _ingest(records: Iterable[tuple[Document, list[Claim]]], run: Run, report: IngestReport,
            pending: Pending) -> None:
    """Prepare each new or changed document and queue it; write whenever the queue is full."""
    for doc, registry_claims in records:
        if pending.holds(doc.id):  # NOTE: a repeat must see its first copy as stored, as it would unbatched.
            pending.flush(run, report)
        prepared = _prepare(doc, registry_claims, run, report)
        if prepared is not None and pending.add(prepared) >= BATCH_CHUNKS:
            pending.flush(run, report)


def _label(doc: Document) -> str:
    """Return how a failed record is named in the report."""
    return f"{doc.source} [{doc.pmid or doc.title[:60] or doc.id}]"


@dataclass
class Pending:
    """Prepared documents waiting to be encoded, extracted and written together."""

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
        """Encode and extract every waiting document, then write those that succeeded; a spent budget writes
        what is done and stops."""
        batch, self.docs, self.chunks = self.docs, [], 0
        done: list[Done] = []
        try:
            for group in _groups(batch):
                _finish_group(group, run, report, done)
        finally:
            if done:
                write(run.store, done)
                for d in done:
                    _count(report, d)


def _groups(batch: Sequence[Prepared]) -> list[list[Prepared]]:
    """Return the batch cut into runs of whole documents of about ENCODE_CHUNKS chunks."""
    groups: list[list[Prepared]] = [[]]
    size = 0
    for p in batch:
        if groups[-1] and size + len(p.chunks) > ENCODE_CHUNKS:
            groups.append([])
            size = 0
        groups[-1].append(p)
        size += len(p.chunks)
    return [g for g in groups if g]


def _finish_group(group: list[Prepared], run: Run, report: IngestReport, done: list[Done]) -> None:
    """Encode a group's chunks in one pass, then read and extract each document into `done`; failures are recorded."""
    try:
        encodings = _encode(group, run.embedder)
    except EmbeddingError as exc:
        if len(group) == 1:
            report.failed.append((_label(group[0].doc), str(exc)))
            return
        # NOTE: the group failed to embed: retry one document at a time to isolate the culprit.
        for p in group:
            _finish_group([p], run, report, done)
        return
    for p, enc in zip(group, encodings, strict=True):
        if (d := _finish(p, enc, run, report)) is not None:
            done.append(d)


Encodings = tuple[list[list[float]], list[TokenStates | None]]


def _encode(group: Sequence[Prepared], embedder: Embedder) -> list[Encodings]:
    """Return each document's chunk vectors and token states from one encoding pass over the group."""
    encoded = embedder.encode([encoded_text(p.doc, c) for p in group for c in p.chunks])
    out, at = [], 0
    for p in group:
        n = len(p.chunks)
        out.append((encoded.vectors[at : at + n], encoded.states[at : at + n]))
        at += n
    return out


def _finish(p: Prepared, encodings: Encodings, run: Run, report: IngestReport) -> Done | None:
    """Read and extract one encoded document; an extraction failure is recorded and the document left out."""
    vectors, states = encodings
    lexicon = run.lexicon.overlay(p.terms)
    reading = read_document(p.doc, p.chunks, states, lexicon, run.encoder or run.embedder)
    try:
        extraction = run.extractor.extract(reading)
    except BudgetExceeded:
        raise
    except ExtractionError as exc:  # NOTE: one record's failure spares its siblings.
        report.failed.append((_label(p.doc), str(exc)))
        return None
    report.dropped_claims += extraction.dropped
    report.cache_hits += extraction.cache_hits
    report.encoded_alone += reading.encoded_alone
    claims, dropped = _claims(p.chunks, extraction.claims, p.registry)
    claims = [calibrated(c, default_calibration()) for c in claims]
    report.dropped_claims += dropped
    run.learned.extend(p.terms)
    return Done(p.doc, list(zip(p.chunks, vectors, strict=True)), claims, entities(p.terms, claims))


def _count(report: IngestReport, done: Done) -> None:
    """Add a written document to the report."""
    report.documents += 1
    report.trials += done.doc.kind == "trial"
    report.chunks += len(done.chunks)
    report.claims += len(done.claims)


def _prepare(doc: Document, registry_claims: list[Claim], run: Run, report: IngestReport) -> Prepared | None:
    """Return a new or changed document chunked for encoding, or None when it is already stored."""
    doc = fill_design_and_size(doc)  # NOTE: a reader's design and size stay; only unknowns are filled.
    stored = run.store.retrieve("documents", [doc.id])
    if stored and stored[0].payload.get("content_hash") == doc.content_hash:
        report.unchanged += 1
        return None
    if stored:  # NOTE: a new version of a record replaces every point of the old one.
        forget(run.store, doc.id, keep_document=True)
    if doc.kind in SINGLE_DOCUMENT_KINDS:  # NOTE: an edited file without identifiers gets a new id.
        for old in run.store.scroll("documents", Filter(must=(Match("source", doc.source),)), fields=("kind",)):
            if old.id != doc.id and old.payload.get("kind") in SINGLE_DOCUMENT_KINDS:
                forget(run.store, old.id)
    terms = terms_from_document(doc, run.lexicon)
    return Prepared(doc, chunk_document(doc, run.chunk_size, run.chunk_overlap), terms, registry_claims)


def _claims(chunks: list[Chunk], extracted: Iterable[Claim], registry: list[Claim]) -> tuple[list[Claim], int]:
    """Return the document's verified claims (deduplicated by id) and how many registry claims were dropped."""
    found: dict[str, Claim] = {}
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
