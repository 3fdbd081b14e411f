"""What one ingest run works with (store, models, lexicon, limits, progress) and what it reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ingest.extract import Extractor
from ingest.readers.pdf_child import PdfWorker
from kb.embed import Embedder
from kb.lexicon import Lexicon, LexiconTerm
from kb.lexicon_file import Journal
from kb.store import Store

Progress = Callable[[str], None]
RecordProgress = Callable[[int], None]  # NOTE: records read so far from the file being ingested
# NOTE: enough chunks per write that flushes are rare (each upsert flushes to disk, ~0.5 s on Edge); each
# encoding pass holds fewer (ingest.batching.ENCODE_CHUNKS).
BATCH_CHUNKS = 1024
MAX_FILE_BYTES = 2**30
# NOTE: about twenty books; a longer text is a dump or a runaway file, and chunking and encoding it would take hours.
MAX_DOCUMENT_CHARS = 5_000_000


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
    deleted: list[str] = field(default_factory=list)
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
    # NOTE: the terms the run's stored documents bring; each batch's go to the journal before it is stored.
    journal: Journal | None = None
    learned: list[LexiconTerm] = field(default_factory=list)
    batch_chunks: int = BATCH_CHUNKS
    max_file_bytes: int = MAX_FILE_BYTES
    pdf: PdfWorker | None = None
    records: RecordProgress | None = None
