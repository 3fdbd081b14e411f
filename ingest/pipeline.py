"""Ingest files into the knowledge base: parse, chunk, encode, read, extract, store; idempotent.

Documents wait in a batch; a full batch is encoded a few documents at a time (one model pass gives each chunk its
vector and its token states), each document is read (sentences and their vectors) and extracted while its states
are in memory, and the whole batch is then written with one upsert per collection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ingest.chunk import chunk_document
from ingest.design import fill_design_and_size
from ingest.extract import Extractor
from ingest.extract.calibration import calibrated, default_calibration
from ingest.nlp.reading import read_document
from ingest.readers.folders import check_size, discover
from ingest.batching import Encodings, Prepared, encode, groups
from ingest.readers.load import load_records
from ingest.readers.pdf_child import PdfLimits, PdfWorker
from ingest.readers.pubmed import Tally
from ingest.run import BATCH_CHUNKS, MAX_DOCUMENT_CHARS, MAX_FILE_BYTES, IngestReport, Progress, RecordProgress, Run
from ingest.writing import Done, delete_citations, entities, replaced, write
from kb.claims import Claim, QuoteError, check_quote_in_chunk
from kb.embed import Embedder
from kb.errors import DiskFull, EmbeddingError, EndpointDown, ExtractionError, MedKBError, SkippedInput
from kb.lexicon import Lexicon, terms_from_document
from kb.lexicon_file import Journal
from kb.llm import BudgetExceeded
from kb.models import Chunk, Document
from kb.store import Store

SINGLE_DOCUMENT_KINDS = ("pdf", "text", "markdown")


def ingest_paths(paths: Sequence[Path], *, store: Store, embedder: Embedder, extractor: Extractor,
                 lexicon: Lexicon, chunk_size: int = 1000, chunk_overlap: int = 150,
                 progress: Progress | None = None, encoder: Embedder | None = None,
                 journal: Journal | None = None, batch_chunks: int = BATCH_CHUNKS,
                 max_file_bytes: int = MAX_FILE_BYTES, pdf_limits: PdfLimits | None = None,
                 records: RecordProgress | None = None) -> IngestReport:
    """Ingest every supported file under paths; record per-file failures and carry on.

    The lexicon is read as it stood when the run began; the terms the run's documents bring are added to it at the
    end, so the claims of a document never depend on which files came before it. A journal keeps the terms of
    every stored batch, and those an interrupted run left in it are carried on.
    """
    report = IngestReport()
    learned = journal.read() if journal else []
    pending = Pending()
    # NOTE: absolute sources, so a citation's path works from anywhere and a re-edited file is recognised.
    found = discover([p.resolve() for p in paths])
    report.skipped += found.passed_over
    with PdfWorker(pdf_limits) as pdf:  # NOTE: one worker process reads every PDF of the run (started lazily).
        run = Run(store, embedder, extractor, lexicon, chunk_size, chunk_overlap, encoder, journal, learned,
                  batch_chunks, max_file_bytes, pdf, records)
        for path in found.files:
            report.files += 1
            if progress:
                progress(str(path))
            if not _ingest_file(path, run, report, pending):
                break  # NOTE: documents still waiting were never extracted; the next run takes them up.
        else:
            try:
                pending.flush(run, report)
            except (BudgetExceeded, DiskFull, EndpointDown) as exc:
                report.stopped = str(exc)
    lexicon.add(run.learned)
    return report


def _ingest_file(path: Path, run: Run, report: IngestReport, pending: Pending) -> bool:
    """Queue (and write, as batches fill) one file's documents, then apply its deletions; return False when the
    run must stop."""
    tally = Tally()
    try:
        check_size(path, run.max_file_bytes)
        _ingest(load_records(path, tally, run.pdf), run, report, pending)
        if tally.deleted:  # NOTE: a record's earlier version may still wait in the batch; it goes first.
            pending.flush(run, report)
            report.deleted += delete_citations(run.store, tally.deleted)
        report.skipped += [(str(path), reason) for reason in tally.skipped]
    except (BudgetExceeded, DiskFull, EndpointDown) as exc:
        # NOTE: the half-done document is not written (its finished chunks sit in the LLM cache); every later
        # file would meet the same wall (a dead endpoint cost 490 s per document).
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
    for n, (doc, registry_claims) in enumerate(records, 1):
        if run.records:  # NOTE: a MEDLINE file holds thousands of records; the bar moves inside it.
            run.records(n)
        if pending.holds(doc.id):  # NOTE: a repeat must see its first copy as stored, as it would unbatched.
            pending.flush(run, report)
        prepared = _prepare(doc, registry_claims, run, report)
        if prepared is not None and pending.add(prepared) >= run.batch_chunks:
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
            for group in groups(batch):
                _finish_group(group, run, report, done)
        finally:
            if done:
                _commit(run, report, done)


def _commit(run: Run, report: IngestReport, done: list[Done]) -> None:
    """Journal the batch's lexicon terms, then store the batch; a failed write takes its terms back out."""
    terms = [t for d in done for t in d.terms]
    mark = run.journal.append(terms) if run.journal is not None else 0
    try:
        write(run.store, done)
    except BaseException:
        if run.journal is not None:
            run.journal.truncate(mark)
        raise
    run.learned.extend(terms)
    for d in done:
        _count(report, d)


def _finish_group(group: list[Prepared], run: Run, report: IngestReport, done: list[Done]) -> None:
    """Encode a group's chunks in one pass, then read and extract each document into `done`; failures are recorded."""
    try:
        encodings = encode(group, run.embedder)
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


def _finish(p: Prepared, encodings: Encodings, run: Run, report: IngestReport) -> Done | None:
    """Read and extract one encoded document; an extraction failure is recorded and the document left out."""
    vectors, states = encodings
    lexicon = run.lexicon.overlay(p.terms)
    reading = read_document(p.doc, p.chunks, states, lexicon, run.encoder or run.embedder)
    try:
        extraction = run.extractor.extract(reading)
    except (BudgetExceeded, EndpointDown):
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
    return Done(p.doc, list(zip(p.chunks, vectors, strict=True)), claims, entities(p.terms, claims), p.terms,
                p.replaces)


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
    if len(doc.text) > MAX_DOCUMENT_CHARS:
        report.failed.append((_label(doc), f"{doc.source}: {len(doc.text):,} characters of text, more than "
                                           f"{MAX_DOCUMENT_CHARS:,}; split it into its parts; nothing stored"))
        return None
    chunks = chunk_document(doc, run.chunk_size, run.chunk_overlap)
    if not chunks:  # NOTE: a document with no text would be counted as ingested and answer nothing.
        report.failed.append((_label(doc), f"{doc.source}: no text to read (empty, or a scanned PDF that needs "
                                           "OCR first); nothing stored"))
        return None
    # NOTE: a new version replaces every point of the old one, but only once it is written: a failed
    # re-extraction leaves the old version whole.
    old = replaced(run.store, doc, bool(stored), SINGLE_DOCUMENT_KINDS)
    return Prepared(doc, chunks, terms_from_document(doc, run.lexicon), registry_claims, old)


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
