"""Embedders: the offline MiniLM for real, and the OpenAI one against a loopback HTTP server."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from kb.config import Settings
from kb.embed import OnnxMiniLM, OpenAIEmbedder, make_embedder
from kb.errors import EmbeddingError

FAKE_DIM = 6


def fake_vector(text: str) -> list[float]:
    """Return a deterministic, deliberately unnormalised vector for a text."""
    return [float(len(text)), float(text.count("a")), 1.0, 2.0, 0.0, float(ord(text[0]) if text else 0)]


class EmbeddingsHandler(BaseHTTPRequestHandler):
    """Speaks just enough of /v1/embeddings, returning data in reverse order to test reordering."""

    requests: list[dict] = []

    def do_POST(self) -> None:  # noqa: N802 - the stdlib names it so
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).requests.append(body)
        if self.path != "/v1/embeddings" or body["model"] == "missing-model":
            self._reply(404, {"error": {"message": f"no model {body['model']}", "type": "invalid_request_error"}})
            return
        data = [{"object": "embedding", "index": i, "embedding": fake_vector(t)} for i, t in enumerate(body["input"])]
        usage = {"prompt_tokens": 1, "total_tokens": 1}
        self._reply(200, {"object": "list", "data": data[::-1], "model": body["model"], "usage": usage})

    def _reply(self, status: int, payload: dict) -> None:
        raw = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def server() -> Iterator[str]:
    """Yield the base URL of a real HTTP server on loopback, serving fake embeddings."""
    EmbeddingsHandler.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), EmbeddingsHandler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    httpd.shutdown()
    httpd.server_close()


def openai_settings(url: str, model: str = "fake-embed") -> Settings:
    """Return settings selecting the OpenAI embedder at url, with no retries."""
    return Settings(embedder="openai", embed_base_url=url, embed_api_key="test", embed_model=model,
                    embed_batch=2, llm_max_retries=0, llm_timeout=10)


def test_openai_embedder_batches_restores_order_and_normalises(server: str) -> None:
    embedder = make_embedder(openai_settings(server))
    texts = ["aspirin", "statin therapy", "a", "beta blockers"]
    vectors = embedder.embed(texts)
    assert isinstance(embedder, OpenAIEmbedder)
    assert [len(r["input"]) for r in EmbeddingsHandler.requests] == [2, 2]
    for text, vec in zip(texts, vectors, strict=True):
        raw = np.array(fake_vector(text))
        assert np.allclose(vec, raw / np.linalg.norm(raw))
    assert embedder.dim == FAKE_DIM
    assert embedder.name == "openai:fake-embed"
    assert len(EmbeddingsHandler.requests) == 2


def test_openai_dim_probes_the_endpoint_once_when_nothing_was_embedded(server: str) -> None:
    embedder = make_embedder(openai_settings(server))
    assert embedder.dim == FAKE_DIM
    assert embedder.dim == FAKE_DIM
    assert len(EmbeddingsHandler.requests) == 1
    assert embedder.embed([]) == []


def test_openai_errors_name_the_endpoint_and_the_settings(server: str) -> None:
    embedder = make_embedder(openai_settings(server, model="missing-model"))
    with pytest.raises(EmbeddingError, match=r"127\.0\.0\.1.*'missing-model'.*MEDKB_EMBED_BASE_URL"):
        embedder.embed(["aspirin"])


def test_make_embedder_defaults_to_the_offline_minilm() -> None:
    embedder = make_embedder(Settings())
    assert isinstance(embedder, OnnxMiniLM)
    assert (embedder.name, embedder.dim) == ("onnx:all-MiniLM-L6-v2-int8", 384)


@pytest.fixture(scope="module")
def minilm() -> OnnxMiniLM:
    """Return one MiniLM shared by the module (loading it takes about a second)."""
    return OnnxMiniLM(batch=2)


def test_minilm_vectors_are_384_d_unit_and_semantic(minilm: OnnxMiniLM) -> None:
    heart, mi, tax = np.array(minilm.embed(["heart attack", "myocardial infarction", "tax law"]))
    assert heart.shape == (384,)
    assert all(math.isclose(float(np.linalg.norm(v)), 1.0, abs_tol=1e-5) for v in (heart, mi, tax))
    assert heart @ mi > heart @ tax + 0.3


def test_minilm_keeps_input_order_across_length_sorted_batches(minilm: OnnxMiniLM) -> None:
    texts = [
        "Randomised, double-blind, placebo-controlled trial of aspirin in 22,071 male physicians " * 40,
        "aspirin",
        "Statins lower LDL cholesterol.",
        "tax law",
        "Heart failure with reduced ejection fraction",
    ]
    together = np.array(minilm.embed(texts))
    alone = np.array([minilm.embed([t])[0] for t in texts])
    # NOTE: padding inside a batch shifts int8 activations a little, so "same" means cosine > 0.99.
    assert np.all(np.sum(together * alone, axis=1) > 0.99)
    assert minilm.embed([]) == []


def test_minilm_token_states_cover_the_text_and_pool_like_the_vector(minilm: OnnxMiniLM) -> None:
    text = "Budesonide-formoterol reduced severe exacerbations (P=0.003)."
    encoded = minilm.encode([text, "short"])
    states = encoded.states[0]
    assert states is not None and states.vectors.shape[1] == 384
    assert states.spans[0].tolist() == [0, 3] and states.covers(len(text))
    assert [text[s:e] for s, e in states.spans[:3].tolist()] == ["Bud", "eson", "ide"]
    pooled = states.pooled(0, len(text))
    assert pooled is not None
    # NOTE: the vector is the mean over all tokens with [CLS]/[SEP]; the pooled content tokens point the same way.
    cosine = float(np.dot(pooled, encoded.vectors[0]) / np.linalg.norm(pooled))
    assert cosine > 0.95
    assert states.pooled(len(text) + 5, len(text) + 9) is None


def test_token_states_shift_into_document_offsets(minilm: OnnxMiniLM) -> None:
    title = "A trial"
    states = minilm.encode([f"{title}\nAspirin lowered risk."]).states[0]
    assert states is not None
    moved = states.shifted(100 - len(title) - 1, lo=100)
    assert moved.spans[0][0] == 100 and len(moved.spans) == len(states.spans) - 2  # NOTE: "A", "trial" dropped


def test_openai_embedder_exposes_no_token_states(server: str) -> None:
    embedder = make_embedder(openai_settings(server))
    assert embedder.encode(["a", "b"]).states == [None, None]
