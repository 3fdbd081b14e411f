"""Files uploaded in the app: kept under the store's sources/uploads folder, then ingested like the CLI's."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from app.ingesting import ingest_into
from app.resources import KnowledgeBase
from ingest.run import IngestReport, Progress

UPLOADS = Path("sources") / "uploads"
# NOTE: what the readers take (ingest.readers.load.SUPPORTED), as the browser's file picker names suffixes.
UPLOAD_TYPES = ("pdf", "xml", "nxml", "gz", "json", "txt", "md")
_UNSAFE = re.compile(r"[^\w.\- ()]+")


@dataclass(frozen=True)
class Upload:
    """One file as the browser sent it."""

    name: str
    data: bytes


@dataclass
class Uploaded:
    """What became of a batch of uploads: the ingest report, and the files refused before it."""

    report: IngestReport
    refused: list[tuple[str, str]] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)

    def name_of(self, path: str) -> str:
        """Return the name the user uploaded a kept file under."""
        return self.names.get(path, Path(path).name)


def safe_name(name: str) -> str:
    """Return a file name that stays inside the uploads folder and keeps its suffix (no folders, no dot-files)."""
    base = _UNSAFE.sub("_", Path(name.replace("\\", "/")).name).strip(" .")
    return base or "upload"


def _keep(upload: Upload, folder: Path) -> Path:
    """Write one upload into the folder whole (a temporary file renamed), replacing an earlier one of that name."""
    target = folder / safe_name(upload.name)
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
    with os.fdopen(fd, "wb") as out:
        out.write(upload.data)
    os.replace(tmp, target)
    return target


def keep_uploads(uploads: Sequence[Upload], folder: Path, max_bytes: int) -> tuple[list[Path], Uploaded]:
    """Keep every upload within the size limit under folder; the others are refused with their size."""
    folder.mkdir(parents=True, exist_ok=True)
    kept, done = [], Uploaded(report=IngestReport())
    for upload in uploads:
        if len(upload.data) > max_bytes:
            done.refused.append((upload.name, f"{len(upload.data) / 2**20:.1f} MB, over the upload limit of "
                                              f"{max_bytes / 2**20:g} MB (MEDKB_UPLOAD_MAX_MB)"))
            continue
        if not upload.data:
            done.refused.append((upload.name, "the file is empty"))
            continue
        path = _keep(upload, folder)
        kept.append(path)
        done.names[str(path.resolve())] = upload.name
    return kept, done


def ingest_uploads(kb: KnowledgeBase, uploads: Sequence[Upload], progress: Progress | None = None) -> Uploaded:
    """Keep the uploads under the store and ingest them through the CLI's pipeline."""
    folder = kb.settings.store / UPLOADS
    kept, done = keep_uploads(uploads, folder, kb.settings.upload_max_mb * 2**20)
    if kept:
        done.report = ingest_into(kb, kept, progress)
    return done
