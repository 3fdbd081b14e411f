"""Questions and answers: typed queries, citations, hypotheses and the answer sections."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kb.claims import ClaimKind, Direction, EffectMeasure, PValue
from kb.models import EntityType, Frozen, Notice, StudyDesign

Certainty = Literal["high", "moderate", "low", "very low"]
Role = Literal["intervention", "comparator", "outcome", "population", "condition", "other"]

DISCLAIMER = (
    "MedKB is a research aid, not medical advice. It can be wrong or incomplete: "
    "check every statement against its cited source and consult a clinician for personal decisions."
)


class QueryEntity(Frozen):
    """An entity recognised in a question, with the role it plays there."""

    text: str
    role: Role
    name: str
    type: EntityType = "other"
    normalized_id: str | None = None


class Query(Frozen):
    """A question parsed into entities with roles and filters."""

    question: str
    entities: tuple[QueryEntity, ...] = ()
    terms: tuple[str, ...] = ()
    year_min: int | None = None
    year_max: int | None = None
    designs: tuple[StudyDesign, ...] = ()

    def by_role(self, role: Role) -> list[QueryEntity]:
        """Return the entities playing one role."""
        return [e for e in self.entities if e.role == role]


class Citation(Frozen):
    """A verifiable pointer to the passage a claim was read from."""

    claim_id: str
    doc_id: str
    title: str
    quote: str
    page: int | None
    start: int
    end: int
    source: str
    field: str | None = None
    pmid: str | None = None
    doi: str | None = None
    nct_id: str | None = None
    year: int | None = None
    study_design: StudyDesign = "unknown"
    sample_size: int | None = None
    sample_size_type: str = "REPORTED"
    direction: Direction = "unclear"
    comparator: str | None = None
    population: str | None = None
    effect: EffectMeasure | None = None
    p_value: PValue | None = None
    kind: ClaimKind = "efficacy"
    hedged: bool = False
    # NOTE: editorial notices on the cited paper (retracted, expression of concern, corrected).
    notices: tuple[Notice, ...] = ()
    extractor: str = ""
    extraction_confidence: float = 0.0
    linked: tuple[str, ...] = ()
    # NOTE: a trial and the papers reporting it share one study id, so they count as one study.
    study_id: str = ""


class Hypothesis(Frozen):
    """An intervention → outcome statement with its certainty and the evidence for and against."""

    statement: str
    intervention: str
    outcome: str
    direction: Direction
    confidence: Certainty
    confidence_reasons: tuple[str, ...] = ()
    supporting: tuple[Citation, ...] = ()
    contradicting: tuple[Citation, ...] = ()
    n_studies: int = 0
    n_participants: int | None = None
    designs: tuple[StudyDesign, ...] = ()
    speculative: bool = False
    extraction_confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class Answer(Frozen):
    """What MedKB knows about a question, how sure it is, and where it says so."""

    question: str
    query: Query
    hypotheses: tuple[Hypothesis, ...] = ()
    speculative: tuple[Hypothesis, ...] = ()
    known: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    disclaimer: str = DISCLAIMER
