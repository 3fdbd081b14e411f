"""ingest.train.direction with distilled examples: which examples become spans, and that a fold never fits the
examples of the article it scores."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.train import direction as training
from ingest.train.direction import Spans, example_spans
from ingest.train.examples import Examples
from tests.ingest.train.fakes import example

REDUCED = "Zinc reduced diarrhoea duration compared with placebo (p<0.01)."


def splits(tmp_path: Path) -> Path:
    """Return a data folder whose Evidence Inference validation split holds article 777."""
    folder = tmp_path / "data" / "evidence_inference" / "splits"
    folder.mkdir(parents=True)
    (folder / "ev2_validation_article_ids.txt").write_text("777\n")
    (folder / "ev2_train_article_ids.txt").write_text("555\n")
    return tmp_path / "data"


def test_validated_directions_become_spans_once_per_sentence_grouped_by_article(tmp_path: Path) -> None:
    items = (example(REDUCED, "Zinc", "diarrhoea duration", source="x/PMC555.abst"),
             example(REDUCED, "Zinc", "diarrhoea", source="x/PMC555.abst"),  # NOTE: same sentence and direction
             example(REDUCED, "Zinc", "diarrhoea", restatable=False, direction="decrease", doc_id="d2"),
             example(REDUCED, "Zinc", "diarrhoea", direction="unclear", predicate="associated_with"),
             example(REDUCED, "Zinc", "placebo", source="x/PMC777.abst"),  # NOTE: a validation article
             example("Zinc did not change stool volume (p=0.4).", "Zinc", "stool volume", doc_id="d9",
                     direction="no_difference", predicate="no_effect_on"))
    spans, dropped = example_spans(Examples(Path("ex.jsonl"), items), splits(tmp_path))
    assert spans.texts == [REDUCED, "Zinc did not change stool volume (p=0.4)."]
    assert spans.labels == ["decrease", "no_difference"] and spans.articles == ["555", "doc:d9"]
    assert dropped == 4


def test_a_fold_leaves_out_the_examples_of_the_articles_it_scores() -> None:
    spans = Spans([f"drug lowered pressure {i}" for i in range(6)], ["decrease"] * 3 + ["increase"] * 3,
                  ["1", "1", "2", "2", "3", "3"])
    extra = Spans(["zebra lowered pressure"] * 3, ["decrease"] * 3, ["2", "2", "2"])
    rows = np.arange(6)
    vectorizer, _ = training._fitted(spans, rows, extra, held={"2"})
    assert "zebra" not in vectorizer.vocabulary_
    vectorizer, _ = training._fitted(spans, rows, extra, held=set())
    assert "zebra" in vectorizer.vocabulary_
    # NOTE: without examples the fit is today's, unweighted.
    plain, today = training._fitted(spans, rows, None, set())[1], training._model(spans.texts, spans.labels)[1]
    assert np.array_equal(plain.coef_, today.coef_)
