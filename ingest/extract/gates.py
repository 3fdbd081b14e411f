"""The gates every claim from a language model passes, the same the rule extractor applies as it reads.

Finding: the quote's sentences are this study's own findings (the Reading's sentence roles), never other work.
Entities: subject and object are names, not fragments or function words. Direction: the quote's statistics decide
significance (`decide`), the model's words only a direction the statistics leave open. Design and population: the
document's, as its reader and the Reading found them. A claim that fails a gate is dropped and counted.
"""

from __future__ import annotations

from dataclasses import dataclass

from ingest.extract.clauses import NULL_WORDING, undirected
from ingest.extract.direction import DirectionModel, decide
from ingest.extract.stats import find_effects, find_p_values
from ingest.nlp.entities import is_entity_name
from ingest.nlp.mentions import mask_brackets
from ingest.nlp.reading import Reading
from kb.claims import Claim, claim_id


@dataclass(frozen=True)
class Gated:
    """A claim after the gates: the kept claim, or why it was dropped."""

    claim: Claim | None
    reason: str = ""


def finding_gate(claim: Claim, reading: Reading) -> str | None:
    """Return why a claim's quote is not a finding of this study, or None when it is."""
    if claim.quote.field is not None:
        return None  # NOTE: a registry record's posted result is the study's own by construction
    found = reading.sentences_in(claim.quote.start, claim.quote.end)
    if not found:
        return "the quote lies in no sentence MedKB read"
    roles = [reading.roles[i] for i in found]
    if any(r.other_work for r in roles):
        return "the quote reports other studies' work"
    if not any(r.finding for r in roles):
        return f"the quote is not a finding of this study ({roles[0].vetoed or roles[0].role})"
    return None


def gate(claim: Claim, reading: Reading, model: DirectionModel | None) -> Gated:
    """Return the claim with its direction, restatability, design, population and hedging set by the gates."""
    why = finding_gate(claim, reading)
    if why is None and not (is_entity_name(claim.subject.name) and is_entity_name(claim.object.name)):
        why = f"subject {claim.subject.name!r} or object {claim.object.name!r} is not a name"
    if why is not None:
        return Gated(None, why)
    if claim.predicate == "adverse_event_of":
        return Gated(claim.model_copy(update={"study_design": reading.doc.study_design, "restatable": False}))
    text = claim.quote.text
    masked = mask_brackets(text)
    effects, ps = find_effects(text), find_p_values(text)
    effect = claim.effect or (effects[0] if effects else None)
    p = claim.p_value or (ps[0] if ps else None)
    cue = None if undirected(masked, 0, len(masked)) else claim.predicate
    decision = decide(cue, bool(NULL_WORDING.search(masked)), effect, p, model.opinion(text) if model else None)
    roles = [reading.roles[i] for i in reading.sentences_in(claim.quote.start, claim.quote.end)]
    update = {"id": claim_id(claim.doc_id, claim.quote, claim.subject, decision.predicate, claim.object),
              "predicate": decision.predicate, "direction": decision.direction, "restatable": decision.validated,
              "study_design": reading.doc.study_design, "population": claim.population or reading.population,
              "hedged": claim.hedged or any(r.hedged for r in roles)}
    return Gated(claim.model_copy(update=update))
