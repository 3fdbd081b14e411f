"""Answer a question: parse it, retrieve claims, link trials and papers, aggregate into hypotheses."""

from __future__ import annotations

from datetime import date

from kb.answers import Answer, Citation
from kb.claims import Claim
from kb.embed import Embedder
from kb.evidence import assemble_answer
from kb.lexicon import Lexicon
from kb.linking import link_citations, trial_signals
from kb.query import parse_query
from kb.records import citation_from_hit, claim_from_hit
from kb.retrieve import search
from kb.store import Filter, Match, Store

TRIALS = Filter(must=(Match("kind", "trial"),))


def answer_question(
    question: str,
    *,
    store: Store,
    embedder: Embedder,
    lexicon: Lexicon | None,
    limit: int = 40,
    today: date | None = None,
) -> Answer:
    """Return the answer to a question from what the knowledge base holds."""
    query = parse_query(question, lexicon, today=today or date.today())
    hits = search(store, embedder, query, "claims", limit=limit)
    pairs: list[tuple[Claim, Citation]] = [(claim_from_hit(h), citation_from_hit(h)) for h in hits]
    pairs, links = link_citations(store, pairs)
    # NOTE: trials matter to a question even when they posted no claims (finished, never published).
    trial_hits = search(store, embedder, query, "chunks", limit=20, extra=TRIALS)
    gaps, warnings = trial_signals(store, query, {h.payload["doc_id"] for h in trial_hits}, links)
    return assemble_answer(question, query, pairs, extra_gaps=gaps, extra_uncertain=warnings)
