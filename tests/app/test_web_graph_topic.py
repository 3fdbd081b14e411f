"""The claim graph and topic map pages, run headless with AppTest through a tiny script that calls show(kb)."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.cli import app as cli
from tests.conftest import DEMO

SCRIPT = """
import os
from app.resources import open_kb
from kb.config import Settings
from app.web import {page} as page
kb = open_kb(Settings(), create=False, wait_s=30)
try:
    page.show(kb)
finally:
    kb.close()
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base with the demo corpus, closed again so the pages can open it."""
    from typer.testing import CliRunner

    path = tmp_path_factory.mktemp("web") / "kb"
    result = CliRunner().invoke(cli, ["ingest", str(DEMO), "--store", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


def run(page: str, store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    """Run one page once against the store."""
    monkeypatch.setenv("MEDKB_STORE", str(store))
    at = AppTest.from_string(SCRIPT.format(page=page), default_timeout=120)
    return at.run()


def pick(at: AppTest, name: str) -> None:
    """Pick an entity among the box's options, however the first claim spelt it."""
    option = next(o for o in at.selectbox[0].options if o.casefold() == name)
    at.selectbox[0].set_value(option).run()


def text(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def test_the_entity_page_shows_graded_findings_with_linked_sources(store: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    at = run("graph", store, monkeypatch)
    assert not at.exception and at.header[0].value == "Claim graph"
    pick(at, "quorvafil")
    assert not at.exception
    assert any(s.value.casefold() == "quorvafil as the intervention" for s in at.subheader)
    shown = text(at)
    assert ":orange-badge[certainty: low]" in shown and "systolic blood pressure" in shown
    assert "[PubMed](https://pubmed.ncbi.nlm.nih.gov/90000003/)" in shown, "the cohort is linked"
    assert any("no finding counts" in e.label for e in at.expander)


def test_the_network_view_draws_without_error(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run("graph", store, monkeypatch)
    pick(at, "zelmorant")
    at.radio[0].set_value("Network").run()
    assert not at.exception
    assert any("Click a finding" in c.value for c in at.caption)


def test_an_unknown_entity_says_nothing_names_it() -> None:
    # NOTE: AppTest sets a select box only to one of its options; a name typed in goes straight to the entity page.
    at = AppTest.from_string("""
from app.web.graph import entity_page
from kb.claimgraph import EntityView
entity_page(EntityView(name="natalizumab", forms=("natalizumab",)))
""").run()
    assert not at.exception and "No claim in this knowledge base names natalizumab" in at.warning[0].value


def test_the_topic_map_shows_sections_grid_gaps_and_a_report(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run("topic", store, monkeypatch)
    assert not at.exception and at.header[0].value == "Topic map"
    at.text_input[0].input("hypertension")
    at.button[0].click().run()
    assert not at.exception
    headings = [s.value for s in at.subheader]
    assert headings[:5] == ["What we know", "What is uncertain", "Intervention × outcome grid",
                            "What we know we don't know", "What we might know — not established"]
    shown = text(at)
    assert "Conflicting evidence" in shown and "NCT09900002" in shown
    assert at.dataframe[0].value.shape == (3, 2), "three outcomes down, quorvafil across"
    assert at.selectbox[0].options == ["md", "html", "json"]


def test_the_topic_network_and_a_report_format_change_keep_the_map(store: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    at = run("topic", store, monkeypatch)
    at.text_input[0].input("asthma")
    at.button[0].click().run()
    kept = at.session_state["topic_map"]
    at.selectbox[0].set_value("html").run()
    at.toggle[0].set_value(True).run()
    assert not at.exception
    assert at.session_state["topic_map"] is kept or at.session_state["topic_map"] == kept
    assert any("Click a finding" in c.value for c in at.caption)
