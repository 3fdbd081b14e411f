"""Answer a question: parse it, retrieve claims, aggregate them into hypotheses with citations."""

from __future__ import annotations

from datetime import date

from kb.answers import Answer, Citation
from kb.claims import Claim
from kb.embed import Embedder
from kb.evidence import assemble_answer
from kb.lexicon import Lexicon
from kb.query import parse_query
from kb.records import citation_from_hit, claim_from_hit
from kb.retrieve import search
from kb.store import Store


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
    return assemble_answer(question, query, pairs)
