"""Extraction confidence that means what it says: the chance, learnt from judged claims, that a claim reads its
quote correctly.

A logistic regression over what a claim's fields show (validated direction, statistics, comparator, design,
extractor, ...), trained by ingest/train/calibration.py on claims people judged against the written rubric
(benchmarks/judging/RUBRIC.md). Every extractor's claims pass through it, so the 0–1 confidence is one scale.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from kb.claims import Claim
from kb.errors import ConfigError

WEIGHTS = Path(__file__).resolve().parent / "calibration_weights.json"
FEATURES = ("restatable", "directional", "no_difference", "association", "adverse_event", "effect", "p_value",
            "comparator", "population", "hedged", "primary", "secondary_or_subgroup", "randomised", "observational",
            "registry", "llm")
RANDOMISED = ("rct", "meta_analysis", "systematic_review")
OBSERVATIONAL = ("cohort", "case_control", "cross_sectional", "non_randomized_trial")


def facts(row: Mapping[str, Any]) -> dict[str, bool]:
    """Return the features of a claim given as its fields (a Claim's dump or a judging-sheet row)."""
    predicate, design = str(row.get("predicate")), str(row.get("study_design"))
    return {
        "restatable": bool(row.get("restatable")),
        "directional": row.get("direction") in ("increase", "decrease"),
        "no_difference": row.get("direction") == "no_difference",
        "association": predicate in ("associated_with", "not_associated_with"),
        "adverse_event": predicate == "adverse_event_of",
        "effect": row.get("effect") is not None, "p_value": row.get("p_value") is not None,
        "comparator": bool(row.get("comparator")), "population": bool(row.get("population")),
        "hedged": bool(row.get("hedged")), "primary": row.get("scope") == "primary",
        "secondary_or_subgroup": row.get("scope") in ("secondary", "subgroup", "post_hoc"),
        "randomised": design in RANDOMISED, "observational": design in OBSERVATIONAL,
        "registry": row.get("extractor") == "registry", "llm": str(row.get("extractor", "")).startswith("llm"),
    }


def vector(row: Mapping[str, Any]) -> np.ndarray:
    """Return a claim's features as a 0/1 vector in FEATURES order."""
    found = facts(row)
    return np.array([float(found[f]) for f in FEATURES])


@dataclass(frozen=True)
class Calibration:
    """Coefficients of the trained calibrator."""

    coef: np.ndarray
    intercept: float
    # NOTE: the extractors whose claims it was trained on; another extractor's claims keep their own confidence
    # (a calibrator that never saw a registry claim says nothing about one).
    extractors: frozenset[str] = frozenset()

    def probability(self, claim: Claim) -> float:
        """Return the chance that the claim reads its quote correctly."""
        z = float(vector(claim.model_dump(mode="json")) @ self.coef + self.intercept)
        return 1.0 / (1.0 + np.exp(-z))


def calibrated(claim: Claim, model: Calibration | None) -> Claim:
    """Return the claim with its confidence replaced by the calibrated one (unchanged without a model)."""
    if model is None or claim.extractor not in model.extractors:
        return claim
    return claim.model_copy(update={"confidence": round(model.probability(claim), 2)})


def read_calibration(path: Path = WEIGHTS) -> Calibration:
    """Read a calibrator written by ingest/train/calibration.py."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        if tuple(raw["features"]) != FEATURES:
            raise ValueError("made for other features than this code reads")
        return Calibration(np.asarray(raw["coef"], dtype=float), float(raw["intercept"]), frozenset(raw["extractors"]))
    except (OSError, ValueError, KeyError) as e:
        raise ConfigError(f"{path}: cannot read the confidence calibrator ({e}); "
                          "retrain it with python -m ingest.train calibration") from e


@cache
def default_calibration() -> Calibration | None:
    """Return the shipped calibrator, or None when its weights file is absent."""
    return read_calibration() if WEIGHTS.exists() else None
