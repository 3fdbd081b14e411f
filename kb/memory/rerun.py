"""Asking again: a remembered question answered anew, its snapshot kept, and what changed since the last one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from kb.answers import Answer
from kb.memory.snapshot import Changes, Snapshot, snapshot_of, what_changed
from kb.memory.store import Memory, Remembered
from kb.models import Frozen

Ask = Callable[[str], Answer]


class Rerun(Frozen):
    """A remembered question asked again: the new answer's snapshot, and what changed (None when it was never
    answered before)."""

    question: Remembered
    answer: Answer
    snapshot: Snapshot
    changes: Changes | None = None


def remember(memory: Memory, answer: Answer, now: datetime) -> str:
    """Keep an answer's snapshot in memory; return its question's id."""
    return memory.record(snapshot_of(answer, now))


def rerun(memory: Memory, ref: str, ask: Ask, now: datetime) -> Rerun:
    """Ask a remembered question (by id) again, keep the new snapshot, and say what changed since the last one."""
    question = memory.find(ref)
    before = memory.last_snapshot(question.id)
    answer = ask(question.question)
    after = snapshot_of(answer, now)
    memory.record(after)
    return Rerun(question=question, answer=answer, snapshot=after,
                 changes=what_changed(before, after) if before else None)
