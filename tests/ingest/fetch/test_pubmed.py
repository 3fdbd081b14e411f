"""PubMed fetching against a loopback E-utilities that replays real NCBI replies: history-server parameters,
retstart batches, resuming after a dropped connection, an empty result, malformed replies."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

import pytest

from ingest.fetch.http import Client, Policy
from ingest.fetch.pubmed import PubMed, fetch_pubmed, valid_date
from ingest.fetch.state import STATE_NAME, FetchState
from ingest.readers.load import load
from kb.errors import BadReply, FetchError
from tests.fetch_servers import (ENTREZ, PUBMED_FILES, Replay, Reply, esearch_reply, eutils_answer,
                                 needs_replies)

pytestmark = needs_replies
Serve = Callable[[Callable[[str, dict[str, str]], Reply]], Replay]
FAST = Policy(rate_per_s=1000, timeout_s=5, retries=1, backoff_s=0.001, backoff_max_s=0.01)


def api(fake: Replay, key: str | None = "KEY", email: str | None = "me@example.org") -> PubMed:
    return PubMed(Client(FAST, sleep=lambda _s: None), fake.url + "/eutils", key, email)


def test_esearch_uses_the_history_server_and_efetch_pages_with_retstart(serve: Serve, tmp_path: Path) -> None:
    fake = serve(eutils_answer(5))
    steps: list[tuple[int, int]] = []
    found = fetch_pubmed(api(fake), tmp_path / "q", "asthma", since="2020/01/01", batch=2,
                         progress=lambda d, t: steps.append((d, t)))
    (search,) = fake.calls("esearch.fcgi")
    assert search["usehistory"] == "y" and search["term"] == "asthma" and search["db"] == "pubmed"
    assert search["mindate"] == "2020/01/01" and search["datetype"] == "edat" and valid_date(search["maxdate"])
    assert search["api_key"] == "KEY" and search["email"] == "me@example.org" and search["tool"] == "medkb"
    fetches = fake.calls("efetch.fcgi")
    assert [(f["retstart"], f["retmax"]) for f in fetches] == [("0", "2"), ("2", "2"), ("4", "1")]
    assert all(f["WebEnv"] == "MCID_test_webenv" and f["query_key"] == "1" for f in fetches)
    assert [p.name for p in found.files] == ["batch-000000.xml.gz", "batch-000002.xml.gz", "batch-000004.xml.gz"]
    assert found.count == 5 and found.new == 5 and found.complete and steps[-1] == (5, 5)
    assert gzip.decompress(found.files[0].read_bytes()) == (ENTREZ / "pubmed1.xml").read_bytes()
    assert [d.pmid for d in load(found.files[0])] == ["12091962", "9997"], "the reader takes the saved .xml.gz"


def test_max_limits_the_records(serve: Serve, tmp_path: Path) -> None:
    fake = serve(eutils_answer(63))
    found = fetch_pubmed(api(fake), tmp_path / "q", "asthma", limit=3, batch=2)
    assert [f["retmax"] for f in fake.calls("efetch.fcgi")] == ["2", "1"]
    assert found.saved == 3 and not found.complete


def test_a_dropped_connection_mid_fetch_then_resume_fetches_only_the_missing_batches(
        serve: Serve, tmp_path: Path) -> None:
    fake = serve(eutils_answer(5))
    fake.script("efetch.fcgi:2", *[Reply(body=b"<PubmedArticleSet>" + b" " * 500, drop=True)] * 2)
    folder = tmp_path / "q"
    with pytest.raises(FetchError, match=r"efetch\.fcgi: RemoteProtocolError .* after 2 tries"):
        fetch_pubmed(api(fake), folder, "asthma", batch=2)
    state = FetchState.model_validate_json((folder / STATE_NAME).read_bytes())
    assert state.offset == 2 and state.files == ["batch-000000.xml.gz"] and not state.complete
    first = (folder / "batch-000000.xml.gz").stat().st_mtime_ns
    fake.requests.clear()
    found = fetch_pubmed(api(fake), folder, "asthma", batch=2)
    assert [f["retstart"] for f in fake.calls("efetch.fcgi")] == ["2", "4"], "saved batches are not fetched again"
    assert len(fake.calls("esearch.fcgi")) == 1, "a resumed fetch searches again for a fresh WebEnv"
    assert fake.calls("esearch.fcgi")[0]["maxdate"] == state.until, "the search stays pinned to its first run's date"
    assert found.complete and len(found.files) == 3 and found.new == 3
    assert (folder / "batch-000000.xml.gz").stat().st_mtime_ns == first
    assert not list(folder.glob("*.part")), "no half-written file is left"


def test_a_finished_fetch_fetches_nothing_again(serve: Serve, tmp_path: Path) -> None:
    fake = serve(eutils_answer(3))
    fetch_pubmed(api(fake), tmp_path / "q", "asthma", batch=2)
    fake.requests.clear()
    found = fetch_pubmed(api(fake), tmp_path / "q", "asthma", batch=2)
    assert fake.calls("efetch.fcgi") == [] and found.new == 0 and len(found.files) == 2


def test_an_empty_result_saves_nothing(serve: Serve, tmp_path: Path) -> None:
    fake = serve(eutils_answer(0))
    found = fetch_pubmed(api(fake, key=None, email=None), tmp_path / "q", "zzzz", batch=2)
    assert found.files == [] and found.count == 0 and not (tmp_path / "q").exists()
    assert fake.calls("efetch.fcgi") == [] and "api_key" not in fake.calls("esearch.fcgi")[0]


@pytest.mark.parametrize(("endpoint", "body", "expected"), [
    ("esearch.fcgi", b"<html><body>Service unavailable", r"esearch\.fcgi: the esearch reply is not well-formed XML"),
    ("esearch.fcgi", b"<eSummaryResult/>", r"esearch\.fcgi: expected an eSearchResult with a Count, got <eSummaryResult>"),
    ("efetch.fcgi", b"<pmc-articleset/>", r"efetch\.fcgi: expected a PubmedArticleSet, got <pmc-articleset>"),
])
def test_a_malformed_reply_names_the_url(serve: Serve, tmp_path: Path, endpoint: str, body: bytes,
                                         expected: str) -> None:
    fake = serve(eutils_answer(3))
    fake.script(endpoint, Reply(body=body))
    with pytest.raises(BadReply, match=expected) as caught:
        fetch_pubmed(api(fake), tmp_path / "q", "asthma", batch=2)
    assert fake.url in str(caught.value) and "KEY" not in str(caught.value)
    assert not list((tmp_path / "q").glob("batch-*")), "a malformed batch is never saved"


def test_an_ncbi_error_element_is_reported(serve: Serve, tmp_path: Path) -> None:
    fake = serve(eutils_answer(3))
    fake.script("efetch.fcgi", Reply(body=b"<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>"))
    with pytest.raises(FetchError, match="NCBI answered 'Unable to obtain query #1'"):
        fetch_pubmed(api(fake), tmp_path / "q", "asthma", batch=2)


def test_dates() -> None:
    assert valid_date("2024/01/31") and valid_date("2024") and valid_date("2024/01")
    assert not valid_date("2024-01-31") and not valid_date("yesterday")


# NOTE: ten records entered on three days; with E-utilities' window at four records the query is fetched by date.
DAYS = ["2019/03/01"] * 3 + ["2020/06/15"] * 3 + ["2021/01/10"] * 4


def dated_answer(days: list[str]) -> Callable[[str, dict[str, str]], Reply]:
    """Answer esearch with the records entered between mindate and maxdate (the window named in its WebEnv), and
    efetch with a real pubmed file."""
    def answer(endpoint: str, params: dict[str, str]) -> Reply:
        if endpoint == "esearch.fcgi":
            lo, hi = params["mindate"], params["maxdate"]
            body = esearch_reply(sum(lo <= d <= hi for d in days))
            return Reply(body=body.replace(b"MCID_test_webenv", f"MCID_{lo}_{hi}".encode()))
        return Reply(body=(ENTREZ / PUBMED_FILES[0]).read_bytes())
    return answer


def test_a_query_past_the_eutilities_window_is_fetched_in_date_windows(serve: Serve, tmp_path: Path) -> None:
    fake = serve(dated_answer(DAYS))
    folder = tmp_path / "q"
    found = fetch_pubmed(api(fake), folder, "asthma", batch=2, most=4)
    state = FetchState.model_validate_json((folder / STATE_NAME).read_bytes())
    served = [sum(lo <= d <= hi for d in DAYS) for lo, hi in state.windows]
    assert served == [3, 3, 4] and state.windows == sorted(state.windows)
    fetched: dict[str, int] = {}
    for f in fake.calls("efetch.fcgi"):
        fetched[f["WebEnv"]] = fetched.get(f["WebEnv"], 0) + int(f["retmax"])
    assert sorted(fetched.values()) == [3, 3, 4]
    assert found.count == 10 and found.saved == 10 and found.complete and len(found.files) == 6
    assert all(f.parent.name.startswith("window-") and f.exists() for f in found.files)
    # NOTE: run again, nothing is planned or fetched twice.
    before = (len(fake.calls("esearch.fcgi")), len(fake.calls("efetch.fcgi")))
    again = fetch_pubmed(api(fake), folder, "asthma", batch=2, most=4)
    assert (len(fake.calls("esearch.fcgi")), len(fake.calls("efetch.fcgi"))) == (before[0] + 1, before[1])
    assert again.files == found.files and again.complete and again.new == 0


def test_max_stops_a_windowed_fetch(serve: Serve, tmp_path: Path) -> None:
    fake = serve(dated_answer(DAYS))
    found = fetch_pubmed(api(fake), tmp_path / "q", "asthma", limit=5, batch=2, most=4)
    assert sum(int(f["retmax"]) for f in fake.calls("efetch.fcgi")) == 5
    assert found.saved == 5 and not found.complete
