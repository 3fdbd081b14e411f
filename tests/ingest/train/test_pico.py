"""ingest.train.pico with distilled examples: their pieces weigh as stated, only positives, and they never join the
held-out or tuning parts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from ingest.train import pico as training
from ingest.train.examples import Examples
from ingest.train.pico_data import UNKNOWN, abstract_document, example_documents
from ingest.train.pico_data import Labelled
from tests.ingest.train.fakes import WordEncoder, example


def test_piece_weights_by_source() -> None:
    labels = np.array([UNKNOWN, 0, 2, 3], dtype=np.int8)
    assert training.piece_weights("ebm", labels).tolist() == [0.0, 1.0, 1.0, 1.0]
    assert training.piece_weights("ei", labels).tolist() == [0.0, 0.0, training.EI_WEIGHT, training.EI_WEIGHT]
    assert training.piece_weights("distilled", labels).tolist() == [0.0, 0.0, training.EXAMPLE_WEIGHT,
                                                                    training.EXAMPLE_WEIGHT]


def test_a_distilled_sentence_joins_the_table_as_weighted_positives() -> None:
    sentence = "Zinc reduced diarrhoea duration versus placebo."
    found = example_documents([example(sentence, "Zinc", "diarrhoea duration")], WordEncoder())
    table = training.build_table(found)
    assert table.weights.tolist() == [training.EXAMPLE_WEIGHT, 0.0, training.EXAMPLE_WEIGHT, training.EXAMPLE_WEIGHT,
                                      0.0, 0.0, 0.0]
    assert table.labels.tolist() == [2, 0, 3, 3, 0, 0, 0] and len(table.vectors) == 8  # NOTE: + the zero pad row


def test_examples_from_held_out_or_tuning_abstracts_are_left_out(tmp_path: Path) -> None:
    pmids = [str(n) for n in range(10_000, 10_200)]
    scored = next(p for p in pmids if training.held_out(p))
    tuned = next(p for p in pmids if training.tuning(p) and not training.held_out(p))
    free = next(p for p in pmids if not training.tuning(p) and not training.held_out(p))
    ebm = [(Labelled(p, "ebm", abstract_document(p, "T.\n\nA."), np.zeros(5, np.int8)), None) for p in pmids]
    items = tuple(example("Zinc reduced pain.", "Zinc", "pain", pmid=p, doc_id=p) for p in (scored, tuned, free))
    examples = Examples(Path("ex.jsonl"), items)
    found, line = training.distilled_documents(examples, tmp_path, ebm, WordEncoder())  # type: ignore[arg-type]
    assert [item.key.split(":")[0] for item, _ in found] == [free]
    assert line.startswith("trained with 1 distilled examples from ex.jsonl (weight 0.5 each; 1 sentences")
    assert "2 from held-out, tuning or evaluation articles left out" in line
