"""PICO training data: token alignment, the held-out split and Evidence Inference prompt spans."""

from __future__ import annotations

import numpy as np

from ingest.nlp.pico import PicoSpan
from ingest.train.pico_data import (UNKNOWN, _prompt_spans, abstract_document, align, example_documents,
                                    example_labels, held_out)
from ingest.train.pico_eval import gold_runs, predicted
from tests.ingest.train.fakes import WordEncoder, example


def test_tokens_align_even_where_the_token_files_lost_letters_and_quotes() -> None:
    text = 'Effect of "caf\u00e9" diet on pain.'
    spans = align(["Effect", "of", "caf?", "diet", "on", "pain", "."], text)
    assert [text[s:e] for s, e in spans if s is not None] == ["Effect", "of", "caf\u00e9", "diet", "on", "pain", "."]


def test_an_abstract_is_laid_out_as_the_pubmed_reader_lays_it() -> None:
    doc = abstract_document("1", "Aspirin for pain.\n\nWe gave aspirin.\n\nPain fell.\n\n")
    assert doc.text == "Aspirin for pain.\n\nWe gave aspirin.\n\nPain fell." and doc.title == "Aspirin for pain."
    assert [s.kind for s in doc.sections] == ["title", "abstract"]


def test_the_held_out_fifth_is_fixed_by_pmid() -> None:
    pmids = [str(n) for n in range(10_000, 12_000)]
    share = sum(map(held_out, pmids)) / len(pmids)
    assert 0.17 < share < 0.23 and [held_out(p) for p in pmids[:50]] == [held_out(p) for p in pmids[:50]]


def test_prompt_strings_are_found_whole_and_conflicts_dropped() -> None:
    text = "Metformin lowered HbA1c; Metformins and HbA1cx values."
    found = _prompt_spans(text, [("Metformin", 2), ("HbA1c", 3), ("lowered", 2), ("lowered", 3)])
    assert sorted((text[s:e], lab) for s, e, lab in found) == [("HbA1c", 3), ("Metformin", 2)]


def test_scoring_runs_are_trimmed_token_runs() -> None:
    text = "in 20 adults with asthma got aspirin"
    tokens, at = [], 0
    for word, label in zip(text.split(), [1, 1, 1, 1, 1, 0, 2], strict=True):
        at = text.index(word, at)
        tokens.append((at, at + len(word), label))
        at += len(word)
    assert gold_runs(text, tokens) == {(2, 5, 1), (6, 7, 2)}  # NOTE: "in 20" trimmed: a function word, a number
    labels, runs = predicted(tokens, [PicoSpan(6, 24, "P", 0.9)])
    assert labels.tolist() == [0, 0, 1, 1, 1, 0, 0] and runs == {(2, 5, 1)}  # NOTE: "adults with asthma"
    assert isinstance(labels, np.ndarray)


def test_a_distilled_sentence_labels_intervention_subjects_i_and_objects_o_and_nothing_else() -> None:
    sentence = "Zinc reduced diarrhoea duration and stool volume versus placebo (p<0.01)."
    group = [example(sentence, "Zinc", "diarrhoea duration"), example(sentence, "Zinc", "stool volume"),
             example(sentence, "placebo", "stool volume", subject_type="other")]
    labels = example_labels(group)
    marked = {sentence[i] + str(int(labels[i])) for i in range(len(sentence)) if labels[i] != UNKNOWN}
    assert "".join(sentence[i] for i in np.flatnonzero(labels == 2)) == "Zinc"
    assert "".join(sentence[i] for i in np.flatnonzero(labels == 3)) == "diarrhoea durationstool volume"
    assert "p2" not in marked  # NOTE: 'placebo' was a subject of type other: left unknown, never I, never a negative


def test_distilled_sentences_are_encoded_alone_once_with_piece_labels() -> None:
    sentence = "Zinc reduced diarrhoea duration versus placebo."
    encoder = WordEncoder()
    found = example_documents([example(sentence, "Zinc", "diarrhoea duration"),
                               example(sentence, "Zinc", "placebo"),  # NOTE: same sentence: one document
                               example("No names here at all.", "x", "y", doc_id="d2")], encoder)
    assert encoder.calls == [[sentence]] and len(found) == 1
    item, feats = found[0]
    assert item.source == "distilled" and item.doc.text == sentence and feats.chunk.tolist() == [0] * len(feats.spans)
    words = [sentence[s:e] for s, e in feats.spans.tolist()]
    assert dict(zip(words, feats.labels.tolist(), strict=True)) == {
        "Zinc": 2, "reduced": UNKNOWN, "diarrhoea": 3, "duration": 3, "versus": UNKNOWN, "placebo": 3, ".": UNKNOWN}
