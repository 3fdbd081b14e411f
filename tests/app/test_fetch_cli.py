"""`medkb fetch pubmed|trials` end to end: a loopback server replaying real replies, a real embedded store."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from app.cli import app
from ingest.fetch.state import slug
from ingest.readers.load import load
from tests.fetch_servers import (ENTREZ, PUBMED_FILES, Replay, Reply, ctgov_answer, eutils_answer, fetch_env,
                                 needs_replies, trial_studies)

pytestmark = needs_replies
runner = CliRunner()
Serve = Callable[[Callable[[str, dict[str, str]], Reply]], Replay]


def medkb(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; return exit code, stdout and stderr."""
    result = runner.invoke(app, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def documents(store: Path) -> list[dict[str, Any]]:
    """Return every document in the store, as `medkb export documents` writes it."""
    code, out, _ = medkb("export", "documents", "--store", str(store))
    assert code == 0
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def pmids_in(store: Path) -> set[str]:
    """Return the PMIDs of the stored documents."""
    return {d["pmid"] for d in documents(store) if d["pmid"]}


def test_pubmed_dropped_connection_then_resume_ingests_every_record(
        serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = serve(eutils_answer(5))
    pmids = {d.pmid for name in PUBMED_FILES[:3] for d in load(ENTREZ / name)}
    store = tmp_path / "kb"
    fetch_env(monkeypatch, store, PUBMED_URL=fake.url + "/eutils/", PUBMED_BATCH="2", NCBI_API_KEY="SECRET")
    fake.script("efetch.fcgi:2", *[Reply(body=b"<PubmedArticleSet>" + b" " * 500, drop=True)] * 3)
    code, _, err = medkb("fetch", "pubmed", "asthma")
    assert code == 1 and "efetch.fcgi" in err and "after 3 tries" in err and "Traceback" not in err
    assert "run the same command again to continue" in err and "SECRET" not in err
    folder = store / "sources" / "pubmed" / slug("asthma")
    assert [p.name for p in folder.glob("batch-*")] == ["batch-000000.xml.gz"]
    fake.requests.clear()
    code, _, err = medkb("fetch", "pubmed", "asthma")
    assert code == 0, err
    assert [c["retstart"] for c in fake.calls("efetch.fcgi")] == ["2", "4"], "saved batches are not fetched again"
    assert "5 found; 3 new records this run, 3 files" in err and "5 documents ingested" in err
    assert pmids_in(store) == pmids
    code, _, err = medkb("fetch", "pubmed", "nothing")
    assert code == 1 and "nothing found, so nothing was saved or ingested" in err
    assert pmids_in(store) == pmids, "an empty result loses nothing stored"


def test_trials_with_a_429_then_success_are_ingested(
        serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    studies = trial_studies()[:4]
    fake = serve(ctgov_answer(studies))
    fake.script("studies", Reply(429, b"Too many requests", {"Retry-After": "0"}))
    store = tmp_path / "kb"
    fetch_env(monkeypatch, store, CTGOV_URL=fake.url, CTGOV_PAGE_SIZE="3")
    code, _, err = medkb("fetch", "trials", "asthma")
    assert code == 0, err
    assert [c.get("pageToken") for c in fake.calls("studies")] == [None, None, "tok-3"]
    ids = {s["protocolSection"]["identificationModule"]["nctId"] for s in studies}
    assert {p.stem for p in (store / "sources" / "trials").glob("NCT*.json")} == ids
    trials = [d for d in documents(store) if d["kind"] == "trial"]
    assert {n for d in trials for n in d["nct_ids"]} >= ids and len(trials) == len(ids)


def test_a_malformed_reply_is_a_message_naming_the_url(
        serve: Serve, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = serve(lambda _e, _p: Reply(body=b"<html><body>Down for maintenance</body></html>"))
    fetch_env(monkeypatch, tmp_path / "kb", PUBMED_URL=fake.url + "/eutils")
    code, _, err = medkb("fetch", "pubmed", "asthma")
    assert code == 1 and "Traceback" not in err
    assert f"{fake.url}/eutils/esearch.fcgi: expected an eSearchResult" in " ".join(err.split())


def test_ctrl_c_exits_130_and_says_how_to_continue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("app.fetch_cli.fetch_trials", interrupted)
    fetch_env(monkeypatch, tmp_path / "kb", CTGOV_URL="http://127.0.0.1:9")
    code, _, err = medkb("fetch", "trials", "asthma")
    assert code == 130 and "interrupted" in err and "run the same command again" in err


def test_a_bad_since_date_is_refused(tmp_path: Path) -> None:
    code, _, err = medkb("fetch", "pubmed", "asthma", "--since", "last week", "--store", str(tmp_path / "kb"))
    assert code == 2 and "use YYYY/MM/DD" in err and not (tmp_path / "kb").exists()
