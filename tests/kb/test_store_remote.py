"""The qdrant-client store, against qdrant-client's in-memory mode (no server exists here)."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from qdrant_client import QdrantClient, models

from kb.config import Settings
from kb.errors import StoreError
from kb.models import make_id
from kb.store import COLLECTIONS, DENSE, SPARSE, Layout, Point
from kb.store.factory import make_store, store_layout
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


def created_with(layout: Layout | None, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Return the arguments ClientStore creates its claims collection with (local mode keeps none of them)."""
    client, calls = QdrantClient(":memory:"), {}
    create = client.create_collection

    def spy(name: str, **kwargs: Any) -> bool:
        calls[name] = kwargs
        return create(name, **kwargs)

    monkeypatch.setattr(client, "create_collection", spy)
    ClientStore(client, 8, layout=layout) if layout else ClientStore(client, 8)
    return calls["medkb_claims"]


def test_store_layout_reaches_every_created_collection(monkeypatch: pytest.MonkeyPatch) -> None:
    layout = Layout(shards=6, replicas=2, on_disk_payload=True, on_disk_vectors=True, int8=True)
    args = created_with(layout, monkeypatch)
    assert args["shard_number"] == 6 and args["replication_factor"] == 2 and args["on_disk_payload"] is True
    assert args["vectors_config"][DENSE].on_disk is True
    assert args["quantization_config"] == models.ScalarQuantization(
        scalar=models.ScalarQuantizationConfig(type=models.ScalarType.INT8, always_ram=True))


def test_default_layout_leaves_every_choice_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    args = created_with(None, monkeypatch)
    assert args["shard_number"] is None and args["replication_factor"] is None and args["on_disk_payload"] is None
    assert args["vectors_config"][DENSE].on_disk is None and args["quantization_config"] is None


def test_settings_name_the_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("SHARDS", "3"), ("REPLICAS", "2"), ("ON_DISK_PAYLOAD", "1"), ("INT8", "true")]:
        monkeypatch.setenv(f"MEDKB_QDRANT_{name}", value)
    assert store_layout(Settings()) == Layout(shards=3, replicas=2, on_disk_payload=True, int8=True)
