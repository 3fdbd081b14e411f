"""RuleExtractor: claims from result sentences by direction cues, a lexicon and written statistics; no network."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from ingest.extract import Extraction
from ingest.extract.clauses import (COMPARATOR, HEDGES, KEEP_SECTIONS, METHODS, NULL_WORDING, SAFETY, Named, Parsed,
                                    arm_phrase, arm_values, clause_stats, clauses, find_cue, parallel_arm, parse,
                                    sentence_spans, trim_phrase, undirected)
from ingest.extract.direction import DirectionModel, decide, default_model
from ingest.extract.scope import clause_scope
from ingest.extract.stats import find_sample_size
from ingest.extract.table_rows import Row, table_rows
from ingest.nlp.reading import Reading
from kb.claims import Claim, EffectMeasure, PValue, Predicate, Quote, claim_id
from kb.lexicon import Lexicon
from kb.models import Chunk, Document, Entity


@dataclass(frozen=True)
class Compared:
    """The comparator of a clause: its phrase, the phrase's span, and where its keyword ("than", "versus") starts."""

    text: str | None = None
    span: tuple[int, int] = (0, 0)
    at: int = -1
    raw: str = ""


def _comparator(s: Parsed, lo: int, hi: int) -> Compared:
    """Return the comparator phrase of a clause (empty when none)."""
    m = COMPARATOR.search(s.masked, lo, hi)
    span = trim_phrase(s.masked[m.start("c") : hi], m.start("c")) if m else None
    if m is None or span is None:
        return Compared()
    return Compared(s.text[span[0] : span[1]], span, m.start(), s.masked[m.start("c") : hi])


def _pick_subject(s: Parsed, cue: re.Match[str], comp: Compared, lo: int, hi: int) -> Named | None:
    """Return the intervention: a lexicon mention outside the comparator, else the clause's arm, else a phrase."""
    avoid = comp.span
    free = [m for m in s.mentions if lo <= m.start < hi and not avoid[0] <= m.start < avoid[1]]
    free = [m for m in free if m.type == "intervention"]
    if free:
        best = min(free, key=lambda m: (m.start > cue.start(), abs(cue.start() - m.start)))
        return s.named((best.start, best.end), "intervention", best)
    # NOTE: an arm named before the cue, then one written like the comparator ("with A than with B"), then any after.
    stop = comp.at if comp.at > cue.end() else hi
    arm = (arm_phrase(s.masked, lo, cue.start(), avoid)
           or (parallel_arm(s.masked, cue.end(), comp.at, comp.raw) if comp.at > cue.end() else None)
           or arm_phrase(s.masked, cue.end(), stop, avoid))
    if arm:
        return s.named(arm, "intervention")
    span = _phrase_before(s, lo, cue.start())
    return s.named(span, "intervention") if span else None


def _phrase_before(s: Parsed, lo: int, at: int) -> tuple[int, int] | None:
    """Return the noun phrase of the clause part before a cue, after its last comma or bracket."""
    head = max(lo, max(s.masked.rfind(c, lo, at) for c in ",;:()") + 1)
    return trim_phrase(s.masked[head:at], head)


def _pick_object(s: Parsed, cue: re.Match[str], avoid: tuple[int, int], subject: Named | None, lo: int,
                 hi: int) -> Named | None:
    """Return the outcome: a lexicon outcome/condition (clause first, then earlier), else the phrase after the cue."""
    pool = [m for m in s.mentions if m.type in ("outcome", "condition") and not avoid[0] <= m.start < avoid[1]]
    pool = [m for m in pool if m.start < hi and (not subject or m.surface != subject.surface)]
    inside = [m for m in pool if m.start >= lo] or [m for m in pool if m.type == "outcome"][-1:]
    if inside:
        # NOTE: an outcome beats a condition ("in mild asthma, X reduced exacerbations"); then nearest after the cue.
        best = min(inside, key=lambda m: (m.type != "outcome", m.start < cue.end(), abs(m.start - cue.end())))
        return s.named((best.start, best.end), best.type, best)
    at = s.text.find(subject.surface, cue.end(), hi) if subject else -1
    end = min((x for x in (avoid[0], at) if x > cue.end()), default=hi)
    after = trim_phrase(s.masked[cue.end() : end], cue.end())
    # NOTE: an arm after the cue ("X was lower in the A group") leaves the outcome before it.
    behind = subject is not None and subject.surface not in s.text[lo : cue.start()]
    before_first = at >= 0 or (after is None and behind)
    before = _phrase_before(s, lo, cue.start()) if before_first else None
    if before and after and re.match(r"(?:there|it|we|this)\b", s.text[before[0] : before[1]], re.I):
        before = None  # NOTE: "We found fewer X in A than in B": the outcome follows the cue.
    span = before or after
    return s.named(span, "outcome") if span else None


Parts = tuple[Named, Named, str | None, Predicate]  # subject, object, comparator, what the clause says
Context = tuple[Entity, Entity, EffectMeasure | None]  # the previous clause's subject, object and effect


def _cue_parts(s: Parsed, lo: int, hi: int, effect: EffectMeasure | None, context: Context | None) -> Parts | None:
    """Return what a clause with a direction cue (or a significant ratio) says."""
    cue = find_cue(s, lo, hi, effect)
    if cue is None:
        return None
    comp = _comparator(s, lo, hi)
    subject = _pick_subject(s, cue[0], comp, lo, hi) or (Named.of(context[0]) if context else None)
    obj = _pick_object(s, cue[0], comp.span, subject, lo, hi) or (Named.of(context[1]) if context else None)
    if subject is None or obj is None or subject.surface.casefold() == obj.surface.casefold():
        return None
    return subject, obj, comp.text, cue[1]


def _value_parts(s: Parsed, lo: int, hi: int, context: Context | None) -> Parts | None:
    """Return what "X was 0.20 with A and 0.07 with B" says: A against B on X, by the larger value."""
    found = arm_values(s.masked, lo, hi)
    if found is None:
        return None
    first, second, said, at = found
    span = _phrase_before(s, lo, at)
    obj = s.named(span, "outcome") if span else (Named.of(context[1]) if context else None)
    return (s.named(first, "intervention"), obj, s.text[second[0] : second[1]], said) if obj else None


def confidence(subject: Named, obj: Named, effect: EffectMeasure | None, p: PValue | None, hedged: bool,
               design: str) -> float:
    """Return 0.4 + .15 MeSH subject + .1 known object + .15 stats + .05 CI + .1 RCT/review − .15 hedged (clamped)."""
    score = 0.4 + 0.15 * bool(subject.normalized_id) + 0.1 * bool(obj.normalized_id or obj.canonical)
    score += 0.15 * bool(effect or p) + 0.05 * bool(effect and effect.ci_low is not None)
    score += 0.1 * (design in ("rct", "meta_analysis", "systematic_review")) - 0.15 * hedged
    return round(min(max(score, 0.05), 0.95), 2)


def _verified(data: dict[str, Any], chunk: Chunk) -> Claim | None:
    """Return the claim of the fields with its content id, or None when its quote fails the check."""
    data["id"] = claim_id(data["doc_id"], data["quote"], data["subject"], data["predicate"], data["object"])
    try:
        return Claim.model_validate(data, context={"chunk": chunk})
    except ValidationError:
        return None


class RuleExtractor:
    """Extracts claims from result sentences with regex cues and a lexicon: deterministic and offline."""

    name = "rules"
    version = "2"

    def __init__(self, model: DirectionModel | None = None) -> None:
        self.model = model or default_model()

    def extract(self, reading: Reading) -> Extraction:
        """Return the verified claims of every chunk of the document, each once."""
        claims: dict[str, Claim] = {}
        for chunk in reading.chunks:
            for claim in self._chunk_claims(reading.doc, chunk, reading.lexicon):
                claims.setdefault(claim.id, claim)
        return Extraction(tuple(claims.values()))

    def _chunk_claims(self, doc: Document, chunk: Chunk, lexicon: Lexicon) -> list[Claim]:
        """Return verified claims for every claim-like sentence of the chunk."""
        claims: dict[str, Claim] = {}
        for start, end in sentence_spans(chunk.text):
            section = doc.section_at(chunk.start + start)
            kind = section.kind if section else chunk.section_kind
            sentence = chunk.text[start:end]
            if kind not in KEEP_SECTIONS or METHODS.search(sentence) or len(sentence) > 1200:
                continue
            quote = Quote(text=sentence, doc_id=doc.id, start=chunk.start + start, end=chunk.start + end,
                          page=doc.page_at(chunk.start + start))
            for claim in self._sentence_claims(doc, chunk, quote, lexicon):
                claims.setdefault(claim.id, claim)
        for row in table_rows(doc.text):
            if chunk.start <= row.start and row.end <= chunk.end and (found := self._row_claim(doc, chunk, row)):
                claims.setdefault(found.id, found)
        return list(claims.values())

    def _row_claim(self, doc: Document, chunk: Chunk, row: Row) -> Claim | None:
        """Return the claim a table row states: its first arm against its second on the row's label."""
        text = doc.text[row.start : row.end]
        quote = Quote(text=text, doc_id=doc.id, start=row.start, end=row.end, page=doc.page_at(row.start))
        if row.arms[0] is None:  # NOTE: a row whose columns have no names cannot say which arm did better.
            return None
        subject = Named(row.arms[0], "intervention")
        obj = Named(doc.text[row.label[0] : row.label[1]], "outcome")
        data: dict[str, Any] = {
            "doc_id": doc.id, "chunk_id": chunk.id, "subject": subject.entity(), "predicate": row.predicate,
            "object": obj.entity(), "direction": row.direction, "kind": "safety" if SAFETY.search(text) else "efficacy",
            "comparator": row.arms[1], "sample_size": doc.sample_size, "study_design": doc.study_design,
            "quote": quote, "extractor": self.name, "extractor_version": self.version,
            "confidence": confidence(subject, obj, None, None, False, doc.study_design),
        }
        return _verified(data, chunk)

    def _sentence_claims(self, doc: Document, chunk: Chunk, quote: Quote, lexicon: Lexicon) -> list[Claim]:
        """Return the claims of one sentence, one per clause with a cue; later clauses inherit subject and object."""
        parsed = parse(quote.text, lexicon)
        out: list[Claim] = []
        for lo, hi in clauses(parsed.masked):
            context = (out[-1].subject, out[-1].object, out[-1].effect) if out else None
            found = self._clause_claim(doc, chunk, quote, parsed, (lo, hi), context)
            if found is not None:
                out.append(found)
        return out

    def _clause_claim(self, doc: Document, chunk: Chunk, quote: Quote, s: Parsed, bounds: tuple[int, int],
                      context: Context | None) -> Claim | None:
        """Return the claim a clause states, or None when it has no cue, subject or object."""
        lo, hi = bounds
        effect, p = clause_stats(s.text[lo:hi], context[2] if context else None)
        parts = _cue_parts(s, lo, hi, effect, context)
        # NOTE: "X was 0.20 with A and 0.07 with B; the ratio was ..." is judged by the sentence's first statistics.
        judged = (effect, p) if parts or effect or p else clause_stats(s.text, None)
        parts = parts or _value_parts(s, lo, hi, context)
        if parts is None:
            return None
        subject, obj, comparator, said = parts
        null_wording = bool(NULL_WORDING.search(s.masked, lo, hi))
        cue = None if undirected(s.masked, lo, hi) else said
        decision = decide(cue, null_wording, *judged, self.model.opinion(s.text) if self.model else None)
        hedged = bool(HEDGES.search(s.text))
        data: dict[str, Any] = {
            "doc_id": doc.id, "chunk_id": chunk.id, "subject": subject.entity(), "predicate": decision.predicate,
            "object": obj.entity(), "direction": decision.direction, "scope": clause_scope(s.text[lo:hi], s.text),
            "kind": "safety" if SAFETY.search(s.text) else (
                "association" if "associated" in said or "risk" in said else "efficacy"),
            "comparator": comparator, "effect": effect, "p_value": p, "hedged": hedged,
            "sample_size": find_sample_size(s.text) or doc.sample_size, "study_design": doc.study_design,
            "quote": quote, "extractor": self.name, "extractor_version": self.version,
            "confidence": confidence(subject, obj, effect, p, hedged, doc.study_design),
        }
        return _verified(data, chunk)
