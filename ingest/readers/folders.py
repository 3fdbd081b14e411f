"""Expand the paths a user names into the files to ingest, and say why any file in a folder was passed over."""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kb.errors import ParseError


@dataclass
class Found:
    """The files to ingest, in order, and the (path, reason) of everything in a folder that was not taken."""

    files: list[Path] = field(default_factory=list)
    passed_over: list[tuple[str, str]] = field(default_factory=list)


def _ignored(name: str) -> bool:
    """Return whether a file found in a folder is bookkeeping (licence, readme, provenance, dot-file)."""
    upper = name.upper()
    return name.startswith(".") or upper == "SOURCE.MD" or upper.startswith(("LICENSE", "README"))


def _why_not(path: Path, root: Path) -> str | None:
    """Return why a path found in a folder is not ingested, or None when it is an ordinary file to take."""
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return "a broken symbolic link or a link loop; not followed"
        # NOTE: a link out of the folder could bring any file the user can read (a key, a password file).
        if not target.is_relative_to(root):
            return f"a symbolic link leading out of the folder (to {target}); not followed"
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if stat.S_ISDIR(mode):
        return "a symbolic link to a folder; not followed" if path.is_symlink() else None
    if not stat.S_ISREG(mode):
        return "not a regular file (a pipe, socket or device); skipped"
    return None


def _expand(folder: Path, found: Found) -> None:
    """Add a folder's files, recursively and sorted, without hidden or bookkeeping files."""
    root, files = folder.resolve(), []

    def unreadable(exc: OSError) -> None:
        found.passed_over.append((str(exc.filename or folder), f"folder cannot be read ({exc.strerror}); skipped"))

    for top, dirs, names in os.walk(folder, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(names + [d for d in dirs if (Path(top) / d).is_symlink()]):
            path = Path(top) / name
            if _ignored(name):
                continue
            why = _why_not(path, root)
            if why is None and path.is_file():
                files.append(path)
            elif why is not None:
                found.passed_over.append((str(path), why))
    found.files += sorted(files)


def discover(paths: Sequence[Path]) -> Found:
    """Return the files to ingest (folders expanded, each file once; unsupported files kept for reporting) and
    what the folders held that was passed over."""
    found = Found()
    for path in paths:
        if path.is_dir():
            _expand(path, found)
        else:
            found.files.append(path)  # NOTE: a file the user names is taken as named, link or not.
    found.files = list(dict.fromkeys(found.files))
    return found


def check_size(path: Path, limit: int) -> None:
    """Refuse a file over the size limit before reading a byte of it."""
    size = path.stat().st_size
    if size > limit:
        raise ParseError(f"{path}: {size / 2**20:,.1f} MB is over the {limit / 2**20:,.1f} MB limit for one file; "
                         "split it, or raise MEDKB_MAX_FILE_MB")
