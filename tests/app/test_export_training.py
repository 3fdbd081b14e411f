"""`medkb export training` on a real store built through the LLM path (loopback scripted server): one example per
stored LLM claim, i.e. per claim that passed the gates, located in its sentence; rule-extracted claims are not
examples."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.resources import open_kb
from ingest.train import direction
from ingest.train.examples import read_examples
from kb.config import Settings
from kb.records import claim_from_hit, document_from_hit
from tests.conftest import needs_data
from tests.ingest.train.tiny_data import committed, tiny_data
from tests.llm_servers import Scripted, ScriptedLLM, claims_reply

runner = CliRunner()
METHODS = "We randomly assigned 160 children with recurrent wheeze to inhaled budesonide or placebo for 12 weeks."
REDUCED = "Budesonide significantly reduced wheezing episodes compared with placebo (p<0.01)."
NULL = "Budesonide did not change height velocity compared with placebo (p=0.61)."
REPORT = f"""# Inhaled budesonide for recurrent wheeze in preschool children: a randomised trial

## Methods

{METHODS}

## Results

{REDUCED} {NULL}
"""
RULES_NOTE = """# Aspirin and headache

We randomly assigned 120 adults with headache to aspirin or placebo.

Aspirin significantly reduced headache pain compared with placebo (p<0.01).
"""


def answer(fake: ScriptedLLM) -> Any:
    """Return a responder claiming both results and, wrongly, the methods sentence (the gates must drop it)."""
    def respond(body: dict[str, Any]) -> Scripted:
        source = fake.source_of(body)
        claims = []
        if METHODS in source:
            claims.append({"subject": "inhaled budesonide", "predicate": "decreases", "object": "recurrent wheeze",
                           "direction": "decrease", "quote": METHODS})
        if REDUCED in source:
            claims.append({"subject": "Budesonide", "predicate": "decreases", "object": "wheezing episodes",
                           "direction": "decrease", "quote": REDUCED, "p_value": "p<0.01"})
        if NULL in source:
            claims.append({"subject": "Budesonide", "predicate": "no_effect_on", "object": "height velocity",
                           "direction": "no_difference", "quote": NULL, "p_value": "p=0.61"})
        return claims_reply(*claims)
    return respond


def medkb(*args: str) -> tuple[int, str, str]:
    """Run the CLI; return exit code, stdout and stderr."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(scripted_llm: ScriptedLLM, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return a knowledge base with one trial report ingested through the LLM and one note through the rules."""
    scripted_llm.responder = answer(scripted_llm)
    (tmp_path / "llm").mkdir()
    (tmp_path / "llm" / "budesonide.md").write_text(REPORT)
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "aspirin.md").write_text(RULES_NOTE)
    kb = tmp_path / "kb"
    code, _, err = medkb("ingest", str(tmp_path / "rules"), "--store", str(kb))
    assert code == 0, err
    monkeypatch.setenv("MEDKB_LLM_BASE_URL", scripted_llm.url)
    monkeypatch.setenv("MEDKB_LLM_MODEL", "scripted-model")
    code, _, err = medkb("ingest", str(tmp_path / "llm"), "--store", str(kb))
    assert code == 0, err
    return kb


def stored(kb: Path) -> tuple[list[Any], dict[str, Any]]:
    """Return the stored claims and documents (by id)."""
    opened = open_kb(Settings(store=kb))
    try:
        claims = [claim_from_hit(h) for h in opened.store.scroll("claims")]
        docs = {h.id: document_from_hit(h) for h in opened.store.scroll("documents")}
    finally:
        opened.close()
    return claims, docs


def test_every_gated_llm_claim_is_one_example_in_its_sentence(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "examples.jsonl"
    code, _, err = medkb("export", "training", "-o", str(target), "--store", str(store))
    assert code == 0, err
    examples = read_examples(target).items
    claims, docs = stored(store)
    llm = [c for c in claims if c.extractor == "llm"]
    assert any(c.extractor != "llm" for c in claims), "the rules note gave a claim that must not be exported"
    assert f"exported {len(examples)} training examples to {target}" in err
    assert sorted(e.claim_id for e in examples) == sorted(c.id for c in llm) and len(examples) == 2
    # NOTE: the methods sentence's claim failed the finding gate, so it was never stored and is no example.
    assert {e.sentence for e in examples} == {REDUCED, NULL}
    for e in examples:
        doc = docs[e.doc_id]
        assert doc.text[e.start : e.end] == e.sentence and e.section == "results"
        assert e.position == pytest.approx(e.start / len(doc.text)) and 0 < e.index < e.sentences
        assert (e.model, e.prompt_version, e.title) == ("scripted-model", "claims-v2", doc.title)
        assert e.text(e.subject_span) == "Budesonide" and e.text(e.object_span) == e.object
    by_sentence = {e.sentence: e for e in examples}
    assert (by_sentence[REDUCED].direction, by_sentence[NULL].direction) == ("decrease", "no_difference")
    assert by_sentence[NULL].restatable and by_sentence[NULL].predicate == "no_effect_on"


def test_training_examples_go_to_stdout_as_json_lines_only(store: Path) -> None:
    code, out, err = medkb("export", "training", "--store", str(store))
    assert code == 0 and len(out.splitlines()) == 2 and "exported 2 training examples" in err
    assert all(re.match(r'\{"format":"medkb-training-example/1"', line) for line in out.splitlines())
    code, _, err = medkb("export", "training", "--format", "csv", "--store", str(store))
    assert code == 2 and "JSON lines only" in err


@needs_data
def test_exported_examples_retrain_the_direction_model(store: Path, tmp_path: Path) -> None:
    target = tmp_path / "examples.jsonl"
    assert medkb("export", "training", "-o", str(target), "--store", str(store))[0] == 0
    before = committed()
    out = tmp_path / "out"
    summary = direction.train(tiny_data(tmp_path / "data"), read_examples(target), out=out)
    assert "+ 2 distilled examples" in summary
    assert f"Distilled: trained with 2 distilled examples from {target}" in (out / "direction.md").read_text()
    assert committed() == before
