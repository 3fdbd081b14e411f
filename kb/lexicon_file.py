"""The lexicon on disk: written whole and atomically, plus a journal of the terms an unfinished ingest learned.

An ingest reads the lexicon as it stood when it began and adds what its documents taught only at the end. The
terms of every committed batch go to the journal first, so a run killed half way loses none of them, and its
resumption extracts with the same lexicon as an uninterrupted run would (the file is untouched until the end).
"""

from __future__ import annotations

import gzip
import os
from collections.abc import Iterable
from pathlib import Path

from kb.errors import ConfigError
from kb.lexicon import Lexicon, LexiconTerm, fold

REBUILD = "medkb lexicon rebuild"


def _row(t: LexiconTerm) -> str:
    """Return a term as one TSV line (term, name, type, normalized id)."""
    return f"{t.term}\t{t.name}\t{t.type}\t{t.normalized_id or ''}\n"


def _term(row: list[str]) -> LexiconTerm:
    """Return the term of a split TSV line."""
    return LexiconTerm(row[0], row[1], row[2], row[3] or None)  # type: ignore[arg-type]


def _sync_folder(folder: Path) -> None:
    """Make a rename in folder durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def save_lexicon(lexicon: Lexicon, path: Path) -> None:
    """Write the lexicon as a gzip TSV beside a temporary copy, then rename it over the old one (never torn)."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=6) as out:
            out.write("".join(_row(t) for t in lexicon).encode("utf-8"))
        raw.flush()
        os.fsync(raw.fileno())
    os.replace(tmp, path)
    _sync_folder(path.parent)


def load_lexicon(path: Path, store: Path) -> Lexicon:
    """Read a lexicon written by save_lexicon(); a damaged or empty file is an error naming the rebuild command."""
    fix = f"rebuild it with `{REBUILD} --store {store}` (add --mesh FOLDER for MeSH)"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as src:
            rows = [line.rstrip("\n").split("\t") for line in src]
    except (OSError, EOFError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: the lexicon is damaged ({e}); {fix}") from e
    if not rows:
        raise ConfigError(f"{path}: the lexicon is empty; {fix}")
    bad = next((r for r in rows if len(r) != 4), None)
    if bad is not None:
        raise ConfigError(f"{path}: malformed lexicon row {bad[:2]!r}; {fix}")
    return Lexicon({fold(r[0]): _term(r) for r in rows})


class Journal:
    """The terms learned by committed batches of an ingest that has not finished yet (append-only TSV)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def append(self, terms: Iterable[LexiconTerm]) -> int:
        """Add terms durably (written and synced before the batch they come from is stored); return the journal's
        size before them, the mark truncate() goes back to."""
        mark = self.path.stat().st_size if self.path.exists() else 0
        text = "".join(_row(t) for t in terms)
        if text:
            with open(self.path, "a", encoding="utf-8") as out:
                out.write(text)
                out.flush()
                os.fsync(out.fileno())
        return mark

    def truncate(self, mark: int) -> None:
        """Take back what was appended after mark (the batch it came with was not stored)."""
        if self.path.exists():
            os.truncate(self.path, mark)

    def read(self) -> list[LexiconTerm]:
        """Return every journalled term; a line torn by a crash is left out."""
        if not self.path.exists():
            return []
        lines = self.path.read_text(encoding="utf-8", errors="replace").split("\n")
        # NOTE: only newline-terminated lines were written whole; the text after the last newline is torn.
        return [_term(r) for line in lines[:-1] if len(r := line.split("\t")) == 4]

    def clear(self) -> None:
        """Forget the journal once its terms are in the saved lexicon."""
        self.path.unlink(missing_ok=True)
