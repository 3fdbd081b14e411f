"""Real loopback servers for the fetch tests: E-utilities and ClinicalTrials.gov API v2, replaying real replies from
the shared data (esearch1.xml, pubmed*.xml, api_v2_json/*.json), with scripted failures."""

from __future__ import annotations

import json
import re
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest

from tests.conftest import DATA

ENTREZ = DATA / "pubmed_xml" / "biopython_entrez"
TRIALS = DATA / "clinicaltrials_gov" / "api_v2_json"
PUBMED_FILES = ("pubmed1.xml", "pubmed2.xml", "pubmed4.xml", "pubmed5.xml", "pubmed6.xml", "pubmed7.xml")
needs_replies = pytest.mark.skipif(not (ENTREZ / "esearch1.xml").exists() or not any(TRIALS.glob("NCT*.json")),
                                   reason=f"real E-utilities / ClinicalTrials.gov replies not present at {DATA}")


@dataclass(frozen=True)
class Reply:
    """One HTTP answer; drop=True sends the headers and half the body, then closes the connection."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


class Replay:
    """A loopback server: each request is logged as (endpoint, params), answered by a scripted reply queued for
    its key ('efetch.fcgi:2' = endpoint and retstart, or the endpoint alone) when there is one, else by answer."""

    def __init__(self, answer: Callable[[str, dict[str, str]], Reply]) -> None:
        self.answer = answer
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.scripted: defaultdict[str, deque[Reply]] = defaultdict(deque)
        self.lock = threading.Lock()
        self.url = ""

    def script(self, key: str, *replies: Reply) -> None:
        """Serve these replies, in order, to the next requests with this key."""
        with self.lock:
            self.scripted[key].extend(replies)

    def reply_to(self, endpoint: str, params: dict[str, str]) -> Reply:
        """Log a request and return its reply."""
        with self.lock:
            self.requests.append((endpoint, params))
            for key in (f"{endpoint}:{params.get('retstart', '')}", endpoint):
                if self.scripted[key]:
                    return self.scripted[key].popleft()
        return self.answer(endpoint, params)

    def calls(self, endpoint: str) -> list[dict[str, str]]:
        """Return the params of every request to an endpoint."""
        return [p for e, p in self.requests if e == endpoint]


def _handler(fake: Replay) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802
            parts = urlsplit(self.path)
            reply = fake.reply_to(parts.path.rsplit("/", 1)[-1], dict(parse_qsl(parts.query)))
            self.send_response(reply.status)
            for key, value in reply.headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body[: len(reply.body) // 2] if reply.drop else reply.body)
            if reply.drop:
                self.close_connection = True

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def serve() -> Iterator[Callable[[Callable[[str, dict[str, str]], Reply]], Replay]]:
    """Yield a function that starts a Replay server on 127.0.0.1; every server started is stopped afterwards."""
    servers: list[ThreadingHTTPServer] = []

    def start(answer: Callable[[str, dict[str, str]], Reply]) -> Replay:
        fake = Replay(answer)
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        fake.url = f"http://127.0.0.1:{server.server_address[1]}"
        servers.append(server)
        return fake

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def esearch_reply(count: int) -> bytes:
    """Return the real esearch1.xml reply with its Count set and the history-server fields a usehistory=y search
    adds (QueryKey, WebEnv) put where NCBI puts them."""
    data = (ENTREZ / "esearch1.xml").read_bytes()
    data = re.sub(rb"<Count>\d+</Count>", b"<Count>%d</Count>" % count, data, count=1)
    return data.replace(b"</RetStart>", b"</RetStart><QueryKey>1</QueryKey><WebEnv>MCID_test_webenv</WebEnv>", 1)


def eutils_answer(count: int, batch: int = 2) -> Callable[[str, dict[str, str]], Reply]:
    """Answer esearch with count records (none for the term 'nothing'), and efetch batch k (retstart / batch)
    with the k-th real pubmed file."""
    def answer(endpoint: str, params: dict[str, str]) -> Reply:
        if endpoint == "esearch.fcgi":
            return Reply(body=esearch_reply(0 if params.get("term") == "nothing" else count))
        if endpoint == "efetch.fcgi" and params.get("WebEnv") == "MCID_test_webenv":
            k = int(params["retstart"]) // batch
            return Reply(body=(ENTREZ / PUBMED_FILES[k % len(PUBMED_FILES)]).read_bytes())
        return Reply(400, b"<eFetchResult><ERROR>Unable to obtain query #1</ERROR></eFetchResult>")
    return answer


def trial_studies() -> list[dict[str, Any]]:
    """Return the real API v2 studies, in NCT order."""
    return [json.loads(p.read_bytes()) for p in sorted(TRIALS.glob("NCT*.json"))]


def ctgov_answer(studies: list[dict[str, Any]]) -> Callable[[str, dict[str, str]], Reply]:
    """Answer /studies with pages of studies, pageSize at a time, chained by an opaque nextPageToken."""
    def answer(endpoint: str, params: dict[str, str]) -> Reply:
        if endpoint != "studies":
            return Reply(404, b'{"message": "not found"}')
        start = int(params.get("pageToken", "tok-0").removeprefix("tok-"))
        end = start + int(params.get("pageSize", "10"))
        page: dict[str, Any] = {"studies": studies[start:end]}
        if start == 0 and params.get("countTotal") == "true":
            page["totalCount"] = len(studies)
        if end < len(studies):
            page["nextPageToken"] = f"tok-{end}"
        return Reply(body=json.dumps(page).encode(), headers={"Content-Type": "application/json"})
    return answer


def fetch_env(monkeypatch: pytest.MonkeyPatch, store: Path, **extra: str) -> None:
    """Point MedKB at a store and keep fetch waits tiny (retries, backoff, rate)."""
    for key, value in {"STORE": str(store), "FETCH_RATE_PER_S": "1000", "FETCH_BACKOFF_S": "0.001",
                       "FETCH_BACKOFF_MAX_S": "0.01", "FETCH_RETRIES": "2", "FETCH_TIMEOUT_S": "5", **extra}.items():
        monkeypatch.setenv(f"MEDKB_{key}", value)
