"""The extractor interface and the factory that picks one from settings."""

from __future__ import annotations

from typing import Protocol

from kb.claims import Claim
from kb.models import Chunk, Document


class Extractor(Protocol):
    """Turns one chunk of a document into verified claims."""

    name: str
    version: str

    def extract(self, doc: Document, chunk: Chunk) -> list[Claim]:
        """Return claims whose quotes are verbatim in the chunk."""
        ...
