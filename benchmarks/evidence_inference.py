"""Evidence Inference 2.0: the direction of effect MedKB concludes for each (intervention, comparator, outcome).

Oracle setting: each article's full text (txt_files/PMC<id>.txt) is ingested through MedKB's loader and pipeline
into a fresh in-memory knowledge base; each prompt becomes the question "What is the effect of I compared with C
on O?", and kb.verdict.comparative_direction reads the answer's cited claim closest to the asked outcome, oriented
as intervention against comparator. A prompt MedKB concludes nothing for ("unclear") counts as wrong: no label is
borrowed from another split. Metric macro-F1 over the three labels (target 0.75).
Retrieval setting: every article of the split in one knowledge base, each prompt asked as a question
(kb.answer.answer_question, nothing re-aggregated); correct when the answer's lead hypothesis (the first one, else
the first speculative one) cites the prompt's article and the direction of its cited claims from that article,
oriented intervention against comparator by comparative_direction, is the gold label. Metric retrieval_accuracy
(target 0.60).
The validation split is reported; the test split is kept aside upstream of this copy, and the train split is only
for training the models (python -m ingest.train). Any split folder runs alone: `--data` may point at a folder with
annotations/, txt_files/ and splits/ev2_<split>_article_ids.txt (`--option split=test`), or with no splits/
folder at all, in which case every annotated article with a text there is used.
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks.common import Result, Target
from benchmarks.pubmedqa import ask, cached_embedder, ingest_documents, majority, memory_store, scores
from ingest.readers.load import load
from ingest.train.data import ei_root as root_of
from kb.answer import answer_question
from kb.answers import Answer
from kb.claims import Direction
from kb.embed import Embedder
from kb.lexicon import Lexicon
from kb.models import Document
from kb.store import Store
from kb.verdict import comparative_direction

NAME = "evidence_inference"
LABELS = ("significantly increased", "significantly decreased", "no significant difference")
_CODES = {"1": LABELS[0], "-1": LABELS[1], "0": LABELS[2]}
_FROM_DIRECTION: dict[Direction, str] = {"increase": LABELS[0], "decrease": LABELS[1], "no_difference": LABELS[2]}
DIRECTION_OF: dict[str, Direction] = {label: d for d, label in _FROM_DIRECTION.items()}
_SUFFIX = {"txt_files": ".txt", "abstracts": ".abst"}


@dataclass(frozen=True)
class Prompt:
    """One labelled (intervention, comparator, outcome) prompt about an article."""

    id: str
    pmcid: str
    intervention: str
    comparator: str
    outcome: str
    label: str

    @property
    def question(self) -> str:
        """Return the prompt as a MedKB question."""
        return f"What is the effect of {self.intervention} compared with {self.comparator} on {self.outcome}?"


def text_path(root: Path, pmcid: str, folder: str = "txt_files") -> Path:
    """Return an article's full text (txt_files/PMC<id>.txt) or abstract (abstracts/PMC<id>.abst)."""
    return root / folder / f"PMC{pmcid}{_SUFFIX[folder]}"


def split_ids(root: Path, split: str) -> set[str] | None:
    """Return the article ids of an ev2 split; None (every article) for a folder that has no splits/ at all."""
    path = root / "splits" / f"ev2_{split}_article_ids.txt"
    if path.exists():
        return set(path.read_text().split())
    if not (root / "splits").exists():
        return None
    listed = (root / "splits").glob("ev2_*_article_ids.txt")
    known = sorted(p.name.removeprefix("ev2_").removesuffix("_article_ids.txt") for p in listed)
    raise FileNotFoundError(f"{path} is missing; splits in {root}: {', '.join(known) or 'none'}")


def _allowed(root: Path, splits: Sequence[str]) -> set[str] | None:
    """Return the article ids of the splits together (None: every article)."""
    allowed: set[str] = set()
    for split in splits:
        ids = split_ids(root, split)
        if ids is None:
            return None
        allowed |= ids
    return allowed


def load_prompts(root: Path, split: str | Sequence[str], folder: str = "txt_files") -> dict[str, list[Prompt]]:
    """Return the majority-labelled prompts of splits by article (PMCID order), where `folder` has a text."""
    allowed = _allowed(root, (split,) if isinstance(split, str) else split)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    with open(root / "annotations" / "v2_annotations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            listed = allowed is None or row["PMCID"] in allowed
            if listed and row["Valid Label"] == "True" and row["Label Code"] in _CODES:
                votes[row["PromptID"]][_CODES[row["Label Code"]]] += 1
    by_article: dict[str, list[Prompt]] = defaultdict(list)
    with open(root / "annotations" / "prompts_merged.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["PromptID"] in votes and text_path(root, row["PMCID"], folder).exists():
                label = votes[row["PromptID"]].most_common(1)[0][0]
                by_article[row["PMCID"]].append(Prompt(row["PromptID"], row["PMCID"], row["Intervention"],
                                                       row["Comparator"], row["Outcome"], label))
    return {k: by_article[k] for k in sorted(by_article, key=int)}


def conclude(question: str, store: Store, embedder: Embedder, lexicon: Lexicon) -> Direction:
    """Return the direction MedKB concludes for a prompt, intervention against comparator on the outcome."""
    return comparative_direction(ask(question, store, embedder, lexicon))[0]


def predict(root: Path, articles: dict[str, list[Prompt]], embedder: Embedder) -> dict[str, Direction]:
    """Return the concluded direction per prompt id, each article in its own fresh knowledge base."""
    out = {}
    for pmcid, prompts in articles.items():
        store, lexicon = memory_store(embedder), Lexicon.empty()
        ingest_documents(load(text_path(root, pmcid)), store, embedder, lexicon)
        for p in prompts:
            out[p.id] = conclude(p.question, store, embedder, lexicon)
        store.close()
    return out


def limited(articles: dict[str, list[Prompt]], limit: int | None) -> dict[str, list[Prompt]]:
    """Return the first `limit` articles (all when limit is None)."""
    return dict(list(articles.items())[:limit]) if limit else articles


def evaluate(gold: Sequence[str], pred: Sequence[str]) -> dict[str, float]:
    """Return accuracy and macro-F1 over the three labels."""
    return scores(gold, pred, LABELS)


def _cited_from(answer: Answer, doc_ids: set[str]) -> Answer | None:
    """Return the answer cut to its lead hypothesis and that hypothesis's citations of the given documents."""
    lead = (*answer.hypotheses, *answer.speculative)[:1]
    if not lead:
        return None
    h = lead[0]
    own = h.model_copy(update={"supporting": tuple(c for c in h.supporting if c.doc_id in doc_ids),
                               "contradicting": tuple(c for c in h.contradicting if c.doc_id in doc_ids)})
    if not own.supporting and not own.contradicting:
        return None
    return answer.model_copy(update={"hypotheses": (own,), "speculative": ()})


def retrieve_all(root: Path, articles: dict[str, list[Prompt]], embedder: Embedder) -> dict[str, Direction | None]:
    """Return per prompt id the direction its article's citations give the lead hypothesis (None: not cited).

    Every article goes into one knowledge base and each prompt is asked there, as a user would ask it.
    """
    docs: dict[str, list[Document]] = {pmcid: list(load(text_path(root, pmcid))) for pmcid in articles}
    store, lexicon = memory_store(embedder), Lexicon.empty()
    ingest_documents((d for ds in docs.values() for d in ds), store, embedder, lexicon)
    out: dict[str, Direction | None] = {}
    for pmcid, prompts in articles.items():
        ids = {d.id for d in docs[pmcid]}
        for p in prompts:
            answer = answer_question(p.question, store=store, embedder=embedder, lexicon=lexicon)
            own = _cited_from(answer, ids)
            out[p.id] = comparative_direction(own)[0] if own else None
    store.close()
    return out


def run(data: Path, limit: int | None = None, split: str = "validation") -> Result:
    """Run both settings on an ev2 split (validation by default): oracle macro-F1 and retrieval accuracy."""
    root = root_of(data)
    articles = limited(load_prompts(root, split), limit)
    prompts = [p for ps in articles.values() for p in ps]
    gold = [p.label for p in prompts]
    embedder = cached_embedder()
    concluded = predict(root, articles, embedder)
    retrieved = retrieve_all(root, articles, embedder)
    embedder.save()
    # NOTE: a prompt MedKB concludes nothing for counts as wrong ('unclear' is no label); nothing is borrowed.
    got = evaluate(gold, [_FROM_DIRECTION.get(concluded[p.id], "unclear") for p in prompts])
    answered = sum(concluded[p.id] != "unclear" for p in prompts)
    cited = sum(retrieved[p.id] is not None for p in prompts)
    hits = sum(_FROM_DIRECTION.get(retrieved[p.id] or "unclear") == p.label for p in prompts)
    base = majority(gold, LABELS)
    return Result(
        name=NAME,
        metrics={"macro_f1": got["macro_f1"], "accuracy": got["accuracy"],
                 "retrieval_accuracy": round(hits / len(prompts), 4) if prompts else 0.0,
                 "retrieval_article_cited": round(cited / len(prompts), 4) if prompts else 0.0},
        baselines=base, targets=[Target("macro_f1", ">=", 0.75), Target("retrieval_accuracy", ">=", 0.60)],
        dataset={"path": str(root), "split": f"ev2_{split}" if split_ids(root, split) is not None else "all articles",
                 "size": len(prompts), "unit": "prompts", "articles": len(articles), "labels": dict(Counter(gold))},
        notes=f"No language model: offline extractor with the direction model trained on ev2_train. Oracle (one "
              f"article per knowledge base): MedKB concluded a direction for {answered} of {len(prompts)} prompts; "
              f"the rest count as wrong. Retrieval (all {len(articles)} articles in one knowledge base): the lead "
              f"hypothesis cited the prompt's article for {cited} prompts, with the gold direction for {hits}. "
              f"Baselines: the split's majority label (oracle metrics only).",
    )
