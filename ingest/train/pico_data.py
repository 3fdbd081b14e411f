"""Training data for the PICO tagger: EBM-NLP abstracts and Evidence Inference prompts, as chunk-pass features.

Each document is built as ingest builds it, chunked with ingest's chunker and encoded as ingest encodes chunks
("title\\nchunk"); its pieces' states, spans and labels are cached per document under /work/cache/pico/ (or
$MEDKB_PICO_CACHE), so a retrain reads them back instead of re-encoding. Distilled examples (ingest/train/examples.py)
carry their sentence alone: it is encoded by itself (as `fill_missing` encodes a sentence no chunk holds), not cached.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ingest.chunk import chunk_document
from ingest.nlp.sentences import chunk_states, encoded_text
from ingest.readers.layout import Block, assemble
from ingest.readers.text import parse_text
from ingest.train.data import ei_root, ei_split_ids
from ingest.train.examples import TrainingExample
from kb.embed import MINILM_DIM, Embedder, TokenStates
from kb.models import Chunk, Document, content_hash, document_id, make_id

DEFAULT_CACHE = Path("/work/cache/pico")
FEATURES_VERSION = "1"  # NOTE: bump when documents, chunking or labels change, so stale caches are not read
_EBM_LABEL = {"I-PAR": 1, "I-INT": 2, "I-OUT": 3, "O": 0}
_EI_LABEL = {"Intervention": 2, "Comparator": 2, "Outcome": 3}  # NOTE: comparators are I in EBM-NLP's scheme too
UNKNOWN = -1  # NOTE: a piece whose label the data do not give (Evidence Inference marks only prompt strings)
DISTILLED = "distilled"  # NOTE: the source name of distilled sentences
EI_SECTIONS = ("abstract", "results", "conclusions")


@dataclass(frozen=True)
class Labelled:
    """A document, the label of each of its characters (-1 unknown), and its gold tokens where the data has them."""

    key: str
    source: str  # NOTE: "ebm", "ei" or "distilled"
    doc: Document
    char_labels: np.ndarray
    tokens: tuple[tuple[int, int, int], ...] = ()  # NOTE: (start, end, label index) of EBM-NLP tokens
    chunk_kinds: tuple[str, ...] | None = None  # NOTE: section kinds whose chunks are encoded (None: all)


def held_out(pmid: str) -> bool:
    """Return whether an EBM-NLP abstract is in the report's held-out fifth (fixed by its PMID)."""
    return int(hashlib.sha1(f"pico:{pmid}".encode()).hexdigest(), 16) % 5 == 0


def abstract_document(pmid: str, raw: str) -> Document:
    """Return an EBM-NLP abstract ("title\\n\\nabstract") as a Document laid out as the PubMed reader lays one."""
    title, _, rest = raw.strip().partition("\n")
    paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", rest.strip()) if p.strip())
    text, sections = assemble([Block("Title", "title", (title.strip(),)), Block("Abstract", "abstract", paragraphs)])
    digest = content_hash(text)
    return Document(id=document_id("pubmed", digest=digest), kind="pubmed", source=f"ebm_nlp:{pmid}",
                    content_hash=digest, title=title.strip(), text=text, pmid=pmid, sections=sections)


def align(tokens: list[str], text: str) -> list[tuple[int, int] | None]:
    """Return each token's character span in text (None when it cannot be found near the cursor)."""
    out: list[tuple[int, int] | None] = []
    cursor = 0
    for token in tokens:
        # NOTE: the token files turned non-ASCII letters into "?" and dropped quotes; "?" matches any character.
        pattern = re.compile("".join("." if c == "?" else re.escape(c) for c in token))
        m = pattern.search(text, cursor, min(cursor + 40 + len(token), len(text)))
        if m is None:
            out.append(None)
            continue
        out.append(m.span())
        cursor = m.end()
    return out


def ebm_documents(data: Path) -> Iterator[Labelled]:
    """Yield EBM-NLP's labelled abstracts with every character labelled (0 outside spans)."""
    root = data / "ebm_nlp"
    texts = {}
    with gzip.open(root / "documents_trainpool.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            texts[row["pmid"]] = row["text"]
    with gzip.open(root / "ebmnlp_trainpool_pio_io.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            doc = abstract_document(row["pmid"], texts[row["pmid"]])
            labels = np.zeros(len(doc.text), dtype=np.int8)
            tokens = []
            for span, tag in zip(align(row["tokens"], doc.text), row["labels"], strict=True):
                if span is not None:
                    labels[span[0] : span[1]] = _EBM_LABEL[tag]
                    tokens.append((span[0], span[1], _EBM_LABEL[tag]))
            yield Labelled(row["pmid"], "ebm", doc, labels, tuple(tokens))


def _prompt_spans(text: str, strings: list[tuple[str, int]]) -> list[tuple[int, int, int]]:
    """Return every verbatim, word-bounded occurrence of each (string, label) in text."""
    found: dict[tuple[int, int], set[int]] = {}
    for string, label in strings:
        if len(string) < 3 or not any(c.isalpha() for c in string):
            continue
        for m in re.finditer(rf"(?<!\w){re.escape(string)}(?!\w)", text):
            found.setdefault(m.span(), set()).add(label)
    # NOTE: a string given as an intervention in one prompt and an outcome in another says nothing; dropped.
    return [(s, e, next(iter(labs))) for (s, e), labs in found.items() if len(labs) == 1]


def ei_documents(data: Path) -> Iterator[Labelled]:
    """Yield ev2 TRAIN articles with their prompts' I/C (I) and O strings located verbatim (other chars unknown)."""
    root = ei_root(data)
    allowed = ei_split_ids(root, "train")
    prompts: dict[str, list[tuple[str, int]]] = {}
    with open(root / "annotations" / "prompts_merged.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["PMCID"] in allowed:
                strings = [(row[key].strip(), label) for key, label in _EI_LABEL.items()]
                prompts.setdefault(row["PMCID"], []).extend(strings)
    for pmcid in sorted(prompts):
        path = root / "txt_files" / f"PMC{pmcid}.txt"
        if not path.is_file():
            continue
        doc = next(parse_text(path))
        labels = np.full(len(doc.text), UNKNOWN, dtype=np.int8)
        spans = _prompt_spans(doc.text, prompts[pmcid])
        for s, e, label in spans:
            labels[s:e] = label
        if spans:
            yield Labelled(f"PMC{pmcid}", "ei", doc, labels, chunk_kinds=EI_SECTIONS)


@dataclass(frozen=True)
class Features:
    """The encoded pieces of one document's chunks: states, document spans, chunk index, label."""

    vectors: np.ndarray  # NOTE: float16 (pieces, 384)
    spans: np.ndarray  # NOTE: int64 (pieces, 2), document coordinates
    chunk: np.ndarray  # NOTE: int32 (pieces,), which encoded chunk each piece came from
    labels: np.ndarray  # NOTE: int8 (pieces,), LABELS index or UNKNOWN

    def chunk_states(self) -> list[TokenStates]:
        """Return the per-chunk TokenStates (document coordinates), as ingest would hold them."""
        out = []
        for c in np.unique(self.chunk):
            rows = self.chunk == c
            out.append(TokenStates(self.vectors[rows].astype(np.float32), self.spans[rows]))
        return out


def _chunks(item: Labelled) -> list[Chunk]:
    """Return the chunks of a document that are encoded: all, or (EI) those of the named section kinds that hold
    a located span."""
    chunks = chunk_document(item.doc, 1000, 150)
    if item.chunk_kinds is None:
        return chunks
    return [c for c in chunks if c.section_kind in item.chunk_kinds and (item.char_labels[c.start : c.end] > 0).any()]


def _piece_labels(char_labels: np.ndarray, spans: np.ndarray, text: str) -> np.ndarray:
    """Return each piece's label: the label of its first non-space character."""
    out = np.empty(len(spans), dtype=np.int8)
    for i, (s, e) in enumerate(spans.tolist()):
        while s < e - 1 and text[s].isspace():
            s += 1
        out[i] = char_labels[s] if 0 <= s < len(char_labels) else UNKNOWN
    return out


def cache_dir() -> Path:
    """Return the features cache folder: $MEDKB_PICO_CACHE, else /work/cache/pico (read when training runs)."""
    return Path(os.environ.get("MEDKB_PICO_CACHE", str(DEFAULT_CACHE)))


def encode(item: Labelled, embedder: Embedder) -> Features:
    """Return a document's chunk-pass features, from the cache when they are there."""
    path = cache_dir() / f"v{FEATURES_VERSION}" / item.source / f"{item.key}-{item.doc.content_hash[:12]}.npz"
    if path.is_file():
        with np.load(path, allow_pickle=False) as z:
            return Features(z["vectors"], z["spans"].astype(np.int64), z["chunk"], z["labels"])
    chunks = _chunks(item)
    encoded = embedder.encode([encoded_text(item.doc, c) for c in chunks]).states if chunks else []
    parts = [(i, chunk_states(item.doc, c, s)) for i, (c, s) in enumerate(zip(chunks, encoded, strict=True))]
    states = [(i, s) for i, s in parts if s is not None and len(s.spans)]
    vectors = np.vstack([s.vectors for _, s in states]) if states else np.zeros((0, MINILM_DIM), np.float32)
    spans = np.vstack([s.spans for _, s in states]) if states else np.zeros((0, 2), np.int64)
    chunk = np.concatenate([np.full(len(s.spans), i, np.int32) for i, s in states]) if states else np.zeros(0, np.int32)
    feats = Features(vectors.astype(np.float16), spans, chunk, _piece_labels(item.char_labels, spans, item.doc.text))
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp.npz")
    np.savez_compressed(tmp, vectors=feats.vectors, spans=spans.astype(np.int32), chunk=chunk, labels=feats.labels)
    tmp.replace(path)
    return feats


def example_labels(examples: list[TrainingExample]) -> np.ndarray:
    """Return one sentence's character labels from its examples: an intervention subject I, an object O, the rest
    unknown (a claim names one subject and one object, not every mention); characters two claims disagree on unknown."""
    text = examples[0].sentence
    votes = np.zeros((len(text), 2), dtype=bool)
    for e in examples:
        if e.subject_span is not None and e.subject_type == "intervention":
            votes[e.subject_span[0] : e.subject_span[1], 0] = True
        if e.object_span is not None:
            votes[e.object_span[0] : e.object_span[1], 1] = True
    labels = np.full(len(text), UNKNOWN, dtype=np.int8)
    labels[votes[:, 0] & ~votes[:, 1]] = _EI_LABEL["Intervention"]
    labels[votes[:, 1] & ~votes[:, 0]] = _EI_LABEL["Outcome"]
    return labels


def example_documents(examples: list[TrainingExample], embedder: Embedder) -> list[tuple[Labelled, Features]]:
    """Return each distilled sentence once, labelled from all its examples, with the states of the sentence encoded by
    itself (one chunk, offsets in the sentence)."""
    by_sentence: dict[tuple[str, int, int], list[TrainingExample]] = {}
    for e in examples:
        by_sentence.setdefault((e.doc_id, e.start, e.end), []).append(e)
    groups = [g for g in by_sentence.values() if (example_labels(g) > 0).any()]
    states = embedder.encode([g[0].sentence for g in groups]).states if groups else []
    out = []
    for group, state in zip(groups, states, strict=True):
        text, labels = group[0].sentence, example_labels(group)
        spans = state.spans.astype(np.int64) if state is not None else np.zeros((0, 2), np.int64)
        vectors = state.vectors if state is not None else np.zeros((0, MINILM_DIM), np.float32)
        doc = Document(id=make_id("distilled", group[0].doc_id, group[0].start), kind="text", source=group[0].source,
                       content_hash=content_hash(text), text=text)
        item = Labelled(f"{group[0].doc_id}:{group[0].start}", DISTILLED, doc, labels)
        out.append((item, Features(vectors.astype(np.float16), spans, np.zeros(len(spans), np.int32),
                                   _piece_labels(labels, spans, text))))
    return out
