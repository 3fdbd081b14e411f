"""Smoke runs of the retrieval, throughput and latency benchmarks on a handful of real records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import common
from benchmarks.__main__ import main

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not (DATA / "scifact").exists(), reason=f"shared data sets not present at {DATA}")


@pytest.fixture
def out(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a results folder, with the embedding cache moved to tmp too."""
    monkeypatch.setattr(common, "WORK", tmp_path / "work")
    return tmp_path / "out"


def _result(out: Path, name: str) -> dict:  # type: ignore[type-arg]
    """Return the result file a run wrote."""
    return json.loads((out / "results" / f"{name}.json").read_text())


def test_scifact_reports_three_modes_and_refreshes_the_table(out: Path) -> None:
    assert main(["run", "scifact", "--limit", "12", "--data", str(DATA), "--out", str(out)]) == 0
    r = _result(out, "scifact")
    for mode in ("sparse", "dense", "hybrid"):
        assert 0.0 < r["metrics"][f"{mode}_ndcg@10"] <= 1.0
        assert 0.0 < r["metrics"][f"{mode}_recall@100"] <= 1.0
    assert r["baselines"]["hybrid_ndcg@10"] == r["metrics"]["sparse_ndcg@10"]
    assert r["dataset"]["queries"] == 12 and r["commit"] and r["machine"]["cores"]
    assert "| scifact | hybrid_ndcg@10 |" in (out / "README.md").read_text()
    assert list((out.parent / "work").glob("vectors-*.npz")), "embedding cache was not written"


def test_scifact_takes_another_split_by_option(out: Path, tmp_path: Path) -> None:
    split = tmp_path / "split"
    split.mkdir()
    (split / "corpus.jsonl").symlink_to((DATA / "scifact" / "corpus.jsonl").resolve())
    (split / "claims.jsonl").write_text("".join((DATA / "scifact" / "claims_train.jsonl").read_text().splitlines(True)[:30]))
    (split / "qrels.tsv").write_text("".join((DATA / "scifact" / "beir_qrels" / "train.tsv").read_text().splitlines(True)[:31]))
    argv = ["run", "scifact", "--limit", "5", "--data", str(split), "--out", str(out),
            "--option", "claims=claims.jsonl", "--option", "qrels=qrels.tsv"]
    assert main(argv) == 0
    assert _result(out, "scifact")["dataset"]["qrels"] == "qrels.tsv"


def test_throughput_compares_ingest_with_embedding(out: Path) -> None:
    assert main(["run", "throughput", "--limit", "20", "--data", str(DATA), "--out", str(out)]) == 0
    r = _result(out, "throughput")
    assert r["dataset"]["size"] == 20 and r["dataset"]["scifact_chunks"] >= 20
    assert r["metrics"]["scifact_ingest_vs_embed"] > 0
    assert r["baselines"]["scifact_ingest_docs_per_s"] > 0
    if (DATA / "biomedical_pdfs").exists():
        assert r["dataset"]["pdf_ingested"] == r["dataset"]["pdf_docs"] > 0
        assert r["metrics"]["pdf_ingest_pages_per_s"] > 0


def test_latency_builds_a_filled_store_and_measures_a_child_process(out: Path) -> None:
    assert main(["run", "latency", "--limit", "20", "--data", str(DATA), "--out", str(out)]) == 0
    r = _result(out, "latency")
    assert r["dataset"]["size"] >= 50 * 20 - 5  # NOTE: a limited run fills to 50 points per abstract.
    assert r["dataset"]["real_points"] < r["dataset"]["size"]
    assert r["dataset"]["questions"] == 20
    assert 0 < r["metrics"]["p50_ms"] <= r["metrics"]["p95_ms"]
    assert r["metrics"]["peak_rss_mib"] > 50


def test_missing_benchmark_module_is_reported_not_fatal(out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks import __main__ as runner

    assert runner.run_one("no_such_benchmark", DATA, 1, {}, out) is False
    assert "cannot import benchmarks.no_such_benchmark" in capsys.readouterr().err
    assert main(["run", "nope", "--out", str(out)]) == 2
    assert main(["list"]) == 0
    assert "scifact" in capsys.readouterr().out
