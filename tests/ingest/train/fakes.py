"""Fakes for training-loader tests: a MiniLM with one state per word, and distilled examples written by hand."""

from __future__ import annotations

import re
import zlib
from collections.abc import Sequence
from typing import Any

import numpy as np

from ingest.train.examples import TrainingExample
from kb.embed import MINILM_DIM, Encoded, TokenStates


class WordEncoder:
    """Encodes each word as one token whose vector is seeded by the word (so equal words get equal vectors)."""

    name = "fake-words"
    dim = MINILM_DIM

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Return one unit vector per text and per-word token states."""
        self.calls.append(list(texts))
        states = []
        for text in texts:
            spans = np.array([m.span() for m in re.finditer(r"\w+|[^\w\s]", text)], dtype=np.int64).reshape(-1, 2)
            vectors = np.stack([np.random.default_rng(zlib.crc32(text[s:e].encode())).standard_normal(MINILM_DIM)
                                for s, e in spans]).astype(np.float32) if len(spans) else np.zeros((0, MINILM_DIM))
            states.append(TokenStates(vectors.astype(np.float32), spans))
        return Encoded([[1.0] + [0.0] * (MINILM_DIM - 1) for _ in texts], states)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit vector per text."""
        return self.encode(texts).vectors


def _at(sentence: str, name: str) -> tuple[int, int] | None:
    """Return where name first stands in sentence (None when it does not)."""
    at = sentence.find(name)
    return (at, at + len(name)) if at >= 0 else None


def example(sentence: str, subject: str, obj: str, **fields: Any) -> TrainingExample:
    """Return a distilled example of a results sentence (subject and object found in it), fields overriding."""
    data: dict[str, Any] = {
        "claim_id": f"claim-{subject}-{obj}", "doc_id": "doc-1", "title": "A trial", "source": "in/trial.md",
        "sentence": sentence, "start": 100, "end": 100 + len(sentence), "index": 4, "sentences": 10,
        "position": 0.5, "section": "results", "quote": (0, len(sentence)), "subject": subject,
        "subject_type": "intervention", "subject_span": _at(sentence, subject), "object": obj,
        "object_span": _at(sentence, obj),
        "predicate": "decreases", "direction": "decrease", "restatable": True, "model": "big", "prompt_version": "v"}
    return TrainingExample.model_validate(data | fields)
