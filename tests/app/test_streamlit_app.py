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
    inbox.mkdir()
    (inbox / "evil.md").write_text(
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
