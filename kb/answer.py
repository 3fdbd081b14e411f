"""Answer a question: understand it, retrieve claims, link studies, check the store for gaps, assemble."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from kb.answers import Answer, Citation, CitedClaim, Narrowing, Query, QueryEntity
from kb.embed import Embedder
from kb.errors import QuestionError
from kb.lexicon import Lexicon
from kb.linking import link_citations, trial_signals
from kb.query import narrowed, parse_query
from kb.records import cited_claim_from_hit
from kb.retrieve import mentions, pair_text, search
from kb.sparse import encode_query
from kb.sections import assemble_answer
from kb.store import Filter, Hit, Match, Store
from kb.synonyms import expand_query

TRIALS = Filter(must=(Match("kind", "trial"),))
PAIR_LIMIT = 40


def asked_pairs(query: Query) -> list[tuple[QueryEntity | None, QueryEntity | None]]:
    """Return each (intervention, outcome) the question asks about; a missing side is None."""
    interventions: list[QueryEntity | None] = [*query.by_role("intervention")] or [None]
    outcomes: list[QueryEntity | None] = [*query.by_role("outcome")] or [None]
    return [(i, o) for i in interventions for o in outcomes if i is not None or o is not None]


def _claims(store: Store, embedder: Embedder, query: Query, limit: int) -> list[Hit]:
    """Return the claims retrieved for the question, plus those found for each asked intervention and outcome."""
    hits = {h.id: h for h in search(store, embedder, query, "claims", limit=limit)}
    # NOTE: the question's own wording may rank a matching claim below the cut; each asked pair is searched too.
    for i, o in asked_pairs(query):
        for h in search(store, embedder, query, "claims", limit=PAIR_LIMIT, text=pair_text(i, o)):
            hits.setdefault(h.id, h)
    return list(hits.values())


def coverage(store: Store, query: Query) -> dict[tuple[str, str], Sequence[Citation]]:
    """Return, for each asked intervention and outcome, the passages of the whole store that name both."""
    return {(i.name if i else "", o.name if o else ""): mentions(store, query, i, o) for i, o in asked_pairs(query)}


def answer_question(
    question: str,
    *,
    store: Store,
    embedder: Embedder,
    lexicon: Lexicon | None,
    limit: int = 40,
    today: date | None = None,
    extractive: bool = False,
    narrowing: Narrowing | None = None,
) -> Answer:
    """Return the answer to a question from what the knowledge base holds (no generated sentence if extractive),
    under the question's own filters and any chosen beside it."""
    if not encode_query(question).indices:  # NOTE: else a question of spaces lists the whole knowledge base.
        raise QuestionError("the question has no word to search for; ask about a treatment, an outcome or a "
                            "condition, e.g. 'Does metformin lower HbA1c in type 2 diabetes?'")
    query = expand_query(parse_query(question, lexicon, today=today or date.today()), lexicon)
    if narrowing is not None:
        query = narrowed(query, narrowing)
    cited: list[CitedClaim] = [cited_claim_from_hit(h) for h in _claims(store, embedder, query, limit)]
    cited, links = link_citations(store, cited)
    # NOTE: trials matter to a question even when they posted no claims (finished, never published).
    trial_hits = search(store, embedder, query, "chunks", limit=20, extra=TRIALS)
    gaps, warnings = trial_signals(store, query, {h.payload["doc_id"] for h in trial_hits}, links)
    return assemble_answer(question, query, cited, cites=links.cites, coverage=coverage(store, query),
                           extra_gaps=gaps, extra_uncertain=warnings, extractive=extractive)
