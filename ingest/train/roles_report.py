"""Held-out evaluation of the sentence-role model beside baselines, and its Markdown training report."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from ingest.extract.clauses import KEEP_SECTIONS, METHODS
from ingest.nlp.roles import FEATURES, ROLES, RoleModel, veto
from ingest.train.examples import NO_EXAMPLES
from ingest.train.roles_features import Table

HAND_WRITTEN = "<!-- Hand-written below this line; retraining keeps it. -->"
SAMPLE = 40
SEED = 7
SAID_SEED = 31
_SECTION_ROLE = {"background": "background", "methods": "methods", "results": "results", "conclusions": "conclusions"}


def _col(table: Table, rows: np.ndarray, name: str) -> np.ndarray:
    """Return one cue feature column (section shown) for the rows, as booleans."""
    return table.arrays[1][rows, FEATURES.index(name)] > 0


def baseline_finding_cues(table: Table, rows: np.ndarray) -> np.ndarray:
    """Return the cue-rule baseline: statistics or result wording, no veto, no aim or methods wording."""
    c = partial(_col, table, rows)
    result = c("p_value") | c("ci") | c("effect") | c("significant") | c("null") | c("own_result") | c("conclusion")
    method = c("aim") | c("randomise") | c("eligibility") | c("measured") | c("statistics")
    vetoed = np.array([veto(table.texts[i], table.sections[i]) is not None for i in rows])
    return result & ~method & ~vetoed


def baseline_role_cues(table: Table, rows: np.ndarray) -> np.ndarray:
    """Return the cue-rule role baseline: aim → objective, methods wording → methods, statistics → results, ..."""
    c = partial(_col, table, rows)
    out = np.full(len(rows), "background", dtype=object)
    out[c("conclusion") | (c("hedge") & (table.arrays[1][rows, FEATURES.index("position")] > 0.8))] = "conclusions"
    out[c("p_value") | c("ci") | c("effect") | (c("percent") & (c("change") | c("compare"))) | c("null")] = "results"
    out[c("randomise") | c("eligibility") | c("measured") | c("statistics")] = "methods"
    out[c("aim")] = "objective"
    return out


def prf(truth: np.ndarray, said: np.ndarray) -> tuple[float, float, float, int, int]:
    """Return precision, recall, F1, how many were said and how many are true."""
    tp = int((truth & said).sum())
    p = tp / max(int(said.sum()), 1)
    r = tp / max(int(truth.sum()), 1)
    return p, r, 2 * p * r / max(p + r, 1e-12), int(said.sum()), int(truth.sum())


@dataclass(frozen=True)
class Evaluation:
    """Held-out predictions of the model (section kind hidden and shown) and of the baselines."""

    rows: np.ndarray
    roles: dict[str, np.ndarray]  # NOTE: predicted role per held-out row, by condition name
    probability: dict[str, np.ndarray]
    scores: dict[str, np.ndarray]
    findings: dict[str, np.ndarray]  # NOTE: finding decisions per condition, baselines included

    @classmethod
    def of(cls, table: Table, model: RoleModel) -> Evaluation:
        """Return the held-out evaluation of a model."""
        rows = np.flatnonzero(np.asarray(table.held))
        roles, probability, scores, findings = {}, {}, {}, {}
        vetoed = np.array([veto(table.texts[i], table.sections[i]) is not None for i in rows])
        vectors = table.arrays[0][rows]
        has = np.asarray(table.has)[rows]
        for name, cues, use_vector in (("model, section hidden", table.arrays[2], True),
                                       ("model, section shown", table.arrays[1], True),
                                       ("cue head only, section hidden", table.arrays[2], False)):
            x = cues[rows]
            probs, score = model.cues.predict(x)
            threshold = np.full(len(rows), model.cues.threshold)
            if use_vector and has.any():
                probs[has], score[has] = model.vector.predict(np.hstack([vectors[has], x[has]]))
                threshold[has] = model.vector.threshold
            roles[name] = np.array(ROLES, dtype=object)[probs.argmax(axis=1)]
            probability[name], scores[name] = probs.max(axis=1), score
            findings[name] = (score >= threshold) & ~vetoed
        sections = [table.sections[i] for i in rows]
        texts = [table.texts[i] for i in rows]
        findings["baseline: today's rule-extractor filter, section shown"] = np.array(
            [k in KEEP_SECTIONS and not METHODS.search(t) and len(t) <= 1200
             for k, t in zip(sections, texts, strict=True)])
        # NOTE: without a usable section a sentence is "body" to today's filter, which keeps body sentences.
        findings["baseline: today's rule-extractor filter, section hidden"] = np.array(
            [not METHODS.search(t) and len(t) <= 1200 for t in texts])
        findings["baseline: section heading alone"] = np.array([k in ("results", "conclusions") for k in sections])
        findings["baseline: cue rules alone"] = baseline_finding_cues(table, rows)
        roles["baseline: section heading alone"] = np.array([_SECTION_ROLE.get(k, "") for k in sections], dtype=object)
        roles["baseline: cue rules alone"] = baseline_role_cues(table, rows)
        return cls(rows, roles, probability, scores, findings)

    def finding_truth(self, table: Table) -> tuple[np.ndarray, np.ndarray]:
        """Return which held-out rows carry a finding label and the labels there."""
        labels = [table.findings[i] for i in self.rows]
        return np.array([f is not None for f in labels]), np.array([bool(f) for f in labels])

    def finding_prf(self, table: Table, name: str, subset: np.ndarray | None = None) -> tuple[float, ...]:
        """Return precision, recall, F1, said and true counts of one condition over the finding-labelled rows."""
        labelled, truth = self.finding_truth(table)
        keep = labelled if subset is None else labelled & subset
        return prf(truth[keep], self.findings[name][keep])

    def role_prf(self, table: Table, name: str, role: str) -> tuple[float, ...]:
        """Return precision, recall, F1, said and true counts of one role over the role-labelled rows."""
        truth = np.array([table.roles[i] for i in self.rows], dtype=object)
        keep = truth != None  # noqa: E711 (elementwise over an object array)
        return prf(truth[keep] == role, self.roles[name][keep] == role)

    def headline(self, table: Table) -> str:
        """Return the model's held-out finding precision and recall (section hidden) as one phrase."""
        p, r, *_ = self.finding_prf(table, "model, section hidden")
        return f"precision {p:.3f}, recall {r:.3f}"


def _table(head: list[str], lines: list[list[object]]) -> list[str]:
    """Return a Markdown table."""
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    out += ["| " + " | ".join(f"{v:.3f}" if isinstance(v, float) else str(v) for v in line) + " |" for line in lines]
    return out


def _sources(table: Table) -> list[str]:
    """Return the data-source table: documents, sentences and labels per source and part."""
    lines = []
    for source in dict.fromkeys(table.sources):
        for part, held in (("train", False), ("held-out", True)):
            at = [i for i, (s, h) in enumerate(zip(table.sources, table.held, strict=True))
                  if s == source and h == held]
            docs = len({table.keys[i] for i in at})
            roles = sum(table.roles[i] is not None for i in at)
            pos = sum(table.findings[i] is True for i in at)
            neg = sum(table.findings[i] is False for i in at)
            lines.append([source, part, docs, len(at), sum(table.has[i] for i in at), roles, pos, neg])
    return _table(["source", "part", "documents", "sentences", "with vector", "role-labelled", "finding +",
                   "finding −"], lines)


def _findings(table: Table, ev: Evaluation) -> list[str]:
    """Return the held-out finding table: the model beside the baselines, then the model per source."""
    lines = [[name, *ev.finding_prf(table, name)] for name in ev.findings]
    out = _table(["held-out sentences", "precision", "recall", "F1", "said finding", "true findings"], lines)
    sources = np.array([table.sources[i] for i in ev.rows])
    per = [[f"{s} ({name.removeprefix('model, ')})", *ev.finding_prf(table, name, sources == s)]
           for s in dict.fromkeys(sources) for name in ("model, section hidden", "model, section shown")]
    return [*out, "", "Per source (model):", "", *_table(["source", "precision", "recall", "F1", "said", "true"], per)]


def _roles(table: Table, ev: Evaluation) -> list[str]:
    """Return the held-out per-role precision/recall table for the model and the baselines."""
    names = list(ev.roles)
    lines = []
    for role in ROLES:
        line: list[object] = [role, sum(table.roles[i] == role for i in ev.rows)]
        for name in names:
            p, r, *_ = ev.role_prf(table, name, role)
            line += [f"{p:.3f} / {r:.3f}"]
        lines.append(line)
    truth = np.array([table.roles[i] for i in ev.rows], dtype=object)
    keep = truth != None  # noqa: E711 (elementwise over an object array)
    lines.append(["accuracy", int(keep.sum()), *(f"{(ev.roles[n][keep] == truth[keep]).mean():.3f}" for n in names)])
    return _table(["role", "held-out sentences", *(f"{n} P / R" for n in names)], lines)


def _sample(table: Table, ev: Evaluation, said: bool = False) -> list[str]:
    """Return SAMPLE random held-out sentences (or of those the model calls findings) with what it said."""
    name = "model, section hidden"
    pool = np.flatnonzero(ev.findings[name]) if said else np.arange(len(ev.rows))
    rng = np.random.default_rng(SAID_SEED if said else SEED)
    picked = rng.choice(pool, size=min(SAMPLE, len(pool)), replace=False)
    lines = []
    for n, k in enumerate(sorted(picked), 1):
        i = ev.rows[k]
        text = " ".join(table.texts[i].split())
        text = (text[:220] + " …") if len(text) > 220 else text
        said = "finding" if ev.findings[name][k] else "–"
        label = {True: "finding", False: "not", None: "?"}[table.findings[i]]
        lines.append([n, table.sources[i], table.sections[i], f"{ev.roles[name][k]} {ev.probability[name][k]:.2f}",
                      f"{said} {ev.scores[name][k]:.2f}", f"{table.roles[i] or '?'} / {label}",
                      text.replace("|", "\\|")])
    return _table(["#", "source", "reader's section", "role (p)", "finding (score)", "label role / finding",
                   "sentence"], lines)


_HEAD = """# Sentence-role and finding model: training report

Written by `python -m ingest.train roles` (ingest/train/roles.py); weights in `ingest/nlp/roles_weights.npz`, read
by `ingest/nlp/roles.py`. Every number below comes from the same run.

## Data

{sources}{distilled}

Evidence Inference: ev2 TRAIN split only ({full_texts} articles, chosen by hash, as full texts; the other train
articles as their abstracts); validation and test articles are never read. PubMedQA: only even PMIDs are trained
on (the PubMedQA benchmark is scored on this pool); odd PMIDs are held out here.

Labels. Role: the heading a sentence sits under (NLM NlmCategory; PubMedQA LABELS, LONG_ANSWER = conclusions;
Evidence Inference `ABSTRACT.X:` first paragraph, and `BODY.X:` sections under the last top-level IMRaD heading,
subsections inheriting it, discussion unlabelled; a background sentence worded as an aim = objective). Finding:
true for a sentence an Evidence Inference annotator marked as evidence; else false for captions, baseline
comparisons and demographics, future work, limitations, disclosures, other studies, fragments and back matter
(`ingest.nlp.roles.veto`) and for background/objective/methods sentences; else true for results and
conclusions sentences. Discussion sentences not marked as evidence are left unlabelled, and so are fragments of
fewer than four words (flattened table cells: "6 (4.4)"), which the veto always rejects and which would flatter
every row of the tables below. The veto rules are both labels and features, so held-out numbers on those
sentences reward the rules by construction; the evidence spans and headings are independent of them.

## Split

Held out: one article in five by SHA-1 of its PMID/PMCID, and PubMedQA's odd PMIDs; sentences: {held}. The
held-out part is never fitted and never used to choose C or the threshold.

## Finding: held-out precision and recall

"Section hidden": the reader's section kind withheld (as for PDFs, unstructured abstracts, body text without a
usable heading); "shown": as the reader gave it. Sentences without a MiniLM vector go to the cue head.

{findings}

These are precisions against weak labels (headings, evidence spans, veto rules); they flatter the model. The hand
reading at the end of this report says by how much.

## Role: held-out precision / recall per role

The section-heading baseline has no objective (the readers file OBJECTIVE under background).

{roles}

## Threshold

Vector head {vector:.2f}, cue head {cues:.2f}: the lowest score from which on the out-of-fold precision ({folds}-fold,
grouped by article, training part only) stays at or above {target} with the section kind hidden and with it shown,
so that held-out precision clears 0.9 with room for what the weak labels miss: precision before recall. A finding
also needs no `veto`.

## {sample} random held-out sentences (seed {seed}; model with the section hidden)

{reading}

## {sample} random held-out sentences the model calls findings (seed {said_seed}; section hidden)

{said}

"""


def _distilled(line: str) -> str:
    """Return the data section's paragraph on distilled examples."""
    return (f"\n\nDistilled: {line or NO_EXAMPLES}. An example is fitted as a finding (role unknown): its sentence "
            "alone, encoded by itself as `fill_missing` encodes a sentence no chunk holds whole (its vector is not "
            "pooled from a chunk pass), with the cue features of its place in its document. Examples are fitted only: "
            "no held-out number and not the threshold is read on them.")


def write_report(path: Path, table: Table, model: RoleModel, ev: Evaluation, *, full_texts: int, target: float,
                 folds: int, distilled: str = "") -> None:
    """Write the training report, keeping whatever was written by hand below the marker."""
    kept = path.read_text(encoding="utf-8").split(HAND_WRITTEN, 1)[1] if path.is_file() else "\n"
    text = _HEAD.format(
        sources="\n".join(_sources(table)), distilled=_distilled(distilled), full_texts=full_texts,
        held=", ".join(f"{k} {v}" for k, v in Counter(table.sources[i] for i in ev.rows).items()),
        findings="\n".join(_findings(table, ev)), roles="\n".join(_roles(table, ev)), vector=model.vector.threshold,
        cues=model.cues.threshold, folds=folds, target=target, sample=SAMPLE, seed=SEED, said_seed=SAID_SEED,
        reading="\n".join(_sample(table, ev)), said="\n".join(_sample(table, ev, said=True)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + HAND_WRITTEN + kept, encoding="utf-8")
