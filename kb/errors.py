"""MedKB's errors. Every message says what failed, where, and what to do.

MedKBError
 ├── ParseError          a file could not be read as any supported format
 ├── SkippedInput        a well-formed file MedKB does not ingest (an esearch reply, say)
 ├── ExtractionError     an extractor failed on a chunk
 │    ├── LLMUnavailable  the model endpoint failed after retries
 │    │    └── EndpointDown  …on errors that retrying should have cured: the endpoint is down
 │    ├── LLMOutputError  the model's reply stayed malformed
 │    └── BudgetExceeded  the run's call or cost budget is spent
 ├── StoreError          the knowledge base could not be opened or written
 │    ├── StoreBusy      another process holds the embedded store
 │    └── DiskFull       too little disk space left to write safely
 ├── EmbeddingError      the embedding backend failed
 ├── ConfigError         a setting is missing or invalid
 ├── FetchError          an online source (PubMed, ClinicalTrials.gov) failed after retries or refused a request
 │    └── BadReply        …or answered with something MedKB cannot read
 └── QuestionError       a question with nothing to search for
"""

from __future__ import annotations

from collections.abc import Sequence


class MedKBError(Exception):
    """Base of every error MedKB reports to a user."""


class ParseError(MedKBError):
    """A file could not be parsed."""


class SkippedInput(MedKBError):
    """A file that is valid but not something MedKB ingests."""


class ExtractionError(MedKBError):
    """An extractor could not process a chunk."""


class StoreError(MedKBError):
    """The knowledge base could not be opened or written."""


class StoreBusy(StoreError):
    """Another process holds the embedded store."""


class DiskFull(StoreError):
    """Too little disk space is left to write to the store without risking it."""


class EmbeddingError(MedKBError):
    """The embedding backend failed."""


class ConfigError(MedKBError):
    """A setting is missing or invalid."""


class FetchError(MedKBError):
    """An online source failed after every retry, or refused the request."""


class BadReply(FetchError):
    """An online source answered with a reply MedKB cannot read (not the XML or JSON it should be)."""


class LLMUnavailable(ExtractionError):
    """The endpoint failed even after the SDK's retries (timeout, rate limit, server error)."""


class EndpointDown(LLMUnavailable):
    """The endpoint stayed unreachable, timed out, rate-limited or failing (5xx) through every retry: every later
    call would fail too, so a run stops rather than spend the same wait on each document."""


class LLMOutputError(ExtractionError):
    """The model's reply stayed malformed or truncated after every re-ask."""


class BudgetExceeded(ExtractionError):
    """The run's call or cost budget is spent; claims extracted so far ride along."""

    def __init__(self, message: str, claims: Sequence[object] = ()) -> None:
        super().__init__(message)
        self.claims = list(claims)


class QuestionError(MedKBError):
    """A question holds no word to search for (empty, spaces, punctuation or stop words only)."""


class NotRemembered(MedKBError):
    """No question in the memory of questions has the id asked for."""
