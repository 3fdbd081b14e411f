"""Claims: typed intervention → outcome edges that must prove their source."""

from __future__ import annotations

import re
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
Scope = Literal["primary", "secondary", "subgroup", "post_hoc", "within_group", "unspecified"]

# NOTE: predicate fixes the direction where it can, so the two never disagree silently.
PREDICATE_DIRECTION: dict[str, Direction] = {
    "increases": "increase",
    "decreases": "decrease",
    "no_effect_on": "no_difference",
    "not_associated_with": "no_difference",
    "increases_risk_of": "increase",
    "decreases_risk_of": "decrease",
}


# NOTE: the one list of ratio measures (no effect = 1); every other named measure is a difference (no effect = 0).
RATIO_TYPES: frozenset[EffectType] = frozenset({"HR", "OR", "RR", "IRR"})
DIFFERENCE_TYPES: frozenset[EffectType] = frozenset({"MD", "SMD", "RD", "ARR", "percent"})
ALPHA = 0.05
Operator = Literal["=", "<", "<=", ">", ">="]


class EffectMeasure(Frozen):
    """An effect estimate with its confidence interval."""

    type: EffectType
    value: float
    ci_low: float | None = None
    ci_high: float | None = None
    ci_level: float = 0.95

    @property
    def is_ratio(self) -> bool:
        """Return whether the measure is a ratio (HR, OR, RR, IRR), whose no-effect value is 1."""
        return self.type in RATIO_TYPES

    @property
    def null(self) -> float | None:
        """Return the value meaning no effect: 1 for ratios, 0 for differences, None for an unnamed measure."""
        return 1.0 if self.is_ratio else 0.0 if self.type in DIFFERENCE_TYPES else None

    @property
    def interval(self) -> tuple[float, float] | None:
        """Return (low, high) of the confidence interval, or None when it is not given."""
        return None if self.ci_low is None or self.ci_high is None else (self.ci_low, self.ci_high)

    def crosses_null(self) -> bool | None:
        """Return whether the CI includes no effect; None without a CI or for a measure of unknown null."""
        if self.interval is None or self.null is None:
            return None
        return self.ci_low <= self.null <= self.ci_high  # type: ignore[operator]


# NOTE: the one notation of a written p-value: "P=0.003", "p < .001", "P = 0·03", "P = 1.2 × 10−5", "p<10^-6",
# "P-value of 0.02", "p for trend = 0.04". "NS" carries no number and is not a p-value: callers that accept it
# (table cells) read it as the author's "not significant" themselves.
_OPERATORS: dict[str, Operator] = {"≤": "<=", "⩽": "<=", "=<": "<=", "≥": ">=", "⩾": ">=", "=>": ">="}
P_PREFIX = (r"(?P<prefix>(?<![A-Za-z])p(?:\s*-?\s*values?)?"
            r"(?:\s*(?:for|of)\s+(?:trend|interaction|heterogeneity|difference))?)")
P_NUMBER = (r"(?P<op><=|>=|=<|=>|≤|≥|⩽|⩾|<|>|=)?\s*(?:(?P<num>\d*[.·]\d+|\d(?![.·\d]))"
            r"(?:\s*[x×✕*·]\s*10\s*\^?\s*(?P<exp>[-−–]\s?\d+)|\s?[eE](?P<e>[-−–]?\d+))?"
            r"|10\s*\^?\s*(?P<pow>[-−–]\s?\d+))")
P_NOTATION = re.compile(rf"{P_PREFIX}\s*(?P<link>\b(?:was|of|were|is)\b\s*)?{P_NUMBER}", re.IGNORECASE)
_WRITTEN = re.compile(rf"(?:{P_PREFIX}\s*(?:\b(?:was|of|were|is)\b\s*)?)?{P_NUMBER}\s*[*†‡§¶]*", re.IGNORECASE)


def _decimal(text: str) -> float:
    """Return a number written with any dash as minus, a middle dot as decimal point, and spaces inside."""
    return float(re.sub(r"[−–]", "-", text).replace("·", ".").replace(" ", ""))


class PValue(Frozen):
    """A reported p-value with its comparison operator."""

    value: float = Field(ge=0.0, le=1.0)
    operator: Operator = "="

    @classmethod
    def parse(cls, text: str | None) -> PValue | None:
        """Return the p-value written as text ("P=0.003", "< .001", "1.2 × 10−5"), or None when it is not one."""
        m = _WRITTEN.fullmatch((text or "").strip())
        return cls.from_match(m) if m else None

    @classmethod
    def from_match(cls, m: re.Match[str]) -> PValue | None:
        """Return the p-value of a P_NUMBER match, or None when its value lies outside 0–1."""
        if m["pow"]:
            value = 10 ** _decimal(m["pow"])
        else:
            exponent = m["exp"] or m["e"]
            value = _decimal(m["num"]) * (10 ** _decimal(exponent) if exponent else 1.0)
        if not 0.0 <= value <= 1.0:
            return None
        op = m["op"] or "="
        return cls(value=value, operator=_OPERATORS.get(op, op))  # type: ignore[arg-type]

    def significant(self, alpha: float = ALPHA) -> bool | None:
        """Return whether p lies below alpha; None when the operator leaves it open ("p < 0.06", "p > 0.01")."""
        # NOTE: "p = 0.05" is not significant at 0.05; "p ≤ 0.05" is the author's own threshold, so it is.
        if self.operator == "=":
            return self.value < alpha
        if self.operator in ("<", "<="):
            return True if self.value <= alpha else None
        return False if self.value >= alpha else None


def significance(p: PValue | None, interval: tuple[float, float] | None, null: float | None,
                 alpha: float = ALPHA) -> bool | None:
    """Return whether statistics show a difference (CI excluding the null, p below alpha); None when undecidable."""
    votes = {p.significant(alpha) if p else None,
             None if interval is None or null is None else not interval[0] <= null <= interval[1]} - {None}
    # NOTE: a CI and a p-value that disagree (a different test, rounding at the bound) decide nothing.
    return votes.pop() if len(votes) == 1 else None


def effect_significance(effect: EffectMeasure | None, p: PValue | None, alpha: float = ALPHA) -> bool | None:
    """Return what a claim's own statistics say about significance (see significance)."""
    return significance(p, effect.interval if effect else None, effect.null if effect else None, alpha)


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
