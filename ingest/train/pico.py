"""Train ingest/nlp/pico.py's tagger on EBM-NLP P/I/O labels and Evidence Inference TRAIN-split prompts.

    python -m ingest.train pico [--data DIR] [--examples FILE]   # writes ingest/nlp/pico_weights.npz, reports/pico.md

A fifth of the EBM-NLP abstracts (fixed by PMID) is held out for the report; a tenth of the rest picks the epoch
and the decoding threshold. Evidence Inference validation and test articles are never read. Distilled examples
(`--examples`) join the fitting part only, as positives weighted EXAMPLE_WEIGHT; one from a held-out or tuning
abstract is left out.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ingest.nlp.pico import (LABELS, SHAPES, WEIGHTS, WIDTH, PicoModel, decode, neighbour_index, shape_features,
                              stack_features, text_shape, word_probabilities, word_spans)
from kb.segment import sentence_spans
from ingest.train.data import outputs
from ingest.train.examples import Examples, distilled_line, evaluation_articles, kept
from ingest.train.pico_data import (DISTILLED, UNKNOWN, Features, Labelled, ebm_documents, ei_documents, encode,
                                    example_documents, held_out)
from ingest.train.pico_eval import Predictor, evaluate, token_f_beta, write_report
from kb.embed import Embedder, OnnxMiniLM

HIDDEN = 256
BATCH = 512
LEARNING_RATE = 5e-4
WEIGHT_DECAY = 1e-4
DROPOUT = 0.5
MAX_EPOCHS = 6
EI_WEIGHT = 0.5  # NOTE: EI marks only its prompts' strings: its pieces are positives of lower trust, never negatives
THRESHOLDS = (0.0, 0.4, 0.5, 0.6, 0.7)
# NOTE: a distilled sentence marks only its claims' subject (I) and object (O): positives of lower trust, as EI's.
EXAMPLE_WEIGHT = 0.5


def tuning(pmid: str) -> bool:
    """Return whether a training abstract picks the epoch and threshold instead of fitting (a tenth, by PMID)."""
    return int(hashlib.sha1(f"pico-tune:{pmid}".encode()).hexdigest(), 16) % 10 == 0


@dataclass
class Table:
    """All pieces of many documents: states, neighbour rows (-1 none), shape flags, labels, weights."""

    vectors: np.ndarray
    neighbours: np.ndarray
    shapes: np.ndarray
    labels: np.ndarray
    weights: np.ndarray

    def batch(self, rows: np.ndarray) -> np.ndarray:
        """Return the model input of the given rows."""
        return stack_features(self.vectors, rows, self.neighbours, self.shapes)


def piece_weights(source: str, labels: np.ndarray) -> np.ndarray:
    """Return each piece's weight: EBM-NLP's labelled pieces 1; EI's and distilled positives theirs; the rest 0."""
    if source == "ebm":
        return np.where(labels == UNKNOWN, 0.0, 1.0)
    return np.where(labels > 0, EXAMPLE_WEIGHT if source == DISTILLED else EI_WEIGHT, 0.0)


def build_table(items: list[tuple[Labelled, Features]]) -> Table:
    """Concatenate documents' pieces; neighbours stay inside their chunk; EI pieces other than positives weigh 0."""
    vecs, nbs, shapes, labels, weights = [], [], [], [], []
    offset = 0
    for item, f in items:
        shape = text_shape(item.doc.text)
        for c in np.unique(f.chunk):
            rows = np.flatnonzero(f.chunk == c)
            nb = neighbour_index(len(rows))
            nbs.append(np.where(nb >= 0, nb + offset, -1))
            vecs.append(f.vectors[rows])
            shapes.append(shape_features(shape, f.spans[rows]))
            lab = f.labels[rows]
            w = piece_weights(item.source, lab)
            labels.append(np.maximum(lab, 0))
            weights.append(w)
            offset += len(rows)
    # NOTE: a zero row at the end is what neighbour index -1 reads (past either end of a chunk).
    vecs.append(np.zeros((1, vecs[0].shape[1]), dtype=vecs[0].dtype))
    return Table(np.vstack(vecs), np.vstack(nbs), np.vstack(shapes), np.concatenate(labels), np.concatenate(weights))


class _Adam:
    """Adam over a list of arrays, updated in place."""

    def __init__(self, params: list[np.ndarray], lr: float) -> None:
        self.params, self.lr, self.t = params, lr, 0
        self.m = [np.zeros_like(p) for p in params]
        self.v = [np.zeros_like(p) for p in params]

    def step(self, grads: list[np.ndarray]) -> None:
        """Apply one update."""
        self.t += 1
        for p, g, m, v in zip(self.params, grads, self.m, self.v, strict=True):
            m *= 0.9
            m += 0.1 * g
            v *= 0.999
            v += 0.001 * g * g
            p -= self.lr * (m / (1 - 0.9**self.t)) / (np.sqrt(v / (1 - 0.999**self.t)) + 1e-8)


def _loss(model: PicoModel, table: Table, rows: np.ndarray) -> float:
    """Return the weighted cross-entropy of the model on the given rows."""
    total, weight = 0.0, 0.0
    for lo in range(0, len(rows), 4096):
        r = rows[lo : lo + 4096]
        p = model.probabilities(table.batch(r))
        w = table.weights[r]
        total += float(-(w * np.log(p[np.arange(len(r)), table.labels[r]] + 1e-9)).sum())
        weight += float(w.sum())
    return total / max(weight, 1e-9)


def fit(table: Table, train_rows: np.ndarray, tune_rows: np.ndarray) -> tuple[PicoModel, int]:
    """Fit the MLP with Adam and dropout; return the epoch with the lowest tuning loss and its number."""
    rng = np.random.default_rng(0)
    sample = table.batch(rng.choice(train_rows, min(len(train_rows), 50_000), replace=False))
    mean, scale = sample.mean(axis=0), sample.std(axis=0) + 1e-3
    dim = sample.shape[1]
    w1 = (rng.standard_normal((dim, HIDDEN)) * np.sqrt(2.0 / dim)).astype(np.float32)
    b1 = np.zeros(HIDDEN, np.float32)
    w2 = (rng.standard_normal((HIDDEN, len(LABELS))) * np.sqrt(1.0 / HIDDEN)).astype(np.float32)
    b2 = np.zeros(len(LABELS), np.float32)
    params = [w1, b1, w2, b2]
    adam = _Adam(params, LEARNING_RATE)
    best: tuple[float, PicoModel, int] | None = None
    for epoch in range(1, MAX_EPOCHS + 1):
        order = rng.permutation(train_rows)
        for lo in range(0, len(order), BATCH):
            rows = order[lo : lo + BATCH]
            x = (table.batch(rows) - mean) / scale
            pre = x @ w1 + b1
            keep = (rng.random(pre.shape) >= DROPOUT) / (1 - DROPOUT)
            h = np.maximum(pre, 0) * keep
            z = h @ w2 + b2
            z -= z.max(axis=1, keepdims=True)
            p = np.exp(z)
            p /= p.sum(axis=1, keepdims=True)
            w = table.weights[rows]
            g = p.copy()
            g[np.arange(len(rows)), table.labels[rows]] -= 1
            g *= (w / max(float(w.sum()), 1e-9))[:, None]
            gh = (g @ w2.T) * (pre > 0) * keep
            adam.step([x.T @ gh + WEIGHT_DECAY * w1, gh.sum(0), h.T @ g + WEIGHT_DECAY * w2, g.sum(0)])
        model = PicoModel(mean.astype(np.float32), scale.astype(np.float32), w1.copy(), b1.copy(), w2.copy(),
                            b2.copy(), 0.0)
        loss = _loss(model, table, tune_rows)
        print(f"pico: epoch {epoch} tuning loss {loss:.4f}", flush=True)
        if best is None or loss < best[0]:
            best = (loss, model, epoch)
        elif epoch >= best[2] + 2:
            break
    assert best is not None
    return best[1], best[2]


def save(model: PicoModel, meta: dict[str, object], path: Path = WEIGHTS) -> None:
    """Write the weights as an .npz of plain arrays (W1 as float16) and a JSON meta string."""
    np.savez_compressed(path, mean=model.mean, scale=model.scale, w1=model.w1.astype(np.float16), b1=model.b1,
                        w2=model.w2, b2=model.b2, meta=np.array(json.dumps({**meta, "min_score": model.min_score})))


def _rows(table_sizes: list[int], chosen: list[bool]) -> np.ndarray:
    """Return the table rows of the chosen documents (sizes in table order)."""
    ends = np.cumsum([0, *table_sizes])
    return np.concatenate([np.arange(ends[i], ends[i + 1]) for i, c in enumerate(chosen) if c] or [np.zeros(0, int)])


def distilled_documents(examples: Examples, data: Path, ebm: list[tuple[Labelled, Features]],
                        embedder: Embedder) -> tuple[list[tuple[Labelled, Features]], str]:
    """Return the distilled sentences from abstracts neither held out nor tuning, and the report's line on them."""
    scored = {f"pmid:{i.key}" for i, _ in ebm if held_out(i.key) or tuning(i.key)}
    usable, dropped = kept(examples.items, scored | evaluation_articles(data))
    items = example_documents(usable, embedder)
    pieces = sum(int((f.labels > 0).sum()) for _, f in items)
    return items, distilled_line(examples, len(usable), EXAMPLE_WEIGHT,
                                 f"{len(items)} sentences, {pieces} labelled pieces; {dropped} from held-out, tuning "
                                 "or evaluation articles left out")


@dataclass(frozen=True)
class Fitted:
    """A fitted tagger, its best epoch, and how many training pieces and tuning abstracts it was chosen with."""

    model: PicoModel
    epoch: int
    train_rows: int
    tuning: int


def fit_all(fitting: list[tuple[Labelled, Features]]) -> Fitted:
    """Fit on the fitting documents but the tuning abstracts, pick epoch and threshold on those; only weighted pieces
    (labelled EBM-NLP ones, EI and distilled positives) are fitted."""
    table = build_table(fitting)
    sizes = [len(f.labels) for _, f in fitting]
    is_tune = [i.source == "ebm" and tuning(i.key) for i, _ in fitting]
    train_rows = _rows(sizes, [not t for t in is_tune])
    train_rows = train_rows[table.weights[train_rows] > 0]
    model, epoch = fit(table, train_rows, _rows(sizes, is_tune))
    tune_docs = [(i, f) for (i, f), t in zip(fitting, is_tune, strict=True) if t]
    return Fitted(_with_threshold(model, tune_docs), epoch, len(train_rows), sum(is_tune))


def _meta(fitted: Fitted, n_ebm: int, ei: list[tuple[Labelled, Features]], line: str) -> dict[str, object]:
    """Return the weights file's meta: shape, epoch, threshold, and what the tagger was trained on."""
    n_ei = sum(int((f.labels > 0).sum()) for _, f in ei)
    trained_on = (f"EBM-NLP {n_ebm} abstracts + Evidence Inference ev2_train prompt strings in {len(ei)} articles "
                  f"({n_ei} pieces)")
    meta: dict[str, object] = {"labels": list(LABELS), "width": WIDTH, "shapes": SHAPES, "hidden": HIDDEN,
                               "epoch": fitted.epoch, "ei_weight": EI_WEIGHT,
                               "trained_on": f"{trained_on}; {line}" if line else trained_on}
    if line:
        meta["example_weight"] = EXAMPLE_WEIGHT
    meta["min_score"] = fitted.model.min_score
    return meta


def train(data: Path, examples: Examples | None = None, *, out: Path | None = None,
          embedder: Embedder | None = None) -> str:
    """Train on the data folder (and distilled examples), write the weights and the report (into folder `out` when
    given, else the committed places); return a summary line."""
    encoder = embedder or OnnxMiniLM(batch=32, threads=2)
    ebm = [(item, encode(item, encoder)) for item in ebm_documents(data)]
    ei = [(item, encode(item, encoder)) for item in ei_documents(data)]
    test = [(i, f) for i, f in ebm if held_out(i.key)]
    distilled, line = distilled_documents(examples, data, ebm, encoder) if examples is not None else ([], "")
    fitting = [(i, f) for i, f in ebm if not held_out(i.key)] + ei + distilled
    fitted = fit_all(fitting)
    meta = _meta(fitted, len(ebm) - len(test) - fitted.tuning, ei, line)
    weights, report = outputs(WEIGHTS, "pico.md", out)
    save(fitted.model, meta, weights)
    results = evaluate(data, test, [i for i, _ in fitting if i.source == "ebm"], fitted.model)
    write_report(report, results, meta, n_docs=(len(ebm), len(test), fitted.tuning, len(ei)),
                 train_rows=fitted.train_rows, distilled=line)
    return (f"{weights}: epoch {fitted.epoch}, min_score {fitted.model.min_score}; report {report}"
            + (f"; {line}" if line else ""))


def _with_threshold(model: PicoModel, tune_docs: list[tuple[Labelled, Features]]) -> PicoModel:
    """Return the model with the decoding threshold that maximises token-level micro F0.5 on the tuning docs."""
    cached = {}
    for item, feats in tune_docs:
        words = word_spans(item.doc.text)
        probs = word_probabilities(feats.chunk_states(), item.doc.text, words, model)
        cached[item.key] = (words, probs, sentence_spans(item.doc.text))

    def at(threshold: float) -> Predictor:
        return lambda item, _f: decode(item.doc.text, *cached[item.key], threshold)

    scored = [(token_f_beta(tune_docs, at(t)), t) for t in THRESHOLDS]
    print(f"pico: thresholds (F0.5, t) {scored}", flush=True)
    return replace(model, min_score=max(scored)[1])
