"""claims_judged: the judging sheet from a knowledge base, then the scores and calibration of its judgements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import claims_judged
from benchmarks.claims_judged import JudgementError, checked, ece, reliability, score
from benchmarks.judging_sheet import read_jsonl, write_jsonl
from tests.conftest import DEMO

SHEET_KEYS = {"claim_id", "source", "section", "context_before", "quote", "context_after", "subject", "predicate",
              "object", "comparator", "population", "scope", "direction", "effect", "p_value", "sample_size",
              "study_design", "confidence", "statement"}


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Return (data folder, judging folder) after drawing a sheet of 8 claims from the demo corpus."""
    root = tmp_path_factory.mktemp("judged")
    data = root / "data"
    data.mkdir()
    (data / "pubmed_xml").symlink_to(DEMO.resolve())
    result = claims_judged.run(data, store=str(root / "kb"), name="demo", n=8, seed=3, judging=str(root / "judging"))
    assert result.metrics == {"sampled": 8} and "not judged yet" in result.notes
    return data, root / "judging"


def judgements(sheet: list[dict], verdicts: list[str]) -> list[dict]:  # type: ignore[type-arg]
    """Return judgement rows for a sheet, verdicts in sheet order."""
    return [{"claim_id": r["claim_id"], "verdict": v, "wrong_direction": False, "note": ""}
            for r, v in zip(sheet, verdicts, strict=True)]


def test_sheet_rows_show_the_quote_in_context_and_what_medkb_reads(drawn: tuple[Path, Path]) -> None:
    rows = read_jsonl(drawn[1] / "sample-demo.jsonl")
    assert len(rows) == len({r["claim_id"] for r in rows}) == 8
    for r in rows:
        assert SHEET_KEYS <= r.keys() and r["quote"] and r["statement"]
        assert 0.0 <= r["confidence"] <= 1.0
    assert any(r["context_before"] or r["context_after"] for r in rows)


def test_the_draw_is_fixed_by_its_seed(drawn: tuple[Path, Path], tmp_path: Path) -> None:
    data, judging = drawn
    kb = str(judging.parent / "kb")
    claims_judged.run(data, store=kb, name="again", n=8, seed=3, judging=str(tmp_path))
    claims_judged.run(data, store=kb, name="other", n=8, seed=4, judging=str(tmp_path))
    ids = [[r["claim_id"] for r in read_jsonl(p)] for p in (judging / "sample-demo.jsonl",
                                                           tmp_path / "sample-again.jsonl",
                                                           tmp_path / "sample-other.jsonl")]
    assert ids[0] == ids[1] != ids[2]


def test_committed_judgements_are_scored_without_a_knowledge_base(drawn: tuple[Path, Path], tmp_path: Path) -> None:
    _, judging = drawn
    sheet = read_jsonl(judging / "sample-demo.jsonl")
    rows = judgements(sheet, ["correct"] * 5 + ["partly", "wrong", "not_a_finding"])
    rows[6]["wrong_direction"] = True
    write_jsonl(rows, judging / "judged-demo.jsonl")
    result = claims_judged.run(tmp_path / "no-data", name="demo", judging=str(judging))
    m = result.metrics
    assert (m["correct"], m["partly"], m["wrong"], m["not_a_finding"], m["wrong_direction"]) == (
        0.625, 0.125, 0.125, 0.125, 0.125)
    assert m["judged"] == 8 and 0.0 <= m["ece"] <= 1.0 and 0.0 <= m["ece_partly_half"] <= 1.0
    assert sum(b["count"] for b in result.details["reliability"]) == 8
    (judging / "judged-demo.jsonl").unlink()


def test_judgements_must_cover_exactly_the_sheet(drawn: tuple[Path, Path]) -> None:
    sheet = read_jsonl(drawn[1] / "sample-demo.jsonl")
    rows = judgements(sheet, ["correct"] * 8)
    with pytest.raises(JudgementError, match="1 sheet claims not judged"):
        checked(sheet, rows[:-1])
    with pytest.raises(JudgementError, match="1 judged claims not on the sheet"):
        checked(sheet, [*rows, {**rows[0], "claim_id": "elsewhere"}])
    with pytest.raises(JudgementError, match="not one of"):
        checked(sheet, [{**rows[0], "verdict": "maybe"}, *rows[1:]])
    with pytest.raises(JudgementError, match="makes the verdict 'wrong'"):
        checked(sheet, [{**rows[0], "wrong_direction": True}, *rows[1:]])


def test_a_sheet_whose_claims_are_not_judged_is_refused(drawn: tuple[Path, Path], tmp_path: Path) -> None:
    sheet = read_jsonl(drawn[1] / "sample-demo.jsonl")
    write_jsonl(sheet, tmp_path / "sample-x.jsonl")
    write_jsonl(judgements(sheet[:3], ["correct"] * 3), tmp_path / "judged-x.jsonl")
    with pytest.raises(JudgementError, match="5 sheet claims not judged"):
        claims_judged.run(tmp_path, name="x", judging=str(tmp_path))


def test_reliability_table_and_expected_calibration_error() -> None:
    table = reliability([(0.95, 1.0), (0.95, 0.0), (0.15, 0.0), (1.0, 1.0)])
    assert len(table) == 10 and table[9] == {"bin": "0.9-1.0", "count": 3, "mean_confidence": 0.9667,
                                             "share_correct": 0.6667}
    assert table[1]["count"] == 1 and table[0]["count"] == 0 and table[0]["mean_confidence"] is None
    # NOTE: (3 * |0.9667 - 0.6667| + 1 * |0.15 - 0|) / 4
    assert ece(table) == pytest.approx(0.2625, abs=1e-3)


def test_partly_counts_as_wrong_for_ece_and_half_right_beside_it() -> None:
    sheet = [{"claim_id": str(i), "confidence": 0.5} for i in range(4)]
    rows = [{"claim_id": str(i), "verdict": "partly", "wrong_direction": False, "note": ""} for i in range(4)]
    metrics, _ = score(sheet, rows)
    assert metrics["ece"] == 0.5 and metrics["ece_partly_half"] == 0.0 and metrics["partly"] == 1.0
    assert json.dumps(metrics)
