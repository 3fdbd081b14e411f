"""ingest.train.roles (and its data loaders): labels from headings and evidence spans, a fit on a tiny slice."""

from __future__ import annotations

import json
from itertools import islice
from pathlib import Path

import numpy as np
import pytest

from ingest.chunk import chunk_document
from ingest.nlp.roles import FEATURES, ROLES, cue_features, cue_row, read_model
from ingest.nlp.sentences import Sentence, document_sentences
from ingest.readers.text import parse_text
from ingest.train import roles as training
from ingest.train.data import ei_split_ids
from ingest.train.roles_data import (ei_documents, ei_spans, heading_role, held_out, medline_documents,
                                     pubmedqa_document, sentence_labels)
from ingest.train.examples import NO_EXAMPLES, Examples
from ingest.train.roles_features import Table, build_table, example_rows
from ingest.train.roles_report import Evaluation, write_report
from kb.embed import OnnxMiniLM
from tests.conftest import DATA, needs_data
from tests.ingest.train.fakes import WordEncoder, example


@pytest.mark.parametrize(("heading", "role"), [
    ("MAIN OUTCOME MEASURES", "methods"), ("Objectives", "objective"), ("RESULTS", "results"),
    ("Materials and Methods", "methods"), ("CONCLUSION", "conclusions"), ("BACKGROUND AND AIMS", None),
    ("Methods and results", None), ("Discussion", None),
])
def test_heading_role(heading: str, role: str | None) -> None:
    assert heading_role(heading) == role


def test_the_split_is_deterministic_and_pubmedqa_odd_pmids_are_held_out() -> None:
    assert held_out("pubmedqa", "21645371") and not held_out("pubmedqa", "21645372")
    keys = [str(n) for n in range(1000)]
    share = sum(held_out("medline", k) for k in keys) / len(keys)
    assert 0.15 < share < 0.25 and [held_out("ei_full", k) for k in keys] == [held_out("ei_full", k) for k in keys]


def test_a_pubmedqa_record_is_laid_out_like_an_abstract_with_its_long_answer_last() -> None:
    record = {"QUESTION": "Does aspirin help?",
              "CONTEXTS": ["Headache is common in adults.", "We gave aspirin to adults."], "LABELS": ["BACKGROUND", "METHODS"], "LONG_ANSWER": "Aspirin helped most adults."}
    item = pubmedqa_document("12", record)
    assert [(item.doc.text[s.start : s.end], s.role) for s in item.spans] == [
        ("Headache is common in adults.", "background"), ("We gave aspirin to adults.", "methods"),
        ("Aspirin helped most adults.", "conclusions")]
    sentences = document_sentences(item.doc, chunk_document(item.doc))
    texts = [item.doc.text[s.start : s.end] for s in sentences]
    assert sentence_labels(item, sentences, texts) == [("background", False), ("methods", False),
                                                      ("conclusions", True)]
    assert sentence_labels(item, sentences[:1], ["Headache"]) == [(None, None)]  # NOTE: fragments stay unlabelled


@needs_data
def test_medline_abstracts_carry_nlm_categories() -> None:
    items = list(islice(medline_documents(DATA), 5))
    assert items and all(i.source == "medline" and i.key.isdigit() for i in items)
    roles = {s.role for i in items for s in i.spans}
    assert roles <= {*ROLES, None} and {"methods", "results", "conclusions"} <= roles


@needs_data
def test_an_evidence_inference_text_is_labelled_by_its_parts() -> None:
    doc = next(parse_text(DATA / "evidence_inference" / "txt_files" / "PMC5836873.txt"))
    spans = ei_spans(doc)
    got = {doc.text[s.start : s.end][:40]: s.role for s in spans}
    assert got["To compare the effect of a 6‐month commu"] == "objective"
    assert got["Participation in a 6‐month community‐bas"] == "conclusions"
    # NOTE: the unheaded introduction after ABSTRACT.CONCLUSION is background, not the abstract's conclusion.
    intro = next(s for s in spans if "347 million people" in doc.text[s.start : s.end])
    assert intro.role == "background"


@needs_data
def test_only_train_split_articles_are_read_and_evidence_is_located() -> None:
    root = DATA / "evidence_inference"
    train = ei_split_ids(root, "train")
    items = list(islice(ei_documents(DATA, full_texts=2), 4))
    assert [i.source for i in items] == ["ei_full", "ei_full", "ei_abstract", "ei_abstract"]
    assert all(i.key in train for i in items) and any(i.evidence for i in items)
    for item in items:
        assert all(0 <= lo < hi <= len(item.doc.text) for lo, hi in item.evidence)


@needs_data
def test_a_fit_on_a_tiny_slice_writes_weights_that_load_and_a_report(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    items = list(islice(medline_documents(DATA), 40))
    table = build_table(items, OnnxMiniLM(batch=16), tmp_path / "cache")
    assert len(table.texts) == len(table.roles) == len(table.arrays[0]) and any(table.held)
    monkeypatch.setattr(training, "FOLDS", 3)
    model = training.fit_model(table)
    training.save(model, tmp_path / "w.npz")
    loaded = read_model(tmp_path / "w.npz")
    assert np.allclose(loaded.vector.role_coef, model.vector.role_coef, atol=1e-5)
    evaluation = Evaluation.of(table, loaded)
    report = tmp_path / "roles.md"
    report.write_text("STALE HEADER\n<!-- Hand-written below this line; retraining keeps it. -->\nmy notes\n")
    write_report(report, table, loaded, evaluation, full_texts=0, target=0.92, folds=3)
    text = report.read_text()
    assert "baseline: section heading alone" in text and text.endswith("my notes\n") and "STALE HEADER" not in text
    assert f"Distilled: {NO_EXAMPLES}" in text
    assert json.dumps(evaluation.headline(table))


def test_a_lone_sentence_gets_the_cue_row_of_its_place_in_its_document() -> None:
    item = pubmedqa_document("12", {"QUESTION": "Does aspirin help?", "LABELS": ["METHODS", "RESULTS"],
                                    "CONTEXTS": ["We gave aspirin to 40 adults.", "Aspirin reduced pain (p<0.01)."],
                                    "LONG_ANSWER": "Aspirin helped most adults."})
    sentences = document_sentences(item.doc, chunk_document(item.doc))
    texts = [item.doc.text[s.start : s.end] for s in sentences]
    whole = cue_features(texts, sentences, section=False)
    assert all(np.array_equal(whole[i], cue_row(t, s, i, len(sentences), section=False))
               for i, (t, s) in enumerate(zip(texts, sentences, strict=True)))


def test_distilled_sentences_are_fitted_as_findings_never_held_out_or_scored(tmp_path: Path) -> None:
    table = Table()
    first = example("Aspirin reduced pain compared with placebo (p<0.01).", "Aspirin", "pain", source="x/PMC9.abst")
    items = [first, example(first.sentence, "Aspirin", "placebo", source="x/PMC9.abst"),
             example("Aspirin reduced pain. Nausea rose.", "Aspirin", "pain", parts=2, doc_id="d2"),
             example("Aspirin raised mood (p=0.01).", "Aspirin", "mood", doc_id="d3", pmid="42")]
    encoder = WordEncoder()
    assert example_rows(table, items, encoder, 0.5) == 2  # NOTE: one row per sentence; a two-sentence quote none
    assert encoder.calls == [[first.sentence, "Aspirin raised mood (p=0.01)."]]
    assert table.sources == ["distilled"] * 2 and table.keys == ["9", "42"] and table.distilled
    assert table.findings == [True, True] and table.roles == [None, None] and table.held == [False, False]
    assert table.weights == [0.5, 0.5] and all(table.has)
    s = Sentence(first.start, first.end, "results", first.position)
    assert np.array_equal(table.cues[0], cue_row(first.sentence, s, first.index, first.sentences))
    assert table.cues_masked[0][FEATURES.index("section_results")] == 0 == 1 - table.cues[0][
        FEATURES.index("section_results")]


def test_add_examples_leaves_out_held_out_articles_and_names_the_file(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    table = Table()
    table.keys, table.held = ["9", "10"], [True, False]
    items = (example("Aspirin reduced pain (p<0.01).", "Aspirin", "pain", source="x/PMC9.abst"),
             example("Aspirin raised mood (p=0.01).", "Aspirin", "mood", source="x/PMC10.abst"),
             # NOTE: held out by its PMID though its PMCID is not in the table
             example("Aspirin eased sleep (p=0.03).", "Aspirin", "sleep", source="x/PMC777.txt", pmid="9"))
    monkeypatch.setattr(training, "example_rows", lambda t, fresh, e, w: len(fresh))
    examples = Examples(Path("ex.jsonl"), items)
    line = training.add_examples(table, examples, tmp_path, WordEncoder())  # type: ignore[arg-type]
    assert line.startswith("trained with 1 distilled examples from ex.jsonl (weight 0.5 each")
    assert "2 from held-out or evaluation articles left out" in line


@needs_data
def test_a_tiny_fit_with_distilled_rows_scores_only_the_original_held_out(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    table = build_table(list(islice(medline_documents(DATA), 30)), WordEncoder(), tmp_path / "cache")
    held = len(np.flatnonzero(table.held))
    sentence = "Aspirin reduced pain compared with placebo (p<0.01)."
    items = [example(sentence, "Aspirin", "pain", doc_id=f"d{i}", start=i * 100, end=i * 100 + len(sentence))
             for i in range(12)]
    example_rows(table, items, WordEncoder(), 0.5)
    monkeypatch.setattr(training, "FOLDS", 3)
    model = training.fit_model(table)
    evaluation = Evaluation.of(table, model)
    assert len(evaluation.rows) == held and not any(table.sources[i] == "distilled" for i in evaluation.rows)
    report = tmp_path / "roles.md"
    write_report(report, table, model, evaluation, full_texts=0, target=0.92, folds=3,
                 distilled="trained with 12 distilled examples from ex.jsonl (weight 0.5 each)")
    text = report.read_text()
    assert "Distilled: trained with 12 distilled examples from ex.jsonl" in text
    assert "| distilled | train | 12 |" in text
