"""Distilled training examples out of a knowledge base: every stored LLM claim in its sentence, as JSON lines.

Every claim stored with extractor "llm" passed the gates (a finding of this study, named entities, a direction the
statistics allow), so each is one example (format: ingest/train/examples.py) for
`python -m ingest.train roles pico direction --examples FILE`. A document's sentences are cut as its Reading cut
them: from the chunks ingest stored for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TextIO

from ingest.nlp.sentences import document_sentences
from ingest.train.examples import TrainingExample, from_claim
from kb.records import chunk_from_hit, claim_from_hit, document_from_hit
from kb.store import Filter, Match, Store

LLM = "llm"


def llm_documents(store: Store) -> list[str]:
    """Return the ids of the documents that hold a claim extracted by a language model, in a stable order."""
    hits = store.scroll("claims", fields=["doc_id", "extractor"])
    return sorted({str(h.payload["doc_id"]) for h in hits if h.payload.get("extractor") == LLM})


def document_examples(store: Store, doc_id: str) -> Iterator[TrainingExample | None]:
    """Yield the example of each of a document's LLM claims in quote order (None for one no sentence holds)."""
    found = store.retrieve("documents", [doc_id])
    if not found:
        return
    doc = document_from_hit(found[0])
    only = Filter((Match("doc_id", doc_id),))
    chunks = sorted((chunk_from_hit(h) for h in store.scroll("chunks", only)), key=lambda c: (c.start, c.end))
    sentences = document_sentences(doc, chunks)
    claims = [claim_from_hit(h) for h in store.scroll("claims", only) if h.payload.get("extractor") == LLM]
    for claim in sorted(claims, key=lambda c: (c.quote.start, c.quote.end, c.id)):
        yield from_claim(claim, doc, sentences)


def training_examples(store: Store) -> Iterator[TrainingExample | None]:
    """Yield the example of every stored LLM claim, a document at a time (never the whole store at once)."""
    for doc_id in llm_documents(store):
        yield from document_examples(store, doc_id)


def write_examples(examples: Iterator[TrainingExample | None], out: TextIO) -> tuple[int, int]:
    """Write examples as JSON lines; return how many were written and how many claims no sentence held."""
    written = skipped = 0
    for example in examples:
        if example is None:
            skipped += 1
            continue
        out.write(example.model_dump_json() + "\n")
        written += 1
    return written, skipped
