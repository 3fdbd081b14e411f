"""A small trained direction model: does a result sentence report an increase, a decrease or no difference?

Multinomial logistic regression over binary word and bigram features, trained by ingest/train/direction.py
on the Evidence Inference 2.0 train split only; the coefficients ship as JSON (no pickle) and inference is numpy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ingest.extract.stats import find_p_values
from kb.claims import Direction
from kb.errors import ConfigError

WEIGHTS = Path(__file__).resolve().parent / "direction_weights.json"
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?|[<>=≤≥%]")


def features(text: str) -> list[str]:
    """Return the sentence's features: lowercase words (numbers as '0'), bigrams, and p-value significance."""
    words = ["0" if t[0].isdigit() else t for t in _TOKEN.findall(text.casefold())]
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    ps = find_p_values(text)
    if ps:
        significant = any(p.value < 0.05 or (p.operator in ("<", "<=") and p.value <= 0.05) for p in ps)
        grams.append("__p_significant" if significant else "__p_not_significant")
    return grams


@dataclass(frozen=True)
class DirectionModel:
    """Coefficients of the trained classifier and the feature vocabulary they index."""

    labels: tuple[Direction, ...]
    vocabulary: dict[str, int]
    coef: np.ndarray
    intercept: np.ndarray

    def probabilities(self, text: str) -> dict[Direction, float]:
        """Return the probability of each direction for a sentence."""
        idx = sorted({self.vocabulary[f] for f in features(text) if f in self.vocabulary})
        logits = self.coef[:, idx].sum(axis=1) + self.intercept
        exp = np.exp(logits - logits.max())
        return dict(zip(self.labels, (exp / exp.sum()).tolist(), strict=True))

    def predict(self, text: str) -> tuple[Direction, float]:
        """Return the most probable direction and its probability."""
        probs = self.probabilities(text)
        best = max(probs, key=lambda d: probs[d])
        return best, probs[best]


def read_model(path: Path = WEIGHTS) -> DirectionModel:
    """Read a model written by ingest/train/direction.py."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read the direction model ({e}); "
                          "retrain it with python -m ingest.train direction") from e
    return DirectionModel(labels=tuple(raw["labels"]), vocabulary=raw["vocabulary"],
                          coef=np.asarray(raw["coef"], dtype=float),
                          intercept=np.asarray(raw["intercept"], dtype=float))


@cache
def default_model() -> DirectionModel | None:
    """Return the shipped model, or None when its weights file is absent."""
    return read_model() if WEIGHTS.exists() else None
