"""Ingest files into the knowledge base: parse, chunk, extract, embed, store; idempotent."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from ingest.chunk import chunk_document
from ingest.design import design_of, sample_size_of
from ingest.extract import Extractor
from ingest.load import discover, load_records
from kb.claims import Claim, QuoteError, check_quote_in_chunk
from kb.embed import Embedder
from kb.errors import EmbeddingError, ExtractionError, MedKBError, SkippedInput
from kb.lexicon import Lexicon, LexiconTerm, terms_from_document
from kb.models import Chunk, Document, Entity, entity_id
from kb.records import chunk_point, claim_point, document_point, entity_point
from kb.store import Filter, Match, Store

Progress = Callable[[str], None]


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
    for path in discover(list(paths)):
        report.files += 1
        if progress:
            progress(str(path))
        try:
            ingest_records(load_records(path), run, report)
        except SkippedInput as exc:
            report.skipped.append((str(path), str(exc)))
        except MedKBError as exc:
            report.failed.append((str(path), str(exc)))
        except Exception as exc:  # noqa: BLE001 - one bad file must not end a batch run
            report.failed.append((str(path), f"{path}: unexpected {type(exc).__name__}: {exc}"))
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
    for doc, registry_claims in records:
        try:
            prepared = _prepare(doc, registry_claims, run, report)
            if prepared is None:
                continue
            _write(run.store, run.embedder, prepared)
        except (ExtractionError, EmbeddingError) as exc:  # NOTE: one record's failure spares its siblings.
            report.failed.append((f"{doc.source} [{doc.pmid or doc.title[:60] or doc.id}]", str(exc)))
            continue
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
        for name in ("chunks", "claims"):
            run.store.delete(name, Filter(must=(Match("doc_id", doc.id),)))
    terms = terms_from_document(doc, run.lexicon)
    run.lexicon.add(terms)
    chunks = chunk_document(doc, run.chunk_size, run.chunk_overlap)
    claims, dropped = _claims(doc, chunks, run.extractor, registry_claims)
    report.dropped_claims += dropped
    return Prepared(doc, chunks, claims, _entities(terms, claims))


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


def _write(store: Store, embedder: Embedder, prepared: Prepared) -> None:
    """Write one document: chunks, claims, entities, then the document itself as the commit point."""
    doc = prepared.doc
    vectors = embedder.embed([f"{doc.title}\n{c.text}" for c in prepared.chunks]) if prepared.chunks else []
    by_chunk = {c.id: v for c, v in zip(prepared.chunks, vectors, strict=True)}
    store.upsert("chunks", [chunk_point(c, doc, by_chunk[c.id]) for c in prepared.chunks])
    store.upsert("claims", [claim_point(c, doc, by_chunk[c.chunk_id]) for c in prepared.claims])
    store.upsert("entities", [entity_point(e) for e in prepared.entities])
    # NOTE: written last, so a crash mid-document leaves it absent and the next run redoes it whole.
    store.upsert("documents", [document_point(doc)])

