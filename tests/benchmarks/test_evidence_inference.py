"""Evidence Inference on a split folder alone (no train split beside it) and the retrieval setting."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from benchmarks import common, evidence_inference
from tests.conftest import DATA

EI = DATA / "evidence_inference"
ARTICLE = "4589005"  # NOTE: the shortest validation full text with labelled prompts (3).
pytestmark = pytest.mark.skipif(not (EI / "txt_files" / f"PMC{ARTICLE}.txt").exists(),
                                reason=f"evidence_inference not present at {EI}")


def split_folder(tmp: Path, split: str | None) -> Path:
    """Return a folder holding one article's annotations and text, listed as split `split` (None: no splits/)."""
    folder = tmp / "ei"
    (folder / "annotations").mkdir(parents=True)
    (folder / "txt_files").mkdir()
    for name in ("v2_annotations.csv", "prompts_merged.csv"):
        with open(EI / "annotations" / name, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            rows = [r for r in reader if r["PMCID"] == ARTICLE]
        with open(folder / "annotations" / name, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=reader.fieldnames or [])
            writer.writeheader()
            writer.writerows(rows)
    (folder / "txt_files" / f"PMC{ARTICLE}.txt").symlink_to(EI / "txt_files" / f"PMC{ARTICLE}.txt")
    if split:
        (folder / "splits").mkdir()
        (folder / "splits" / f"ev2_{split}_article_ids.txt").write_text(f"{ARTICLE}\n")
    return folder


def test_a_test_split_folder_runs_alone_in_both_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "WORK", tmp_path / "work")
    result = evidence_inference.run(split_folder(tmp_path, "test"), limit=1, split="test")
    assert result.dataset["split"] == "ev2_test" and result.dataset["articles"] == 1 and result.dataset["size"] == 3
    m = result.metrics
    assert 0.0 <= m["macro_f1"] <= 1.0 and 0.0 <= m["retrieval_accuracy"] <= m["retrieval_article_cited"] <= 1.0
    assert {t.metric for t in result.targets} == {"macro_f1", "retrieval_accuracy"}


def test_a_folder_without_splits_uses_every_annotated_article(tmp_path: Path) -> None:
    prompts = evidence_inference.load_prompts(split_folder(tmp_path, None), "validation")
    assert list(prompts) == [ARTICLE] and len(prompts[ARTICLE]) == 3


def test_a_missing_split_names_the_ones_there(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="splits in .*: test"):
        evidence_inference.load_prompts(split_folder(tmp_path, "test"), "validation")


def test_unanswered_prompts_count_as_wrong() -> None:
    gold = list(evidence_inference.LABELS)
    got = evidence_inference.evaluate(gold, ["unclear", gold[1], gold[2]])
    assert got["accuracy"] == pytest.approx(2 / 3, abs=1e-3) and got["macro_f1"] == pytest.approx(2 / 3, abs=1e-3)
