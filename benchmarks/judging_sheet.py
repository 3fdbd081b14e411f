"""The judging sheet: a seeded random sample of stored claims, each with its quote in context and what MedKB reads.

One JSON line per claim (`benchmarks/judging/sample-<name>.jsonl`): the claim id, where it is from (file, title,
section), two sentences before and after the quote, the quote, every field the extractor filled, and the statement
MedKB would word from them (`kb.wording`, at high certainty: the bare assertion, no hedge). Judges copy the ids into
`judged-<name>.jsonl` with a verdict (see `benchmarks/judging/RUBRIC.md`).
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from kb.claims import Claim, EffectMeasure, PValue
from kb.models import Document
from kb.records import claim_from_hit, document_from_hit
from kb.store import Store
from kb.wording import wording

CONTEXT_SENTENCES = 2
_WINDOW = 1200  # NOTE: characters looked at on each side for the context sentences.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])|\n+")


def draw(store: Store, n: int, seed: int) -> list[Claim]:
    """Return n stored claims drawn at random with a fixed seed (ids sorted first, so the draw is reproducible)."""
    ids = sorted(h.id for h in store.scroll("claims", fields=["id"]))
    chosen = random.Random(seed).sample(ids, min(n, len(ids)))
    found = {h.id: claim_from_hit(h) for h in store.retrieve("claims", chosen)}
    return [found[i] for i in chosen if i in found]


def _sentences(text: str) -> list[str]:
    """Return the non-empty sentences (or lines) of a text, in order."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def context(doc: Document, start: int, end: int, k: int = CONTEXT_SENTENCES) -> tuple[str, str]:
    """Return up to k sentences before a span and k after it, inside the span's section when one is known."""
    section = doc.section_at(start)
    low, high = (section.start, section.end) if section and section.end >= end else (0, len(doc.text))
    before = _sentences(doc.text[max(low, start - _WINDOW):start])
    after = _sentences(doc.text[end:min(high, end + _WINDOW)])
    # NOTE: the window's cut ends are partial sentences; drop them unless they reach the section edge.
    if start - _WINDOW > low and before:
        before = before[1:]
    if end + _WINDOW < high and after:
        after = after[:-1]
    return " ".join(before[-k:]), " ".join(after[:k])


def effect_text(effect: EffectMeasure | None) -> str | None:
    """Return an effect estimate as a reader writes it ('HR 0.76 (0.59 to 0.98)')."""
    if effect is None:
        return None
    bounds = effect.ci_low is not None and effect.ci_high is not None
    ci = f" ({effect.ci_low:g} to {effect.ci_high:g})" if bounds else ""
    return f"{effect.type} {effect.value:g}{ci}"


def p_text(p: PValue | None) -> str | None:
    """Return a p-value as written ('< 0.001')."""
    return f"{p.operator} {p.value:g}" if p else None


def sheet_row(claim: Claim, doc: Document | None) -> dict[str, Any]:
    """Return one claim's line of the judging sheet."""
    before, after = context(doc, claim.quote.start, claim.quote.end) if doc and doc.text else ("", "")
    section = doc.section_at(claim.quote.start) if doc else None
    return {
        "claim_id": claim.id, "source": Path(doc.source).name if doc else None, "title": doc.title if doc else None,
        "section": f"{section.title} ({section.kind})" if section else None, "field": claim.quote.field,
        "context_before": before, "quote": claim.quote.text, "context_after": after,
        "subject": claim.subject.name, "predicate": claim.predicate, "object": claim.object.name,
        "comparator": claim.comparator, "population": claim.population, "scope": claim.scope,
        "direction": claim.direction, "effect": effect_text(claim.effect), "p_value": p_text(claim.p_value),
        "sample_size": claim.sample_size, "sample_size_type": claim.sample_size_type,
        "study_design": claim.study_design, "hedged": claim.hedged, "restatable": claim.restatable,
        "extractor": claim.extractor, "confidence": claim.confidence,
        "statement": wording([claim], claim.direction, "high"),
    }


def sheet(store: Store, n: int, seed: int) -> list[dict[str, Any]]:
    """Return the judging sheet of n claims drawn from the store."""
    claims = draw(store, n, seed)
    docs = {h.id: document_from_hit(h) for h in store.retrieve("documents", sorted({c.doc_id for c in claims}))}
    return [sheet_row(c, docs.get(c.doc_id)) for c in claims]


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> None:
    """Write rows as JSON lines (UTF-8, one object a line)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Return the objects of a JSON lines file (blank lines skipped)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def ids_of(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Return the claim ids of sheet or judgement rows."""
    return [str(r["claim_id"]) for r in rows]
