"""What `medkb check` verifies: every chunk and claim belongs to a stored document, every claim to a stored chunk."""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.store import COLLECTIONS, Filter, Match, Store


@dataclass(frozen=True)
class Integrity:
    """Point counts per collection and the ids of points whose document or chunk is not stored (orphans)."""

    counts: dict[str, int]
    orphans: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return whether nothing is orphaned."""
        return not any(self.orphans.values())


def check(store: Store) -> Integrity:
    """Return the store's counts and orphans (a crash between a batch's chunks and its documents leaves some)."""
    docs = {h.id for h in store.scroll("documents", fields=())}
    chunks = {h.id: str(h.payload.get("doc_id")) for h in store.scroll("chunks", fields=("doc_id",))}
    claims = {h.id: (str(h.payload.get("doc_id")), str(h.payload.get("chunk_id")))
              for h in store.scroll("claims", fields=("doc_id", "chunk_id"))}
    orphans = {
        "chunks": tuple(sorted(i for i, d in chunks.items() if d not in docs)),
        "claims": tuple(sorted(i for i, (d, c) in claims.items() if d not in docs or c not in chunks)),
    }
    return Integrity(counts={name: store.count(name) for name in COLLECTIONS}, orphans=orphans)


def repair(store: Store, found: Integrity) -> int:
    """Delete the orphans found; return how many points went."""
    gone = 0
    for name, ids in found.orphans.items():
        if ids:
            store.delete(name, Filter(must=(Match("id", any_of=ids),)))  # type: ignore[arg-type]
            gone += len(ids)
    return gone
