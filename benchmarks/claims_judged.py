"""Claims judged by people against a written rubric, and the calibration of extraction confidence against them.

Two steps, one command. First, `python -m benchmarks run claims_judged --option name=NAME` draws `n` (150)
claims at random with a fixed `seed` from a knowledge base of the shared data (`benchmarks/shared_kb.py`;
`--option store=PATH` reuses one) and writes the judging sheet `benchmarks/judging/sample-NAME.jsonl`
(`benchmarks/judging_sheet.py`). People or agents judge every claim by `benchmarks/judging/RUBRIC.md` into
`benchmarks/judging/judged-NAME.jsonl` (claim_id, verdict ∈ correct | partly | wrong | not_a_finding,
wrong_direction, note). Then the same command scores the committed judgements against the committed sheet (no
knowledge base needed); it refuses to score when the judged claim ids differ from the sheet's.

Metrics: the share of claims judged correct, partly, wrong, not a finding, and with the wrong direction (targets:
correct ≥ 0.70, not a finding ≤ 0.05, wrong direction ≤ 0.03); the expected calibration error of the extraction
`confidence` against correctness over 10 equal-width bins, **correct = 1, partly = 0** (a partly right claim may
not be restated, so it does not count as right; target ECE ≤ 0.10), with `ece_partly_half` (partly = 0.5) beside
it; the reliability table (per bin: count, mean confidence, share correct) is in the result's details.
`--option redraw=true` draws a new sheet over an existing one (its judgements then no longer match).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks import common
from benchmarks.common import Result, Target
from benchmarks.judging_sheet import ids_of, read_jsonl, sheet, write_jsonl
from benchmarks.shared_kb import opened

NAME = "claims_judged"
VERDICTS = ("correct", "partly", "wrong", "not_a_finding")
BINS = 10
JUDGING = common.HERE / "judging"
TARGETS = [Target("correct", ">=", 0.70), Target("not_a_finding", "<=", 0.05), Target("wrong_direction", "<=", 0.03),
           Target("ece", "<=", 0.10)]


class JudgementError(ValueError):
    """Judgements that do not fit their sheet or the rubric's vocabulary."""


def checked(sheet_rows: Sequence[dict[str, Any]], judged: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Return the judgements by claim id, or raise JudgementError unless they judge exactly the sheet's claims."""
    wanted, given = ids_of(sheet_rows), ids_of(judged)
    missing, extra = sorted(set(wanted) - set(given)), sorted(set(given) - set(wanted))
    repeated = [i for i, k in Counter(given).items() if k > 1]
    if missing or extra or repeated:
        raise JudgementError(f"judgements do not match the sheet: {len(missing)} sheet claims not judged "
                             f"{missing[:3]}, {len(extra)} judged claims not on the sheet {extra[:3]}, "
                             f"{len(repeated)} judged twice {repeated[:3]}")
    for row in judged:
        if row.get("verdict") not in VERDICTS:
            raise JudgementError(f"claim {row['claim_id']}: verdict {row.get('verdict')!r} is not one of {VERDICTS}")
        if not isinstance(row.get("wrong_direction"), bool):
            raise JudgementError(f"claim {row['claim_id']}: wrong_direction must be true or false")
        if row["wrong_direction"] and row["verdict"] != "wrong":
            raise JudgementError(f"claim {row['claim_id']}: a misread direction makes the verdict 'wrong' (rubric)")
    return {str(r["claim_id"]): r for r in judged}


def shares(judged: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    """Return the share of each verdict and of wrong directions."""
    n = len(judged) or 1
    counts = Counter(r["verdict"] for r in judged)
    out = {v: round(counts[v] / n, 4) for v in VERDICTS}
    out["wrong_direction"] = round(sum(bool(r["wrong_direction"]) for r in judged) / n, 4)
    return out


def reliability(pairs: Sequence[tuple[float, float]], bins: int = BINS) -> list[dict[str, Any]]:
    """Return the reliability table: per equal-width confidence bin, count, mean confidence and mean correctness."""
    rows = []
    for b in range(bins):
        low, high = b / bins, (b + 1) / bins
        inside = [(c, y) for c, y in pairs if low <= c < high or (b == bins - 1 and c == 1.0)]
        rows.append({"bin": f"{low:.1f}-{high:.1f}", "count": len(inside),
                     "mean_confidence": round(sum(c for c, _ in inside) / len(inside), 4) if inside else None,
                     "share_correct": round(sum(y for _, y in inside) / len(inside), 4) if inside else None})
    return rows


def ece(table: Sequence[Mapping[str, Any]]) -> float:
    """Return the expected calibration error of a reliability table (bins weighted by their counts)."""
    total = sum(r["count"] for r in table)
    gaps = sum(r["count"] * abs(r["mean_confidence"] - r["share_correct"]) for r in table if r["count"])
    return round(gaps / total, 4) if total else 0.0


def score(sheet_rows: Sequence[dict[str, Any]],
          judged: Sequence[dict[str, Any]]) -> tuple[dict[str, float], dict[str, Any]]:
    """Return the metrics and details (reliability tables, counts) of judgements on a sheet."""
    by_id = checked(sheet_rows, judged)
    ordered = [by_id[i] for i in ids_of(sheet_rows)]
    confidence = [float(r["confidence"]) for r in sheet_rows]
    strict = reliability([(c, float(j["verdict"] == "correct")) for c, j in zip(confidence, ordered, strict=True)])
    half = reliability([(c, {"correct": 1.0, "partly": 0.5}.get(j["verdict"], 0.0))
                        for c, j in zip(confidence, ordered, strict=True)])
    metrics = shares(ordered) | {"ece": ece(strict), "ece_partly_half": ece(half), "judged": len(ordered)}
    details = {"counts": dict(Counter(j["verdict"] for j in ordered)), "reliability": strict,
               "reliability_partly_half": half}
    return metrics, details


def run(data: Path, limit: int | None = None, store: str = "", name: str = "fresh", n: int = 150, seed: int = 10,
        judging: str = "", redraw: bool = False) -> Result:
    """Write the judging sheet when it is missing (or on redraw), then score its judgements when they exist."""
    folder = Path(judging) if judging else JUDGING
    sheet_path, judged_path = folder / f"sample-{name}.jsonl", folder / f"judged-{name}.jsonl"
    dataset: dict[str, Any] = {"sheet": str(sheet_path), "judgements": str(judged_path), "unit": "claims"}
    if redraw or not sheet_path.exists():
        with opened(data, store, limit) as built:
            write_jsonl(sheet(built.kb.store, n, seed), sheet_path)
            dataset |= {"kb": built.info, "stored_claims": built.kb.store.count("claims"), "n": n, "seed": seed}
    rows = read_jsonl(sheet_path)
    dataset["size"] = len(rows)
    if not judged_path.exists():
        return Result(name=NAME, metrics={"sampled": len(rows)}, targets=TARGETS, dataset=dataset,
                      notes=f"Sheet of {len(rows)} claims written; not judged yet: judge every claim of {sheet_path} "
                            f"by benchmarks/judging/RUBRIC.md into {judged_path} and run again.")
    metrics, details = score(rows, read_jsonl(judged_path))
    return Result(name=NAME, metrics=metrics, targets=TARGETS, dataset=dataset, details=details,
                  notes="Shares over the judged sample; ECE with correct = 1, partly = 0 (ece_partly_half: partly = "
                        "0.5), 10 equal-width bins of extraction confidence; reliability tables in details.")
