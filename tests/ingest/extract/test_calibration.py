"""The extraction-confidence calibrator: the committed weights load, and only the extractors it learnt from change."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.extract.calibration import FEATURES, calibrated, default_calibration, read_calibration
from kb.errors import ConfigError
from tests.ingest.readers.test_trials_results import _parse


def test_the_committed_calibrator_loads_and_names_what_it_learnt_from() -> None:
    model = default_calibration()
    assert model is not None and model.coef.shape == (len(FEATURES),) and model.extractors == {"rules"}


def test_rules_claims_are_recalibrated_and_registry_claims_keep_their_confidence() -> None:
    """A registry claim (NCT02028676) is read from structured fields; the calibrator never saw one."""
    model = default_calibration()
    registry = next(c for c in _parse("legacy_xml/NCT02028676.xml")[1] if c.kind == "efficacy")
    assert calibrated(registry, model).confidence == registry.confidence
    as_rules = registry.model_copy(update={"extractor": "rules", "confidence": 0.99})
    got = calibrated(as_rules, model).confidence
    assert 0.0 < got < 0.99 and got == round(model.probability(as_rules), 2)  # type: ignore[union-attr]


def test_weights_for_other_features_are_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "weights.json"
    path.write_text(json.dumps({"features": ["x"], "coef": [1.0], "intercept": 0.0, "extractors": ["rules"]}))
    with pytest.raises(ConfigError, match="retrain it with python -m ingest.train calibration"):
        read_calibration(path)
