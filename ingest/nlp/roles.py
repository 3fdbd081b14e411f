"""What each sentence of a document does: background, objective, methods, results or conclusions, and whether it
is one of the study's own findings.

Two logistic-regression heads, trained by ingest/train/roles.py on structured-abstract headings, PubMedQA and
Evidence Inference evidence spans: one over the sentence's MiniLM vector (pooled from the chunk pass) plus cue
features, one over the cue features alone for sentences without a vector. Weights ship as .npz; inference is numpy.
A finding needs its score at or above the threshold chosen on training data, and no veto (`veto`: captions,
baseline comparisons, future work, limitations, disclosures, other studies, fragments, back matter).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import numpy as np

from ingest.nlp.cues import NAMES, attach_references, cites_other_work, cue_vector, is_hedged, not_a_finding
from ingest.nlp.sentences import Sentence, document_sentences, sentence_vectors
from kb.embed import TokenStates
from kb.errors import ConfigError
from kb.models import Chunk, Document

RoleName = Literal["background", "objective", "methods", "results", "conclusions"]
ROLES: tuple[RoleName, ...] = ("background", "objective", "methods", "results", "conclusions")
# NOTE: only section kinds that say something about a sentence's role; "abstract", "body", "other" say nothing.
SECTIONS = ("background", "methods", "results", "conclusions", "discussion", "table")
SHORT_DOCUMENT = 40  # NOTE: sentences; an abstract is shorter, a full text longer, and position means different things
POSITION_BINS = 5
FEATURES: tuple[str, ...] = (
    *NAMES, "position", "first", "last", "sentences",
    *(f"{size}_position_{b}" for size in ("short", "long") for b in range(POSITION_BINS)),
    *(f"section_{s}" for s in SECTIONS))
WEIGHTS = Path(__file__).resolve().parent / "roles_weights.npz"


@dataclass(frozen=True)
class Role:
    """What one sentence does, how sure the model is, and the flags a claim extractor acts on."""

    role: RoleName
    probability: float
    finding: bool  # NOTE: the study's own result or conclusion (hedged ones included: see `hedged`)
    finding_score: float
    other_work: bool  # NOTE: cites or reports other studies ("[18]", "Smith et al.", "has been reported")
    hedged: bool  # NOTE: speculative wording; a hedged finding belongs on the speculative side
    vetoed: str | None  # NOTE: why the sentence cannot be a finding whatever its score (caption, future work, ...)
    head: Literal["vector", "cues"]


def cue_row(text: str, s: Sentence, i: int, n: int, *, section: bool = True) -> np.ndarray:
    """Return the features of sentence i of a document of n sentences (training reads a lone sentence this way)."""
    row = np.zeros(len(FEATURES))
    size = "short" if n <= SHORT_DOCUMENT else "long"
    place = {"position": s.position, "first": i == 0, "last": i == n - 1, "sentences": min(n, 400) / 400,
             f"{size}_position_{min(int(s.position * POSITION_BINS), POSITION_BINS - 1)}": 1.0}
    if section and s.section in SECTIONS:
        place[f"section_{s.section}"] = 1.0
    row[: len(NAMES)] = cue_vector(text)
    for name, value in place.items():
        row[FEATURES.index(name)] = float(value)
    return row


def cue_features(texts: Sequence[str], sentences: Sequence[Sentence], *, section: bool = True) -> np.ndarray:
    """Return the cue, position and (unless section=False) section features of one document's sentences."""
    # NOTE: texts come as attach_references returns them (a leading "[29]" moved back to the sentence before).
    rows = np.zeros((len(texts), len(FEATURES)))
    for i, (text, s) in enumerate(zip(texts, sentences, strict=True)):
        rows[i] = cue_row(text, s, i, len(sentences), section=section)
    return rows


# NOTE: discussions restate results beside other studies' and speculate; background and methods report none. The
# study's results and conclusions (and an unstructured abstract) are where its findings are stated.
NOT_FINDINGS = ("discussion", "background", "methods")


def veto(text: str, section: str) -> str | None:
    """Return why a sentence cannot be a finding whatever its score: its wording, or a back-matter section."""
    # NOTE: the reader's "other" sections are references, acknowledgements, funding, conflicts of interest.
    if section in NOT_FINDINGS:
        return section
    return "back matter" if section == "other" else not_a_finding(text)


@dataclass(frozen=True)
class Head:
    """One fitted head: standardisation, role coefficients, finding coefficients and the finding threshold."""

    mean: np.ndarray
    scale: np.ndarray
    role_coef: np.ndarray  # NOTE: (roles, features)
    role_intercept: np.ndarray
    finding_coef: np.ndarray  # NOTE: (features,)
    finding_intercept: float
    threshold: float

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Return role probabilities (rows, roles) and finding scores (rows,) for raw feature rows."""
        z = (x - self.mean) / self.scale
        logits = z @ self.role_coef.T + self.role_intercept
        exp = np.exp(logits - logits.max(axis=1, keepdims=True))
        score = 1.0 / (1.0 + np.exp(-(z @ self.finding_coef + self.finding_intercept)))
        return exp / exp.sum(axis=1, keepdims=True), score


@dataclass(frozen=True)
class RoleModel:
    """The vector head (MiniLM vector + cues) and the cue head (cues alone, for sentences without a vector)."""

    vector: Head
    cues: Head

    def scores(self, texts: Sequence[str], sentences: Sequence[Sentence], vectors: Sequence[np.ndarray | None],
               *, section: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return role probabilities, finding scores and which rows the vector head read (section=False hides it)."""
        cues = cue_features(attach_references(texts), sentences, section=section)
        probs, score = self.cues.predict(cues)
        has = np.array([v is not None for v in vectors], dtype=bool)
        if has.any():
            stacked = np.stack([np.asarray(v, dtype=float) for v in vectors if v is not None])
            probs[has], score[has] = self.vector.predict(np.hstack([stacked, cues[has]]))
        return probs, score, has


def read_roles(texts: Sequence[str], sentences: Sequence[Sentence], vectors: Sequence[np.ndarray | None],
               model: RoleModel | None = None) -> list[Role]:
    """Return each sentence's role, finding decision and flags; all sentences of one document, in order."""
    model = model or default_model()
    if model is None:
        raise ConfigError(f"{WEIGHTS} is missing; retrain it with python -m ingest.train roles")
    if not texts:
        return []
    probs, score, has = model.scores(texts, sentences, vectors)
    out = []
    for i, (text, sentence) in enumerate(zip(attach_references(texts), sentences, strict=True)):
        best = int(probs[i].argmax())
        why = veto(text, sentence.section)
        threshold = (model.vector if has[i] else model.cues).threshold
        out.append(Role(role=ROLES[best], probability=float(probs[i, best]),
                        finding=why is None and bool(score[i] >= threshold), finding_score=float(score[i]),
                        other_work=cites_other_work(text), hedged=is_hedged(text), vetoed=why,
                        head="vector" if has[i] else "cues"))
    return out


def document_roles(doc: Document, chunks: Sequence[Chunk], states: Sequence[TokenStates | None],
                   model: RoleModel | None = None) -> list[tuple[Sentence, Role]]:
    """Return every sentence of a chunked document with its role, its vector pooled from the chunks' states."""
    sentences = document_sentences(doc, chunks)
    texts = [doc.text[s.start : s.end] for s in sentences]
    return list(zip(sentences, read_roles(texts, sentences, sentence_vectors(sentences, chunks, states), model),
                    strict=True))


def _head(raw: np.lib.npyio.NpzFile, name: str) -> Head:
    """Return one head's arrays from the weights file."""
    return Head(mean=raw[f"{name}_mean"], scale=raw[f"{name}_scale"], role_coef=raw[f"{name}_role_coef"],
                role_intercept=raw[f"{name}_role_intercept"], finding_coef=raw[f"{name}_finding_coef"],
                finding_intercept=float(raw[f"{name}_finding_intercept"]), threshold=float(raw[f"{name}_threshold"]))


def read_model(path: Path = WEIGHTS) -> RoleModel:
    """Read a model written by ingest/train/roles.py, refusing weights made for other features or roles."""
    try:
        with np.load(path, allow_pickle=False) as raw:
            if tuple(raw["features"].tolist()) != FEATURES or tuple(raw["roles"].tolist()) != ROLES:
                raise ConfigError(f"{path}: made for other features or roles than this code reads; "
                                  "retrain it with python -m ingest.train roles")
            return RoleModel(vector=_head(raw, "vector"), cues=_head(raw, "cues"))
    except (OSError, KeyError, ValueError) as e:
        raise ConfigError(f"{path}: cannot read the sentence-role model ({e}); "
                          "retrain it with python -m ingest.train roles") from e


@cache
def default_model() -> RoleModel | None:
    """Return the shipped model, or None when its weights file is absent."""
    return read_model() if WEIGHTS.exists() else None
