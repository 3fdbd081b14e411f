"""What a fetch has saved so far (a small JSON file beside its records), and atomic file writes."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout
from pydantic import BaseModel, ValidationError

from kb.errors import ParseError, StoreBusy

STATE_NAME = ".fetch-state.json"  # NOTE: a dot-file, so ingesting the folder passes over it.


class Update(BaseModel):
    """An update of a saved query under way: the records entered or changed from since to until, how far it got,
    and the files it saved."""

    since: str
    until: str
    offset: int = 0
    page_token: str | None = None
    files: list[str] = []


class FetchState(BaseModel):
    """One saved query: what was asked (source is its kind), how far the fetch got, the files it saved, when it last
    ran, and how far `medkb update` has brought it (fields older state files lack take their defaults)."""

    source: str
    query: str
    since: str | None = None
    until: str | None = None
    count: int = 0
    offset: int = 0
    page_token: str | None = None
    complete: bool = False
    files: list[str] = []
    last_run: str | None = None
    updated_to: str | None = None
    update: Update | None = None
    # NOTE: a query past E-utilities' 10,000 records is fetched in windows of entry dates, planned once.
    windows: list[tuple[str, str]] = []


def slug(query: str, since: str | None = None) -> str:
    """Return a folder-safe name for a query: its words, then a short hash so distinct queries never share one."""
    words = re.sub(r"[^a-z0-9]+", "-", query.lower()).strip("-")[:60].strip("-") or "query"
    digest = hashlib.sha256(f"{query}\n{since or ''}".encode()).hexdigest()[:8]
    return f"{words}-{digest}"


def write_atomic(path: Path, data: bytes) -> None:
    """Write a file whole or not at all: a temporary file in the same folder, flushed, then renamed over path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def load_state(path: Path, fresh: FetchState) -> FetchState:
    """Return the saved state at path, or fresh when there is none; a damaged file is a ParseError."""
    if not path.exists():
        return fresh
    try:
        return FetchState.model_validate_json(path.read_bytes())
    except (ValidationError, OSError) as e:
        raise ParseError(f"{path}: the fetch state cannot be read ({str(e).splitlines()[0]}); delete it to fetch "
                         "this query again from the start (saved records stay and are not duplicated)") from e


@contextmanager
def query_lock(path: Path) -> Iterator[None]:
    """Hold a query's lock file while it is fetched, so two runs never write the same files and state."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(path, timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise StoreBusy(f"{path}: another medkb fetch of the same query is running; wait for it to finish") from None
    try:
        yield
    finally:
        lock.release()


def save_state(path: Path, state: FetchState) -> None:
    """Write the state atomically, stamped with the time of this run."""
    state.last_run = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_atomic(path, state.model_dump_json(indent=2).encode())


@dataclass(frozen=True)
class Fetched:
    """What a fetch left on disk: its files (this run's and earlier runs'), the source's count, and this run's new
    records."""

    files: list[Path]
    count: int
    new: int
    saved: int
    complete: bool
