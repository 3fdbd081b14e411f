"""The Library page, run headless with AppTest on a real knowledge base: the table, a document, uploads."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from app.cli import app as cli
from tests.conftest import DEMO


def _library_page(store: str) -> None:
    """The script AppTest runs: the Library page served as the app serves it."""
    from pathlib import Path

    from app.streamlit_app import serve

    serve(Path(store), "app.web.library")


def run_library(store: Path, tab: str | None = None) -> AppTest:
    """Run the Library page once (on the tab given)."""
    at = AppTest.from_function(_library_page, args=(str(store),), default_timeout=120)
    if tab:
        at.session_state["library_tab"] = tab
    return at.run()


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base with the demo corpus."""
    path = tmp_path_factory.mktemp("library") / "kb"
    result = CliRunner().invoke(cli, ["ingest", str(DEMO), "--store", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


def test_every_document_with_its_kind_design_size_and_claims(store: Path) -> None:
    at = run_library(store)
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == 13
    assert set(table["kind"]) == {"paper", "trial", "PDF", "text"}
    poster = table[table["kind"] == "PDF"].iloc[0]
    assert poster["design"] == "rct" and poster["n"] == 64 and poster["claims"] > 0
    registry = table[table["link"].fillna("").str.startswith("https://clinicaltrials.gov/study/NCT0990000")]
    assert len(registry) == 2
    assert any(c.value == "13 of 13 documents" for c in at.caption)


def test_search_and_filters_narrow_the_table(store: Path) -> None:
    at = run_library(store)
    at.text_input(key="library_search").input("quorvafil").run()
    titles = list(at.dataframe[0].value["title"])
    assert titles and all("quorvafil" in t.casefold() for t in titles)
    at.text_input(key="library_search").input("").run()
    at.multiselect[0].set_value(["trial"]).run()
    assert set(at.dataframe[0].value["kind"]) == {"trial"} and len(at.dataframe[0].value) == 2


def test_a_document_shows_its_metadata_sections_and_claims(store: Path) -> None:
    at = run_library(store)
    table = at.dataframe[0].value
    doc_id = table[table["title"].str.contains("ZEPHYR-LF")].iloc[0]["id"]
    at.selectbox(key="library_doc").set_value(doc_id).run()
    assert not at.exception
    assert "ZEPHYR\\-LF" in at.subheader[0].value, "the title, escaped"
    assert "[PMC99000001](https://pmc.ncbi.nlm.nih.gov/articles/PMC99000001/)" in " ".join(m.value for m in at.markdown)
    claims = at.dataframe[1].value
    assert len(claims) > 0 and claims["quote"].str.contains("FEV1").any()
    labels = [e.label for e in at.expander]
    assert any(label.startswith("Results") for label in labels), labels


def test_uploads_are_kept_under_the_store_and_ingested_with_each_failure_named(tmp_path: Path) -> None:
    store = tmp_path / "kb"
    assert CliRunner().invoke(cli, ["ingest", str(DEMO / "brenotide_case.txt"), "--store", str(store)]).exit_code == 0
    at = run_library(store, tab="Add documents")
    assert not at.exception
    at.file_uploader[0].set_value([
        ("quorvafil notes.md", (DEMO / "quorvafil_notes.md").read_bytes(), "text/markdown"),
        ("ZEPHYR-1.json", (DEMO / "trials" / "NCT09900001.json").read_bytes(), "application/json"),
        ("settings.json", b'{"theme": "dark"}', "application/json"),
    ]).run()
    at.button[0].click().run()
    assert not at.exception
    assert "Stored 2 new or changed documents" in at.success[0].value
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("settings\\.json: ") and "ClinicalTrials" in errors[0]
    kept = sorted(p.name for p in (store / "sources" / "uploads").iterdir())
    assert kept == ["ZEPHYR-1.json", "quorvafil notes.md", "settings.json"]
    assert any(c.value == "documents: 3" for c in at.sidebar.caption)
    assert set(at.dataframe[0].value["kind"]) == {"text", "trial"}, "back on the documents, with the new ones"
