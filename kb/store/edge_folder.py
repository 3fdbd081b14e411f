"""The embedded store's folder: its marker, its lock, room on its disk, and shards created whole."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import qdrant_edge as qe
from filelock import FileLock, Timeout

from kb.errors import DiskFull, StoreBusy, StoreError
from kb.store import DENSE, INTEGER_FIELDS, KEYWORD_FIELDS, SPARSE, Layout

MARKER = "medkb-store.json"
LOCK = ".medkb.lock"
# NOTE: Qdrant Edge writes through memory maps; a write into a full disk ends the process with SIGBUS (exit 135,
# no message), so writes stop while this much is still free.
MIN_FREE_BYTES = 256 * 2**20
FORMAT = 1


def busy_message(path: Path) -> str:
    """Return what a user sees when another process holds the store."""
    return (
        f"knowledge base at {path} is open in another process (the app or another ingest); "
        "stop it, or use a Qdrant server with MEDKB_QDRANT_URL"
    )


def _config(dim: int, layout: Layout) -> qe.EdgeConfig:
    """Return the shard layout: cosine dense vectors and IDF-weighted sparse ones, placed as the layout asks."""
    # NOTE: Edge quantizes a segment when optimize() indexes it; the originals then serve only the rescoring of the
    # best candidates, so with on_disk_vectors they can stay on disk while the int8 copies (a quarter) stay in RAM.
    int8 = qe.ScalarQuantizationConfig(qe.ScalarType.Int8, always_ram=True) if layout.int8 else None
    return qe.EdgeConfig(
        vectors={DENSE: qe.EdgeVectorParams(size=dim, distance=qe.Distance.Cosine, on_disk=layout.on_disk_vectors)},
        sparse_vectors={SPARSE: qe.EdgeSparseVectorParams(modifier=qe.Modifier.Idf)},
        on_disk_payload=layout.on_disk_payload,
        quantization_config=int8,
    )


def open_shard(folder: Path, dim: int, store: Path, layout: Layout = Layout()) -> qe.EdgeShard:
    """Return the shard in folder, creating it whole (with its payload indexes, in the given layout) on first use;
    an existing shard keeps the layout it was created with."""
    try:
        if not (folder / "edge_config.json").exists():
            check_room(folder.parent)
            _create_shard(folder, dim, layout)
        return qe.EdgeShard.load(str(folder))
    except StoreError:
        raise
    except Exception as exc:  # NOTE: qdrant-edge 0.9 raises bare Exception; the WAL lock says WouldBlock.
        if "WouldBlock" in str(exc):
            raise StoreBusy(busy_message(store)) from exc
        raise StoreError(f"cannot open the knowledge base shard {folder}: {exc}") from exc


def _create_shard(folder: Path, dim: int, layout: Layout) -> None:
    """Build a shard and its payload indexes beside folder, then rename it into place."""
    # NOTE: a crash (a full disk) during creation once left a shard with 10 of its 13 indexes, opened ever after as
    # if whole; a half-built shard now stays a temporary folder that the next open discards.
    building = folder.with_name(folder.name + ".building")
    shutil.rmtree(building, ignore_errors=True)
    shard = qe.EdgeShard.create(str(building), _config(dim, layout))
    try:
        for name in KEYWORD_FIELDS:
            shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Keyword))
        for name in INTEGER_FIELDS:
            shard.update(qe.UpdateOperation.create_field_index(name, qe.PayloadSchemaType.Integer))
        shard.flush()
    finally:
        shard.close()
    shutil.rmtree(folder, ignore_errors=True)  # NOTE: a shard folder without its config is a failed older create
    building.rename(folder)


def check_marker(path: Path, dim: int, embedder_name: str) -> None:
    """Write the marker in a new store folder, or check that an existing one matches dim and embedder."""
    marker = path / MARKER
    expected = {"format": FORMAT, "dim": dim, "embedder": embedder_name}
    if not marker.exists():
        if path.exists() and any(p.name != LOCK for p in path.iterdir()):
            raise StoreError(f"{path} is not empty and is not a MedKB knowledge base; choose another --store")
        path.mkdir(parents=True, exist_ok=True)
        marker.write_text(json.dumps(expected, indent=1) + "\n", encoding="utf-8")
        return
    try:
        found = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{marker} is unreadable ({exc}); choose another --store or rebuild it") from exc
    if found != expected:
        raise StoreError(
            f"knowledge base at {path} was built with {found}, not {expected}; "
            "choose another --store, or delete the folder and ingest again with this embedder"
        )


def check_room(path: Path) -> None:
    """Raise DiskFull when the store's disk has too little space left for a safe write."""
    free = shutil.disk_usage(path).free
    if free < MIN_FREE_BYTES:
        raise DiskFull(f"no space left for the knowledge base at {path}: {free // 2**20} MB free, "
                       f"{MIN_FREE_BYTES // 2**20} MB needed to write safely; free some space and run the same "
                       "command again (nothing stored was lost)")


def locked(path: Path, wait_s: float) -> FileLock:
    """Return the store's lock, held (waiting up to wait_s for another holder); else StoreBusy, before any store
    file is touched."""
    # NOTE: opening a shard maps its segment files, and qdrant-edge meets its own WAL lock only after that, so a
    # second process opening a store mid-ingest damaged the writer's segments; this lock is taken first.
    path.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path / LOCK, timeout=wait_s)
    try:
        lock.acquire()
    except Timeout:
        raise StoreBusy(busy_message(path)) from None
    return lock
