"""Questions and answers: typed queries, citations, hypotheses and the answer sections."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kb.claims import Claim, ClaimKind, Direction, EffectMeasure, Predicate, PValue, Scope
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
    synonyms: tuple[str, ...] = Field(default=(), description="Other names of the same thing: lay terms, MeSH "
                                      "entry terms, abbreviations.")
    related: tuple[str, ...] = Field(default=(), description="Close but not identical terms (turmeric: curcumin); "
                                     "evidence matched through them is rated down for indirectness.")

    def forms(self) -> tuple[str, ...]:
        """Return every name this entity may go by in a study: its name, the question's words, its synonyms."""
        return tuple(dict.fromkeys((self.name, self.text, *self.synonyms)))


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


class Narrowing(Frozen):
    """Filters chosen beside the question (the app's year and design controls), not written in it."""

    year_min: int | None = None
    year_max: int | None = None
    designs: tuple[StudyDesign, ...] = ()


class Citation(Frozen):
    """A verifiable pointer to the passage a claim was read from."""

    claim_id: str = Field(description="The cited claim's id; for a passage no claim was read from, the passage's.")
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
    predicate: Predicate | None = None
    comparator: str | None = None
    population: str | None = None
    effect: EffectMeasure | None = None
    p_value: PValue | None = None
    kind: ClaimKind = "efficacy"
    hedged: bool = False
    scope: Scope = "unspecified"
    restatable: bool = False
    note: str | None = Field(default=None, description="Why a related passage is not counted as evidence.")
    # NOTE: editorial notices on the cited paper (retracted, expression of concern, corrected).
    notices: tuple[Notice, ...] = ()
    extractor: str = ""
    extraction_confidence: float = 0.0
    linked: tuple[str, ...] = ()
    # NOTE: a trial and the papers reporting it share one study id, so they count as one study.
    study_id: str = ""


class Source(Frozen):
    """The document a claim was read from, as a citation names it."""

    doc_id: str
    title: str = ""
    source: str = ""
    pmid: str | None = None
    doi: str | None = None
    nct_id: str | None = None
    year: int | None = None
    study_design: StudyDesign = "unknown"
    notices: tuple[Notice, ...] = ()
    # NOTE: abbreviations the document defines ("FPG" -> "formamidopyrimidine DNA glycosylase"), so a claim's
    # abbreviated entity matches a question that spells it out.
    abbreviations: tuple[tuple[str, str], ...] = ()


class CitedClaim(Frozen):
    """A claim with the document it cites and the study it belongs to (a trial and its papers are one study)."""

    claim: Claim
    source: Source
    study_id: str = ""
    linked: tuple[str, ...] = ()
    # NOTE: for a meta-analysis or systematic review: the studies of this answer it names, counted through it.
    includes: tuple[str, ...] = ()

    @property
    def study(self) -> str:
        """Return the id this claim's study is counted under."""
        return self.study_id or self.claim.doc_id

    def citation(self, note: str | None = None) -> Citation:
        """Return what a user sees for this claim: the quote, where it is, and the study's facts."""
        c, s = self.claim, self.source
        return Citation(
            claim_id=c.id, doc_id=c.doc_id, title=s.title, quote=c.quote.text, page=c.quote.page,
            start=c.quote.start, end=c.quote.end, source=s.source, field=c.quote.field, pmid=s.pmid, doi=s.doi,
            nct_id=s.nct_id, year=s.year, study_design=c.study_design, sample_size=c.sample_size,
            sample_size_type=c.sample_size_type, direction=c.direction, predicate=c.predicate, comparator=c.comparator,
            population=c.population, effect=c.effect, p_value=c.p_value, kind=c.kind, hedged=c.hedged,
            scope=c.scope, restatable=c.restatable, note=note, notices=s.notices,
            extractor=c.extractor if not c.model else f"{c.extractor}:{c.model}",
            extraction_confidence=c.confidence, linked=self.linked, study_id=self.study,
        )


class Hypothesis(Frozen):
    """An intervention → outcome finding with its certainty and the evidence for and against."""

    statement: str | None = Field(default=None, description="The finding in words, only when built from "
                                  "validated fields; otherwise null and the finding is its quotes.")
    label: str = Field(default="", description="What is compared on what: 'quorvafil vs placebo: systolic "
                       "blood pressure' (names, no verb).")
    intervention: str
    outcome: str
    comparator: str | None = None
    scope: Scope = "unspecified"
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

    @property
    def heading(self) -> str:
        """Return how the hypothesis is headed: its statement, else its label."""
        return self.statement or self.label


class Answer(Frozen):
    """What MedKB knows about a question, how sure it is, and where it says so."""

    question: str
    query: Query
    hypotheses: tuple[Hypothesis, ...] = ()
    speculative: tuple[Hypothesis, ...] = ()
    known: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    related: tuple[Citation, ...] = Field(default=(), description="Passages retrieved for the question but not "
                                          "counted for any hypothesis, each with the reason.")
    withdrawn: tuple[Source, ...] = Field(default=(), description="Papers retrieved for the question but left out "
                                          "of the evidence because they were retracted.")
    extractive: bool = Field(default=False, description="True when no sentence was generated: findings are "
                             "their verbatim quotes with computed badges.")
    disclaimer: str = DISCLAIMER
