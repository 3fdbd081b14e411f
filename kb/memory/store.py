"""The memory of questions: every question asked, with a snapshot of its answer, and the saved ones with notes, kept
in SQLite beside the knowledge base."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime, timezone
from pathlib import Path

from pydantic import ValidationError

from kb.errors import NotRemembered, StoreError
from kb.memory.snapshot import Snapshot
from kb.models import Frozen, make_id

MEMORY_FILE = "memory.sqlite"
SCHEMA = """
CREATE TABLE IF NOT EXISTS questions (
    id TEXT PRIMARY KEY, question TEXT NOT NULL, saved INTEGER NOT NULL DEFAULT 0, note TEXT, saved_at TEXT);
CREATE TABLE IF NOT EXISTS asks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, question_id TEXT NOT NULL REFERENCES questions(id),
    asked_at TEXT NOT NULL, snapshot TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS asks_by_question ON asks (question_id, seq);
"""


class Remembered(Frozen):
    """A question in memory: its id, words, whether it is saved (with a note), and when it was last asked."""

    id: str
    question: str
    saved: bool = False
    note: str | None = None
    saved_at: datetime | None = None
    last_asked: datetime | None = None
    asks: int = 0


class Asked(Frozen):
    """One time a question was asked, with the snapshot of its answer then."""

    question_id: str
    snapshot: Snapshot


def question_id(question: str) -> str:
    """Return a question's short id: the same words (any spacing or case) always give the same id."""
    return make_id("question", " ".join(question.split()).casefold()).replace("-", "")[:8]


def _now() -> datetime:
    """Return the time now, in UTC."""
    return datetime.now(timezone.utc)


class Memory:
    """The questions asked of one knowledge base, in an SQLite file (each call opens and closes it, so the app and
    the command line can share it)."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """Yield a connection inside one transaction; a damaged file is a StoreError naming it."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with closing(sqlite3.connect(self.path, timeout=30)) as db:
                with db:
                    db.executescript(SCHEMA)
                    yield db
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: the memory of questions cannot be read or written ({e}); move the file "
                             "aside to start a new memory (the knowledge base itself is not affected)") from None

    def record(self, snapshot: Snapshot) -> str:
        """Keep a question with the snapshot of its answer; return the question's id."""
        qid = question_id(snapshot.question)
        with self._db() as db:
            db.execute("INSERT INTO questions (id, question) VALUES (?, ?) ON CONFLICT(id) DO UPDATE SET "
                       "question = excluded.question", (qid, snapshot.question))
            db.execute("INSERT INTO asks (question_id, asked_at, snapshot) VALUES (?, ?, ?)",
                       (qid, snapshot.taken_at.isoformat(), snapshot.model_dump_json()))
        return qid

    def save(self, question: str, note: str | None = None) -> Remembered:
        """Mark a question as saved (kept with its note; a new note replaces the old one); return it."""
        qid = question_id(question)
        with self._db() as db:
            db.execute("INSERT INTO questions (id, question, saved, note, saved_at) VALUES (?, ?, 1, ?, ?) "
                       "ON CONFLICT(id) DO UPDATE SET saved = 1, note = COALESCE(excluded.note, note), "
                       "saved_at = COALESCE(saved_at, excluded.saved_at)", (qid, question, note, _now().isoformat()))
        return self.find(qid)

    def forget(self, ref: str) -> Remembered:
        """Unsave a question (its history stays); return it."""
        found = self.find(ref)
        with self._db() as db:
            db.execute("UPDATE questions SET saved = 0 WHERE id = ?", (found.id,))
        return found.model_copy(update={"saved": False})

    def questions(self, saved_only: bool = False, limit: int = 100) -> list[Remembered]:
        """Return the questions in memory, most recently asked (or saved) first."""
        with self._db() as db:
            rows = db.execute(
                "SELECT q.id, q.question, q.saved, q.note, q.saved_at, MAX(a.asked_at), COUNT(a.seq) FROM questions q "
                "LEFT JOIN asks a ON a.question_id = q.id WHERE q.saved >= ? GROUP BY q.id "
                "ORDER BY COALESCE(MAX(a.asked_at), q.saved_at) DESC LIMIT ?", (int(saved_only), limit)).fetchall()
        return [Remembered(id=r[0], question=r[1], saved=bool(r[2]), note=r[3], saved_at=r[4], last_asked=r[5],
                           asks=r[6]) for r in rows]

    def find(self, ref: str) -> Remembered:
        """Return the question whose id is ref (or starts with it); NotRemembered names what to run instead."""
        ref = ref.strip().lower()
        found = [q for q in self.questions(limit=-1) if ref and q.id.startswith(ref)]
        if len(found) != 1:
            what = "no question" if not found else f"{len(found)} questions"
            raise NotRemembered(f"{what} in {self.path} with the id {ref!r}; run `medkb questions` to list them "
                                "with their ids")
        return found[0]

    def history(self, limit: int = 50) -> list[Asked]:
        """Return the latest asks, newest first, each with its snapshot."""
        with self._db() as db:
            rows = db.execute("SELECT question_id, snapshot FROM asks ORDER BY seq DESC LIMIT ?", (limit,)).fetchall()
        return [Asked(question_id=r[0], snapshot=self._snapshot(r[1])) for r in rows]

    def last_snapshot(self, qid: str) -> Snapshot | None:
        """Return the snapshot of a question's latest answer, or None when it was never answered."""
        with self._db() as db:
            row = db.execute("SELECT snapshot FROM asks WHERE question_id = ? ORDER BY seq DESC LIMIT 1",
                             (qid,)).fetchone()
        return self._snapshot(row[0]) if row else None

    def _snapshot(self, data: str) -> Snapshot:
        """Return a stored snapshot; one that no longer reads is a StoreError naming the file."""
        try:
            return Snapshot.model_validate_json(data)
        except ValidationError as e:
            raise StoreError(f"{self.path}: a stored answer snapshot cannot be read ({str(e).splitlines()[0]}); "
                             "move the file aside to start a new memory") from None
