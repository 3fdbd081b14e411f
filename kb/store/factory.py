"""make_store: the embedded Edge store by default, qdrant-client when a server URL is set."""

from __future__ import annotations

from qdrant_client import QdrantClient

from kb.config import Settings
from kb.store import Layout, Store
from kb.store.edge import EdgeStore
from kb.store.remote import ClientStore


def store_layout(settings: Settings) -> Layout:
    """Return the collection layout the settings ask for (a server's, or the embedded store's new shards)."""
    return Layout(shards=settings.qdrant_shards, replicas=settings.qdrant_replicas,
                  on_disk_payload=settings.qdrant_on_disk_payload, on_disk_vectors=settings.qdrant_on_disk_vectors,
                  int8=settings.qdrant_int8)


def make_store(settings: Settings, dim: int, embedder_name: str, create: bool = True, wait_s: float = 0.0) -> Store:
    """Return the store the settings select, opened and ready; an embedded one is made only when create is set,
    and waited for up to wait_s when another process holds it."""
    match settings.qdrant_url:
        case None:
            return EdgeStore(settings.store, dim, embedder_name, create, wait_s, store_layout(settings))
        case ":memory:":
            return ClientStore(QdrantClient(":memory:"), dim)
        case url:
            client = QdrantClient(url=url, api_key=settings.qdrant_api_key)
            return ClientStore(client, dim, layout=store_layout(settings))
