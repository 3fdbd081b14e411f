"""Living updates of saved fetches against loopback servers: which fetches are found, the window each update asks
for, resuming an update, and state files written before updates existed."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest

from ingest.fetch.http import Client, Policy
from ingest.fetch.pubmed import PubMed, fetch_pubmed
from ingest.fetch.state import STATE_NAME, FetchState, slug
from ingest.fetch.trials import fetch_trials, state_path
from ingest.fetch.update import saved_fetches, update_pubmed, update_trials
from kb.errors import FetchError
from tests.fetch_servers import Replay, Reply, ctgov_answer, eutils_answer, needs_replies, trial_studies

pytestmark = needs_replies
Serve = Callable[[Callable[[str, dict[str, str]], Reply]], Replay]
FAST = Policy(rate_per_s=1000, timeout_s=5, retries=1, backoff_s=0.001, backoff_max_s=0.01)
YESTERDAY = (date.today() - timedelta(days=1)).strftime("%Y/%m/%d")


def client() -> Client:
    return Client(FAST, sleep=lambda _s: None)


def test_saved_fetches_are_found_and_a_damaged_state_is_named(serve: Serve, tmp_path: Path) -> None:
    fake = serve(ctgov_answer(trial_studies()))
    fetch_trials(client(), fake.url, tmp_path / "trials", "asthma", page_size=50)
    pubmed = tmp_path / "pubmed" / slug("copd")
    pubmed.mkdir(parents=True)
    (pubmed / STATE_NAME).write_text("{not json")
    found, damaged = saved_fetches(tmp_path)
    assert [(f.kind, f.state.query, f.label) for f in found] == [("trials", "asthma", "ClinicalTrials.gov 'asthma'")]
    assert len(damaged) == 1 and str(pubmed / STATE_NAME) in str(damaged[0])


def test_a_state_file_from_before_updates_reads_and_updates_from_its_last_run(serve: Serve, tmp_path: Path) -> None:
    fake = serve(ctgov_answer(trial_studies()[:4]))
    path = state_path(tmp_path, "asthma")
    old = {"source": "trials", "query": "asthma", "count": 0, "offset": 0, "complete": True, "files": [],
           "last_run": "2026-03-04T10:00:00+00:00"}  # NOTE: the fields a state file had before medkb update
    path.write_text(json.dumps(old))
    found = update_trials(client(), fake.url, path, page_size=3)
    calls = fake.calls("studies")
    assert calls[0]["filter.advanced"] == "AREA[LastUpdatePostDate]RANGE[2026-03-04,MAX]"
    assert calls[0]["query.term"] == "asthma" and [c.get("pageToken") for c in calls] == [None, "tok-3"]
    assert len(found.files) == 4 and all(f.exists() for f in found.files)
    state = FetchState.model_validate_json(path.read_bytes())
    assert state.updated_to == date.today().isoformat() and state.update is None and len(state.files) == 4


def test_pubmed_update_searches_by_modification_date_and_resumes(serve: Serve, tmp_path: Path) -> None:
    fake = serve(eutils_answer(3))
    folder = tmp_path / slug("asthma")
    api = PubMed(client(), fake.url)
    fetch_pubmed(api, folder, "asthma", batch=2)
    fake.requests.clear()
    fake.script("efetch.fcgi:2", *[Reply(500)] * 2)
    with pytest.raises(FetchError):
        update_pubmed(api, folder / STATE_NAME, batch=2)
    pending = FetchState.model_validate_json((folder / STATE_NAME).read_bytes()).update
    first = f"update-{YESTERDAY.replace('/', '')}-000000.xml.gz"
    assert pending is not None and pending.offset == 2 and pending.files == [first]
    found = update_pubmed(api, folder / STATE_NAME, batch=2)
    searches = fake.calls("esearch.fcgi")
    assert {(s["datetype"], s["mindate"], s["maxdate"]) for s in searches} == {("mdat", YESTERDAY, YESTERDAY)}
    assert [c["retstart"] for c in fake.calls("efetch.fcgi")] == ["0", "2", "2", "2"], "the saved batch is kept"
    assert [f.name for f in found.files] == [f"update-{YESTERDAY.replace('/', '')}-{n:06d}.xml.gz" for n in (0, 2)]
    state = FetchState.model_validate_json((folder / STATE_NAME).read_bytes())
    assert state.updated_to == YESTERDAY and state.update is None and len(state.files) == 4
