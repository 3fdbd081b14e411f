"""Documents, sections, chunks and entities: the vocabulary every layer speaks."""

from __future__ import annotations

import hashlib
import uuid
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

# NOTE: a fixed namespace keeps every id reproducible across machines and runs.
NAMESPACE = uuid.UUID("5b0c7c1e-8f7e-4a5e-9d83-1b6f2f9a7c11")

StudyDesign = Literal[
    "meta_analysis",
    "systematic_review",
    "rct",
    "non_randomized_trial",
    "cohort",
    "case_control",
    "cross_sectional",
    "case_series",
    "case_report",
    "qualitative",
    "animal",
    "in_vitro",
    "guideline",
    "review",
    "other",
    "unknown",
]
EntityType = Literal["intervention", "condition", "outcome", "population", "other"]
DocKind = Literal["pubmed", "medline", "pmc", "pdf", "text", "markdown", "trial"]
# NOTE: editorial notices a publisher or NLM attached to a paper; a retracted paper is never evidence.
Notice = Literal["retracted", "retraction_notice", "expression_of_concern", "corrected"]
WITHDRAWN: frozenset[str] = frozenset({"retracted", "retraction_notice"})
SectionKind = Literal[
    "title",
    "abstract",
    "background",
    "methods",
    "results",
    "conclusions",
    "discussion",
    "table",
    "body",
    "registry",
    "other",
]


def make_id(*parts: object) -> str:
    """Return a uuid5 string derived from the given parts (deterministic)."""
    return str(uuid.uuid5(NAMESPACE, "\x1f".join(str(p) for p in parts)))


def content_hash(data: bytes | str) -> str:
    """Return the sha256 hex digest of bytes or UTF-8 text."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()


class Frozen(BaseModel):
    """Immutable pydantic model with strict field names."""

    model_config = ConfigDict(frozen=True, extra="forbid")


class Section(Frozen):
    """A titled span of a document's text, with the pages it covers."""

    title: str
    kind: SectionKind = "body"
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page_start: int | None = None
    page_end: int | None = None


class PageSpan(Frozen):
    """Where one page (1-based) sits in the document text."""

    page: int = Field(ge=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class Enrollment(Frozen):
    """A trial's enrollment count and whether it is actual or estimated."""

    count: int | None = Field(default=None, ge=0)
    type: Literal["ACTUAL", "ESTIMATED", "UNKNOWN"] = "UNKNOWN"


class Outcome(Frozen):
    """A registered outcome measure."""

    measure: str
    time_frame: str | None = None
    description: str | None = None


class TrialInfo(Frozen):
    """Typed fields of a ClinicalTrials.gov record."""

    nct_id: str
    conditions: tuple[str, ...] = ()
    condition_mesh: tuple[str, ...] = ()
    interventions: tuple[str, ...] = ()
    intervention_mesh: tuple[str, ...] = ()
    arms: tuple[str, ...] = ()
    phase: tuple[str, ...] = ()
    study_type: str | None = None
    allocation: str | None = None
    masking: str | None = None
    overall_status: str | None = None
    start_date: str | None = None
    completion_date: str | None = None
    enrollment: Enrollment = Enrollment()
    primary_outcomes: tuple[Outcome, ...] = ()
    secondary_outcomes: tuple[Outcome, ...] = ()
    sponsor: str | None = None
    reference_pmids: tuple[str, ...] = ()
    has_results: bool = False


class Document(Frozen):
    """One ingested paper, abstract or trial record with its full text."""

    id: str
    kind: DocKind
    source: str
    content_hash: str
    title: str = ""
    text: str
    pmid: str | None = None
    pmcid: str | None = None
    doi: str | None = None
    nct_ids: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    publication_types: tuple[str, ...] = ()
    notices: tuple[Notice, ...] = ()
    mesh_terms: tuple[str, ...] = ()
    chemicals: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    pages: tuple[PageSpan, ...] = ()
    study_design: StudyDesign = "unknown"
    sample_size: int | None = None
    trial: TrialInfo | None = None

    @model_validator(mode="after")
    def _spans_inside_text(self) -> Document:
        n = len(self.text)
        for span in (*self.sections, *self.pages):
            if not 0 <= span.start <= span.end <= n:
                raise ValueError(f"span {span.start}-{span.end} outside text of length {n}")
        return self

    def page_at(self, offset: int) -> int | None:
        """Return the 1-based page holding a character offset, if pages are known."""
        for span in self.pages:
            if span.start <= offset < span.end or (offset == span.end == len(self.text)):
                return span.page
        return None

    def section_at(self, offset: int) -> Section | None:
        """Return the innermost section holding a character offset."""
        best: Section | None = None
        for s in self.sections:
            if s.start <= offset < s.end and (best is None or s.end - s.start < best.end - best.start):
                best = s
        return best


def document_id(kind: DocKind, *, pmid: str | None = None, pmcid: str | None = None,
                doi: str | None = None, nct: str | None = None, digest: str = "") -> str:
    """Return a stable document id: from the strongest identifier, else the content hash."""
    # NOTE: PMID beats DOI beats PMCID so the same article from two sources shares an id.
    for label, value in (("pmid", pmid), ("doi", doi and doi.lower()), ("pmcid", pmcid), ("nct", nct)):
        if value:
            return make_id("doc", label, value)
    return make_id("doc", kind, digest)


class Chunk(Frozen):
    """A retrievable slice of a document's text with its provenance."""

    id: str
    doc_id: str
    text: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    section: str = ""
    section_kind: SectionKind = "body"
    page: int | None = None
    page_end: int | None = None

    @model_validator(mode="after")
    def _length_matches_span(self) -> Chunk:
        if self.end - self.start != len(self.text):
            raise ValueError(f"chunk span {self.start}-{self.end} does not match text length {len(self.text)}")
        return self


class Entity(Frozen):
    """A node of the claim graph: a named intervention, condition, outcome or population."""

    id: str
    name: str
    type: EntityType = "other"
    normalized_id: str | None = None
    synonyms: tuple[str, ...] = ()


def entity_id(name: str, type_: EntityType, normalized_id: str | None = None) -> str:
    """Return a stable entity id: the normalized id when known, else the folded name."""
    return make_id("entity", normalized_id or f"{type_}:{name.casefold().strip()}")
