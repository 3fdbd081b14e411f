"""Claim defects: automatic counts over every stored claim of a knowledge base of the shared data; each should be ~0.

The knowledge base holds the shared PubMed XML, PDFs, trial records and Evidence Inference validation full texts,
with the full MeSH lexicon (`benchmarks/shared_kb.py`; `--option store=PATH` reuses or keeps one). Every claim is
read back through the store and checked by `benchmarks/defects.py`:

* `cites_other_work` — the quote cites other work ("[18]", "et al.", "(Smith, 2001)", "previous studies");
* `huge_free_text_size` — a sample size above 100,000 that is not the trial record's registered enrollment;
* `fragment_entity` — the subject or object is a function word, a generic word ("patients", "the difference"), a
  piece of a clause ("This increase", "… of"), a clause of more than 12 words, or the verb "lead" read as the metal;
* `no_effect_unsupported` — a "no difference" claim whose quote has no null wording and no statistics;
* `design_contradiction` — the claim's design contradicts the document's PubMed publication types, its registry
  record (observational, randomised / non-randomised allocation) or, for Evidence Inference articles, the corpus's
  inclusion criterion (every article reports a randomised trial);
* `direction_against_statistics` — the claim's own p-value or CI says the opposite of its direction;
* `registry_size_retyped` — a trial record's enrollment stored under another type (ESTIMATED as REPORTED).

Metrics are rates over all claims; the result's `details` hold counts, the rules that fired and 5 examples each
(`fragment_entity` also its top offending names). Targets: each rate ≤ 0.01 (a choice: "near zero").
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from benchmarks.common import Result, Target
from benchmarks.defects import CHECKS, expected_designs, name_defect
from benchmarks.shared_kb import documents, opened
from kb.claims import Claim
from kb.models import Document
from kb.records import claim_from_hit
from kb.store import Store

NAME = "claim_defects"
TARGET_RATE = 0.01
EXAMPLES = 5
TOP = 20


def stored_claims(store: Store) -> Iterator[Claim]:
    """Yield every stored claim (scrolled)."""
    return (claim_from_hit(h) for h in store.scroll("claims"))


def example(claim: Claim, doc: Document | None, rule: str) -> dict[str, Any]:
    """Return what a reader needs to see one defect: the claim's fields, its quote and where it is from."""
    return {"claim_id": claim.id, "rule": rule, "subject": claim.subject.name, "predicate": claim.predicate,
            "object": claim.object.name, "comparator": claim.comparator, "sample_size": claim.sample_size,
            "study_design": claim.study_design, "p_value": claim.p_value.model_dump() if claim.p_value else None,
            "quote": claim.quote.text[:400], "source": Path(doc.source).name if doc else None,
            "publication_types": list(doc.publication_types) if doc else []}


def tally(claims: Iterable[Claim], docs: dict[str, Document], seed: int = 0) -> tuple[int, dict[str, Any]]:
    """Return the number of claims and, per check, its count, rules fired, 5 examples and (names) top offenders."""
    flagged: dict[str, list[tuple[Claim, str]]] = {name: [] for name in CHECKS}
    offenders: Counter[str] = Counter()
    total = 0
    for claim in claims:
        total += 1
        doc = docs.get(claim.doc_id)
        for name, check in CHECKS.items():
            rule = check(claim, doc)
            if rule:
                flagged[name].append((claim, rule))
        for entity in (claim.subject, claim.object):
            if name_defect(entity.name, claim.quote.text, registry=claim.quote.field is not None):
                offenders[entity.name] += 1
    out: dict[str, Any] = {}
    for name, hits in flagged.items():
        chosen = random.Random(seed).sample(sorted(hits, key=lambda h: h[0].id), min(EXAMPLES, len(hits)))
        out[name] = {"count": len(hits), "rate": round(len(hits) / total, 4) if total else 0.0,
                     "rules": dict(Counter(rule for _, rule in hits).most_common()),
                     "examples": [example(c, docs.get(c.doc_id), rule) for c, rule in chosen]}
    out["fragment_entity"]["top_offenders"] = offenders.most_common(TOP)
    return total, out


def document_designs(docs: dict[str, Document]) -> dict[str, Any]:
    """Return how many documents' own design contradicts their publication types or registry record."""
    checked = [(d, e) for d in docs.values() if (e := expected_designs(d)) is not None]
    wrong = Counter(f"{rule}: stored {d.study_design}" for d, (rule, allowed) in checked
                    if d.study_design not in allowed)
    return {"checked": len(checked), "contradicting": sum(wrong.values()), "rules": dict(wrong.most_common())}


def run(data: Path, limit: int | None = None, store: str = "", seed: int = 0) -> Result:
    """Count claim defects over a knowledge base of the shared data (built, or reused with store=PATH)."""
    with opened(data, store, limit) as built:
        docs = documents(built.kb.store)
        total, details = tally(stored_claims(built.kb.store), docs, seed)
    metrics: dict[str, float] = {f"{name}_rate": d["rate"] for name, d in details.items()}
    metrics["claims"] = total
    details["documents_design"] = document_designs(docs)
    return Result(
        name=NAME, metrics=metrics,
        targets=[Target(f"{name}_rate", "<=", TARGET_RATE) for name in CHECKS],
        dataset={"path": str(data), "size": total, "unit": "claims", "documents": len(docs), "kb": built.info},
        details=details,
        notes="Automatic checks (benchmarks/defects.py) over every stored claim; rates over all claims. Each "
              f"target (<= {TARGET_RATE}) stands for 'near zero'. Counts, rules and 5 examples per check in details.",
    )
