"""Sentence features for the role model, built exactly as ingest builds them and cached on disk.

Each document is chunked as ingest chunks it (1000/150), every chunk encoded as "title\\nchunk" by MiniLM, and each
sentence's vector pooled from those token states (ingest/nlp/sentences.py). Vectors are cached per document outside
the repository, so a rerun encodes nothing. A distilled example (ingest/train/examples.py) carries its sentence
alone, so its vector is that sentence encoded by itself, as `fill_missing` encodes one no chunk holds whole.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from itertools import islice
from pathlib import Path

import numpy as np

from ingest.chunk import chunk_document
from ingest.nlp.cues import attach_references
from ingest.nlp.roles import cue_features, cue_row
from ingest.nlp.sentences import Sentence, chunk_states, document_sentences, encoded_text, sentence_vectors
from ingest.train.examples import TrainingExample, article_keys
from ingest.train.roles_data import Labelled, held_out, sentence_labels
from kb.embed import MINILM_DIM, Embedder

CHUNK, OVERLAP = 1000, 150
DISTILLED = "distilled"  # NOTE: the source name of distilled examples' rows
GROUP = 24  # NOTE: documents encoded together, so short abstracts fill the encoder's batches


@dataclass
class Table:
    """Labelled sentences of many documents, one row each, in document order."""

    texts: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    roles: list[str | None] = field(default_factory=list)
    findings: list[bool | None] = field(default_factory=list)
    held: list[bool] = field(default_factory=list)
    vectors: list[np.ndarray] = field(default_factory=list)
    has: list[bool] = field(default_factory=list)
    cues: list[np.ndarray] = field(default_factory=list)
    cues_masked: list[np.ndarray] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    @cached_property
    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return (vectors, cue features, cue features with the section hidden) as arrays, once the table is full."""
        return np.asarray(self.vectors), np.asarray(self.cues), np.asarray(self.cues_masked)

    def add(self, item: Labelled, sentences: list[Sentence], vectors: list[np.ndarray | None]) -> None:
        """Append one document's sentences with their labels and features."""
        texts = attach_references([item.doc.text[s.start : s.end] for s in sentences])
        labels = sentence_labels(item, sentences, texts)
        self.texts += texts
        self.sources += [item.source] * len(texts)
        self.keys += [item.key] * len(texts)
        self.sections += [s.section for s in sentences]
        self.roles += [r for r, _ in labels]
        self.findings += [f for _, f in labels]
        self.held += [held_out(item.source, item.key)] * len(texts)
        self.vectors += [np.zeros(MINILM_DIM, np.float32) if v is None else v.astype(np.float32) for v in vectors]
        self.has += [v is not None for v in vectors]
        self.cues += list(cue_features(texts, sentences))
        self.cues_masked += list(cue_features(texts, sentences, section=False))
        self.weights += [1.0] * len(texts)

    @property
    def distilled(self) -> bool:
        """Return whether the table holds distilled examples (their rows are fitted, never scored)."""
        return DISTILLED in self.sources


def _cache_path(cache: Path, item: Labelled, embedder: Embedder) -> Path:
    """Return the cache file of one document's sentence vectors (keyed by its content and the encoder)."""
    digest = hashlib.sha1(f"{item.source}|{item.doc.id}|{item.doc.content_hash}|{len(item.doc.text)}|"
                          f"{embedder.name}|{CHUNK}/{OVERLAP}".encode()).hexdigest()
    return cache / f"{item.source}-{digest[:20]}.npz"


def _cached(path: Path, sentences: list[Sentence]) -> list[np.ndarray | None] | None:
    """Return the cached vectors when the file holds exactly these sentences, else None."""
    if not path.is_file():
        return None
    with np.load(path, allow_pickle=False) as raw:
        if raw["spans"].tolist() != [[s.start, s.end] for s in sentences]:
            return None
        return [None if np.isnan(v[0]) else v for v in raw["vectors"]]


def _store(path: Path, sentences: list[Sentence], vectors: list[np.ndarray | None]) -> None:
    """Write one document's sentence vectors (NaN rows where a sentence has none)."""
    rows = np.full((len(sentences), MINILM_DIM), np.nan, np.float32)
    for i, v in enumerate(vectors):
        if v is not None:
            rows[i] = v
    spans = np.array([[s.start, s.end] for s in sentences], np.int64).reshape(-1, 2)
    np.savez(path, spans=spans, vectors=rows)


def _encode_group(group: list[Labelled], embedder: Embedder, cache: Path) -> Iterator[tuple[Labelled, list[Sentence],
                                                                                            list[np.ndarray | None]]]:
    """Yield each document of a group with its sentences and vectors, encoding those not cached in one call."""
    parts = []
    for item in group:
        chunks = chunk_document(item.doc, CHUNK, OVERLAP)
        sentences = document_sentences(item.doc, chunks)
        parts.append((item, chunks, sentences, _cached(_cache_path(cache, item, embedder), sentences)))
    todo = [encoded_text(item.doc, c) for item, chunks, _, found in parts if found is None for c in chunks]
    states = iter(embedder.encode(todo).states if todo else [])
    for item, chunks, sentences, found in parts:
        if found is None:
            mine = [chunk_states(item.doc, c, next(states)) for c in chunks]
            found = sentence_vectors(sentences, chunks, mine)
            _store(_cache_path(cache, item, embedder), sentences, found)
        yield item, sentences, found


def build_table(items: Iterable[Labelled], embedder: Embedder, cache: Path) -> Table:
    """Return the labelled sentences of every document with their features (vectors from the cache when there)."""
    cache.mkdir(parents=True, exist_ok=True)
    table = Table()
    stream = iter(items)
    while group := list(islice(stream, GROUP)):
        for item, sentences, vectors in _encode_group(group, embedder, cache):
            table.add(item, sentences, vectors)
    return table


def example_key(example: TrainingExample) -> str:
    """Return the key an example's article goes by here: its PMCID digits (as Evidence Inference's), else its PMID."""
    keys = sorted(article_keys(example))
    pmc = [k.removeprefix("pmc:") for k in keys if k.startswith("pmc:")]
    pmid = [k.removeprefix("pmid:") for k in keys if k.startswith("pmid:")]
    return (pmc or pmid or [f"doc:{example.doc_id}"])[0]


def example_rows(table: Table, examples: Iterable[TrainingExample], embedder: Embedder, weight: float) -> int:
    """Append each distilled sentence once as a finding (role unknown), fitted only; return how many were added.

    A quote over several sentences says no single one is a finding, so it is left out.
    """
    seen, todo = set(), []
    for example in examples:
        if example.parts == 1 and (example.doc_id, example.start, example.end) not in seen:
            seen.add((example.doc_id, example.start, example.end))
            todo.append(example)
    states = embedder.encode([e.sentence for e in todo]).states if todo else []
    for example, state in zip(todo, states, strict=True):
        s = Sentence(example.start, example.end, example.section, example.position)
        vector = state.pooled(0, len(example.sentence)) if state is not None else None
        table.texts.append(example.sentence)
        table.sources.append(DISTILLED)
        table.keys.append(example_key(example))
        table.sections.append(example.section)
        table.roles.append(None)
        table.findings.append(True)
        table.held.append(False)
        table.vectors.append(np.zeros(MINILM_DIM, np.float32) if vector is None else vector.astype(np.float32))
        table.has.append(vector is not None)
        table.cues.append(cue_row(example.sentence, s, example.index, example.sentences))
        table.cues_masked.append(cue_row(example.sentence, s, example.index, example.sentences, section=False))
        table.weights.append(weight)
    table.__dict__.pop("arrays", None)  # NOTE: the cached arrays, if read already, no longer hold every row
    return len(todo)
