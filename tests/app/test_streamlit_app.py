"""The Streamlit app, run headless with AppTest against a real knowledge base."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from app.cli import app as cli
from tests.conftest import DEMO, ROOT

APP = ROOT / "app" / "streamlit_app.py"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base with the demo corpus, closed again so the app can open it."""
    from typer.testing import CliRunner

    path = tmp_path_factory.mktemp("app") / "kb"
    result = CliRunner().invoke(cli, ["ingest", str(DEMO), "--store", str(path)])
    assert result.exit_code == 0, result.stderr
    return path


def run_app(store: Path, monkeypatch: pytest.MonkeyPatch, question: str | None = None) -> AppTest:
    """Run the app once (and again after typing a question)."""
    monkeypatch.setenv("MEDKB_STORE", str(store))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    if question is not None:
        at.text_input[0].input(question).run()
    return at


def test_app_starts_with_disclaimer_and_counts(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(store, monkeypatch)
    assert not at.exception
    assert at.title[0].value == "MedKB"
    sidebar = " ".join(c.value for c in at.sidebar.caption)
    assert "documents:" in sidebar and "claims:" in sidebar
    assert "not medical advice" in at.sidebar.info[0].value


def test_question_shows_badges_reasons_quotes_and_passages(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(store, monkeypatch, "Does zelmorant reduce exacerbations in asthma?")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "certainty:" in text
    assert "reduce" in text.lower() and "zelmorant" in text.lower()
    assert any(m.value.startswith("> ") for m in at.markdown), "verbatim quotes are shown"
    assert len(at.expander) > 0 and at.expander[0].label == "Open the source passage"
    passage = at.expander[0].text[0].value
    assert "»" in passage and "«" in passage


def test_gap_and_conflict_show(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(store, monkeypatch, "Does quorvafil lower blood pressure?")
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "Conflicting evidence" in text
    assert "registered, finished, unpublished" in text
    assert any("Related passages" in s.value for s in at.subheader)
    assert any(c.value.startswith("Not counted:") for c in at.caption)


def test_the_extractive_switch_shows_no_generated_sentence(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(store, monkeypatch, "Does quorvafil lower blood pressure?")
    at.toggle[0].set_value(True).run()
    assert not at.exception
    assert any("Not restated" in c.value for c in at.caption)
    headings = [m.value for m in at.markdown if m.value.startswith("#### ")]
    assert headings and all(" vs " in h or ":" in h for h in headings)


def test_source_markup_is_not_rendered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    inbox = tmp_path / "in"
    # NOTE: the file's path reads as a Markdown image: unescaped, the browser would fetch that URL.
    hostile = inbox / "![x](https:127.0.0.1:48123" / "leak.png) evil.md"
    hostile.parent.mkdir(parents=True)
    hostile.write_text(
        "# Aspirin <img src=x onerror=alert(1)> [click](javascript:alert(1))\n\n"
        "Aspirin significantly reduced headache pain compared with placebo [click](javascript:alert(1)).\n")
    store = tmp_path / "kb"
    assert CliRunner().invoke(cli, ["ingest", str(inbox), "--store", str(store)]).exit_code == 0
    at = run_app(store, monkeypatch, "Does aspirin reduce headache pain?")
    assert not at.exception
    shown = [m.value for m in at.markdown if "Aspirin" in m.value and "click" in m.value]
    assert shown, "the hostile title and quote are shown, as text"
    for value in shown:
        # NOTE: escaped brackets and angle brackets render as literal text, never as a link or an element.
        assert "](javascript:" not in value and "<img" not in value.replace("\\<", "")
    captions = [c.value for c in at.caption if "leak" in c.value]
    assert captions and all("![x](https:" not in c for c in captions), captions


def test_the_app_shares_its_store_with_the_cli_and_sees_new_documents(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from app.resources import open_kb
    from kb.config import Settings

    store = tmp_path / "kb"
    runner = CliRunner()
    assert runner.invoke(cli, ["ingest", str(DEMO / "brenotide_case.txt"), "--store", str(store)]).exit_code == 0
    at = run_app(store, monkeypatch)
    assert "documents: 1" in [c.value for c in at.sidebar.caption]
    # NOTE: the app holds the store only while a page runs, so an ingest proceeds while it is open ...
    result = runner.invoke(cli, ["ingest", str(DEMO / "medline_demo.txt"), "--store", str(store)])
    assert result.exit_code == 0, result.stderr
    at.run()
    assert "documents: 1" not in [c.value for c in at.sidebar.caption], "the app sees the new documents"
    # ... and while an ingest holds it, the page says so instead of failing.
    held = open_kb(Settings(store=store), create=False)
    try:
        at.run()
    finally:
        held.close()
    assert not at.exception and "An ingest is updating this knowledge base" in at.info[0].value
