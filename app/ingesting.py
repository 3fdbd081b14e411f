"""Ingest files into an opened knowledge base with its settings' limits: the one path the CLI and the app share."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from app.resources import LLM_CACHE_FILE, KnowledgeBase
from ingest.extract import make_extractor
from ingest.pipeline import ingest_paths
from ingest.run import IngestReport, Progress, RecordProgress
from ingest.readers.pdf_child import PdfLimits


def ingest_into(kb: KnowledgeBase, files: Sequence[Path], progress: Progress | None = None,
                records: RecordProgress | None = None) -> IngestReport:
    """Ingest files (each failure recorded in the report) and save the lexicon when the run was not stopped."""
    settings = kb.settings
    extractor = make_extractor(settings, settings.store / LLM_CACHE_FILE)
    report = ingest_paths(
        files, store=kb.store, embedder=kb.embedder, extractor=extractor, lexicon=kb.saved,
        chunk_size=settings.chunk_size, chunk_overlap=settings.chunk_overlap, progress=progress,
        encoder=kb.state_encoder, journal=kb.journal, batch_chunks=settings.ingest_batch_chunks,
        max_file_bytes=int(settings.max_file_mb * 2**20),
        pdf_limits=PdfLimits(settings.pdf_timeout_s, settings.pdf_memory_mb), records=records,
    )
    if report.stopped is None:  # NOTE: a stopped run keeps its journal, so the next one resumes it exactly.
        kb.save_lexicon()
    return report
