"""Claims: typed intervention → outcome edges that must prove their source."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, ValidationInfo, model_validator

from kb.models import Chunk, Entity, Frozen, StudyDesign, make_id

Predicate = Literal[
    "increases",
    "decreases",
    "no_effect_on",
    "associated_with",
    "not_associated_with",
    "increases_risk_of",
    "decreases_risk_of",
    "adverse_event_of",
]
Direction = Literal["increase", "decrease", "no_difference", "unclear"]
ClaimKind = Literal["efficacy", "safety", "association", "mechanism", "other"]
EffectType = Literal["HR", "OR", "RR", "MD", "SMD", "RD", "ARR", "IRR", "percent", "other"]
# NOTE: which analysis a result comes from; a subgroup or secondary result never stands in for the primary one.
Scope = Literal["primary", "secondary", "subgroup", "post_hoc", "unspecified"]

# NOTE: predicate fixes the direction where it can, so the two never disagree silently.
PREDICATE_DIRECTION: dict[str, Direction] = {
    "increases": "increase",
    "decreases": "decrease",
    "no_effect_on": "no_difference",
    "not_associated_with": "no_difference",
    "increases_risk_of": "increase",
    "decreases_risk_of": "decrease",
}


class EffectMeasure(Frozen):
    """An effect estimate with its confidence interval."""

    type: EffectType
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float = 0.95

    def crosses_null(self) -> bool | None:
        """Return whether the CI includes no effect (1 for ratios, 0 for differences)."""
        if self.ci_low is None or self.ci_high is None:
            return None
        null = 1.0 if self.type in ("HR", "OR", "RR", "IRR") else 0.0
        return self.ci_low <= null <= self.ci_high


class PValue(Frozen):
    """A reported p-value with its comparison operator."""

    value: float = Field(ge=0.0, le=1.0)
    operator: Literal["=", "<", "<=", ">", ">="] = "="


class Quote(Frozen):
    """A verbatim passage of a document: where a claim says it came from."""

    text: str = Field(min_length=1)
    doc_id: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    page: int | None = None
    # NOTE: registry records cite a field path (e.g. resultsSection...analyses[0]) beside the span.
    field: str | None = None

    @model_validator(mode="after")
    def _span_length(self) -> Quote:
        if self.end - self.start != len(self.text):
            raise ValueError(f"quote span {self.start}-{self.end} does not match its length {len(self.text)}")
        return self


class Claim(Frozen):
    """An edge of the claim graph, carrying its statistics and a verified quote."""

    id: str
    doc_id: str
    chunk_id: str
    kind: ClaimKind = "efficacy"
    subject: Entity
    predicate: Predicate
    object: Entity
    direction: Direction = "unclear"
    comparator: str | None = None
    population: str | None = None
    effect: EffectMeasure | None = None
    p_value: PValue | None = None
    sample_size: int | None = Field(default=None, ge=0)
    sample_size_type: Literal["ACTUAL", "ESTIMATED", "REPORTED"] = "REPORTED"
    study_design: StudyDesign = "unknown"
    hedged: bool = False
    scope: Scope = "unspecified"
    # NOTE: True only when the extractor validated subject, object and direction; otherwise MedKB shows the quote,
    # never a sentence built from the claim's fields.
    restatable: bool = False
    quote: Quote
    extractor: str
    extractor_version: str
    model: str | None = None
    prompt_version: str | None = None
    confidence: float = Field(ge=0.0, le=1.0)

    @model_validator(mode="after")
    def _consistent(self, info: ValidationInfo) -> Claim:
        fixed = PREDICATE_DIRECTION.get(self.predicate)
        if fixed is not None and self.direction != fixed:
            raise ValueError(f"predicate {self.predicate!r} implies direction {fixed!r}, got {self.direction!r}")
        if self.quote.doc_id != self.doc_id:
            raise ValueError("quote cites another document than the claim")
        chunk = (info.context or {}).get("chunk") if info else None
        if isinstance(chunk, Chunk):
            check_quote_in_chunk(self.quote, chunk)
        return self


class QuoteError(ValueError):
    """A quote that is not verbatim at its span in the source chunk."""


def check_quote_in_chunk(quote: Quote, chunk: Chunk) -> None:
    """Raise QuoteError unless the quote is verbatim at its span inside the chunk."""
    if quote.doc_id != chunk.doc_id:
        raise QuoteError(f"quote from {quote.doc_id} checked against chunk of {chunk.doc_id}")
    if not (chunk.start <= quote.start and quote.end <= chunk.end):
        raise QuoteError(f"quote span {quote.start}-{quote.end} lies outside chunk {chunk.start}-{chunk.end}")
    found = chunk.text[quote.start - chunk.start : quote.end - chunk.start]
    if found != quote.text:
        raise QuoteError(f"quote is not verbatim in its chunk: {quote.text[:60]!r} != {found[:60]!r}")


def claim_id(doc_id: str, quote: Quote, subject: Entity, predicate: str, obj: Entity) -> str:
    """Return a stable claim id from where it is quoted and what it states."""
    return make_id("claim", doc_id, quote.start, quote.end, quote.field or "", subject.id, predicate, obj.id)
