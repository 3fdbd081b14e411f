"""The embedded store's layout: int8 quantization, originals and payloads on disk, set as a server's is."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kb.config import Settings
from kb.models import make_id
from kb.store import COLLECTIONS, Filter, Layout, Match, Point
from kb.store.edge import EdgeStore
from kb.store.factory import make_store

SCALE = Layout(on_disk_payload=True, on_disk_vectors=True, int8=True)


def shard_config(path: Path, collection: str = "claims") -> dict[str, object]:
    """Return what Qdrant Edge recorded as a shard's configuration."""
    return json.loads((path / collection / "edge_config.json").read_text())  # type: ignore[no-any-return]


def test_settings_reach_every_new_embedded_shard(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("ON_DISK_PAYLOAD", "ON_DISK_VECTORS", "INT8"):
        monkeypatch.setenv(f"MEDKB_QDRANT_{name}", "true")
    make_store(Settings(store=tmp_path / "kb"), 8, "fake").close()
    for collection in COLLECTIONS:
        config = shard_config(tmp_path / "kb", collection)
        assert config["on_disk_payload"] is True
        assert config["vectors"]["dense"]["on_disk"] is True  # type: ignore[index]
        assert config["quantization_config"] == {"scalar": {"type": "int8", "always_ram": True}}


def test_default_layout_asks_for_no_quantization(tmp_path: Path) -> None:
    EdgeStore(tmp_path / "kb", 8, "fake").close()
    config = shard_config(tmp_path / "kb")
    assert "quantization_config" not in config or config["quantization_config"] is None
    assert config["vectors"]["dense"].get("on_disk") in (None, False)  # type: ignore[index, union-attr]


def test_an_existing_store_keeps_the_layout_it_was_created_with(tmp_path: Path) -> None:
    EdgeStore(tmp_path / "kb", 8, "fake").close()
    EdgeStore(tmp_path / "kb", 8, "fake", layout=SCALE).close()
    assert not shard_config(tmp_path / "kb").get("quantization_config")


def test_optimize_quantizes_and_searches_still_find_the_nearest_point(tmp_path: Path) -> None:
    # NOTE: Qdrant indexes (and so quantizes) a segment past 10 MB of vectors: 7,000 points of 384 floats.
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(7000, 384)).astype(np.float32)
    points = [Point(make_id("p", str(i)), {"doc_id": f"d{i % 50}", "kind": "abstract" if i % 2 else "trial"},
                    dense=v.tolist()) for i, v in enumerate(vectors)]
    store = EdgeStore(tmp_path / "kb", 384, "fake", layout=SCALE)
    try:
        store.upsert("chunks", points)
        store.optimize()
        assert list((tmp_path / "kb" / "chunks").glob("segments/*/vector_storage-dense/quantized.data"))
        hit = store.search("chunks", dense=vectors[11].tolist(), flt=Filter(must=(Match("kind", "abstract"),)))[0]
        assert hit.id == points[11].id and hit.payload["doc_id"] == "d11"
        assert store.count("chunks") == 7000
    finally:
        store.close()
