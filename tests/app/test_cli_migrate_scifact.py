"""medkb migrate on real abstracts: a SciFact knowledge base goes to a server (qdrant-client local mode) and back to
a new folder, and answers every sample question exactly as before."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app.resources import LEXICON_FILE, open_kb
from benchmarks.common import DATA
from benchmarks.scifact import folder_of, load_corpus
from ingest.extract.rules import RuleExtractor
from ingest.pipeline import ingest_records
from ingest.run import IngestReport, Run
from kb.config import Settings
from tests.app.test_cli import medkb
from tests.app.test_cli_migrate import SERVER, edge, server  # noqa: F401  (a fixture, used by name)
from tests.kb.test_store_migrate import assert_same, dump

SCIFACT = folder_of(DATA)
ABSTRACTS = 40
QUESTIONS = 6
pytestmark = pytest.mark.skipif(not (SCIFACT / "corpus.jsonl").is_file(),
                                reason=f"SciFact is not at {SCIFACT} (see datasets/README.md in the shared folder)")


def sample_claims() -> tuple[list[str], set[str]]:
    """Return the first claims whose cited abstracts are few, and the ids of those abstracts."""
    claims, cited = [], set()
    with (SCIFACT / "claims_train.jsonl").open(encoding="utf-8") as lines:
        for record in map(json.loads, lines):
            if record["cited_doc_ids"] and len(claims) < QUESTIONS:
                claims.append(record["claim"])
                cited |= {str(d) for d in record["cited_doc_ids"]}
    return claims, cited


@pytest.fixture(scope="module")
def scifact_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str]]:
    """Return a knowledge base of the sample claims' abstracts and the first abstracts of the corpus (built as the
    benchmarks build one: PubMed-style Documents through the pipeline, rule extractor), and the claims."""
    claims, cited = sample_claims()
    docs = load_corpus(SCIFACT / "corpus.jsonl", lambda doc_id, n: n < ABSTRACTS - len(cited) or doc_id in cited)
    path = tmp_path_factory.mktemp("scifact") / "kb"
    kb = open_kb(Settings(store=path))
    try:
        run = Run(kb.store, kb.embedder, RuleExtractor(), kb.saved)
        ingest_records(((d, []) for d in docs.values()), run, report := IngestReport())
        kb.saved.add(run.learned)
        kb.save_lexicon()
    finally:
        kb.close()
    assert report.documents == len(docs) >= ABSTRACTS - len(cited)
    return path, claims


def answers(store: Path, questions: list[str]) -> list[dict[str, object]]:
    """Return `medkb ask --json` for each question, parsed."""
    replies = [medkb("ask", q, "--json", "--store", str(store)) for q in questions]
    assert all(code == 0 for code, _, _ in replies), [err for code, _, err in replies if code]
    return [json.loads(out) for _, out, _ in replies]


def test_a_scifact_knowledge_base_round_trips_through_a_server_with_the_same_answers(
    scifact_store: tuple[Path, list[str]], server: Path, tmp_path: Path  # noqa: F811
) -> None:
    store, claims = scifact_store
    expected = answers(store, claims)
    found = [a for a in expected if a["hypotheses"] or a["speculative"] or a["related"]]
    assert found, [{k: v for k, v in a.items() if v} for a in expected]  # NOTE: answers that cite abstracts
    code, _, err = medkb("migrate", "--to", SERVER, "--store", str(store))
    assert code == 0, err
    back = tmp_path / "back"
    code, out, err = medkb("migrate", "--to", str(back), "--from-url", SERVER, "--store", str(store))
    assert code == 0, err
    assert (back / LEXICON_FILE).read_bytes() == (store / LEXICON_FILE).read_bytes()
    original, copy = edge(store), edge(back)
    try:
        assert_same(dump(original), dump(copy))
    finally:
        original.close()
        copy.close()
    assert answers(back, claims) == expected
