"""Extractors: the interface every extractor meets, what it returns, and the factory that picks one from settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kb.claims import Claim
from kb.config import Settings

if TYPE_CHECKING:
    from ingest.nlp.reading import Reading


@dataclass(frozen=True)
class Extraction:
    """What an extractor found in one document: verified claims, the claims it dropped, answers from its cache."""

    claims: tuple[Claim, ...] = ()
    dropped: int = 0
    cache_hits: int = 0


class Extractor(Protocol):
    """Turns one read document into verified claims."""

    name: str
    version: str

    def extract(self, reading: Reading) -> Extraction:
        """Return the document's claims; every quote is verbatim in its chunk."""
        ...


def make_extractor(settings: Settings, cache_path: Path) -> Extractor:
    """Return the LLM extractor when an endpoint is configured, else the offline rules."""
    match settings.extractor:
        case "llm":
            from ingest.extract.llm import make_llm_extractor

            return make_llm_extractor(settings, cache_path)
        case "offline":
            from ingest.extract.rules import RuleExtractor

            return RuleExtractor()
