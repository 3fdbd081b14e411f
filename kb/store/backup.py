"""Backup and restore of an embedded knowledge base: one archive of its folder, taken under the store's lock.

The archive (tar.gz, written to a temporary file and renamed, so a crash leaves no half archive under its name)
holds every file of the folder (shards, lexicon, memory of questions, sources) and a manifest with each file's
size and SHA-256. A restore unpacks into a new folder beside the target, checks every file against the manifest,
and only then renames it into place: a damaged archive never leaves a half-restored knowledge base.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, ValidationError

from kb.errors import StoreError
from kb.store.edge_folder import LOCK, MARKER, locked

MANIFEST = "medkb-backup.json"
# NOTE: the lock belongs to the running process; a shard still being built is discarded by the next open anyway.
_LEFT_OUT = (LOCK,)


class Entry(BaseModel):
    """One file of a backed-up knowledge base."""

    path: str
    size: int
    sha256: str


class Manifest(BaseModel):
    """What a backup holds: when it was taken, from where, and every file with its size and hash."""

    created: str
    source: str
    files: list[Entry]

    @property
    def size(self) -> int:
        """Return the bytes of every file together."""
        return sum(e.size for e in self.files)


def _files(folder: Path) -> Iterator[Path]:
    """Return the knowledge base's files, in a stable order, without the lock or half-built shards."""
    for path in sorted(folder.rglob("*")):
        parts = path.relative_to(folder).parts
        if path.is_file() and not path.is_symlink() and path.name not in _LEFT_OUT and \
                not any(p.endswith(".building") for p in parts):
            yield path


def _sha256(path: Path) -> str:
    """Return a file's SHA-256, read in blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def backup(store: Path, target: Path, wait_s: float = 0.0) -> Manifest:
    """Write the knowledge base at store to the archive target, holding the store's lock so no ingest writes
    meanwhile; return the manifest."""
    if not (store / MARKER).exists():
        raise StoreError(f"{store} is not a MedKB knowledge base (no {MARKER}); check --store")
    target.parent.mkdir(parents=True, exist_ok=True)
    lock = locked(store, wait_s)
    try:
        files = list(_files(store))
        manifest = Manifest(created=datetime.now(timezone.utc).isoformat(timespec="seconds"), source=str(store),
                            files=[Entry(path=f.relative_to(store).as_posix(), size=f.stat().st_size,
                                         sha256=_sha256(f)) for f in files])
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                data = manifest.model_dump_json(indent=1).encode()
                info = tarfile.TarInfo(MANIFEST)
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
                for f in files:
                    tar.add(f, arcname=f.relative_to(store).as_posix(), recursive=False)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    finally:
        lock.release()
    return manifest


def restore(archive: Path, store: Path) -> Manifest:
    """Unpack a backup into store (which must not hold anything yet), every file checked against the manifest
    before the folder is put in place; return the manifest."""
    if store.exists() and any(store.iterdir()):
        raise StoreError(f"{store} is not empty; restore into a new folder (nothing was changed)")
    work = Path(tempfile.mkdtemp(prefix=f".{store.name}.restoring.", dir=store.parent if store.parent.exists()
                                 else _made(store.parent)))
    try:
        manifest = _unpack(archive, work)
        if store.exists():
            store.rmdir()
        work.rename(store)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return manifest


def _made(folder: Path) -> Path:
    """Return a folder, made with its parents."""
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _unpack(archive: Path, work: Path) -> Manifest:
    """Unpack the archive into work and check it; raise StoreError naming the archive for any damage."""
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            # NOTE: the 'data' filter refuses absolute paths, links out of the folder and device files.
            tar.extractall(work, filter="data")
        manifest = Manifest.model_validate_json((work / MANIFEST).read_bytes())
    except FileNotFoundError as exc:
        raise StoreError(f"{archive}: no such backup, or it has no {MANIFEST}; is it a `medkb backup` file?") from exc
    except (tarfile.TarError, OSError, EOFError, ValidationError, json.JSONDecodeError) as exc:
        raise StoreError(f"{archive}: the backup cannot be read ({str(exc).splitlines()[0]}); "
                         "nothing was restored") from exc
    (work / MANIFEST).unlink()
    for e in manifest.files:
        path = work / e.path
        if not path.is_file() or path.stat().st_size != e.size or _sha256(path) != e.sha256:
            raise StoreError(f"{archive}: {e.path} does not match the backup's manifest (damaged archive); "
                             "nothing was restored")
    if not (work / MARKER).exists():
        raise StoreError(f"{archive}: not a backup of a MedKB knowledge base (no {MARKER}); nothing was restored")
    return manifest
