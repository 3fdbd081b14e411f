"""Both store backends behave the same: Qdrant Edge on disk and qdrant-client in memory."""

from __future__ import annotations

import re
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from qdrant_client import QdrantClient

from kb.models import make_id
from kb.sparse import encode_document, encode_query
from kb.store import PREFETCH_FACTOR, PREFETCH_MIN, Filter, Match, Point, Range, SparseVec, Store, prefetch_depth
from kb.store.edge import EdgeStore
from kb.store.remote import ClientStore

DIM = 64

# Sentences in the style of PubMed abstracts, one finding each; keys are what the queries look for.
CORPUS: dict[str, tuple[str, int, str]] = {
    "aspirin": ("Low-dose aspirin reduced the risk of a first myocardial infarction in men.", 1989, "rct"),
    "statin": ("Statin therapy lowered LDL cholesterol and vascular events over five years.", 2010, "meta_analysis"),
    "metformin": ("Metformin improved glycaemic control in adults with type 2 diabetes.", 1998, "rct"),
    "warfarin": ("Warfarin prevented stroke in patients with non-valvular atrial fibrillation.", 1991, "cohort"),
    "vitd": ("Vitamin D supplementation did not reduce fractures in community-dwelling older adults.", 2018, "rct"),
    "sglt2": ("Empagliflozin reduced hospitalisation for heart failure in type 2 diabetes.", 2015, "rct"),
    "smoking": ("Cigarette smoking was associated with an increased risk of lung cancer.", 1950, "case_control"),
    "exercise": ("Aerobic exercise training improved depressive symptoms in older adults.", 2016, "rct"),
    "aspirin2": ("Aspirin for primary prevention of myocardial infarction caused bleeding in elderly.", 2018, "rct"),
}


def fake_embed(text: str) -> list[float]:
    """Return a hashing bag-of-words unit vector: deterministic, no model."""
    vec = np.zeros(DIM)
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        vec[zlib.crc32(word.encode()) % DIM] += 1.0
    return (vec / np.linalg.norm(vec)).tolist()


def pid(key: str) -> str:
    """Return the point id of a corpus key."""
    return make_id("test", key)


def corpus_points() -> list[Point]:
    """Return the corpus as points with dense, sparse and a nested payload."""
    return [
        Point(
            id=pid(key),
            payload={"key": key, "year": year, "study_design": design, "doc_id": f"d-{key}",
                     "quote": {"text": text, "spans": [0, len(text)]}, "hedged": key == "vitd"},
            dense=fake_embed(text),
            sparse=encode_document(text),
        )
        for key, (text, year, design) in CORPUS.items()
    ]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of an empty, closed edge store, built once per module."""
    # NOTE: creating the shards and payload indexes costs ~450 fsyncs; copying the files costs none.
    path = tmp_path_factory.mktemp("pristine") / "kb"
    EdgeStore(path, DIM, "fake").close()
    return path


def empty_edge_store(pristine: Path, tmp_path: Path) -> EdgeStore:
    """Return a fresh empty edge store in tmp_path, copied from the pristine one."""
    # NOTE: cp keeps the engine's sparse 32 MB pages sparse; shutil.copytree would write ~850 MB of zeros.
    subprocess.run(["cp", "-r", str(pristine), str(tmp_path / "kb")], check=True)
    return EdgeStore(tmp_path / "kb", DIM, "fake")


@pytest.fixture(params=["edge", "client"])
def store(request: pytest.FixtureRequest, pristine: Path, tmp_path: Path) -> Iterator[Store]:
    """Yield an empty store of each backend."""
    backend: Store
    if request.param == "edge":
        backend = empty_edge_store(pristine, tmp_path)
    else:
        backend = ClientStore(QdrantClient(":memory:"), DIM)
    yield backend
    backend.close()


@pytest.fixture
def filled(store: Store) -> Store:
    """Return a store holding the corpus in the claims collection."""
    store.upsert("claims", corpus_points())
    return store


def keys(hits: list) -> list[str]:
    """Return the corpus keys of hits, in order."""
    return [h.payload["key"] for h in hits]


def test_upsert_twice_keeps_one_copy_and_takes_new_payload(filled: Store) -> None:
    points = corpus_points()
    changed = Point(id=points[0].id, payload={**points[0].payload, "year": 2000}, dense=points[0].dense)
    filled.upsert("claims", [*points[1:], changed])
    assert filled.count("claims") == len(CORPUS)
    assert filled.retrieve("claims", [pid("aspirin")])[0].payload["year"] == 2000


def test_retrieve_returns_stored_payload_and_skips_missing(filled: Store) -> None:
    hits = filled.retrieve("claims", [pid("statin"), make_id("absent"), pid("vitd")])
    assert sorted(keys(hits)) == ["statin", "vitd"]
    statin = next(h for h in hits if h.id == pid("statin"))
    assert statin.payload["quote"] == {"text": CORPUS["statin"][0], "spans": [0, len(CORPUS["statin"][0])]}
    assert filled.retrieve("claims", []) == []


def test_scroll_pages_through_everything_even_without_vectors(store: Store) -> None:
    # NOTE: 600 points span three scroll pages and three upsert batches.
    docs = [Point(id=make_id("doc", i), payload={"i": i, "kind": "pubmed" if i % 3 else "pdf"}) for i in range(600)]
    store.upsert("documents", docs)
    seen = [h.payload["i"] for h in store.scroll("documents")]
    assert sorted(seen) == list(range(600))
    assert len({h.id for h in store.scroll("documents", Filter(must=(Match("kind", "pdf"),)))}) == 200
    assert store.count("documents") == 600


def test_scroll_can_fetch_only_some_payload_fields(store: Store) -> None:
    store.upsert("documents", [Point(id=make_id("doc", i), payload={"i": i, "text": "long " * 50, "year": 2000 + i})
                               for i in range(3)])
    hits = list(store.scroll("documents", fields=("i", "year")))
    assert sorted(h.payload["i"] for h in hits) == [0, 1, 2]
    assert all(set(h.payload) == {"i", "year"} for h in hits)
    assert all("text" in h.payload for h in store.scroll("documents"))


def test_scroll_points_returns_every_point_whole_page_by_page(store: Store) -> None:
    store.upsert("claims", corpus_points())
    store.upsert("documents", [Point(id=make_id("doc", i), payload={"i": i}) for i in range(600)])
    pages = list(store.scroll_points("documents"))
    assert len(pages) >= 3 and all(pages)
    assert sorted(p.payload["i"] for page in pages for p in page) == list(range(600))
    assert all(p.dense is None and p.sparse is None for page in pages for p in page)
    stored = {p.id: p for page in store.scroll_points("claims") for p in page}
    for point in corpus_points():
        got = stored[point.id]
        assert got.payload == point.payload
        assert got.dense == pytest.approx(point.dense, abs=1e-6)
        assert got.sparse is not None and point.sparse is not None
        assert got.sparse.indices == point.sparse.indices
        assert got.sparse.values == pytest.approx(point.sparse.values, rel=1e-6)


def test_equal_scores_rank_in_id_order_whatever_the_write_order(store: Store) -> None:
    ids = sorted(make_id("tie", i) for i in range(4))
    vec = fake_embed("aspirin")
    for i in reversed(ids):  # NOTE: written one by one, last id first, as a migration would not
        store.upsert("claims", [Point(id=i, payload={"id": i}, dense=vec, sparse=encode_document("aspirin"))])
    assert [h.id for h in store.search("claims", dense=vec, limit=4)] == ids
    assert [h.id for h in store.search("claims", dense=vec, sparse=encode_query("aspirin"), limit=4)] == ids


def test_count_with_match_any_of_range_null_and_bool(filled: Store) -> None:
    assert filled.count("claims", Filter(must=(Match("study_design", "rct"),))) == 6
    assert filled.count("claims", Filter(must=(Match("study_design", any_of=("cohort", "case_control")),))) == 2
    assert filled.count("claims", Filter(must=(Range("year", gte=2015),))) == 4
    assert filled.count("claims", Filter(must=(Range("year", gte=1990, lte=2010),))) == 3
    both = Filter(must=(Match("study_design", "rct"), Range("year", lte=2000)))
    assert filled.count("claims", both) == 2
    assert filled.count("claims", Filter(must=(Match("hedged", True),))) == 1
    assert filled.count("claims", Filter(must=(Match("hedged", False),))) == len(CORPUS) - 1
    assert filled.count("claims", Filter()) == len(CORPUS)


def test_match_none_finds_null_values(store: Store) -> None:
    store.upsert("entities", [Point(id=make_id("e", 1), payload={"normalized_id": None}),
                              Point(id=make_id("e", 2), payload={"normalized_id": "D009203"})])
    assert store.count("entities", Filter(must=(Match("normalized_id", None),))) == 1


def test_delete_by_filter_removes_only_matches(filled: Store) -> None:
    filled.delete("claims", Filter(must=(Match("doc_id", any_of=("d-aspirin", "d-aspirin2")),)))
    assert filled.count("claims") == len(CORPUS) - 2
    assert filled.retrieve("claims", [pid("aspirin")]) == []
    with pytest.raises(ValueError, match="at least one condition"):
        filled.delete("claims", Filter())
    assert filled.count("claims") == len(CORPUS) - 2


QUERY = "aspirin myocardial infarction risk in men"


def test_dense_only_search_ranks_the_closest_sentence_first(filled: Store) -> None:
    hits = filled.search("claims", dense=fake_embed(QUERY), limit=3)
    assert keys(hits)[0] == "aspirin"
    assert hits[0].score > hits[1].score


def test_sparse_only_search_uses_bm25_terms(filled: Store) -> None:
    hits = filled.search("claims", sparse=encode_query("fractures vitamin"), limit=3)
    assert keys(hits)[0] == "vitd"
    # NOTE: stemming maps "diabetic patients" onto "diabetes"; only the two diabetes sentences share terms.
    assert set(keys(filled.search("claims", sparse=encode_query("diabetes"), limit=5))) == {"metformin", "sglt2"}


def test_hybrid_search_fuses_both_and_applies_filters(filled: Store) -> None:
    dense, sparse = fake_embed(QUERY), encode_query(QUERY)
    assert keys(filled.search("claims", dense=dense, sparse=sparse, limit=3))[:2] == ["aspirin", "aspirin2"]
    recent = filled.search("claims", dense=dense, sparse=sparse, flt=Filter(must=(Range("year", gte=2000),)), limit=3)
    assert keys(recent)[0] == "aspirin2"
    assert all(h.payload["year"] >= 2000 for h in recent)
    assert filled.search("claims", sparse=encode_query("the of and")) == []


def _margin_points() -> list[Point]:
    """Return points where "wide" leads dense by far and "narrow" leads BM25 by a little (see the test)."""
    # (key, cosine to the query's dense axis, BM25 weight of the query term or None)
    rows = [("wide", 1.0, 0.8), ("narrow", 0.6, 1.0), ("bm25", 0.5, 0.9)]
    rows += [(f"f{i}", 0.55 - i / 20, None) for i in range(4)]
    points = []
    for n, (key, cos, weight) in enumerate(rows):
        vec = np.zeros(DIM)
        vec[0], vec[1 + n] = cos, (1 - cos**2) ** 0.5
        sparse = SparseVec([7], [weight]) if weight else SparseVec([8 + n], [1.0])
        points.append(Point(id=pid(key), payload={"key": key}, dense=vec.tolist(), sparse=sparse))
    return points


def test_hybrid_fusion_keeps_score_margins_not_just_ranks(store: Store) -> None:
    # NOTE: by rank alone (RRF) "narrow" wins: 1st and 2nd beats 1st and 3rd. DBSF scales each branch by its
    # own spread, so the dense lead of "wide" (1.0 vs 0.6) outweighs its small BM25 gap (0.8 vs 1.0).
    store.upsert("chunks", _margin_points())
    dense = np.eye(DIM)[0].tolist()
    assert keys(store.search("chunks", dense=dense, limit=2)) == ["wide", "narrow"]
    assert keys(store.search("chunks", sparse=SparseVec([7], [1.0]), limit=3)) == ["narrow", "bm25", "wide"]
    assert keys(store.search("chunks", dense=dense, sparse=SparseVec([7], [1.0]), limit=2)) == ["wide", "narrow"]


def test_prefetch_depth_grows_with_the_limit_from_a_floor() -> None:
    assert prefetch_depth(5) == PREFETCH_MIN
    assert prefetch_depth(300) == 300 * PREFETCH_FACTOR


def test_idf_makes_the_rare_term_outweigh_the_common_one(store: Store) -> None:
    # NOTE: the common term weighs more raw; only the collection's IDF modifier can put the rare term first.
    points = [Point(id=make_id("p", i), payload={"i": i}, sparse=SparseVec([1], [1.2])) for i in range(5)]
    points.append(Point(id=make_id("p", "rare"), payload={"i": "rare"}, sparse=SparseVec([2], [1.0])))
    store.upsert("claims", points)
    hits = store.search("claims", sparse=SparseVec([1, 2], [1.0, 1.0]), limit=2)
    assert hits[0].payload["i"] == "rare"
    assert hits[0].score > hits[1].score


def test_hybrid_scores_agree_between_backends(pristine: Path, tmp_path: Path) -> None:
    edge, client = empty_edge_store(pristine, tmp_path), ClientStore(QdrantClient(":memory:"), DIM)
    try:
        for backend in (edge, client):
            backend.upsert("claims", corpus_points())
        dense, sparse = fake_embed(QUERY), encode_query(QUERY)
        runs = [b.search("claims", dense=dense, sparse=sparse, limit=1) for b in (edge, client)]
        assert runs[0][0].id == runs[1][0].id
        assert runs[0][0].score == pytest.approx(runs[1][0].score, rel=1e-5)
    finally:
        edge.close()
        client.close()


def test_edge_store_reopened_from_disk_keeps_everything(pristine: Path, tmp_path: Path) -> None:
    first = empty_edge_store(pristine, tmp_path)
    first.upsert("claims", corpus_points())
    first.upsert("documents", [Point(id=make_id("doc", "x"), payload={"title": "x", "year": 2001})])
    first.delete("claims", Filter(must=(Match("key", "smoking"),)))
    first.close()
    again = EdgeStore(tmp_path / "kb", DIM, "fake")
    try:
        assert again.count("claims") == len(CORPUS) - 1
        assert again.count("documents", Filter(must=(Range("year", gte=2000),))) == 1
        assert keys(again.search("claims", dense=fake_embed(QUERY), sparse=encode_query(QUERY), limit=1)) == ["aspirin"]
    finally:
        again.close()
