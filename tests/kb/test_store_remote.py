"""The qdrant-client store, against qdrant-client's in-memory mode (no server exists here)."""

from __future__ import annotations

import warnings

import pytest
from qdrant_client import QdrantClient, models

from kb.config import Settings
from kb.errors import StoreError
from kb.models import make_id
from kb.store import COLLECTIONS, DENSE, SPARSE, Point
from kb.store.factory import make_store
from kb.store.remote import ClientStore


def test_collections_are_prefixed_with_cosine_dense_and_idf_sparse_vectors() -> None:
    client = QdrantClient(":memory:")
    ClientStore(client, 8, prefix="t_")
    assert sorted(c.name for c in client.get_collections().collections) == sorted(f"t_{c}" for c in COLLECTIONS)
    params = client.get_collection("t_claims").config.params
    assert isinstance(params.vectors, dict)
    assert params.vectors[DENSE].size == 8
    assert params.vectors[DENSE].distance == models.Distance.COSINE
    assert params.sparse_vectors is not None
    assert params.sparse_vectors[SPARSE].modifier == models.Modifier.IDF


def test_reopening_existing_collections_keeps_points_and_warns_nothing() -> None:
    client = QdrantClient(":memory:")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ClientStore(client, 4).upsert("documents", [Point(id=make_id("doc", 1), payload={"title": "t"})])
        assert ClientStore(client, 4).count("documents") == 1


def test_existing_collections_of_another_size_are_refused() -> None:
    client = QdrantClient(":memory:")
    ClientStore(client, 4)
    with pytest.raises(StoreError, match="holds 4-d vectors, not 8-d"):
        ClientStore(client, 8)


def test_make_store_memory_url_gives_a_client_store() -> None:
    store = make_store(Settings(qdrant_url=":memory:"), 8, "fake")
    try:
        assert isinstance(store, ClientStore)
        assert store.count("claims") == 0
    finally:
        store.close()
