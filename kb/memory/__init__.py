"""The memory of questions: snapshots of answers, what changed between two of them, and the SQLite file that keeps
every question asked (and the saved ones, with notes) beside the knowledge base."""

from kb.memory.snapshot import Changes, Finding, Snapshot, Study, snapshot_of, what_changed
from kb.memory.store import MEMORY_FILE, Asked, Memory, Remembered, question_id
from kb.memory.rerun import Rerun, remember, rerun

__all__ = ["MEMORY_FILE", "Asked", "Changes", "Finding", "Memory", "Remembered", "Rerun", "Snapshot", "Study",
           "question_id", "remember", "rerun", "snapshot_of", "what_changed"]
