"""Scoring for the PICO tagger on held-out EBM-NLP abstracts, beside two baselines, and its training report.

Scores are over abstract tokens (EBM-NLP's own tokens); the title is left out because ingest does not chunk titles,
so neither the tagger nor a baseline sees it. Token level: a token is predicted with the label of the predicted span
that holds its first character. Span level: gold spans are maximal runs of one label; both sides are trimmed of
leading/trailing punctuation and function words; "exact" needs the same first and last token, "overlap" one shared
token (precision over predicted spans, recall over gold spans).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ingest.nlp.entities import FUNCTION_WORDS
from ingest.nlp.pico import LABELS, PicoModel, PicoSpan, decode, tag_pico, word_spans
from kb.segment import sentence_spans
from ingest.train.examples import NO_EXAMPLES
from ingest.train.pico_data import Features, Labelled
from kb.lexicon import Lexicon
from kb.mesh import load_mesh

NOTES = "## What the outputs look like"
Predictor = Callable[[Labelled, Features], list[PicoSpan]]
Run = tuple[int, int, int]  # NOTE: first token, last token + 1, label index
# NOTE: how the MeSH baseline reads lexicon types: conditions describe the participants in EBM-NLP's scheme.
MESH_LABEL = {"intervention": "I", "outcome": "O", "population": "P", "condition": "P"}


def _content(word: str) -> bool:
    """Return whether a token carries meaning (the same rule the tagger's decoding trims by)."""
    return any(c.isalpha() for c in word) and word.casefold() not in FUNCTION_WORDS


def _trim(text: str, tokens: Sequence[tuple[int, int, int]], lo: int, hi: int) -> tuple[int, int]:
    """Return a token run without leading/trailing punctuation and function words."""
    while lo < hi and not _content(text[tokens[lo][0] : tokens[lo][1]]):
        lo += 1
    while hi > lo and not _content(text[tokens[hi - 1][0] : tokens[hi - 1][1]]):
        hi -= 1
    return lo, hi


def scored_tokens(item: Labelled) -> list[tuple[int, int, int]]:
    """Return the EBM-NLP tokens of the abstract (after the title)."""
    body = min((s.start for s in item.doc.sections if s.kind != "title"), default=0)
    return [t for t in item.tokens if t[0] >= body]


def gold_runs(text: str, tokens: Sequence[tuple[int, int, int]]) -> set[Run]:
    """Return the trimmed maximal runs of one non-empty label."""
    runs, i = set(), 0
    while i < len(tokens):
        j = i + 1
        while j < len(tokens) and tokens[j][2] == tokens[i][2]:
            j += 1
        lo, hi = _trim(text, tokens, i, j)
        if tokens[i][2] and lo < hi:
            runs.add((lo, hi, tokens[i][2]))
        i = j
    return runs


def predicted(tokens: Sequence[tuple[int, int, int]], spans: Sequence[PicoSpan]) -> tuple[np.ndarray, set[Run]]:
    """Return each token's predicted label and the predicted spans as trimmed token runs."""
    starts = np.array([t[0] for t in tokens], dtype=np.int64)
    labels = np.zeros(len(tokens), dtype=np.int64)
    runs: set[Run] = set()
    for span in spans:
        lo, hi = int(np.searchsorted(starts, span.start)), int(np.searchsorted(starts, span.end))
        if lo < hi:
            labels[lo:hi] = LABELS.index(span.label)
            runs.add((lo, hi, LABELS.index(span.label)))
    return labels, runs


def counts(docs: Sequence[tuple[Labelled, Features]], predict: Predictor) -> Counter[tuple[str, int]]:
    """Return per-label counts of true, predicted and gold tokens and of exact and overlapping spans."""
    c: Counter[tuple[str, int]] = Counter()
    for item, feats in docs:
        tokens = scored_tokens(item)
        gold = np.array([t[2] for t in tokens])
        pred, runs = predicted(tokens, predict(item, feats))
        runs = {(lo2, hi2, lab) for lo, hi, lab in runs for lo2, hi2 in [_trim(item.doc.text, tokens, lo, hi)]
                if lo2 < hi2}
        truth = gold_runs(item.doc.text, tokens)
        for k in range(1, len(LABELS)):
            c["tok_tp", k] += int(((pred == k) & (gold == k)).sum())
            c["tok_pred", k] += int((pred == k).sum())
            c["tok_gold", k] += int((gold == k).sum())
            mine, theirs = {r for r in runs if r[2] == k}, {r for r in truth if r[2] == k}
            c["exact", k] += len(mine & theirs)
            c["span_pred", k] += len(mine)
            c["span_gold", k] += len(theirs)
            c["ovl_p", k] += sum(any(a < hi and lo < b for a, b, _ in theirs) for lo, hi, _ in mine)
            c["ovl_r", k] += sum(any(a < hi and lo < b for a, b, _ in mine) for lo, hi, _ in theirs)
    return c


def score(docs: Sequence[tuple[Labelled, Features]], predict: Predictor) -> dict[str, dict[str, float]]:
    """Return per-label token and span precision/recall (and token F1) of a predictor over documents."""
    c = counts(docs, predict)
    out: dict[str, dict[str, float]] = {}
    for k in range(1, len(LABELS)):
        p = c["tok_tp", k] / max(c["tok_pred", k], 1)
        r = c["tok_tp", k] / max(c["tok_gold", k], 1)
        out[LABELS[k]] = {"token_p": p, "token_r": r, "token_f1": 2 * p * r / max(p + r, 1e-9),
                          "exact_p": c["exact", k] / max(c["span_pred", k], 1),
                          "exact_r": c["exact", k] / max(c["span_gold", k], 1),
                          "overlap_p": c["ovl_p", k] / max(c["span_pred", k], 1),
                          "overlap_r": c["ovl_r", k] / max(c["span_gold", k], 1),
                          "gold_tokens": c["tok_gold", k], "gold_spans": c["span_gold", k]}
    return out


def token_f_beta(docs: Sequence[tuple[Labelled, Features]], predict: Predictor, beta: float = 0.5) -> float:
    """Return the token-level micro F-beta over P, I and O (beta < 1 weighs precision more)."""
    c = counts(docs, predict)
    tp, pred, gold = (sum(c[name, k] for k in range(1, len(LABELS))) for name in ("tok_tp", "tok_pred", "tok_gold"))
    p, r = tp / max(pred, 1), tp / max(gold, 1)
    return round((1 + beta**2) * p * r / max(beta**2 * p + r, 1e-9), 4)


def model_predictor(model: PicoModel) -> Predictor:
    """Return the tagger as a predictor over cached features."""
    return lambda item, feats: tag_pico(feats.chunk_states(), item.doc.text, model=model)


def dictionary_predictor(train: Sequence[Labelled]) -> Predictor:
    """Return a baseline: each word gets the label it carried most often in the training abstracts (seen twice)."""
    counts: dict[str, Counter[int]] = {}
    for item in train:
        for s, e in word_spans(item.doc.text):
            counts.setdefault(item.doc.text[s:e].casefold(), Counter())[int(item.char_labels[s])] += 1
    table = {w: c.most_common(1)[0][0] for w, c in counts.items() if sum(c.values()) >= 2}

    def predict(item: Labelled, _feats: Features) -> list[PicoSpan]:
        words = word_spans(item.doc.text)
        probs = np.zeros((len(words), len(LABELS)))
        probs[np.arange(len(words)), [table.get(item.doc.text[s:e].casefold(), 0) for s, e in words]] = 1.0
        return decode(item.doc.text, words, probs, sentence_spans(item.doc.text), 0.0)

    return predict


def mesh_predictor(data: Path) -> Predictor:
    """Return a baseline: MeSH 2024 lexicon mentions typed by their tree (drugs/procedures I, outcomes O, ...)."""
    lexicon = Lexicon.from_terms(load_mesh(data / "mesh_2024"))

    def predict(item: Labelled, _feats: Features) -> list[PicoSpan]:
        return [PicoSpan(m.start, m.end, MESH_LABEL[m.type], 1.0)  # type: ignore[arg-type]
                for m in lexicon.find(item.doc.text) if m.type in MESH_LABEL]

    return predict


def evaluate(data: Path, test: Sequence[tuple[Labelled, Features]], train: Sequence[Labelled],
             model: PicoModel) -> dict[str, dict[str, dict[str, float]]]:
    """Return the scores of the tagger and both baselines on the held-out documents."""
    return {"tagger": score(test, model_predictor(model)),
            "dictionary baseline": score(test, dictionary_predictor(train)),
            "MeSH-lexicon baseline": score(test, mesh_predictor(data))}


def _row(name: str, label: str, v: dict[str, float]) -> str:
    """Return one markdown table row."""
    cells = [v[k] for k in ("token_p", "token_r", "token_f1", "exact_p", "exact_r", "overlap_p", "overlap_r")]
    return f"| {name} | {label} | " + " | ".join(f"{x:.3f}" for x in cells) + " |"


def _distilled(line: str) -> str:
    """Return the data section's line on distilled examples."""
    return (f"- Distilled: {line or NO_EXAMPLES}. An example's sentence is encoded by itself (`OnnxMiniLM().encode`, "
            "as `fill_missing` encodes a sentence no chunk holds; no title, no chunk context), its intervention "
            "subject's pieces as I and its object's as O, the rest unknown (never negatives). Fitted only: no score "
            "below is read on them.")


def write_report(path: Path, results: dict[str, dict[str, dict[str, float]]], meta: dict[str, object],
                 n_docs: tuple[int, int, int, int], train_rows: int, notes: str = "", distilled: str = "") -> None:
    """Write the training report: data, split, scores beside the baselines, and what reading outputs showed."""
    total, test, tune, ei = n_docs
    first = next(iter(results.values()))
    lines = [
        "# PICO tagger (ingest/nlp/pico.py) — training report", "",
        "Retrain: `python -m ingest.train pico` (features cached under /work/cache/pico/, or $MEDKB_PICO_CACHE).", "",
        "## Data and split", "",
        f"- EBM-NLP (`ebm_nlp/ebmnlp_trainpool_pio_io.jsonl.gz`): {total} abstracts with crowd P/I/O token labels "
        "(IO scheme; aggregated starting spans). Each abstract is built as the PubMed reader builds one "
        "(title + abstract), chunked by `chunk_document(doc, 1000, 150)`, encoded (`encoded_text`: title, newline, "
        "chunk) by "
        "`OnnxMiniLM`, and read through `chunk_states` — the same path ingest takes.",
        f"- Held out for this report: {test} abstracts (sha1 of the PMID mod 5 = 0). Tuning (epoch, threshold): "
        f"{tune} further abstracts (a tenth of the rest, by PMID). The rest fit the model.",
        f"- Evidence Inference: prompts' Intervention/Comparator (as I) and Outcome (as O) strings located verbatim "
        f"in {ei} ev2 **train** articles (abstract/results/conclusions chunks that hold one); only those pieces "
        f"are used, as positives weighted {meta.get('ei_weight', 0.5)} (EI marks no other mention, so an unmarked "
        "piece is not a negative). Validation and test articles are never read.",
        _distilled(distilled),
        f"- Model: {meta['trained_on']}; {train_rows} training pieces; MLP with one hidden layer of "
        f"{meta['hidden']} over each word piece's MiniLM state, its ±{meta['width']} neighbours' states and "
        f"{meta['shapes']} shape flags; best epoch {meta['epoch']}; decoding threshold {meta.get('min_score')}.", "",
        "## Held-out scores", "",
        "Abstract tokens only (ingest does not chunk titles). Gold: "
        f"P {int(first['P']['gold_tokens'])} / I {int(first['I']['gold_tokens'])} / O "
        f"{int(first['O']['gold_tokens'])} tokens; P {int(first['P']['gold_spans'])} / I "
        f"{int(first['I']['gold_spans'])} / O {int(first['O']['gold_spans'])} spans.", "",
        "| model | label | token P | token R | token F1 | exact span P | exact span R | overlap P | overlap R |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, by_label in results.items():
        lines += [_row(name, label, v) for label, v in by_label.items()]
    lines += ["", __doc__.split("\n\n", 1)[1].strip(), ""]
    # NOTE: the notes from reading outputs are written by a person; a retrain keeps them (re-read and update them).
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    notes = notes or (NOTES + old.split(NOTES, 1)[1].strip() if NOTES in old else "")
    if notes:
        lines += [notes.strip(), ""]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
