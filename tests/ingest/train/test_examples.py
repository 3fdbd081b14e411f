"""ingest.train.examples: the distilled-example format, built from a claim in its sentence, read back from a file."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from ingest.chunk import chunk_document
from ingest.nlp.sentences import document_sentences
from ingest.train.examples import (FORMAT, TrainingExample, article_keys, evaluation_articles, from_claim, kept,
                                   name_span, read_examples)
from kb.claims import Claim, Quote, claim_id
from kb.models import Document, Entity, Section, content_hash, entity_id
from tests.conftest import DATA, needs_data

METHODS = "We randomly assigned 160 children with recurrent wheeze to budesonide or placebo."
RESULT = "Budesonide significantly reduced wheezing episodes compared with placebo (p<0.01)."
TEXT = f"Budesonide for wheeze\n\nMethods\n\n{METHODS}\n\nResults\n\n{RESULT} Height did not change."


def document() -> Document:
    """Return a small trial report with a methods and a results section."""
    at = TEXT.index("Results")
    sections = (Section(title="Methods", kind="methods", start=TEXT.index("Methods"), end=at),
                Section(title="Results", kind="results", start=at, end=len(TEXT)))
    return Document(id="doc-1", kind="text", source="/in/PMC4242.abst", content_hash=content_hash(TEXT),
                    title="Budesonide for wheeze", text=TEXT, pmid="31337", sections=sections)


def llm_claim(doc: Document, quote_text: str, subject: str, obj: str) -> Claim:
    """Return a stored-looking LLM claim quoting quote_text."""
    start = doc.text.index(quote_text)
    quote = Quote(text=quote_text, doc_id=doc.id, start=start, end=start + len(quote_text))
    s, o = Entity(id=entity_id(subject, "intervention"), name=subject, type="intervention"), \
        Entity(id=entity_id(obj, "outcome"), name=obj, type="outcome")
    return Claim(id=claim_id(doc.id, quote, s, "decreases", o), doc_id=doc.id, chunk_id="c", subject=s,
                 predicate="decreases", object=o, direction="decrease", restatable=True, quote=quote, extractor="llm",
                 extractor_version="1.0", model="big-model", prompt_version="claims-v2", confidence=0.8)


def test_a_claim_becomes_an_example_in_its_sentence_with_verbatim_spans() -> None:
    doc = document()
    sentences = document_sentences(doc, chunk_document(doc))
    # NOTE: the quote is part of the sentence; the example carries the whole sentence and the quote inside it.
    ex = from_claim(llm_claim(doc, "Budesonide significantly reduced wheezing episodes", "budesonide",
                              "wheezing episodes"), doc, sentences)
    assert ex is not None and ex.sentence == RESULT and doc.text[ex.start : ex.end] == RESULT
    assert ex.text(ex.quote) == "Budesonide significantly reduced wheezing episodes"
    assert ex.text(ex.subject_span) == "Budesonide" and ex.text(ex.object_span) == "wheezing episodes"
    assert (ex.section, ex.parts, ex.sentences, ex.direction, ex.restatable) == ("results", 1, len(sentences),
                                                                                 "decrease", True)
    assert sentences[ex.index].start == ex.start and ex.position == pytest.approx(ex.start / len(TEXT))
    assert (ex.model, ex.prompt_version, ex.subject_type, ex.format) == ("big-model", "claims-v2", "intervention",
                                                                         FORMAT)


def test_a_quote_over_two_sentences_spans_both_and_a_name_outside_the_quote_is_found_in_the_sentence() -> None:
    doc = document()
    sentences = document_sentences(doc, chunk_document(doc))
    ex = from_claim(llm_claim(doc, "(p<0.01). Height did not change.", "Budesonide", "Height"), doc, sentences)
    assert ex is not None and ex.parts == 2 and ex.sentence == f"{RESULT} Height did not change."
    assert ex.subject_span == (0, len("Budesonide"))  # NOTE: not in the quote, found in the sentence
    assert name_span("A reduced B", "C", (0, 11)) is None  # NOTE: never a piece of a longer word
    assert name_span("Lead levels fell (CBT).", "(CBT)", (0, 5)) == (17, 22)


def test_examples_round_trip_through_json_lines(tmp_path: Path) -> None:
    doc = document()
    ex = from_claim(llm_claim(doc, RESULT, "Budesonide", "wheezing episodes"), doc,
                    document_sentences(doc, chunk_document(doc)))
    assert ex is not None
    path = tmp_path / "examples.jsonl"
    path.write_text(ex.model_dump_json() + "\n\n" + ex.model_dump_json() + "\n")
    read = read_examples(path)
    assert read.path == path and read.items == (ex, ex)


def test_a_span_that_does_not_read_its_name_is_refused(tmp_path: Path) -> None:
    doc = document()
    ex = from_claim(llm_claim(doc, RESULT, "Budesonide", "wheezing episodes"), doc,
                    document_sentences(doc, chunk_document(doc)))
    assert ex is not None
    with pytest.raises(ValidationError, match="reads 'Budesonid', not 'Budesonide'"):
        TrainingExample.model_validate(ex.model_dump() | {"subject_span": (0, 9)})
    with pytest.raises(ValidationError, match="does not match its length"):
        TrainingExample.model_validate(ex.model_dump() | {"end": ex.end + 1})
    path = tmp_path / "bad.jsonl"
    path.write_text(ex.model_dump_json() + "\n" + ex.model_dump_json().replace(FORMAT, "other/9") + "\n")
    with pytest.raises(ValueError, match=r"bad.jsonl:2: not a medkb-training-example/1 line \(format"):
        read_examples(path)


def test_article_keys_read_pmid_pmcid_and_a_pmc_file_name() -> None:
    doc = document()
    ex = from_claim(llm_claim(doc, RESULT, "Budesonide", "wheezing episodes"), doc,
                    document_sentences(doc, chunk_document(doc)))
    assert ex is not None and article_keys(ex) == {"pmid:31337", "pmc:4242"}
    other = ex.model_copy(update={"pmid": None, "source": "notes/a.md"})
    assert article_keys(other) == frozenset()
    assert kept([ex, other], {"pmc:4242"}) == ([other], 1)


@needs_data
def test_evidence_inference_validation_articles_are_excluded() -> None:
    found = evaluation_articles(DATA)
    validation = (DATA / "evidence_inference" / "splits" / "ev2_validation_article_ids.txt").read_text().split()
    train = (DATA / "evidence_inference" / "splits" / "ev2_train_article_ids.txt").read_text().split()
    assert {f"pmc:{i}" for i in validation} <= found and not {f"pmc:{i}" for i in train} & found
