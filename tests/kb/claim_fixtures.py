"""Cited claims built directly (quotes verified against their chunk), and questions, for the evidence tests."""

from __future__ import annotations

from typing import Any

from kb.answers import CitedClaim, Query, QueryEntity, Role, Source
from kb.claims import Claim, Direction, EffectMeasure, PValue, Quote, claim_id
from kb.models import Chunk, Entity, EntityType, entity_id, make_id

PREDICATE: dict[Direction, str] = {"decrease": "decreases", "increase": "increases",
                                   "no_difference": "no_effect_on", "unclear": "associated_with"}
HR_BENEFIT = EffectMeasure(type="HR", value=0.8, ci_low=0.7, ci_high=0.9)
SIGNIFICANT = PValue(value=0.001, operator="<")
NOT_SIGNIFICANT = PValue(value=0.45)


def entity(name: str, type_: EntityType, norm: str | None = None) -> Entity:
    """Return an entity with its stable id."""
    return Entity(id=entity_id(name, type_, norm), name=name, type=type_, normalized_id=norm)


def cited(doc: str, sentence: str, direction: Direction = "decrease", *, subject: str = "aspirin",
          obj: str = "stroke", design: str = "rct", n: int | None = 300, text: str | None = None,
          source: dict[str, Any] | None = None, study: str = "", includes: tuple[str, ...] = (),
          **extra: Any) -> CitedClaim:
    """Return a claim whose quote is verified against its chunk, with the document it cites."""
    doc_id = make_id("doc", doc)
    text = text if text is not None else f"{doc.title()}: a study. {sentence} Further details follow."
    chunk = Chunk(id=make_id("chunk", doc_id, 0), doc_id=doc_id, text=text, start=0, end=len(text),
                  section="Results", section_kind="results")
    at = extra.pop("at", text.index(sentence))
    quote = Quote(text=sentence, doc_id=doc_id, start=at, end=at + len(sentence))
    subj = extra.pop("subject_entity", entity(subject, "intervention"))
    target = extra.pop("object_entity", entity(obj, "outcome"))
    predicate = extra.pop("predicate", PREDICATE[direction])
    fields = dict(id=claim_id(doc_id, quote, subj, predicate, target), doc_id=doc_id, chunk_id=chunk.id,
                  subject=subj, predicate=predicate, object=target, direction=direction, study_design=design,
                  sample_size=n, quote=quote, extractor="test", extractor_version="1", confidence=0.9)
    claim = Claim.model_validate({**fields, **extra}, context={"chunk": chunk})
    facts = {"title": f"{doc.title()}: a study", "source": f"{doc}.xml", "study_design": design, **(source or {})}
    return CitedClaim(claim=claim, source=Source(doc_id=doc_id, **facts), study_id=study, includes=includes)


def rct(doc: str, direction: Direction = "decrease", n: int | None = 300, **extra: Any) -> CitedClaim:
    """Return one validated aspirin-stroke trial result in the given direction, with its statistics."""
    sentence = {"decrease": "Aspirin reduced stroke (HR 0.80, 95% CI 0.70-0.90).",
                "increase": "Aspirin increased stroke (p < 0.001).",
                "no_difference": "Aspirin did not change stroke rates (p = 0.45).",
                "unclear": "Stroke was recorded in both arms."}[direction]
    extra.setdefault("effect", HR_BENEFIT if direction == "decrease" else None)
    extra.setdefault("p_value", {"increase": SIGNIFICANT, "no_difference": NOT_SIGNIFICANT}.get(direction))
    extra.setdefault("restatable", True)
    return cited(doc, sentence, direction, n=n, **extra)


def query_of(*entities: tuple[Role, str], question: str = "q") -> Query:
    """Return a question of named entities, each its own name."""
    types: dict[Role, EntityType] = {"comparator": "intervention", "other": "other"}
    found = tuple(QueryEntity(text=t, role=r, name=t, type=types.get(r, r))  # type: ignore[arg-type]
                  for r, t in entities)
    return Query(question=question, entities=found)


ASPIRIN_STROKE = query_of(("intervention", "aspirin"), ("outcome", "stroke"))
