"""The scale benchmark on a handful of real records: every step runs and every number it reports is there."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import common
from benchmarks.__main__ import main
from benchmarks.scale import ei_articles, questions
from kb.query import parse_query

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
pytestmark = pytest.mark.skipif(not (DATA / "scifact").exists() or not (DATA / "evidence_inference").exists(),
                                reason=f"shared data sets (scifact, evidence_inference) not present at {DATA}")


def test_questions_carry_the_filters_real_questions_use() -> None:
    parsed = [parse_query(q) for q in questions(DATA, ei_articles(DATA, 5), 30)]
    assert len(parsed) == 30
    assert sum("rct" in p.designs for p in parsed) == 10 and sum(p.year_min == 2005 for p in parsed) == 10


def test_a_small_scale_run_reports_latency_memory_disk_and_sizes(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(common, "WORK", tmp_path / "work")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["run", "scale", "--limit", "6", "--data", str(DATA), "--out", str(out)]) == 0
    r = json.loads((out / "results" / "scale.json").read_text())
    m, d = r["metrics"], r["dataset"]
    assert m["points"] >= 1200 and d["real_points"] > 0 and d["documents_ingested"] >= 6
    assert 0 < m["search_p50_ms"] <= m["search_p95_ms"] <= m["answer_p95_ms"] and m["calls_per_question"] >= 1
    assert m["peak_rss_mib"] > 100 and m["disk_mib"] > 0 and d["payload_bytes_chunks"] > 0
    assert {t["metric"] for t in r["targets"]} == {"search_p95_ms", "peak_rss_mib"}
    assert not list((tmp_path / "work").glob("scale-*")), "the temporary store was left behind"
