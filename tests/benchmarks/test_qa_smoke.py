"""Smoke runs of the PubMedQA and Evidence Inference benchmarks on a handful of real records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import common, evidence_inference, pubmedqa

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not (DATA / "pubmedqa").exists() or not (DATA / "evidence_inference").exists(),
                                reason=f"shared data sets not present at {DATA}")


@pytest.fixture
def results(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a results folder in tmp, with the embedding cache moved to tmp too."""
    monkeypatch.setattr(common, "WORK", tmp_path / "work")
    return tmp_path / "results"


def test_pubmedqa_scores_both_settings_on_a_few_questions(results: Path) -> None:
    record = common.timed(lambda: pubmedqa.run(DATA, limit=4), results)
    saved = json.loads((results / "pubmedqa.json").read_text())
    assert saved["metrics"] == record["metrics"]
    for setting in ("own_abstract", "all_abstracts"):
        assert 0.0 <= record["metrics"][f"{setting}_accuracy"] <= 1.0
        assert 0.0 <= record["metrics"][f"{setting}_macro_f1"] <= 1.0
        assert f"{setting}_accuracy" in record["baselines"]
    assert record["dataset"]["size"] == 4 and record["targets"][0]["metric"] == "own_abstract_accuracy"


def test_pubmedqa_never_ingests_the_conclusion() -> None:
    item = pubmedqa.load_items(DATA / pubmedqa.POOL, limit=1)[0]
    raw = json.loads((DATA / pubmedqa.POOL).read_text())[item.pmid]
    doc = pubmedqa.document_of(item)
    assert raw["LONG_ANSWER"] not in doc.text
    assert all(c in doc.text for c in raw["CONTEXTS"])
    assert [s.title.upper() for s in doc.sections] == raw["LABELS"]


def test_evidence_inference_reads_validation_prompts_and_scores_them(results: Path) -> None:
    record = common.timed(lambda: evidence_inference.run(DATA, limit=1), results)
    assert record["dataset"]["split"] == "ev2_validation" and record["dataset"]["articles"] == 1
    assert 0.0 <= record["metrics"]["macro_f1"] <= 1.0
    assert record["baselines"]["accuracy"] > 0.0
    assert (results / "evidence_inference.json").exists()


def test_evidence_inference_splits_do_not_overlap() -> None:
    root = evidence_inference.root_of(DATA)
    train, validation = (evidence_inference.split_ids(root, s) for s in ("train", "validation"))
    assert train and validation and not train & validation
    prompts = evidence_inference.load_prompts(root, "validation")
    assert set(prompts) <= validation
