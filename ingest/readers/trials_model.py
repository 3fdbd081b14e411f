"""A ClinicalTrials.gov record read into format-neutral parts, and the text builder its Document is written with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kb.models import Section, SectionKind, StudyDesign, TrialInfo

PUBLICATION_TYPES = ("Clinical Trial Registration",)
MAX_QUOTED_LINE = 399  # NOTE: the pipeline attaches a claim to one chunk, so a quoted line must fit in one.
MAX_SERIOUS_EVENTS = 10
CONTROL_ARM = re.compile(r"\b(placebo|sham|vehicle|usual care|standard of care|no treatment|control)\b", re.I)


@dataclass(frozen=True)
class Group:
    """A results group (arm as analysed) by its registry id."""

    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Measurement:
    """One group's value in one class/category of an outcome, as the record writes it."""

    group_id: str
    label: str
    value: str
    spread: str = ""
    lower: str = ""
    upper: str = ""
    n: str = ""


@dataclass(frozen=True)
class Analysis:
    """A posted statistical analysis, every number kept as the record's string."""

    field: str
    group_ids: tuple[str, ...]
    param_type: str = ""
    param_value: str = ""
    ci_pct: str = ""
    ci_lower: str = ""
    ci_upper: str = ""
    p_value: str = ""
    method: str = ""
    estimate: str = ""
    non_inferiority: str = ""


@dataclass(frozen=True)
class OutcomeResult:
    """A posted outcome measure with its groups, values and analyses."""

    title: str
    time_frame: str = ""
    type: str = ""
    units: str = ""
    dispersion: str = ""
    groups: tuple[Group, ...] = ()
    denoms: tuple[tuple[str, str], ...] = ()
    measurements: tuple[Measurement, ...] = ()
    analyses: tuple[Analysis, ...] = ()


@dataclass(frozen=True)
class EventCount:
    """How many of a group's participants had one serious adverse event."""

    field: str
    group_id: str
    affected: int
    at_risk: int


@dataclass(frozen=True)
class SeriousEvent:
    """A serious adverse event term with its per-group counts."""

    term: str
    counts: tuple[EventCount, ...]

    @property
    def affected(self) -> int:
        """Return the participants affected over all groups."""
        return sum(c.affected for c in self.counts)


@dataclass(frozen=True)
class Results:
    """A record's posted results section."""

    outcomes: tuple[OutcomeResult, ...] = ()
    event_groups: tuple[Group, ...] = ()
    serious_events: tuple[SeriousEvent, ...] = ()


@dataclass(frozen=True)
class Arms:
    """Which interventions each arm label received (casefolded key) and each intervention's other names."""

    by_label: dict[str, tuple[str, ...]] = field(default_factory=dict)
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Anchor:
    """A rendered line a claim will quote, with what it renders."""

    start: int
    end: int
    field: str
    groups: tuple[Group, ...]
    outcome: OutcomeResult | None = None
    analysis: Analysis | None = None
    count: EventCount | None = None
    event: SeriousEvent | None = None


@dataclass(frozen=True)
class Record:
    """One registry record read into format-neutral parts."""

    info: TrialInfo
    title: str
    brief_title: str
    summary: str
    design: StudyDesign
    arms: Arms
    results: Results | None
    canonical: bytes


class TextBuilder:
    """Accumulates a document's text line by line and records its sections."""

    def __init__(self) -> None:
        self._parts: list[str] = []
        self.size = 0
        self.sections: list[Section] = []

    def line(self, text: str) -> tuple[int, int]:
        """Append one line and return its span (without the newline)."""
        start = self.size
        self._parts.append(text + "\n")
        self.size += len(text) + 1
        return start, start + len(text)

    def close(self, title: str, kind: SectionKind, start: int) -> None:
        """Record the text written since start as a section."""
        if self.size > start:
            self.sections.append(Section(title=title[:200], kind=kind, start=start, end=self.size))

    @property
    def text(self) -> str:
        """Return the text written so far."""
        return "".join(self._parts)


def flat(value: Any) -> str:
    """Return a value as one line of text with runs of whitespace collapsed."""
    return " ".join(str(value).split()) if value is not None else ""


def clip(text: str, limit: int) -> str:
    """Return text cut to limit characters, with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def registry_design(study_type: str | None, allocation: str | None, model: str | None,
            perspective: str | None) -> StudyDesign:
    """Return the study design a registry record states (allocation, observational model, time perspective)."""
    if study_type == "INTERVENTIONAL":
        return "rct" if allocation == "RANDOMIZED" else "non_randomized_trial"
    if study_type == "OBSERVATIONAL":
        if model == "CASE_CONTROL":
            return "case_control"
        if model == "CASE_ONLY":
            return "case_series"
        return "cross_sectional" if perspective == "CROSS_SECTIONAL" else "cohort"
    return "other"


def unique(values: Any) -> tuple[str, ...]:
    """Return the non-empty values, flattened, once each, in order."""
    return tuple(dict.fromkeys(v for v in (flat(x) for x in values) if v))
