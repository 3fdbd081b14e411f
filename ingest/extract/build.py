"""What every rule-built claim shares: its extraction confidence and the check that makes it a Claim."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ingest.extract.clauses import Named
from kb.claims import Claim, EffectMeasure, PValue, claim_id
from kb.models import Chunk


def confidence(subject: Named, obj: Named, effect: EffectMeasure | None, p: PValue | None, hedged: bool,
               design: str) -> float:
    """Return 0.4 + .15 MeSH subject + .1 known object + .15 stats + .05 CI + .1 RCT/review − .15 hedged (clamped)."""
    score = 0.4 + 0.15 * bool(subject.normalized_id) + 0.1 * bool(obj.normalized_id or obj.canonical)
    score += 0.15 * bool(effect or p) + 0.05 * bool(effect and effect.ci_low is not None)
    score += 0.1 * (design in ("rct", "meta_analysis", "systematic_review")) - 0.15 * hedged
    return round(min(max(score, 0.05), 0.95), 2)


def verified(data: dict[str, Any], chunk: Chunk) -> Claim | None:
    """Return the claim of the fields with its content id, or None when its quote fails the check."""
    data["id"] = claim_id(data["doc_id"], data["quote"], data["subject"], data["predicate"], data["object"])
    try:
        return Claim.model_validate(data, context={"chunk": chunk})
    except ValidationError:
        return None
