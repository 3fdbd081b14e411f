"""PubMedQA (PQA-L): yes / no / maybe from MedKB's answer, over each question's own abstract and over all of them.

Setting 1 (reasoning required): a fresh in-memory knowledge base per question holding only its CONTEXTS, with the
LABELS as section titles, as one Document; the LONG_ANSWER (the abstract's conclusion) is never ingested.
Setting 2 (retrieval): one knowledge base of every abstract, asked every question.
The in-memory qdrant-client backend (Settings qdrant_url=":memory:") stands in for the embedded Edge store, whose
creation (~2 s) would dominate 500 small knowledge bases; both implement the same Store protocol.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from benchmarks import common
from benchmarks.common import Result, Target
from benchmarks.scifact import CachedEmbedder
from ingest.extract.rules import RuleExtractor
from ingest.pipeline import ingest_records
from ingest.run import IngestReport, Run
from ingest.readers.layout import heading_kind
from kb.answer import answer_question
from kb.answers import Answer
from kb.config import Settings
from kb.embed import Embedder, make_embedder
from kb.lexicon import Lexicon
from kb.models import Document, Section, content_hash, document_id
from kb.records import cited_claim_from_hit
from kb.retrieve import search
from kb.sections import assemble_answer
from kb.store import Store
from kb.store.factory import make_store
from kb.verdict import read_verdict

NAME = "pubmedqa"
POOL = Path("pubmedqa") / "pqal_pool.json"
LABELS = ("yes", "no", "maybe")


@dataclass(frozen=True)
class Item:
    """One PubMedQA question with its abstract (without the conclusion) and the gold decision."""

    pmid: str
    question: str
    contexts: tuple[str, ...]
    labels: tuple[str, ...]
    meshes: tuple[str, ...]
    year: int | None
    gold: str


def load_items(path: Path, limit: int | None = None) -> list[Item]:
    """Return the records of a PQA-L file (pqal_pool.json, ori_pqal.json or the official test file's format)."""
    records = json.loads(path.read_text(encoding="utf-8"))
    items = [Item(pmid, r["QUESTION"], tuple(r["CONTEXTS"]), tuple(r["LABELS"]), tuple(r.get("MESHES", ())),
                  int(r["YEAR"]) if str(r.get("YEAR", "")).isdigit() else None, r["final_decision"])
             for pmid, r in sorted(records.items())]
    return items[:limit] if limit else items


def document_of(item: Item) -> Document:
    """Return the abstract as a Document: each context a section titled by its label; no conclusion."""
    text, sections = "", []
    for label, context in zip(item.labels, item.contexts, strict=True):
        start = len(text) + 2 if text else 0
        text = f"{text}\n\n{context}" if text else context
        kind = heading_kind(label) or "abstract"
        sections.append(Section(title=label.title(), kind=kind, start=start, end=len(text)))
    digest = content_hash(text)
    return Document(id=document_id("pubmed", pmid=item.pmid, digest=digest), kind="pubmed",
                    source=f"pubmedqa:{item.pmid}", content_hash=digest, text=text, pmid=item.pmid,
                    year=item.year, mesh_terms=item.meshes, sections=tuple(sections))


def memory_store(embedder: Embedder) -> Store:
    """Return a fresh in-memory store (qdrant-client ':memory:')."""
    settings = Settings(qdrant_url=":memory:", store=Path(tempfile.gettempdir()) / "medkb-bench-unused")
    return make_store(settings, embedder.dim, embedder.name)


def cached_embedder() -> CachedEmbedder:
    """Return the default embedder behind the benchmarks' vector cache (reruns embed nothing twice)."""
    return CachedEmbedder(make_embedder(Settings()), common.WORK)


def ingest_documents(docs: Iterable[Document], store: Store, embedder: Embedder, lexicon: Lexicon) -> IngestReport:
    """Ingest Documents through MedKB's pipeline with the offline extractor."""
    report = IngestReport()
    ingest_records(((d, []) for d in docs), Run(store, embedder, RuleExtractor(), lexicon), report)
    return report


def ask(question: str, store: Store, embedder: Embedder, lexicon: Lexicon) -> Answer:
    """Return MedKB's answer; when it keeps no hypothesis, the aggregation of every claim retrieved for it."""
    answer = answer_question(question, store=store, embedder=embedder, lexicon=lexicon)
    if answer.hypotheses or answer.speculative:
        return answer
    # NOTE: the answer drops groups whose entities do not match the question's; benchmark questions name them
    # loosely ("feeding in supine position"), so the retrieved claims are aggregated again with every group kept.
    query = answer.query
    cited = [cited_claim_from_hit(h) for h in search(store, embedder, query, "claims")]
    loose = assemble_answer(question, query.model_copy(update={"entities": ()}), cited)
    return loose.model_copy(update={"query": query})


def scores(gold: Sequence[str], pred: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Return accuracy and macro-F1 over the given labels."""
    f1s = []
    for label in labels:
        tp = sum(g == p == label for g, p in zip(gold, pred, strict=True))
        fp = sum(p == label != g for g, p in zip(gold, pred, strict=True))
        fn = sum(g == label != p for g, p in zip(gold, pred, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    accuracy = sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold) if gold else 0.0
    return {"accuracy": round(accuracy, 4), "macro_f1": round(sum(f1s) / len(f1s), 4)}


def majority(gold: Sequence[str], labels: Sequence[str]) -> dict[str, float]:
    """Return the scores of always answering the most frequent gold label."""
    top = Counter(gold).most_common(1)[0][0] if gold else labels[0]
    return scores(gold, [top] * len(gold), labels)


def own_abstract(items: Sequence[Item], embedder: Embedder) -> list[str]:
    """Return the verdict per question, each over a fresh knowledge base of its own abstract."""
    out = []
    for item in items:
        store, lexicon = memory_store(embedder), Lexicon.empty()
        ingest_documents([document_of(item)], store, embedder, lexicon)
        out.append(read_verdict(ask(item.question, store, embedder, lexicon)).label)
        store.close()
    return out


def shared_kb(items: Sequence[Item], embedder: Embedder) -> list[str]:
    """Return the verdict per question over one knowledge base of every abstract."""
    store, lexicon = memory_store(embedder), Lexicon.empty()
    ingest_documents((document_of(i) for i in items), store, embedder, lexicon)
    # NOTE: no loose re-aggregation here: over many abstracts it would answer from other papers' claims.
    out = [read_verdict(answer_question(i.question, store=store, embedder=embedder, lexicon=lexicon)).label
           for i in items]
    store.close()
    return out


def pool_path(data: Path) -> Path:
    """Return the PQA-L file: data itself when it is a file, else pubmedqa/pqal_pool.json under it."""
    return data if data.is_file() else data / POOL


def run(data: Path, limit: int | None = None) -> Result:
    """Run both settings on a PQA-L file and return accuracy and macro-F1 with the majority baseline."""
    path = pool_path(data)
    items = load_items(path, limit)
    gold = [i.gold for i in items]
    embedder = cached_embedder()
    own, shared = scores(gold, own_abstract(items, embedder), LABELS), scores(gold, shared_kb(items, embedder), LABELS)
    embedder.save()
    base = majority(gold, LABELS)
    metrics = {"own_abstract_accuracy": own["accuracy"], "own_abstract_macro_f1": own["macro_f1"],
               "all_abstracts_accuracy": shared["accuracy"], "all_abstracts_macro_f1": shared["macro_f1"]}
    baselines = {k: base[k.split("_", 2)[-1]] for k in metrics}
    return Result(
        name=NAME, metrics=metrics, baselines=baselines,
        targets=[Target("own_abstract_accuracy", ">=", 0.68)],
        dataset={"path": str(path), "size": len(items), "unit": "questions",
                 "labels": dict(Counter(gold))},
        notes="No language model: offline rule extractor, in-memory qdrant-client store, conclusions never "
              "ingested. Baseline = majority class of the same run. Targets: BioBERT 68.1, human 78.0.",
    )
