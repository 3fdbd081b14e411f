"""Open a knowledge base from settings: store, embedder, lexicon and extractor, built once at the edge."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kb.config import Settings
from kb.embed import Embedder, OnnxMiniLM, make_embedder
from kb.lexicon import Lexicon
from kb.store import Store
from kb.store.factory import make_store

LEXICON_FILE = "lexicon.json.gz"
LLM_CACHE_FILE = "llm-cache.sqlite"


@dataclass
class KnowledgeBase:
    """The opened resources of one knowledge base."""

    settings: Settings
    store: Store
    embedder: Embedder
    lexicon: Lexicon

    @property
    def lexicon_path(self) -> Path:
        """Return where the lexicon of this knowledge base is kept."""
        return self.settings.store / LEXICON_FILE

    def save_lexicon(self) -> None:
        """Persist the lexicon beside the store."""
        self.settings.store.mkdir(parents=True, exist_ok=True)
        self.lexicon.save(self.lexicon_path)

    @property
    def state_encoder(self) -> Embedder:
        """Return what gives MedKB's sentence models their MiniLM token states: the embedder itself when it is
        the offline MiniLM, else a MiniLM of its own (an embeddings endpoint keeps token states hidden)."""
        return self.embedder if self.settings.embedder == "onnx" else OnnxMiniLM()

    def close(self) -> None:
        """Release the store."""
        self.store.close()


def open_kb(settings: Settings) -> KnowledgeBase:
    """Open (creating if needed) the knowledge base the settings name."""
    embedder = make_embedder(settings)
    store = make_store(settings, embedder.dim, embedder.name)
    path = settings.store / LEXICON_FILE
    lexicon = Lexicon.load(path) if path.exists() else Lexicon.empty()
    return KnowledgeBase(settings=settings, store=store, embedder=embedder, lexicon=lexicon)

