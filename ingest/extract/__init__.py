"""The extractor interface and the factory that picks one from settings."""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from kb.claims import Claim
from kb.config import Settings
from kb.lexicon import Lexicon
from kb.models import Chunk, Document


class Extractor(Protocol):
    """Turns one chunk of a document into verified claims."""

    name: str
    version: str

    def extract(self, doc: Document, chunk: Chunk) -> list[Claim]:
        """Return claims whose quotes are verbatim in the chunk."""
        ...


def make_extractor(settings: Settings, lexicon: Lexicon, cache_path: Path) -> Extractor:
    """Return the LLM extractor when an endpoint is configured, else the offline rules."""
    match settings.extractor:
        case "llm":
            from ingest.extract.llm import make_llm_extractor

            return make_llm_extractor(settings, cache_path)
        case "offline":
            from ingest.extract.rules import RuleExtractor

            return RuleExtractor(lexicon)
