"""PICO spans: participants (P), interventions and comparators (I) and outcomes (O) tagged over the chunk pass.

A small numpy MLP reads each MiniLM word piece's state beside its neighbours' (±2) and a few shape features, and
says P, I, O or nothing; the pieces' probabilities are averaged per whole word (across overlapping chunks) and runs of
words with one label inside one sentence become spans. Weights: `pico_weights.npz` beside this file, trained by
`python -m ingest.train pico` (report: ingest/train/reports/pico.md).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np

from ingest.nlp.entities import FUNCTION_WORDS
from kb.segment import sentence_spans
from kb.embed import TokenStates

WEIGHTS = Path(__file__).with_name("pico_weights.npz")
LABELS: tuple[str, ...] = ("-", "P", "I", "O")  # NOTE: index 0 is "no PICO element"
WIDTH = 2  # NOTE: neighbours on each side whose states join a piece's own
SHAPES = 7
PicoLabel = Literal["P", "I", "O"]

_WORD = re.compile(r"\w+(?:[-/'’]\w+)*|[^\w\s]")


@dataclass(frozen=True)
class PicoSpan:
    """A participants, intervention/comparator or outcome mention: its span in the document text and its score."""

    start: int
    end: int
    label: PicoLabel
    score: float


@dataclass(frozen=True)
class TextShape:
    """Per-character facts about a document text that the shape features read (computed once per document)."""

    word_start: np.ndarray  # NOTE: start of the alphanumeric run holding each character (its own index if none)
    word_end: np.ndarray
    digits: np.ndarray  # NOTE: cumulative count of digits, length len(text) + 1
    depth: np.ndarray  # NOTE: bracket depth at each character, reset at every line end
    text: str


def text_shape(text: str) -> TextShape:
    """Return the word bounds, digit counts and bracket depth of every character of a text."""
    n = len(text)
    alnum = np.fromiter((c.isalnum() for c in text), dtype=bool, count=n)
    idx = np.arange(n)
    starts = np.where(alnum & ~np.concatenate(([False], alnum[:-1])), idx, 0) if n else idx
    word_start = np.where(alnum, np.maximum.accumulate(starts) if n else idx, idx)
    ends = np.where(alnum & ~np.concatenate((alnum[1:], [False])), idx + 1, n + 1) if n else idx
    word_end = np.where(alnum, np.minimum.accumulate(ends[::-1])[::-1] if n else idx, idx + 1)
    digits = np.concatenate(([0], np.cumsum([c.isdigit() for c in text]))).astype(np.int64)
    depth = np.zeros(n, dtype=np.int8)
    level = 0
    for i, c in enumerate(text):
        if c in "([":
            level += 1
        elif c in ")]":
            level = max(level - 1, 0)
        elif c == "\n":
            level = 0
        depth[i] = min(level, 1)
    return TextShape(word_start, word_end, digits, depth, text)


def shape_features(shape: TextShape, spans: np.ndarray) -> np.ndarray:
    """Return (pieces, SHAPES) flags: capitalised, all caps, digit, punctuation, word-inner, in brackets, first."""
    out = np.zeros((len(spans), SHAPES), dtype=np.float32)
    text = shape.text
    for row, (s, _e) in enumerate(spans.tolist()):
        if not 0 <= s < len(text):
            continue
        ws, we = int(shape.word_start[s]), int(shape.word_end[s])
        word = text[ws:we]
        before = text[max(ws - 3, 0) : ws].rstrip()
        out[row] = (word[:1].isupper(), len(word) > 1 and word.isupper(), shape.digits[we] > shape.digits[ws],
                    not text[s].isalnum(), s > ws, shape.depth[s], not before or before[-1] in ".!?:\n")
    return out


def neighbour_index(n: int) -> np.ndarray:
    """Return (n, 2 * WIDTH) indices of each piece's neighbours (-1 past either end), nearest first."""
    idx = np.arange(n)[:, None]
    offsets = np.array([d for k in range(1, WIDTH + 1) for d in (-k, k)])[None, :]
    found = idx + offsets
    return np.where((found >= 0) & (found < n), found, -1)


def stack_features(padded: np.ndarray, rows: np.ndarray, neighbours: np.ndarray, shapes: np.ndarray) -> np.ndarray:
    """Return the model input for the pieces `rows`: own state, neighbours' states, shape flags; `padded` ends with a
    zero row, which neighbour index -1 reads."""
    parts = [padded[rows]] + [padded[neighbours[rows, j]] for j in range(neighbours.shape[1])]
    return np.hstack([*parts, shapes[rows]]).astype(np.float32)


def piece_features(states: TokenStates, shape: TextShape) -> np.ndarray:
    """Return the model input of every piece of one chunk's states (document coordinates)."""
    n = len(states.spans)
    padded = np.vstack([states.vectors, np.zeros((1, states.vectors.shape[1]), dtype=states.vectors.dtype)])
    return stack_features(padded, np.arange(n), neighbour_index(n), shape_features(shape, states.spans))


@dataclass(frozen=True)
class PicoModel:
    """A one-hidden-layer MLP over standardised piece features, and the decoding settings chosen in training."""

    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    min_score: float

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Return (pieces, 4) label probabilities in LABELS order."""
        h = np.maximum(((x - self.mean) / self.scale) @ self.w1 + self.b1, 0.0)
        z = h @ self.w2 + self.b2
        z -= z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)  # type: ignore[no-any-return]


def load_model(path: Path = WEIGHTS) -> PicoModel:
    """Read the tagger's weights (an .npz without pickles)."""
    with np.load(path, allow_pickle=False) as z:
        meta = json.loads(str(z["meta"]))
        f32 = {k: z[k].astype(np.float32) for k in ("mean", "scale", "w1", "b1", "w2", "b2")}
    return PicoModel(**f32, min_score=float(meta["min_score"]))


@cache
def default_model() -> PicoModel:
    """Return the committed tagger, loaded once."""
    return load_model(WEIGHTS)


def word_spans(text: str) -> list[tuple[int, int]]:
    """Return the whole words of a text (hyphen- and slash-joined compounds stay one word) and punctuation marks."""
    return [m.span() for m in _WORD.finditer(text)]


def word_probabilities(chunks_states: Sequence[TokenStates | None], text: str, words: Sequence[tuple[int, int]],
                       model: PicoModel) -> np.ndarray:
    """Return (words, 4) probabilities: the mean over every piece of the word in every chunk (zeros when none)."""
    word_of = np.full(len(text) + 1, -1, dtype=np.int64)
    for i, (s, e) in enumerate(words):
        word_of[s:e] = i
    sums = np.zeros((len(words), len(LABELS)))
    counts = np.zeros(len(words))
    shape = text_shape(text)
    for states in chunks_states:
        if states is None or not len(states.spans):
            continue
        probs = model.probabilities(piece_features(states, shape))
        at = word_of[np.clip(states.spans[:, 0], 0, len(text))]
        ok = at >= 0
        np.add.at(sums, at[ok], probs[ok])
        np.add.at(counts, at[ok], 1.0)
    return sums / np.maximum(counts, 1.0)[:, None]


def _content(word: str) -> bool:
    """Return whether a word can carry a span's meaning (not punctuation, a function word or a bare number)."""
    return any(c.isalpha() for c in word) and word.casefold() not in FUNCTION_WORDS


_CLOSER = {")": "(", "]": "["}
_OPENER = {"(": ")", "[": "]"}


def _balanced(text: str, words: Sequence[tuple[int, int]], lo: int, hi: int, stop: int) -> tuple[int, int]:
    """Return the word range with its brackets balanced: start after a stray closer, take the closers that follow
    (up to word `stop`), else end before an opener left open ("therapy (mCIT" → "therapy (mCIT)")."""
    opened: list[int] = []
    for i in range(lo, hi):
        w = text[words[i][0] : words[i][1]]
        if w in _OPENER:
            opened.append(i)
        elif w in _CLOSER:
            if opened and text[words[opened[-1]][0]] == _CLOSER[w]:
                opened.pop()
            else:
                lo, opened = i + 1, []
    while opened and hi < stop and text[words[hi][0] : words[hi][1]] == _OPENER[text[words[opened[-1]][0]]]:
        opened.pop()
        hi += 1
    return (lo, opened[0]) if opened else (lo, hi)


def _trimmed(text: str, words: Sequence[tuple[int, int]], lo: int, hi: int, stop: int) -> tuple[int, int]:
    """Return the word range [lo, hi) balanced and without leading/trailing punctuation or function words."""
    for _ in range(3):  # NOTE: trimming can expose a bracket and balancing a function word; both settle quickly
        while lo < hi and not _content(text[words[lo][0] : words[lo][1]]):
            lo += 1
        while hi > lo and not _content(text[words[hi - 1][0] : words[hi - 1][1]]) \
                and text[words[hi - 1][0] : words[hi - 1][1]] not in _CLOSER:
            hi -= 1
        lo, hi = _balanced(text, words, lo, hi, stop)
    return lo, hi


def _fragment(text: str, words: Sequence[tuple[int, int]], lo: int, hi: int) -> bool:
    """Return whether a span is a lone short token ("n", "E"): not a name, whatever the model says."""
    content = [text[s:e] for s, e in words[lo:hi] if _content(text[s:e])]
    return len(content) == 1 and len(content[0]) < 3 and not (len(content[0]) == 2 and content[0].isupper())


def decode(text: str, words: Sequence[tuple[int, int]], probs: np.ndarray,
           sentences: Sequence[tuple[int, int]], min_score: float) -> list[PicoSpan]:
    """Return spans from word probabilities: runs of one label inside one sentence, trimmed to content words."""
    best = probs.argmax(axis=1)
    score = probs[np.arange(len(words)), best]
    best = np.where(score >= min_score, best, 0)
    sentence_of = np.full(len(words), -1)
    starts = np.array([s for s, _ in sentences], dtype=np.int64)
    for i, (s, e) in enumerate(words):
        k = int(np.searchsorted(starts, s, side="right")) - 1
        if k >= 0 and e <= sentences[k][1]:
            sentence_of[i] = k
    spans: list[PicoSpan] = []
    i = 0
    while i < len(words):
        j = i + 1
        while j < len(words) and best[j] == best[i] and sentence_of[j] == sentence_of[i]:
            j += 1
        if best[i] and sentence_of[i] >= 0:
            stop = j
            while stop < len(words) and sentence_of[stop] == sentence_of[i]:
                stop += 1
            lo, hi = _trimmed(text, words, i, j, stop)
            if lo < hi and not _fragment(text, words, lo, hi):
                spans.append(PicoSpan(words[lo][0], words[hi - 1][1], LABELS[best[i]],  # type: ignore[arg-type]
                                      round(float(score[lo:hi].mean()), 4)))
        i = j
    return spans


def tag_pico(chunks_states: Sequence[TokenStates | None], text: str,
             sentences: Sequence[tuple[int, int]] | None = None, model: PicoModel | None = None) -> list[PicoSpan]:
    """Return the P, I and O spans of a document from its chunks' token states (document coordinates), in text
    order; `sentences` are (start, end) spans (found with pysbd when not given)."""
    model = model or default_model()
    words = word_spans(text)
    if not words:
        return []
    probs = word_probabilities(chunks_states, text, words, model)
    bounds = list(sentences) if sentences is not None else sentence_spans(text)
    return decode(text, words, probs, sorted(bounds), model.min_score)


def label_at(spans: Sequence[PicoSpan], start: int, end: int) -> PicoLabel | None:
    """Return the label of the span that holds text[start:end] whole (the highest-scoring one), or None."""
    holding = [s for s in spans if s.start <= start and end <= s.end]
    return max(holding, key=lambda s: s.score).label if holding else None
