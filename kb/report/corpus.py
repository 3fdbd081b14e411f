"""What a report needs from the store: the corpus behind it and the documents it cites."""

from __future__ import annotations

import hashlib
from datetime import datetime

from kb.answers import Answer
from kb.models import Document
from kb.records import document_from_hit
from kb.report.model import Corpus
from kb.store import Store


def corpus_of(store: Store, label: str, generated_at: datetime) -> Corpus:
    """Return the corpus facts: counts, year range and a fingerprint of every document version."""
    versions: list[tuple[str, str]] = []
    years: list[int] = []
    trials = 0
    # NOTE: only the fields counted here; a document's payload also carries its whole text.
    for hit in store.scroll("documents", fields=("content_hash", "kind", "year")):
        versions.append((hit.id, str(hit.payload.get("content_hash"))))
        trials += hit.payload.get("kind") == "trial"
        if isinstance(hit.payload.get("year"), int):
            years.append(hit.payload["year"])
    digest = hashlib.sha256("".join(f"{i}:{v}\n" for i, v in sorted(versions)).encode())
    return Corpus(
        documents=len(versions), trials=trials, year_min=min(years, default=None),
        year_max=max(years, default=None), store=label, fingerprint=digest.hexdigest()[:16],
        generated_at=generated_at,
    )


def cited_documents(store: Store, answer: Answer) -> list[Document]:
    """Return the stored documents an answer cites, in a stable order."""
    ids = sorted({c.doc_id for h in (*answer.hypotheses, *answer.speculative)
                  for c in (*h.supporting, *h.contradicting)})
    return [document_from_hit(h) for h in store.retrieve("documents", ids)] if ids else []
