"""Train the extraction-confidence calibrator on judged claims: `python -m ingest.train calibration`.

Data: the judging sheet and its agreed judgements for the calibration sample (`benchmarks/judging/
sample-calibration.jsonl`, `judged-calibration.jsonl`): claims drawn from a knowledge base of Evidence Inference
**train** full texts, judged against benchmarks/judging/RUBRIC.md. A claim counts as right only when judged
`correct`. The benchmark sample (`claims_judged`, drawn from other documents) is never read here: it is where the
calibration is checked.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict

from ingest.extract.calibration import FEATURES, WEIGHTS, vector
from ingest.train.data import REPORTS

JUDGING = Path(__file__).resolve().parents[2] / "benchmarks" / "judging"
NAME = "calibration"
C = 1.0
BINS = 10


def examples(folder: Path = JUDGING) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[str]]:
    """Return features, labels (1 = judged correct), the extractors' own confidences and the extractors of the
    judged sample."""
    sheet = {r["claim_id"]: r for r in _rows(folder / f"sample-{NAME}.jsonl")}
    judged = {r["claim_id"]: r for r in _rows(folder / f"judged-{NAME}.jsonl")}
    ids = [i for i in sheet if i in judged]
    x = np.stack([vector(sheet[i]) for i in ids])
    y = np.array([judged[i]["verdict"] == "correct" for i in ids], dtype=float)
    extractors = sorted({str(sheet[i]["extractor"]) for i in ids})
    return x, y, np.array([float(sheet[i]["confidence"]) for i in ids]), extractors


def _rows(path: Path) -> list[dict[str, object]]:
    """Return the JSON lines of a file."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def ece(confidence: np.ndarray, right: np.ndarray, bins: int = BINS) -> tuple[float, list[tuple[int, float, float]]]:
    """Return the expected calibration error and the reliability table (count, mean confidence, share right)."""
    table, total = [], 0.0
    edges = np.linspace(0, 1, bins + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        inside = (confidence >= lo) & ((confidence < hi) | (hi == 1.0))
        if inside.any():
            table.append((int(inside.sum()), float(confidence[inside].mean()), float(right[inside].mean())))
            total += inside.sum() * abs(confidence[inside].mean() - right[inside].mean())
    return float(total / len(confidence)), table


def train(data: Path) -> str:
    """Fit the calibrator on the judged calibration sample; write weights and the training report."""
    del data  # NOTE: the judged sample is committed data of this project, not a shared data set
    x, y, before, extractors = examples()
    model = LogisticRegression(C=C, max_iter=1000)
    folds = min(5, int(min(y.sum(), len(y) - y.sum())))
    out_of_fold = cross_val_predict(model, x, y, cv=folds, method="predict_proba")[:, 1]
    model.fit(x, y)
    WEIGHTS.write_text(json.dumps({"features": list(FEATURES), "coef": [round(float(v), 4) for v in model.coef_[0]],
                                   "intercept": round(float(model.intercept_[0]), 4), "C": C, "extractors": extractors,
                                   "trained_on": f"{len(y)} judged claims ({int(y.sum())} correct)"}, indent=1) + "\n")
    _report(model, y, before, out_of_fold, folds, extractors)
    return f"{WEIGHTS}: {len(y)} judged claims, {int(y.sum())} correct"


def _report(model: LogisticRegression, y: np.ndarray, before: np.ndarray, oof: np.ndarray, folds: int,
            extractors: list[str]) -> None:
    """Write the training report: data, the cross-validated reliability table, ECE beside the uncalibrated score."""
    old, old_table = ece(before, y)
    new, new_table = ece(oof, y)
    lines = [
        "# Extraction-confidence calibrator: training report", "",
        "Written by `python -m ingest.train calibration` (ingest/train/calibration.py); weights in "
        "`ingest/extract/calibration_weights.json`.", "",
        f"Data: {len(y)} claims of the calibration sample (benchmarks/judging/sample-calibration.jsonl), judged "
        f"against benchmarks/judging/RUBRIC.md; {int(y.sum())} correct ({y.mean():.1%}). Right = `correct`. "
        f"Extractors in it: {', '.join(extractors)}; claims of any other extractor keep their own confidence.", "",
        f"Split: {folds}-fold cross-validation; the reliability table below is out of fold. The benchmark sample "
        "(`claims_judged`) is held out and scored by the benchmark.", "",
        "| score | ECE |", "|---|---|",
        f"| extractor's own confidence (baseline) | {old:.3f} |", f"| calibrated, out of fold | {new:.3f} |", "",
        "Reliability (calibrated, out of fold):", "", "| bin | claims | mean confidence | share correct |",
        "|---|---|---|---|",
        *(f"| {i} | {n} | {c:.2f} | {r:.2f} |" for i, (n, c, r) in enumerate(new_table)), "",
        "Baseline reliability (extractor's own confidence):", "", "| bin | claims | mean confidence | share correct |",
        "|---|---|---|---|",
        *(f"| {i} | {n} | {c:.2f} | {r:.2f} |" for i, (n, c, r) in enumerate(old_table)), "",
        "Coefficients:", "", "| feature | weight |", "|---|---|",
        *(f"| {f} | {w:+.3f} |" for f, w in zip(FEATURES, model.coef_[0], strict=True)),
        f"| intercept | {model.intercept_[0]:+.3f} |", ""]
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "calibration.md").write_text("\n".join(lines))
