"""The Memory page under Streamlit's AppTest: saved questions with notes, Re-run showing what changed, history."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from kb.memory import Finding, Memory, Snapshot, Study
from tests.app.test_cli import demo_store, medkb  # noqa: F401  (a fixture, used by name)
from tests.conftest import ROOT

SCRIPT = ROOT / "tests" / "app" / "memory_page_script.py"
ZELMORANT = "Does zelmorant reduce exacerbations in asthma?"


@pytest.fixture(scope="module")
def remembered(demo_store: Path) -> Path:  # noqa: F811
    """The demo knowledge base with a saved question whose last snapshot cites a study the store does not hold,
    and a question asked but not saved."""
    assert medkb("ask", "Is brenotide associated with weight gain?", "--store", str(demo_store))[0] == 0
    memory = Memory(demo_store / "memory.sqlite")
    gone = Study(doc_id="gone-1", title="An older trial", design="rct", n=60, pmid="123")
    memory.record(Snapshot(question=ZELMORANT, taken_at=datetime(2026, 1, 5, tzinfo=timezone.utc), studies=(gone,),
                           findings=(Finding(key="old", statement="An old finding", certainty="low",
                                             direction="decrease", studies=("gone-1",)),)))
    memory.save(ZELMORANT, "watch ZEPHYR")
    return demo_store


def _page(store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("MEDKB_STORE", str(store))
    at = AppTest.from_file(str(SCRIPT), default_timeout=120)
    at.run()
    assert not at.exception
    return at


def test_page_lists_saved_questions_with_notes_and_the_history(remembered: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(remembered, monkeypatch)
    assert at.header[0].value == "Memory"
    assert ZELMORANT in " ".join(m.value for m in at.markdown)
    assert any("note: watch ZEPHYR" in c.value for c in at.caption)
    table = at.dataframe[0].value
    assert set(table["question"]) == {ZELMORANT, "Is brenotide associated with weight gain?"}
    assert [b.label for b in at.button][:2] == ["Re-run", "Unsave"]


def test_rerun_shows_what_changed(remembered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(remembered, monkeypatch)
    at.button(key=next(b.key for b in at.button if b.label == "Re-run")).click().run()
    assert not at.exception
    warnings = [w.value for w in at.warning]
    assert any(w.startswith("No longer cited: An older trial (PMID 123)") for w in warnings)
    assert "No longer found (low certainty before): An old finding" in warnings
    assert any(s.value.startswith("New study:") for s in at.success), "the demo's zelmorant trials are new"
    assert any("asked 2 times · note: watch ZEPHYR" in c.value for c in at.caption), "the card counts the re-run"
    assert len(Memory(remembered / "memory.sqlite").history(limit=10)) == 3, "the re-run is kept in history"


def test_save_from_history_with_a_note(remembered: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = _page(remembered, monkeypatch)
    at.text_input[0].input("a case report only")
    at.button[-1].click().run()
    assert not at.exception
    saved = Memory(remembered / "memory.sqlite").questions(saved_only=True)
    assert {q.question: q.note for q in saved}["Is brenotide associated with weight gain?"] == "a case report only"
