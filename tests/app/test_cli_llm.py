"""`medkb ingest` with MEDKB_LLM_BASE_URL extracts through the model; re-ingesting makes no model calls."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.resources import open_kb
from kb.config import Settings
from kb.records import claim_from_hit
from tests.llm_servers import Scripted, ScriptedLLM, claims_reply

runner = CliRunner()
NOTE = """# Aspirin and headache

We randomly assigned 120 adults with headache to aspirin or placebo.

Aspirin significantly reduced headache pain compared with placebo (p<0.01).

Participants tolerated the tablets well and adherence was high throughout the study.
"""


def answer_from_source(fake: ScriptedLLM) -> Any:
    """Return a responder that claims every 'reduced' sentence of the source, quoted verbatim."""
    def respond(body: dict[str, Any]) -> Scripted:
        source = fake.source_of(body)
        sentences = [s for s in re.split(r"(?<=\.)\s+", source) if " reduced " in s]
        return claims_reply(*[{"subject": s.split(" ")[0], "predicate": "decreases",
                               "object": s.split(" reduced ")[1].split(" compared")[0],
                               "direction": "decrease", "quote": s.strip(),
                               "p_value": "p<0.01" if "p<0.01" in s else None} for s in sentences])
    return respond


def ingest(store: Path, path: Path, url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Run `medkb ingest` with the LLM endpoint configured; return stderr."""
    monkeypatch.setenv("MEDKB_LLM_BASE_URL", url)
    monkeypatch.setenv("MEDKB_LLM_MODEL", "scripted-model")
    result = runner.invoke(app, ["ingest", str(path), "--store", str(store)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result.stderr


def test_llm_ingest_then_reingest_makes_no_calls(scripted_llm: ScriptedLLM, tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_llm.responder = answer_from_source(scripted_llm)
    note = tmp_path / "in" / "aspirin.md"
    note.parent.mkdir()
    note.write_text(NOTE)
    store = tmp_path / "kb"
    ingest(store, note, scripted_llm.url, monkeypatch)
    calls = len(scripted_llm.requests)
    assert calls >= 1
    kb = open_kb(Settings(store=store))
    try:
        claims = [claim_from_hit(h) for h in kb.store.scroll("claims")]
    finally:
        kb.close()
    assert claims and all(c.extractor == "llm" and c.model == "scripted-model" and c.prompt_version for c in claims)
    ingest(store, note, scripted_llm.url, monkeypatch)
    assert len(scripted_llm.requests) == calls, "re-ingesting unchanged files must not call the model"
    stats = runner.invoke(app, ["stats", "--store", str(store)]).stdout
    assert "LLM calls" in stats


def test_edited_file_only_asks_about_new_text(scripted_llm: ScriptedLLM, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_llm.responder = answer_from_source(scripted_llm)
    note = tmp_path / "in" / "aspirin.md"
    note.parent.mkdir()
    note.write_text(NOTE)
    store = tmp_path / "kb"
    ingest(store, note, scripted_llm.url, monkeypatch)
    asked = {scripted_llm.source_of(b) for b in scripted_llm.requests}
    note.write_text(NOTE + "\n## Follow-up\n\nIbuprofen reduced migraine days compared with placebo.\n")
    ingest(store, note, scripted_llm.url, monkeypatch)
    new = [scripted_llm.source_of(b) for b in scripted_llm.requests[len(asked):]]
    assert new and all(text not in asked for text in new), "cached chunks are not asked again"


def test_spent_budget_stops_the_run_cleanly_and_a_rerun_continues(scripted_llm: ScriptedLLM, tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    scripted_llm.responder = answer_from_source(scripted_llm)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for name in ("a", "b", "c"):
        (inbox / f"{name}.md").write_text(f"# Note {name}\n\nWe randomly assigned 80 adults to {name.upper()}-drug or "
                                          f"placebo.\n\n{name.upper()}-drug significantly reduced pain "
                                          f"compared with placebo (p<0.01).\n")
    store = tmp_path / "kb"
    monkeypatch.setenv("MEDKB_LLM_BUDGET_CALLS", "1")
    err = ingest(store, inbox, scripted_llm.url, monkeypatch)
    assert "stopped" in err and "budget" in err and "1 documents ingested" in err
    assert len(scripted_llm.requests) == 1
    monkeypatch.setenv("MEDKB_LLM_BUDGET_CALLS", "10")
    err = ingest(store, inbox, scripted_llm.url, monkeypatch)
    assert "2 documents ingested" in err and "1 unchanged" in err and "stopped" not in err
