"""Train ingest/direction.py's model on Evidence Inference 2.0 evidence spans of the TRAIN split only.

    python -m benchmarks.train_direction [DATA_DIR]      # writes ingest/direction_weights.json

Validation and test articles are never read; the validation split is what benchmarks/evidence_inference.py reports.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression

from benchmarks.common import DATA
from benchmarks.evidence_inference import root_of, split_ids
from ingest.direction import WEIGHTS, features

_DIRECTIONS = {"1": "increase", "-1": "decrease", "0": "no_difference"}
MIN_DF = 3
C = 0.5


def training_spans(root: Path) -> tuple[list[str], list[str]]:
    """Return (evidence span, direction) pairs of verified annotations on train-split articles."""
    allowed = split_ids(root, "train")
    texts, labels = [], []
    with open(root / "annotations" / "v2_annotations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ok = row["Valid Label"] == "True" and row["Valid Reasoning"] == "True"
            if ok and row["PMCID"] in allowed and row["Label Code"] in _DIRECTIONS and row["Annotations"].strip():
                texts.append(row["Annotations"])
                labels.append(_DIRECTIONS[row["Label Code"]])
    return texts, labels


def train(root: Path) -> dict[str, object]:
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


def main() -> None:
    """Train on the data folder given (default ../shared/datasets) and write the weights."""
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    weights = train(root_of(data))
    WEIGHTS.write_text(json.dumps(weights, separators=(",", ":")) + "\n")
    print(f"{WEIGHTS}: {len(weights['vocabulary'])} features, {weights['trained_on']}")


if __name__ == "__main__":
    main()
