"""Evidence Inference 2.0: the direction of effect MedKB concludes for each (intervention, comparator, outcome).

Each article's full text (txt_files/PMC<id>.txt) is ingested through MedKB's loader and pipeline into a fresh
in-memory knowledge base; each prompt becomes the question "What is the effect of I compared with C on O?", and
kb.verdict.comparative_direction reads the answer's cited claim closest to the asked outcome, oriented as
intervention against comparator. The validation split is reported; the test split is kept aside upstream of this
copy, and the train split is only for training the models (python -m ingest.train).
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
from ingest.train.data import ei_split_ids as split_ids
from kb.claims import Direction
from kb.embed import Embedder
from kb.lexicon import Lexicon
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


def load_prompts(root: Path, split: str | Sequence[str], folder: str = "txt_files") -> dict[str, list[Prompt]]:
    """Return the majority-labelled prompts of one or more splits by article (PMCID order), where `folder` has a text."""
    allowed = set().union(*(split_ids(root, s) for s in ((split,) if isinstance(split, str) else split)))
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    with open(root / "annotations" / "v2_annotations.csv", newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["PMCID"] in allowed and row["Valid Label"] == "True" and row["Label Code"] in _CODES:
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


def run(data: Path, limit: int | None = None, split: str = "validation") -> Result:
    """Run the benchmark on an ev2 split (validation by default) and return its scores and majority baseline."""
    root = root_of(data)
    articles = limited(load_prompts(root, split), limit)
    prompts = [p for ps in articles.values() for p in ps]
    gold = [p.label for p in prompts]
    # NOTE: the fallback for prompts MedKB cannot answer is the train split's most frequent label, never the gold.
    train = [p.label for ps in load_prompts(root, "train").values() for p in ps]
    fallback = Counter(train).most_common(1)[0][0]
    embedder = cached_embedder()
    concluded = predict(root, articles, embedder)
    embedder.save()
    got = evaluate(gold, [_FROM_DIRECTION.get(concluded[p.id], fallback) for p in prompts])
    answered = sum(concluded[p.id] != "unclear" for p in prompts)
    return Result(
        name=NAME, metrics={"macro_f1": got["macro_f1"], "accuracy": got["accuracy"]},
        baselines=majority(gold, LABELS), targets=[Target("macro_f1", ">=", 0.75)],
        dataset={"path": str(root), "split": f"ev2_{split}", "size": len(prompts), "unit": "prompts",
                 "articles": len(articles), "labels": dict(Counter(gold))},
        notes=f"No language model: full text ingested per article, offline extractor with the direction model "
              f"trained on ev2_train; MedKB concluded a direction for {answered} of {len(prompts)} prompts, the "
              f"rest get the train split's majority label ({fallback}).",
    )
