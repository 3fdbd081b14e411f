"""The evidence report's view model: everything a renderer shows, already worded and numbered."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from kb.answers import Certainty, Role
from kb.claims import Direction
from kb.models import Frozen, StudyDesign


class Corpus(Frozen):
    """What the knowledge base behind a report held, and which one it was."""

    documents: int = Field(ge=0)
    trials: int = Field(ge=0)
    year_min: int | None = None
    year_max: int | None = None
    store: str = Field(description="Store path or server URL of the knowledge base.")
    fingerprint: str = Field(description="Stable fingerprint of the knowledge base's contents.")
    generated_at: datetime


class Link(Frozen):
    """A link built by MedKB from a validated identifier (never a URL taken from a source)."""

    label: Literal["PubMed", "DOI", "ClinicalTrials.gov"]
    url: str


class RoleEntities(Frozen):
    """The entities of the question that play one role."""

    role: Role
    names: tuple[str, ...]


class QuestionView(Frozen):
    """The question as asked and as understood."""

    text: str
    roles: tuple[RoleEntities, ...] = ()
    years: str = "any"
    designs: tuple[str, ...] = ()


class EvidenceEntry(Frozen):
    """One cited claim of the evidence appendix, with everything needed to check it."""

    label: str = Field(description="Evidence label, E1, E2, ... in order of first citation.")
    ref: int = Field(ge=1, description="Number of the cited document in the reference list.")
    claim_id: str
    doc_id: str
    title: str
    quote: str
    start: int = Field(ge=0, description="Character offset of the quote in the document text parsed from source.")
    end: int = Field(ge=0, description="End offset of the quote in the document text parsed from source.")
    location: str = Field(description="Page, registry field or 'location not recorded'.")
    page: int | None = None
    field: str | None = None
    design: StudyDesign
    design_label: str
    sample_size: int | None = None
    sample_size_label: str
    direction: Direction
    effect: str | None = None
    ci: str | None = None
    p_value: str | None = None
    result: str = Field(description="Effect, interval, p-value and direction in words.")
    hedged: bool = False
    notices: tuple[str, ...] = Field(default=(), description="Editorial notices on the paper, in words "
                                     "('expression of concern', 'corrected'); retracted papers are never cited.")
    extraction_confidence: float = Field(ge=0.0, le=1.0)
    source: str
    links: tuple[Link, ...] = ()


class CitationRef(Frozen):
    """A pointer from a hypothesis to a cited claim, with design and size beside it."""

    label: str
    ref: int = Field(ge=1)
    design_label: str
    sample_size_label: str
    effect: str | None = None


class HypothesisView(Frozen):
    """A hypothesis with its certainty tag, reasons and the claims for and against it."""

    heading: str = Field(description="The statement if there is one, else the label.")
    statement: str | None = Field(default=None, description="The finding in words; null when it was not restated "
                                  "(unvalidated claims, or extractive-only mode): the quotes are the finding.")
    label: str = Field(default="", description="What is compared on what, in names only.")
    intervention: str
    comparator: str | None = None
    outcome: str
    scope: str = Field(default="unspecified", description="primary, secondary, subgroup, post hoc, within one group "
                       "(a change over time, no arm compared) or unspecified.")
    direction: str
    certainty: Certainty
    certainty_reasons: tuple[str, ...] = ()
    n_studies: int
    n_participants: int | None = None
    designs: tuple[str, ...] = ()
    supporting: tuple[CitationRef, ...] = ()
    contradicting: tuple[CitationRef, ...] = ()
    extraction_confidence: float
    speculative: bool = False


class SofRow(Frozen):
    """One comparison of a Summary of Findings table."""

    comparison: str
    n_studies: int
    n_participants: str
    designs: str
    direction: str
    effects: tuple[str, ...] = ()
    certainty: Certainty
    certainty_reasons: tuple[str, ...] = ()


class SofTable(Frozen):
    """The Summary of Findings for one outcome."""

    outcome: str
    rows: tuple[SofRow, ...]


class QuotePair(Frozen):
    """A supporting and a contradicting quote shown side by side (either may be missing)."""

    supporting: CitationRef | None = None
    supporting_quote: str | None = None
    contradicting: CitationRef | None = None
    contradicting_quote: str | None = None


class Contradiction(Frozen):
    """A hypothesis whose evidence points both ways."""

    statement: str
    speculative: bool = False
    pairs: tuple[QuotePair, ...]


class RelatedPassage(Frozen):
    """A passage retrieved for the question but not counted as evidence, with the reason."""

    quote: str
    title: str
    doc_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    location: str
    design_label: str
    sample_size_label: str
    reason: str
    source: str
    links: tuple[Link, ...] = ()


class Reference(Frozen):
    """One cited document of the numbered reference list (ids only when well-formed)."""

    number: int = Field(ge=1)
    doc_id: str
    kind: Literal["article", "trial"]
    title: str
    authors: tuple[str, ...] = ()
    journal: str | None = None
    year: int | None = None
    pmid: str | None = None
    doi: str | None = None
    nct_id: str | None = None
    links: tuple[Link, ...] = ()


class Report(Frozen):
    """An evidence report: a pure function of an Answer, its Corpus and the generation time."""

    schema_version: Literal["1"] = "1"
    title: str
    question: QuestionView
    corpus: Corpus
    corpus_years: str
    hypotheses: tuple[HypothesisView, ...] = ()
    known: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    summary_of_findings: tuple[SofTable, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    gaps: tuple[str, ...] = ()
    speculative: tuple[HypothesisView, ...] = ()
    evidence: tuple[EvidenceEntry, ...] = ()
    related: tuple[RelatedPassage, ...] = ()
    references: tuple[Reference, ...] = ()
    extractive: bool = Field(default=False, description="True when no sentence was generated (extractive-only mode).")
    disclaimer: str
