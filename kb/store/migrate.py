"""Copy a knowledge base from one store to another (embedded to server and back), checked by counts."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kb.errors import StoreError
from kb.store import COLLECTIONS, Collection, Store

Progress = Callable[[Collection, int], None]


@dataclass(frozen=True)
class Copied:
    """Points per collection at the destination after a copy, each equal to the source's count."""

    counts: Mapping[Collection, int]

    @property
    def total(self) -> int:
        """Return how many points the destination holds in all."""
        return sum(self.counts.values())


def _ignore(_collection: Collection, _n: int) -> None:
    """Report nothing."""


def source_counts(src: Store) -> dict[Collection, int]:
    """Return how many points each collection of src holds (what a progress bar counts towards)."""
    return {collection: src.count(collection) for collection in COLLECTIONS}


def copy_store(src: Store, dst: Store, progress: Progress = _ignore) -> Copied:
    """Copy every point of every collection of src into dst (ids, payloads, dense and sparse vectors), page by page,
    then check that each collection holds as many points in dst as in src; progress hears of every page written."""
    # NOTE: upserts are by id and ids are uuid5s of content, so running a copy again rewrites the same points.
    for collection in COLLECTIONS:
        for page in src.scroll_points(collection):
            dst.upsert(collection, page)
            progress(collection, len(page))
    return Copied({collection: _checked(src, dst, collection) for collection in COLLECTIONS})


def _checked(src: Store, dst: Store, collection: Collection) -> int:
    """Return the count of a collection, the same in src and dst; else raise StoreError naming both counts."""
    have, got = src.count(collection), dst.count(collection)
    if have != got:
        raise StoreError(
            f"after the copy, collection {collection!r} holds {got} points at the destination but {have} at the "
            "source; copy into an empty destination (or an earlier copy of this knowledge base) while nothing "
            "else writes to either, then run the same command again"
        )
    return got
