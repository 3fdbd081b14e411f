"""The deployment guide's numbers are the scale benchmark's: every measured or derived figure matches the results."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.conftest import ROOT

GUIDE = ROOT / "docs" / "deployment.md"
RESULTS = ROOT / "benchmarks" / "results" / "scale.json"
ABSTRACTS_PER_DISEASE = 300_000
PUBMED_ABSTRACTS = 24_000_000  # NOTE: 36 million-odd citations, about two thirds with an abstract
INT8, FLOAT32, HNSW, SPARSE_TERM = 384, 1536, 128, 8  # NOTE: bytes: MiniLM's 384 dims, m = 16 links of 4 bytes


def per_abstract(d: dict[str, Any]) -> dict[str, float]:
    """Return the real points per ingested abstract, by collection and in all."""
    n = d["documents_ingested"]
    return {"chunks": d["real_chunks"] / n, "claims": d["real_claims"] / n,
            "all": (d["real_documents"] + d["real_chunks"] + d["real_claims"]) / n}


def mean_by_count(d: dict[str, Any], key: str, names: tuple[str, ...]) -> float:
    """Return a per-collection mean (payload bytes, sparse terms) weighted by the real points of each collection."""
    total = sum(d[f"real_{n}"] for n in names)
    return sum(d[f"{key}_{n}"] * d[f"real_{n}"] for n in names) / total


def guide_numbers(record: dict[str, Any]) -> dict[str, str]:
    """Return every figure the guide quotes, formatted as it quotes them, from the scale results."""
    d, m = record["dataset"], record["metrics"]
    each = per_abstract(d)
    sparse = mean_by_count(d, "sparse_nnz", ("chunks", "claims")) * SPARSE_TERM
    payload = mean_by_count(d, "payload_bytes", ("documents", "chunks", "claims"))
    pubmed = PUBMED_ABSTRACTS * each["all"] / 1e6
    ram_point = INT8 + HNSW + sparse
    disk_million = m["disk_mib"] * 2**20 / m["points"] * 1e6 / 1e9
    return {
        "documents_ingested": f"{d['documents_ingested']:,}", "chunks_per_doc": f"{each['chunks']:.2f}",
        "claims_per_doc": f"{each['claims']:.2f}", "points_per_doc": f"{each['all']:.2f}",
        "disease_points": f"{ABSTRACTS_PER_DISEASE * each['all'] / 1e6:.1f}", "pubmed_points": f"{pubmed:.0f}",
        "nnz_chunk": f"{d['sparse_nnz_chunks']:.0f}", "sparse_chunk": f"{d['sparse_nnz_chunks'] * SPARSE_TERM:.0f}",
        "sparse_claim": f"{d['sparse_nnz_claims'] * SPARSE_TERM:.0f}",
        "payload_chunk": f"{d['payload_bytes_chunks']:,.0f}", "payload_claim": f"{d['payload_bytes_claims']:,.0f}",
        "payload_document": f"{d['payload_bytes_documents']:,.0f}", "sparse_mean": f"{sparse:.0f}",
        "ram_per_million": f"{ram_point:,.0f}", "ram_float32": f"{FLOAT32 + HNSW + sparse:,.0f}",
        "payload_mean": f"{payload:,.0f}", "payload_gb": f"{payload / 1e3:.1f}", "questions": f"{d['questions']:,}",
        **{k: f"{m[k]:,}" for k in ("points", "search_p95_ms", "search_p50_ms", "call_p95_ms", "answer_p95_ms",
                                    "peak_rss_mib", "disk_mib", "build_s", "calls_per_question")},
        "copies_per_record": f"{m['points'] / d['real_points']:.0f}",
        "doc_copies": f"{d['documents'] / d['real_documents']:.0f}",
        **{k: f"{d[k]:,}" for k in ("ingest_s", "fill_s", "optimize_s")},
        "cores": str(record["machine"]["cores"]),
        "pubmed_ram_node": f"{2 * pubmed * 1e6 * ram_point / 3 / 1e9:.0f}",
        "disk_per_million": f"{disk_million:.1f}", "pubmed_disk_node": f"{2 * pubmed * disk_million / 3:.0f}",
    }


def test_every_number_in_the_guide_is_the_benchmarks() -> None:
    guide = GUIDE.read_text()
    assert not re.search(r"\{[a-z_0-9]+\}", guide), "a placeholder was left in docs/deployment.md"
    record = json.loads(RESULTS.read_text())
    for name, value in guide_numbers(record).items():
        assert value in guide, f"docs/deployment.md lacks {name} = {value} from {RESULTS.name}"


def test_the_guide_is_linked_from_the_readme() -> None:
    assert "docs/deployment.md" in (ROOT / "README.md").read_text()
