"""Direction of a result: the one decision rule, and a small trained model that may only confirm what it says.

`decide` is the rule: statistics decide significance (p against alpha, a CI against the null); words never
override them; an effect cue is never turned into "no difference" without null wording or statistics; the model
speaks only above the probability threshold stored with its weights and never overrides statistics or words.

The model is a multinomial logistic regression over binary word and bigram features, trained by
ingest/train/direction.py on the Evidence Inference 2.0 train split only; the coefficients ship as JSON (no pickle)
and inference is numpy.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from ingest.extract.stats import find_p_values
from kb.claims import PREDICATE_DIRECTION, Direction, EffectMeasure, Predicate, PValue, effect_significance
from kb.errors import ConfigError

WEIGHTS = Path(__file__).resolve().parent / "direction_weights.json"
_TOKEN = re.compile(r"[a-z]+|\d+(?:\.\d+)?|[<>=≤≥%]")


def features(text: str) -> list[str]:
    """Return the sentence's features: lowercase words (numbers as '0'), bigrams, and p-value significance."""
    words = ["0" if t[0].isdigit() else t for t in _TOKEN.findall(text.casefold())]
    grams = words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]
    said = {p.significant() for p in find_p_values(text)} - {None}
    if said:
        grams.append("__p_significant" if True in said else "__p_not_significant")
    return grams


@dataclass(frozen=True)
class Opinion:
    """What the direction model says about a sentence, and how sure it is."""

    direction: Direction
    probability: float


@dataclass(frozen=True)
class DirectionModel:
    """Coefficients of the trained classifier, the feature vocabulary they index, and when it may speak."""

    labels: tuple[Direction, ...]
    vocabulary: dict[str, int]
    coef: np.ndarray
    intercept: np.ndarray
    # NOTE: chosen by cross-validation on ev2 train (see ingest/train/reports/direction.md); a model without one
    # never speaks.
    threshold: float = 1.01

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

    def opinion(self, text: str) -> Opinion | None:
        """Return the model's direction when its probability reaches the threshold, else None (it stays silent)."""
        direction, probability = self.predict(text)
        return Opinion(direction, probability) if probability >= self.threshold else None


def read_model(path: Path = WEIGHTS) -> DirectionModel:
    """Read a model written by ingest/train/direction.py."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read the direction model ({e}); "
                          "retrain it with python -m ingest.train direction") from e
    return DirectionModel(labels=tuple(raw["labels"]), vocabulary=raw["vocabulary"],
                          coef=np.asarray(raw["coef"], dtype=float),
                          intercept=np.asarray(raw["intercept"], dtype=float),
                          threshold=float(raw.get("threshold", DirectionModel.threshold)))


@cache
def default_model() -> DirectionModel | None:
    """Return the shipped model, or None when its weights file is absent."""
    return read_model() if WEIGHTS.exists() else None


NULL_PREDICATES: frozenset[Predicate] = frozenset({"no_effect_on", "not_associated_with"})
_ASSOCIATION: frozenset[Predicate] = frozenset({"associated_with", "not_associated_with", "increases_risk_of",
                                                "decreases_risk_of"})


@dataclass(frozen=True)
class Decision:
    """What a result says, whether its direction is validated (statistics, or wording the model agrees with), why."""

    predicate: Predicate
    direction: Direction
    validated: bool
    reason: str


def _decision(predicate: Predicate, validated: bool, reason: str) -> Decision:
    return Decision(predicate, PREDICATE_DIRECTION.get(predicate, "unclear"), validated, reason)


def _null(cue: Predicate | None) -> Predicate:
    """Return the no-difference predicate of a cue's kind: an association cue becomes "not associated"."""
    return "not_associated_with" if cue in _ASSOCIATION else "no_effect_on"


def _opposes(model: Opinion | None, direction: Direction) -> bool:
    """Return whether the model speaks for the opposite direction (its "no difference" is not an opposite)."""
    return model is not None and {model.direction, direction} == {"increase", "decrease"}


def decide(cue: Predicate | None, null_wording: bool, effect: EffectMeasure | None, p: PValue | None,
           model: Opinion | None) -> Decision:
    """Return what a result states: statistics decide significance, words the direction, the model only confirms."""
    significant = effect_significance(effect, p)
    if significant is False:
        return _decision(_null(cue), True, "statistics: not significant")
    said = PREDICATE_DIRECTION.get(cue, "unclear") if cue else "unclear"
    directed = cue is not None and said in ("increase", "decrease")
    if significant and directed and not null_wording:
        return _decision(cue, not _opposes(model, said), "statistics: significant; direction from the wording")
    if significant:
        if effect is not None and effect.is_ratio and effect.value != 1:
            # NOTE: the words say no difference (or nothing) and the statistics say there is one: the ratio's side
            # gives the direction, yet the wording disagrees, so a reader must see the quote.
            return _decision("decreases" if effect.value < 1 else "increases", False,
                             "statistics: significant against the wording; direction from the ratio")
        return _decision("associated_with", False, "statistics: significant; the direction cannot be read")
    agrees = model is not None and model.direction == ("no_difference" if null_wording else said)
    if null_wording:
        return _decision(_null(cue), agrees, "wording: no difference; no decisive statistics")
    if directed:
        return _decision(cue, agrees, "wording: direction; no decisive statistics")
    return _decision("associated_with", False, "no decisive statistics and no wording that gives a direction")
