"""A SQLite cache of validated LLM answers, so re-ingesting the same chunk costs no model call."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Mapping
from pathlib import Path

from kb.llm import connect
from kb.models import content_hash

CACHE_TABLE = "CREATE TABLE IF NOT EXISTS llm_cache (key TEXT PRIMARY KEY, value TEXT NOT NULL, digest TEXT NOT NULL)"


def cache_key(*, model: str, prompt_version: str, schema_version: str, params: Mapping[str, object],
              text: str) -> str:
    """Return the sha256 key of everything that shapes the model's answer for a chunk."""
    # NOTE: not the endpoint's URL: the same model moved to another host or port answers the same, and a port
    # change must not re-pay every call.
    parts = [model, prompt_version, schema_version, dict(sorted(params.items())), text]
    return content_hash(json.dumps(parts, ensure_ascii=False, sort_keys=True))


class ResponseCache:
    """Validated JSON answers keyed by cache_key, in the llm_cache table of the store's SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = connect(path)
        self._conn.execute(CACHE_TABLE)
        self._lock = threading.Lock()

    def get(self, key: str) -> str | None:
        """Return the cached JSON for key; a torn or corrupt entry counts as a miss."""
        try:
            with self._lock:
                row = self._conn.execute("SELECT value, digest FROM llm_cache WHERE key = ?", (key,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        if row is None or not isinstance(row[0], str) or content_hash(row[0]) != row[1]:
            return None
        try:
            json.loads(row[0])
        except ValueError:
            return None
        return str(row[0])

    def put(self, key: str, value: str) -> None:
        """Store the JSON answer for key (replacing any older entry)."""
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO llm_cache (key, value, digest) VALUES (?, ?, ?)",
                               (key, value, content_hash(value)))

    def __len__(self) -> int:
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM llm_cache").fetchone()[0])

    def close(self) -> None:
        """Release the database."""
        self._conn.close()
