"""Distilled training examples: LLM claims that passed the gates, as the small models' trainers read them.

`medkb export training` writes one JSON line per stored claim with extractor "llm" (every one passed the finding,
entity and direction gates, or it would not be stored); `python -m ingest.train roles pico direction --examples FILE`
adds them to each model's training part. One line (format "medkb-training-example/1"):

    {"format": "medkb-training-example/1", "claim_id": "...", "doc_id": "...", "title": "...", "source": "...",
     "pmid": null, "pmcid": null, "sentence": "Aspirin reduced pain (p<0.01).", "start": 120, "end": 151,
     "index": 3, "sentences": 9, "parts": 1, "position": 0.41, "section": "results", "quote": [0, 31],
     "subject": "Aspirin", "subject_type": "intervention", "subject_span": [0, 7], "object": "pain",
     "object_span": [16, 20],
     "predicate": "decreases", "direction": "decrease", "restatable": true, "hedged": false,
     "model": "gpt-4o-mini", "prompt_version": "claims-v2"}

`sentence` is the document text from `start` to `end`: the reader's sentence holding the quote (the span of all of
them, `parts` > 1, when a quote runs over several); `index` is the first one's place among the document's
`sentences`, `position` its start as a fraction of the text (as `Sentence.position`), `section` the reader's section
kind. `quote`, `subject_span` and `object_span` are [start, end) inside `sentence`; a name is found verbatim (case
aside) and whole (not inside a longer word) in the quote, else in the sentence, else its span is null. `direction`
is what the gates decided; `restatable` says they validated it (statistics or wording decided it, not the model's
words alone); `subject_type` is the type the model gave the subject.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from ingest.nlp.sentences import Sentence
from ingest.train.data import ei_root
from kb.claims import Claim, Direction, Predicate
from kb.models import Document, EntityType, SectionKind

FORMAT = "medkb-training-example/1"
# NOTE: what a training report's data section says when no --examples were given.
NO_EXAMPLES = ("no distilled examples in this run (`python -m ingest.train NAME --examples FILE` adds the LLM claims "
               "that passed the gates, written by `medkb export training`, to the fitting part only)")
Span = tuple[int, int]
_PMC = re.compile(r"PMC(\d+)", re.IGNORECASE)


class TrainingExample(BaseModel):
    """One LLM claim that passed the gates, located in its sentence (see the module docstring for the format)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    format: Literal["medkb-training-example/1"] = FORMAT
    claim_id: str
    doc_id: str
    title: str = ""
    source: str = ""
    pmid: str | None = None
    pmcid: str | None = None
    sentence: str = Field(min_length=1)
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    index: int = Field(ge=0)
    sentences: int = Field(ge=1)
    parts: int = Field(default=1, ge=1)
    position: float = Field(ge=0.0, le=1.0)
    section: SectionKind
    quote: Span
    subject: str
    subject_type: EntityType = "other"
    subject_span: Span | None
    object: str
    object_span: Span | None
    predicate: Predicate
    direction: Direction
    restatable: bool = False
    hedged: bool = False
    model: str | None = None
    prompt_version: str | None = None

    @model_validator(mode="after")
    def _spans_fit(self) -> TrainingExample:
        """Refuse a sentence, quote or name span that does not fit the sentence or read its name."""
        if self.end - self.start != len(self.sentence):
            raise ValueError(f"sentence span {self.start}-{self.end} does not match its length {len(self.sentence)}")
        if self.index + self.parts > self.sentences:
            raise ValueError(f"sentences {self.index}..{self.index + self.parts - 1} of {self.sentences} do not exist")
        for what, span, name in (("quote", self.quote, None), ("subject", self.subject_span, self.subject),
                                 ("object", self.object_span, self.object)):
            if span is not None and not 0 <= span[0] < span[1] <= len(self.sentence):
                raise ValueError(f"{what} span {span} lies outside the sentence")
            if span is not None and name is not None and self.text(span).casefold() != name.casefold():
                raise ValueError(f"{what} span {span} reads {self.text(span)!r}, not {name!r}")
        return self

    def text(self, span: Span) -> str:
        """Return the sentence's text in a [start, end) span."""
        return self.sentence[span[0] : span[1]]


@dataclass(frozen=True)
class Examples:
    """The examples of one file, and the file they came from (named in every training report)."""

    path: Path
    items: tuple[TrainingExample, ...]


def read_examples(path: Path) -> Examples:
    """Return the examples of a JSON-lines file; raise ValueError naming the first line that is not one."""
    items = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                items.append(TrainingExample.model_validate_json(line))
            except ValidationError as e:
                first = e.errors()[0]
                where = ".".join(str(p) for p in first["loc"])
                why = f"{where}: {first['msg']}" if where else first["msg"]
                raise ValueError(f"{path}:{n}: not a {FORMAT} line ({why})") from None
    return Examples(path, tuple(items))


def _find(text: str, name: str, lo: int, hi: int) -> Span | None:
    """Return where a name stands verbatim (case aside) and whole (not inside a word) in text[lo:hi], or None."""
    left = r"(?<!\w)" if name[:1].isalnum() else ""
    right = r"(?!\w)" if name[-1:].isalnum() else ""
    m = re.compile(left + re.escape(name) + right, re.IGNORECASE).search(text, lo, hi)
    return m.span() if m and m.end() - m.start() == len(name) else None


def name_span(sentence: str, name: str, quote: Span) -> Span | None:
    """Return a name's span in the sentence: inside the quote first, else anywhere in the sentence, else None."""
    return _find(sentence, name, *quote) or _find(sentence, name, 0, len(sentence))


def from_claim(claim: Claim, doc: Document, sentences: Sequence[Sentence]) -> TrainingExample | None:
    """Return the example of a claim in its document (sentences as the reader cut them), None when no sentence holds
    its quote."""
    q = claim.quote
    found = [i for i, s in enumerate(sentences) if s.start < q.end and q.start < s.end]
    if not found or q.field is not None:
        return None
    first, last = sentences[found[0]], sentences[found[-1]]
    start, end = min(first.start, q.start), max(last.end, q.end)
    text = doc.text[start:end]
    quote = (q.start - start, q.end - start)
    return TrainingExample(
        claim_id=claim.id, doc_id=doc.id, title=doc.title, source=doc.source, pmid=doc.pmid, pmcid=doc.pmcid,
        sentence=text, start=start, end=end, index=found[0], sentences=len(sentences), parts=len(found),
        position=first.position, section=first.section, quote=quote, subject=claim.subject.name,
        subject_type=claim.subject.type, subject_span=name_span(text, claim.subject.name, quote),
        object=claim.object.name, object_span=name_span(text, claim.object.name, quote), predicate=claim.predicate,
        direction=claim.direction, restatable=claim.restatable, hedged=claim.hedged, model=claim.model,
        prompt_version=claim.prompt_version)


def article_keys(example: TrainingExample) -> frozenset[str]:
    """Return the article ids an example's document carries ("pmid:N", "pmc:N"), a PMC id in its file name too."""
    keys = {f"pmid:{example.pmid}"} if example.pmid else set()
    for text in (example.pmcid or "", Path(example.source).name):
        if m := _PMC.search(text):
            keys.add(f"pmc:{m.group(1)}")
    return frozenset(keys)


def evaluation_articles(data: Path) -> frozenset[str]:
    """Return "pmc:N" for every Evidence Inference article of a validation or test split (never trained on)."""
    folder = ei_root(data) / "splits"
    files = [p for p in folder.glob("*.txt") if "validation" in p.name or "test" in p.name] if folder.is_dir() else []
    return frozenset(f"pmc:{i}" for p in files for i in p.read_text(encoding="utf-8").split())


def kept(examples: Iterable[TrainingExample], excluded: frozenset[str] | set[str]) -> tuple[list[TrainingExample], int]:
    """Return the examples whose article is not excluded, and how many were left out."""
    out, dropped = [], 0
    for example in examples:
        if article_keys(example) & excluded:
            dropped += 1
        else:
            out.append(example)
    return out, dropped


def distilled_line(examples: Examples, used: int, weight: float, note: str = "") -> str:
    """Return the line a training report carries: how many distilled examples from which file, at what weight."""
    line = f"trained with {used} distilled examples from {examples.path} (weight {weight:g} each"
    return line + (f"; {note})" if note else ")")
