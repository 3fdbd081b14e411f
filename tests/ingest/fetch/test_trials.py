"""ClinicalTrials.gov fetching against a loopback API v2 that pages the real study records: nextPageToken
pagination, one file per study, resuming, an empty result, malformed replies."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.fetch.http import Client, Policy
from ingest.fetch.state import FetchState
from ingest.fetch.trials import fetch_trials, state_path
from ingest.readers.load import load_records
from kb.errors import BadReply, FetchError
from tests.fetch_servers import Replay, Reply, ctgov_answer, needs_replies, trial_studies

pytestmark = needs_replies
Serve = Callable[[Callable[[str, dict[str, str]], Reply]], Replay]
FAST = Policy(rate_per_s=1000, timeout_s=5, retries=1, backoff_s=0.001, backoff_max_s=0.01)


def client() -> Client:
    return Client(FAST, sleep=lambda _s: None)


def test_pages_follow_next_page_token_and_each_study_is_a_file(serve: Serve, tmp_path: Path) -> None:
    studies = trial_studies()
    fake = serve(ctgov_answer(studies))
    steps: list[tuple[int, int]] = []
    found = fetch_trials(client(), fake.url, tmp_path, "asthma", page_size=3,
                         progress=lambda d, t: steps.append((d, t)))
    calls = fake.calls("studies")
    assert [c.get("pageToken") for c in calls] == [None, "tok-3", "tok-6"]
    assert all(c["query.term"] == "asthma" and c["pageSize"] == "3" and c["format"] == "json" for c in calls)
    ids = [s["protocolSection"]["identificationModule"]["nctId"] for s in studies]
    assert [p.name for p in found.files] == [f"{n}.json" for n in ids]
    assert found.count == len(studies) and found.complete and steps[-1] == (len(studies), len(studies))
    doc, _claims = next(iter(load_records(found.files[0])))
    assert doc.kind == "trial" and ids[0] in doc.nct_ids, "the trial reader takes a saved study"


def test_an_interrupted_fetch_resumes_from_the_saved_page_token(serve: Serve, tmp_path: Path) -> None:
    answer = ctgov_answer(trial_studies())
    fake = serve(lambda e, p: Reply(503) if p.get("pageToken") == "tok-3" else answer(e, p))
    with pytest.raises(FetchError, match=r"pageToken=tok-3.*: HTTP 503 after 2 tries"):
        fetch_trials(client(), fake.url, tmp_path, "asthma", page_size=3)
    state = FetchState.model_validate_json(state_path(tmp_path, "asthma").read_bytes())
    assert state.offset == 3 and state.page_token == "tok-3" and len(state.files) == 3
    fake.answer, fake.requests[:] = answer, []
    found = fetch_trials(client(), fake.url, tmp_path, "asthma", page_size=3)
    assert [c.get("pageToken") for c in fake.calls("studies")] == ["tok-3", "tok-6"]
    assert found.complete and len(found.files) == 7 and found.new == 4


def test_max_stops_early(serve: Serve, tmp_path: Path) -> None:
    fake = serve(ctgov_answer(trial_studies()))
    found = fetch_trials(client(), fake.url, tmp_path, "asthma", limit=4, page_size=3)
    assert [c["pageSize"] for c in fake.calls("studies")] == ["3", "1"]
    assert len(found.files) == 4 and not found.complete


def test_an_empty_result_saves_nothing(serve: Serve, tmp_path: Path) -> None:
    fake = serve(ctgov_answer([]))
    found = fetch_trials(client(), fake.url, tmp_path / "trials", "zzzz")
    assert found.files == [] and found.count == 0
    assert not [p for p in (tmp_path / "trials").iterdir() if not p.name.endswith(".lock")]


@pytest.mark.parametrize(("body", "expected"), [
    (b"<html>maintenance</html>", r"/studies: the reply is not JSON .* MEDKB_CTGOV_URL"),
    (b'{"FullStudiesResponse": {}}', r"/studies: the reply has no 'studies' list"),
    (json.dumps({"studies": [{"protocolSection": {"identificationModule": {"nctId": "../../etc"}}}]}).encode(),
     r"/studies: a study without a valid protocolSection.identificationModule.nctId \(\.\./\.\./etc\)"),
])
def test_a_malformed_reply_names_the_url(serve: Serve, tmp_path: Path, body: bytes, expected: str) -> None:
    fake = serve(ctgov_answer(trial_studies()))
    fake.script("studies", Reply(body=body))
    with pytest.raises(BadReply, match=expected) as caught:
        fetch_trials(client(), fake.url, tmp_path, "asthma")
    assert fake.url in str(caught.value)
    assert not list(tmp_path.glob("*.json")) and not list(tmp_path.parent.glob("etc*"))
