"""Train ingest/extract/direction.py's model on Evidence Inference 2.0 evidence spans of the TRAIN split only.

    python -m ingest.train direction [--data DIR]      # writes ingest/extract/direction_weights.json

Validation and test articles are never read; the validation split is what benchmarks/evidence_inference.py reports.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from ingest.extract.direction import WEIGHTS, features
from ingest.train.data import ei_root, ei_split_ids

_DIRECTIONS = {"1": "increase", "-1": "decrease", "0": "no_difference"}
MIN_DF = 3
C = 0.5


def training_spans(root: Path) -> tuple[list[str], list[str]]:
    """Return (evidence span, direction) pairs of verified annotations on train-split articles."""
    allowed = ei_split_ids(root, "train")
    texts, labels = [], []
    with open(root / "annotations" / "v2_annotations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ok = row["Valid Label"] == "True" and row["Valid Reasoning"] == "True"
            if ok and row["PMCID"] in allowed and row["Label Code"] in _DIRECTIONS and row["Annotations"].strip():
                texts.append(row["Annotations"])
                labels.append(_DIRECTIONS[row["Label Code"]])
    return texts, labels


def fit(root: Path) -> dict[str, object]:
    """Fit the classifier and return its weights as plain JSON data."""
    texts, labels = training_spans(root)
    vectorizer = CountVectorizer(analyzer=features, binary=True, min_df=MIN_DF)
    x = vectorizer.fit_transform(texts)
    model = LogisticRegression(C=C, max_iter=2000).fit(x, labels)
    keep = sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])
    return {"labels": list(model.classes_), "vocabulary": {k: i for i, (k, _) in enumerate(keep)},
            "coef": [[round(float(v), 4) for v in row] for row in model.coef_],
            "intercept": [round(float(v), 4) for v in model.intercept_],
            "trained_on": f"Evidence Inference 2.0 ev2_train evidence spans ({len(texts)})", "C": C,
            "min_df": MIN_DF}


def train(data: Path) -> str:
    """Train on the data folder and write the weights; return a summary line."""
    weights = fit(ei_root(data))
    WEIGHTS.write_text(json.dumps(weights, separators=(",", ":")) + "\n")
    return f"{WEIGHTS}: {len(weights['vocabulary'])} features, {weights['trained_on']}"
