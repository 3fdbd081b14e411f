"""Train ingest/extract/direction.py's model on Evidence Inference 2.0 evidence spans of the TRAIN split only.

    python -m ingest.train direction [--data DIR] [--examples FILE]   # writes ingest/extract/direction_weights.json
                                                                     # and ingest/train/reports/direction.md

The speaking threshold is chosen on out-of-fold probabilities (5 folds grouped by article, ev2 train only): the
lowest probability at which the model's answers are right at least TARGET_PRECISION of the time. Validation and
test articles are never read; the validation split is what benchmarks/evidence_inference.py reports.
Distilled examples (`--examples`, ingest/train/examples.py) join the fitting part only: each fold fits on them unless
they come from an article that fold scores; every metric and the threshold are read on the evidence spans alone.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from ingest.extract.clauses import NULL_WORDING, Parsed, clause_stats, undirected
from ingest.extract.cue import find_cue
from ingest.nlp.mentions import mask_brackets
from ingest.extract.direction import WEIGHTS, Opinion, decide, features
from ingest.train.data import ei_root, ei_split_ids, outputs
from ingest.train.examples import (NO_EXAMPLES, Examples, article_keys, distilled_line, evaluation_articles,
                                   kept)

_DIRECTIONS = {"1": "increase", "-1": "decrease", "0": "no_difference"}
MIN_DF = 3
C = 0.5
FOLDS = 5
# NOTE: precision before recall: the model may confirm a direction only where it was right 9 times in 10.
TARGET_PRECISION = 0.90
GRID = tuple(round(0.34 + 0.01 * i, 2) for i in range(66))
# NOTE: a distilled example's direction is the one the gates decided; only those they validated (statistics or
# wording, `restatable`) are read, and each weighs as much as an annotated evidence span.
EXAMPLE_WEIGHT = 1.0


@dataclass(frozen=True)
class Spans:
    """Verified evidence spans of train-split articles with their direction and article id."""

    texts: list[str]
    labels: list[str]
    articles: list[str]


def training_spans(root: Path) -> Spans:
    """Return the verified annotations of train-split articles: evidence span, direction and article."""
    allowed = ei_split_ids(root, "train")
    out = Spans([], [], [])
    with open(root / "annotations" / "v2_annotations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            ok = row["Valid Label"] == "True" and row["Valid Reasoning"] == "True"
            if ok and row["PMCID"] in allowed and row["Label Code"] in _DIRECTIONS and row["Annotations"].strip():
                out.texts.append(row["Annotations"])
                out.labels.append(_DIRECTIONS[row["Label Code"]])
                out.articles.append(row["PMCID"])
    return out


def example_spans(examples: Examples, data: Path) -> tuple[Spans, int]:
    """Return the distilled examples as spans (sentence, validated direction, article or document), once per sentence
    and direction, and how many were left out (unvalidated, unclear, or an Evidence Inference evaluation article)."""
    usable, dropped = kept(examples.items, evaluation_articles(data))
    out, seen = Spans([], [], []), set()
    for example in usable:
        key = (example.sentence, example.direction)
        if not example.restatable or example.direction == "unclear" or key in seen:
            dropped += 1
            continue
        seen.add(key)
        pmc = sorted(k.removeprefix("pmc:") for k in article_keys(example) if k.startswith("pmc:"))
        out.texts.append(example.sentence)
        out.labels.append(example.direction)
        out.articles.append(pmc[0] if pmc else f"doc:{example.doc_id}")  # NOTE: an ev2 article groups as its spans do
    return out, dropped


def _model(texts: list[str], labels: list[str],
           weights: list[float] | None = None) -> tuple[CountVectorizer, LogisticRegression]:
    """Return the vectorizer and the classifier fitted on the texts (weighted per text when weights are given)."""
    vectorizer = CountVectorizer(analyzer=features, binary=True, min_df=MIN_DF)
    x = vectorizer.fit_transform(texts)
    return vectorizer, LogisticRegression(C=C, max_iter=2000).fit(x, labels, sample_weight=weights)


def _fitted(spans: Spans, rows: np.ndarray, extra: Spans | None,
            held: set[str]) -> tuple[CountVectorizer, LogisticRegression]:
    """Return a model fitted on the given span rows and the distilled spans from articles outside `held`."""
    texts, labels = [spans.texts[i] for i in rows], [spans.labels[i] for i in rows]
    if extra is None:
        return _model(texts, labels)
    mine = [i for i, a in enumerate(extra.articles) if a not in held]
    weights = [1.0] * len(texts) + [EXAMPLE_WEIGHT] * len(mine)
    return _model(texts + [extra.texts[i] for i in mine], labels + [extra.labels[i] for i in mine], weights)


def out_of_fold(spans: Spans, extra: Spans | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Return each span's predicted direction and its probability from a model that never saw its article."""
    said = np.empty(len(spans.texts), dtype=object)
    probability = np.zeros(len(spans.texts))
    for fit_idx, held in GroupKFold(FOLDS).split(spans.texts, groups=spans.articles):
        vectorizer, model = _fitted(spans, fit_idx, extra, {spans.articles[i] for i in held})
        probs = model.predict_proba(vectorizer.transform([spans.texts[i] for i in held]))
        said[held] = model.classes_[probs.argmax(axis=1)]
        probability[held] = probs.max(axis=1)
    return said, probability


def choose_threshold(said: np.ndarray, probability: np.ndarray, gold: np.ndarray) -> tuple[float, list[str]]:
    """Return the lowest threshold whose spoken answers reach TARGET_PRECISION, and the table rows behind it."""
    rows, chosen = [], None
    for t in GRID:
        spoken = probability >= t
        precision = float((said[spoken] == gold[spoken]).mean()) if spoken.any() else float("nan")
        if chosen is None and spoken.any() and precision >= TARGET_PRECISION:
            chosen = t
        if round(t * 100) % 5 == 0 or t == chosen:
            rows.append(f"| {t:.2f} | {precision:.3f} | {spoken.mean():.3f} |")
    return (chosen if chosen is not None else 1.01), rows


def decided(spans: Spans, opinions: list[Opinion | None], validated_only: bool) -> tuple[float, float]:
    """Return (accuracy, coverage) of `decide` on the spans: first cue, the span's statistics, the model's opinion."""
    right = told = 0
    for text, gold, opinion in zip(spans.texts, spans.labels, opinions, strict=True):
        parsed = Parsed(text, mask_brackets(text), ())
        stats = clause_stats(text, None)
        cue = find_cue(parsed, 0, len(text), stats[0])
        said = cue[1] if cue and not undirected(parsed.masked, 0, len(text)) else None
        d = decide(said, bool(NULL_WORDING.search(parsed.masked)), *stats, opinion)
        if d.direction != "unclear" and (d.validated or not validated_only):
            told += 1
            right += d.direction == gold
    return right / max(told, 1), told / len(spans.texts)


def fit(root: Path, extra: Spans | None = None, distilled: str = "") -> tuple[dict[str, object], str]:
    """Fit the classifier on all train spans (and distilled ones), choose its threshold out of fold on the train
    spans alone; return weights and the report."""
    spans = training_spans(root)
    said, probability = out_of_fold(spans, extra)
    gold = np.asarray(spans.labels, dtype=object)
    threshold, table = choose_threshold(said, probability, gold)
    vectorizer, model = _fitted(spans, np.arange(len(spans.texts)), extra, set())
    keep = sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])
    trained_on = f"Evidence Inference 2.0 ev2_train evidence spans ({len(spans.texts)})"
    if extra is not None:
        trained_on += f" + {len(extra.texts)} distilled examples"
    weights = {"labels": list(model.classes_), "vocabulary": {k: i for i, (k, _) in enumerate(keep)},
               "coef": [[round(float(v), 4) for v in row] for row in model.coef_],
               "intercept": [round(float(v), 4) for v in model.intercept_], "threshold": threshold,
               "trained_on": trained_on, "C": C, "min_df": MIN_DF}
    return weights, report(spans, said, probability, gold, threshold, table, distilled)


def report(spans: Spans, said: np.ndarray, probability: np.ndarray, gold: np.ndarray, threshold: float,
           table: list[str], distilled: str = "") -> str:
    """Return the training report: data, split, metrics beside baselines, and how the threshold was chosen."""
    spoken = probability >= threshold
    majority = max(set(spans.labels), key=spans.labels.count)
    rule_acc, rule_cov = decided(spans, [None] * len(spans.texts), False)
    opinions = [Opinion(d, float(p)) if p >= threshold else None for d, p in zip(said, probability, strict=True)]
    valid_acc, valid_cov = decided(spans, opinions, True)
    return "\n".join([
        "# Direction model: training report", "",
        "Written by `python -m ingest.train direction`; do not edit by hand.", "",
        "## Data and split",
        f"- Evidence Inference 2.0 `v2_annotations.csv`, rows with Valid Label and Valid Reasoning, articles in "
        f"`ev2_train_article_ids.txt` only: {len(spans.texts)} evidence spans from {len(set(spans.articles))} "
        "articles. Validation articles are never read.",
        f"- Metrics are out of fold: {FOLDS} folds grouped by article (a span is scored by a model that never saw "
        "its article). The shipped model is then fitted on all train spans.",
        f"- Distilled: {distilled or NO_EXAMPLES}. An example gives its sentence and the direction the gates "
        "validated (unvalidated or unclear ones are not read); examples join every fold's fitting part (never one "
        "that scores their own article) and the final fit; no metric below and not the threshold is read on them.",
        "",
        "## Metrics (out of fold, ev2 train)", "",
        "| reader | accuracy | coverage |", "| --- | --- | --- |",
        f"| majority class ({majority}) | {float((gold == majority).mean()):.3f} | 1.000 |",
        f"| rules alone (first cue + the span's statistics, `decide` without the model) | {rule_acc:.3f} | "
        f"{rule_cov:.3f} |",
        f"| model, every span | {float((said == gold).mean()):.3f} | 1.000 |",
        f"| model above its threshold {threshold:.2f} | {float((said[spoken] == gold[spoken]).mean()):.3f} | "
        f"{float(spoken.mean()):.3f} |",
        f"| `decide` with the model, validated directions only | {valid_acc:.3f} | {valid_cov:.3f} |", "",
        "Labels are relative to each prompt's intervention, the readers' to the sentence's word order: a span "
        "that names the comparator first (\"bleeding was less with LC than with RF\", labelled for RF) counts "
        "as wrong here although the sentence was read right; most errors of the statistics rows are of this kind.",
        "",
        "## Threshold",
        f"The model speaks only when its probability is at least **{threshold:.2f}**: the lowest threshold at which "
        f"its out-of-fold answers are right at least {TARGET_PRECISION:.0%} of the time (precision before recall). "
        "Even then it only confirms a direction that statistics or wording already give (`decide`); it never "
        "overrides them.", "",
        "| threshold | precision of spoken answers | share of spans spoken on |", "| --- | --- | --- |", *table, ""])


def train(data: Path, examples: Examples | None = None, *, out: Path | None = None) -> str:
    """Train on the data folder (and distilled examples), write the weights and the report (into folder `out` when
    given, else the committed places); return a summary line."""
    extra, distilled = None, ""
    if examples is not None:
        extra, dropped = example_spans(examples, data)
        distilled = distilled_line(examples, len(extra.texts), EXAMPLE_WEIGHT, f"{dropped} left out: direction not "
                                   "validated or unclear, a repeated sentence, or an evaluation article")
    weights, text = fit(ei_root(data), extra, distilled)
    weights_path, report = outputs(WEIGHTS, "direction.md", out)
    weights_path.write_text(json.dumps(weights, separators=(",", ":")) + "\n")
    report.write_text(text)
    size = len(weights["vocabulary"])  # type: ignore[arg-type]
    return (f"{weights_path}: {size} features, threshold {weights['threshold']}, {weights['trained_on']}; "
            f"report {report}")
