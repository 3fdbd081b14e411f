"""The Streamlit app and its Ask page, run headless with AppTest against a real knowledge base."""

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
    """Run the app once (and again after typing a question and pressing Ask)."""
    monkeypatch.setenv("MEDKB_STORE", str(store))
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.run()
    if question is not None:
        ask(at, question)
    return at


def ask(at: AppTest, question: str) -> AppTest:
    """Type a question and press Ask."""
    at.text_input(key="ask_question").input(question)
    return at.button[0].click().run()


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
    passage = at.expander[0].markdown[0].value
    assert ":orange-background[" in passage, "the quote is marked in its paragraph"
    links = " ".join(m.value for m in at.markdown if "](https://" in m.value)
    assert "[PMID 90000002](https://pubmed.ncbi.nlm.nih.gov/90000002/)" in links, links
    assert "[NCT09900001](https://clinicaltrials.gov/study/NCT09900001)" in links
    assert "[PMC99000001](https://pmc.ncbi.nlm.nih.gov/articles/PMC99000001/)" in links
    assert "(https://doi.org/10.99999/demo.2)" in links


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
    at.toggle(key="ask_extractive").set_value(True)
    at.button[0].click().run()
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


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every question the Ask page answers, in order (the real answer_question still runs)."""
    from app.web import ask as page

    asked: list[str] = []
    real = page.answer_question

    def counted(question: str, **kwargs: object):  # noqa: ANN202 - returns kb.answers.Answer
        asked.append(question)
        return real(question, **kwargs)

    monkeypatch.setattr(page, "answer_question", counted)
    return asked


def test_a_blank_question_does_nothing(store: Path, monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> None:
    at = run_app(store, monkeypatch, "   ")
    assert not at.exception and answers == []
    assert "Type a question first" in at.info[0].value
    assert not [m for m in at.markdown if m.value.startswith("#### ")], "nothing of the knowledge base is listed"


def test_the_answer_is_kept_while_the_report_format_and_other_widgets_change(
        store: Path, monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> None:
    at = run_app(store, monkeypatch, "Does zelmorant reduce exacerbations in asthma?")
    assert answers == ["Does zelmorant reduce exacerbations in asthma?"]
    at.selectbox(key="ask_report_format").set_value("html").run()
    at.toggle(key="related_all").set_value(True).run()
    assert not at.exception and len(answers) == 1, "neither the format nor a widget asks again"
    assert any(m.value.startswith("#### ") for m in at.markdown), "the kept answer is still shown"
    kept = at.session_state["ask_answer"]
    assert kept.report("html").startswith(b"<!DOCTYPE html") and kept.report("html") is kept.report("html")
    ask(at, "Does zelmorant reduce exacerbations in asthma?")
    assert len(answers) == 1, "the same question and filters are not asked again"


def test_trials_only_goes_down_to_retrieval(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(store, monkeypatch)
    at.checkbox(key="ask_trials").check()
    ask(at, "Does quorvafil lower blood pressure?")
    assert not at.exception
    facts = [c.value for c in at.caption if " · designs: " in c.value]
    assert facts and all("designs: rct" in f and "cohort" not in f for f in facts)
    assert "Conflicting evidence" not in " ".join(m.value for m in at.markdown)


def test_years_and_designs_chosen_beside_the_question(store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    at = run_app(store, monkeypatch)
    at.number_input(key="ask_from").set_value(2030)
    ask(at, "Does zelmorant reduce exacerbations in asthma?")
    assert not at.exception
    assert any("No claims in the knowledge base" in w.value for w in at.warning), "no study is from 2030 on"
    at.number_input(key="ask_from").set_value(None)
    at.multiselect(key="ask_designs").set_value(["meta_analysis"])
    ask(at, "Does zelmorant reduce exacerbations in asthma?")
    facts = [c.value for c in at.caption if " · designs: " in c.value]
    assert facts and all(f.split("designs: ")[1].startswith("meta analysis ·") for f in facts)


def test_speculative_hypotheses_can_be_hidden_without_asking_again(
        store: Path, monkeypatch: pytest.MonkeyPatch, answers: list[str]) -> None:
    at = run_app(store, monkeypatch, "Does brenotide reduce inflammation?")
    assert any("Speculative hypotheses" in s.value for s in at.subheader)
    at.checkbox(key="ask_speculative").uncheck()
    at.button[0].click().run()
    assert not any("Speculative hypotheses" in s.value for s in at.subheader)
    assert any("speculative hypotheses hidden" in c.value for c in at.caption) and len(answers) == 1


def test_a_store_that_is_not_a_knowledge_base_is_an_error_with_its_path(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    missing, foreign = tmp_path / "nowhere", tmp_path / "papers"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("not a knowledge base")
    for path in (missing, foreign):
        at = run_app(path, monkeypatch)
        assert not at.exception and str(path) in at.error[0].value
    assert not missing.exists() and sorted(p.name for p in foreign.iterdir()) == ["notes.txt"], "nothing is made"


def test_every_page_is_a_module_with_show_and_its_own_address() -> None:
    from importlib import import_module

    from app.streamlit_app import PAGES

    assert [p.title for p in PAGES[:2]] == ["Ask", "Library"]
    assert len({p.url for p in PAGES}) == len(PAGES)
    assert all(callable(import_module(p.module).show) for p in PAGES)
