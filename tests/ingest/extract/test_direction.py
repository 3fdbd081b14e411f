"""ingest.extract.direction: the shipped direction model reads significance and direction from result sentences."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from ingest.extract.direction import WEIGHTS, DirectionModel, default_model, features, read_model
from kb.errors import ConfigError


def test_features_fold_numbers_and_mark_p_values() -> None:
    got = features("Pain fell by 12.5 points (P < 0.001).")
    assert "pain fell" in got and "0" in got and "__p_significant" in got
    assert "__p_not_significant" in features("Pain did not change (p = 0.41).")


def test_shipped_weights_are_json_with_the_three_directions() -> None:
    raw = json.loads(WEIGHTS.read_text())
    assert set(raw["labels"]) == {"increase", "decrease", "no_difference"}
    assert len(raw["coef"]) == 3 and len(raw["coef"][0]) == len(raw["vocabulary"])
    assert "train" in raw["trained_on"]


@pytest.mark.parametrize(("sentence", "expected"), [
    ("There was no significant difference in mortality between the two groups (p = 0.62).", "no_difference"),
    ("Pain scores were significantly lower in the treatment group than with placebo (p < 0.001).", "decrease"),
    ("The response rate was significantly higher with drug A than with placebo (P = 0.002).", "increase"),
])
def test_the_model_reads_plain_result_sentences(sentence: str, expected: str) -> None:
    model = default_model()
    assert model is not None
    direction, probability = model.predict(sentence)
    assert direction == expected
    assert 0.34 < probability <= 1.0


def test_a_tiny_model_scores_by_its_coefficients() -> None:
    model = DirectionModel(labels=("increase", "decrease", "no_difference"), vocabulary={"rose": 0, "fell": 1},
                           coef=np.array([[3.0, -3.0], [-3.0, 3.0], [0.0, 0.0]]), intercept=np.zeros(3))
    assert model.predict("Blood pressure fell")[0] == "decrease"
    assert model.predict("Blood pressure rose")[0] == "increase"
    assert model.probabilities("nothing known") == pytest.approx(dict.fromkeys(model.labels, 1 / 3))


def test_an_unreadable_weights_file_names_itself(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text("{not json")
    with pytest.raises(ConfigError, match="w.json"):
        read_model(bad)
