"""Open a knowledge base from settings: store, embedder, lexicon and extractor, built once at the edge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kb.config import Settings
from kb.errors import ConfigError
from kb.embed import Embedder, OnnxMiniLM, make_embedder
from kb.lexicon import Lexicon, terms_from_document
from kb.lexicon_file import Journal, load_lexicon, save_lexicon
from kb.memory import MEMORY_FILE, Memory
from kb.records import document_from_hit
from kb.store import Store
from kb.store.factory import make_store

LEXICON_FILE = "lexicon.json.gz"
JOURNAL_FILE = "lexicon-unfinished.tsv"
LLM_CACHE_FILE = "llm-cache.sqlite"


@dataclass
class KnowledgeBase:
    """The opened resources of one knowledge base."""

    settings: Settings
    store: Store
    embedder: Embedder
    # NOTE: `saved` is the lexicon as saved, what an ingest extracts with; `lexicon` adds the terms an unfinished
    # ingest journalled, for everything that reads.
    saved: Lexicon
    lexicon: Lexicon
    journal: Journal

    @property
    def lexicon_path(self) -> Path:
        """Return where the lexicon of this knowledge base is kept."""
        return self.settings.store / LEXICON_FILE

    def save_lexicon(self) -> None:
        """Persist the saved lexicon (with what a finished ingest added to it) and forget the journal."""
        self.settings.store.mkdir(parents=True, exist_ok=True)
        save_lexicon(self.saved, self.lexicon_path)
        self.journal.clear()

    @property
    def memory(self) -> Memory:
        """Return the memory of questions asked of this knowledge base (beside it, also for a Qdrant server)."""
        return Memory(self.settings.store / MEMORY_FILE)

    @property
    def state_encoder(self) -> Embedder:
        """Return what gives MedKB's sentence models their MiniLM token states: the embedder itself when it is
        the offline MiniLM, else a MiniLM of its own (an embeddings endpoint keeps token states hidden)."""
        return self.embedder if self.settings.embedder == "onnx" else OnnxMiniLM()

    def close(self) -> None:
        """Release the store."""
        self.store.close()


LexiconReader = Callable[[Path, Path], Lexicon]


def open_kb(settings: Settings, create: bool = True, *, wait_s: float = 0.0, embedder: Embedder | None = None,
            read_lexicon: LexiconReader = load_lexicon) -> KnowledgeBase:
    """Open the knowledge base the settings name (an embedded one is created only when create is set, and waited
    for up to wait_s while another process holds it); a long-lived caller passes its embedder and lexicon reader."""
    embedder = embedder or make_embedder(settings)
    store = make_store(settings, embedder.dim, embedder.name, create, wait_s)
    try:
        path = settings.store / LEXICON_FILE
        saved = read_lexicon(path, settings.store) if path.exists() else Lexicon.empty()
    except ConfigError:
        store.close()
        raise
    journal = Journal(settings.store / JOURNAL_FILE)
    unfinished = journal.read()
    lexicon = saved.overlay(unfinished) if unfinished else saved
    return KnowledgeBase(settings=settings, store=store, embedder=embedder, saved=saved, lexicon=lexicon,
                         journal=journal)


def rebuilt_terms(store: Store, lexicon: Lexicon) -> int:
    """Add to lexicon the terms every stored document brings, as ingest found them; return how many were new."""
    added = 0
    for hit in store.scroll("documents"):
        added += lexicon.add(terms_from_document(document_from_hit(hit), lexicon))
    return added
