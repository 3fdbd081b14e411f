"""Train ingest/nlp/roles.py's sentence-role and finding model on labels the public data already carry.

    python -m ingest.train roles [--data DIR] [--examples FILE]   # writes ingest/nlp/roles_weights.npz and
                                                                  # reports/roles.md

Labels: NLM structured-abstract categories (PubMed XML), PubMedQA LABELS and LONG_ANSWER (even PMIDs only; odd ones
are held out), Evidence Inference ev2 TRAIN texts (headed sections and the annotators' evidence spans). One article in
five (by hash) is held out: never fitted, never used for the threshold. MiniLM features are cached outside the repo.
Distilled examples (`--examples`, ingest/train/examples.py) are fitted as findings with EXAMPLE_WEIGHT; they are never
scored, neither held out nor when the threshold is chosen, and one from a held-out article is left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import chain
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from ingest.nlp.roles import FEATURES, ROLES, WEIGHTS, Head, RoleModel, veto
from ingest.train.data import outputs
from ingest.train.roles_data import Labelled, ei_documents, medline_documents, pubmedqa_documents
from ingest.train.examples import Examples, article_keys, distilled_line, evaluation_articles, kept
from ingest.train.roles_features import DISTILLED, Table, build_table, example_rows
from ingest.train.roles_report import Evaluation, write_report
from kb.embed import Embedder, OnnxMiniLM

EI_FULL_TEXTS = 120  # NOTE: a whole text is ~60 chunks to encode on a shared CPU; the other articles give abstracts
# NOTE: regularisation per head, chosen by 3-fold grouped CV on the training part (role accuracy and finding average
# precision with the section hidden): the 384-d vector head wants it strong (0.005 beat 0.5 by 0.03 in accuracy); the
# cue head does not care (0.02 to 0.5 within 0.001).
C = {"vector": 0.005, "cues": 0.5}
MASK_SHARE = 0.5  # NOTE: share of training sentences whose section kind is hidden, so the model cannot only copy it
PRECISION_TARGET = 0.95  # NOTE: on out-of-fold training scores; weak labels flatter precision (see the report)
FOLDS = 5
SEED = 13
# NOTE: a distilled sentence passed the finding gate, so this model already reads it as a finding; the example only
# adds that a large model agreed. It weighs half a heading or evidence label.
EXAMPLE_WEIGHT = 0.5


def cache_dir(data: Path) -> Path:
    """Return where features are cached: a cache/roles folder beside the data sets' parent, outside the repo."""
    return data.resolve().parent.parent / "cache" / "roles"


def documents(data: Path) -> Iterator[Labelled]:
    """Yield every labelled document, training and held-out parts alike."""
    return chain(medline_documents(data), pubmedqa_documents(data), ei_documents(data, EI_FULL_TEXTS))


def design(table: Table, rows: np.ndarray, masked: np.ndarray, vector: bool) -> np.ndarray:
    """Return the feature rows a head reads: cue features (section hidden where masked), after the vector if asked."""
    vectors, shown, hidden = table.arrays
    cues = np.where(masked[:, None], hidden[rows], shown[rows])
    return np.hstack([vectors[rows], cues]) if vector else cues


def _fit(x: np.ndarray, y: np.ndarray, vector: bool, weight: np.ndarray | None = None) -> LogisticRegression:
    """Return a logistic regression fitted on standardised rows (weighted when given), regularised as its head wants."""
    return LogisticRegression(C=C["vector" if vector else "cues"], max_iter=3000).fit(x, y, sample_weight=weight)


def _weights(table: Table, rows: np.ndarray) -> np.ndarray | None:
    """Return the rows' sample weights, or None (every row weighs 1) when no distilled example is in the table."""
    return np.asarray(table.weights)[rows] if table.distilled else None


def _standardise(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return each column's mean and spread (1 where a column is constant)."""
    scale = x.std(axis=0)
    return x.mean(axis=0), np.where(scale > 1e-9, scale, 1.0)


def _labels(table: Table, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return the role and finding labels of rows as object arrays (None where unlabelled)."""
    return (np.array([table.roles[i] for i in rows], dtype=object),
            np.array([table.findings[i] for i in rows], dtype=object))


def fit_head(table: Table, rows: np.ndarray, masked: np.ndarray, vector: bool, threshold: float) -> Head:
    """Fit one head's role and finding regressions on the given rows."""
    x = design(table, rows, masked, vector)
    mean, scale = _standardise(x)
    z = (x - mean) / scale
    roles, findings = _labels(table, rows)
    has_role, has_finding = roles != None, findings != None  # noqa: E711 (elementwise over an object array)
    weight = _weights(table, rows)
    role = _fit(z[has_role], roles[has_role].astype(str), vector, None if weight is None else weight[has_role])
    order = [list(role.classes_).index(r) for r in ROLES]
    finding = _fit(z[has_finding], findings[has_finding].astype(bool), vector,
                   None if weight is None else weight[has_finding])
    return Head(mean=mean, scale=scale, role_coef=role.coef_[order], role_intercept=role.intercept_[order],
                finding_coef=finding.coef_[0], finding_intercept=float(finding.intercept_[0]), threshold=threshold)


def choose_threshold(scores: list[np.ndarray], truth: np.ndarray, vetoed: np.ndarray) -> float:
    """Return the lowest threshold from which on precision stays at or above the target for every score set."""
    grid = np.round(np.arange(0.05, 1.0, 0.01), 2)
    ok = np.ones(len(grid), dtype=bool)
    for score in scores:
        for k, t in enumerate(grid):
            said = (score >= t) & ~vetoed
            ok[k] &= said.sum() == 0 or truth[said].mean() >= PRECISION_TARGET
    # NOTE: the threshold must hold from there on up, not just at one lucky grid point.
    good = [k for k in range(len(grid)) if ok[k:].all()]
    return float(grid[good[0]]) if good else float(grid[-1])


def cross_validated_threshold(table: Table, rows: np.ndarray, masked: np.ndarray, vector: bool) -> float:
    """Return the finding threshold chosen on out-of-fold scores of the training rows (section hidden and shown)."""
    at = np.flatnonzero([table.findings[i] is not None for i in rows])
    labelled = rows[at]
    truth = np.array([bool(table.findings[i]) for i in labelled])
    vetoed = np.array([veto(table.texts[i], table.sections[i]) is not None for i in labelled])
    x = design(table, labelled, masked[at], vector)
    hidden_x = design(table, labelled, np.ones(len(at), dtype=bool), vector)
    shown_x = design(table, labelled, np.zeros(len(at), dtype=bool), vector)
    hidden, shown = np.zeros(len(at)), np.zeros(len(at))
    keys = np.array([table.keys[i] for i in labelled], dtype=object)
    # NOTE: distilled rows are fitted in every fold that does not score their article, and never scored.
    extra = np.array([table.sources[i] == DISTILLED for i in labelled], dtype=bool)
    own, weight = np.flatnonzero(~extra), _weights(table, labelled)
    for fit_at, test_at in GroupKFold(n_splits=FOLDS).split(x[own], truth[own], list(keys[own])):
        fit_at, test_at = own[fit_at], own[test_at]
        if extra.any():
            fit_at = np.concatenate([fit_at, np.flatnonzero(extra & ~np.isin(keys, keys[test_at]))])
        mean, scale = _standardise(x[fit_at])
        model = _fit((x[fit_at] - mean) / scale, truth[fit_at], vector, None if weight is None else weight[fit_at])
        hidden[test_at] = model.predict_proba((hidden_x[test_at] - mean) / scale)[:, 1]
        shown[test_at] = model.predict_proba((shown_x[test_at] - mean) / scale)[:, 1]
    return choose_threshold([hidden[own], shown[own]], truth[own], vetoed[own])


def fit_model(table: Table) -> RoleModel:
    """Fit both heads on the training part, each with its threshold chosen by cross-validation."""
    train = np.flatnonzero(~np.asarray(table.held))
    masked = np.random.default_rng(SEED).random(len(train)) < MASK_SHARE
    heads = {}
    for name, vector in (("vector", True), ("cues", False)):
        keep = np.asarray(table.has)[train] if vector else np.ones(len(train), dtype=bool)
        rows, mask = train[keep], masked[keep]
        heads[name] = fit_head(table, rows, mask, vector, cross_validated_threshold(table, rows, mask, vector))
    return RoleModel(vector=heads["vector"], cues=heads["cues"])


def save(model: RoleModel, path: Path = WEIGHTS) -> None:
    """Write the model as plain arrays (.npz, no pickle)."""
    arrays: dict[str, np.ndarray] = {"features": np.array(FEATURES), "roles": np.array(ROLES)}
    for name, head in (("vector", model.vector), ("cues", model.cues)):
        for field in ("mean", "scale", "role_coef", "role_intercept", "finding_coef"):
            arrays[f"{name}_{field}"] = np.asarray(getattr(head, field), dtype=np.float32)
        arrays[f"{name}_finding_intercept"] = np.array(head.finding_intercept)
        arrays[f"{name}_threshold"] = np.array(head.threshold)
    np.savez_compressed(path, **arrays)


def add_examples(table: Table, examples: Examples, data: Path, embedder: Embedder) -> str:
    """Add the distilled examples from articles this model does not hold out or score; return the report's line."""
    held = {table.keys[i] for i, h in enumerate(table.held) if h}
    usable, dropped = kept(examples.items, evaluation_articles(data))
    # NOTE: a table key is a PMID or PMCID digits; an example is held out when any id of its document is one of them.
    fresh = [e for e in usable if not {k.partition(":")[2] for k in article_keys(e)} & held]
    added = example_rows(table, fresh, embedder, EXAMPLE_WEIGHT)
    left = dropped + len(usable) - len(fresh)
    return distilled_line(examples, added, EXAMPLE_WEIGHT, f"as findings, role unknown; {left} from held-out or "
                          f"evaluation articles left out; {len(fresh) - added} repeated or multi-sentence left out")


def train(data: Path, examples: Examples | None = None, *, out: Path | None = None,
          embedder: Embedder | None = None) -> str:
    """Build features (and distilled rows), fit, write the weights and the training report (into folder `out` when
    given, else the committed places); return a summary line."""
    encoder = embedder or OnnxMiniLM()
    table = build_table(documents(data), encoder, cache_dir(data))
    distilled = add_examples(table, examples, data, encoder) if examples is not None else ""
    model = fit_model(table)
    weights, report = outputs(WEIGHTS, "roles.md", out)
    save(model, weights)
    evaluation = Evaluation.of(table, model)
    write_report(report, table, model, evaluation, full_texts=EI_FULL_TEXTS, target=PRECISION_TARGET, folds=FOLDS,
                 distilled=distilled)
    return (f"{weights}: {len(table.texts)} sentences; held-out finding (section hidden) "
            f"{evaluation.headline(table)}; report {report}" + (f"; {distilled}" if distilled else ""))
