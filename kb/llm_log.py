"""What LLM calls cost and how they went: the price table, the run budget and the SQLite call log."""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import BudgetExceeded, StoreError

# NOTE: USD per million (input, output) tokens by model-name prefix; unknown (local) models cost 0.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-nano": (0.10, 0.40),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-5-nano": (0.05, 0.40),
    "gpt-5-mini": (0.25, 2.00),
    "gpt-5": (1.25, 10.00),
    "gpt-3.5-turbo": (0.50, 1.50),
}


def estimate_cost(model: str, tokens_in: int, tokens_out: int) -> float:
    """Return the estimated USD cost of a call from the longest matching price prefix."""
    name = model.rsplit("/", 1)[-1].lower()
    prefix = max((p for p in PRICES if name.startswith(p)), key=len, default=None)
    if prefix is None:
        return 0.0
    price_in, price_out = PRICES[prefix]
    return (tokens_in * price_in + tokens_out * price_out) / 1_000_000


@dataclass
class Budget:
    """A per-run allowance of calls and estimated dollars, safe to share between threads."""

    max_calls: int | None = None
    max_usd: float | None = None
    calls: int = 0
    cost_usd: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def reserve(self, worst_cost: float) -> None:
        """Count one more call, or raise BudgetExceeded if it could overrun the budget."""
        with self._lock:
            if self.max_calls is not None and self.calls + 1 > self.max_calls:
                raise BudgetExceeded(f"LLM call budget of {self.max_calls} calls is spent; "
                                     "raise MEDKB_LLM_BUDGET_CALLS and rerun (cached chunks cost nothing)")
            if self.max_usd is not None and self.cost_usd + worst_cost > self.max_usd:
                raise BudgetExceeded(f"LLM budget of ${self.max_usd:.4f} would be exceeded "
                                     f"(spent ${self.cost_usd:.4f}); raise MEDKB_LLM_BUDGET_USD and rerun")
            self.calls += 1

    def charge(self, cost: float) -> None:
        """Add the estimated cost of a finished call."""
        with self._lock:
            self.cost_usd += cost


@dataclass(frozen=True)
class CallRecord:
    """One request to the endpoint as the call log stores it."""

    model: str
    mode: str
    outcome: str
    tokens_in: int = 0
    tokens_out: int = 0
    latency_s: float = 0.0
    retries: int = 0
    reask: int = 0
    dropped: int = 0
    cost_usd: float = 0.0
    at: float = field(default_factory=time.time)


CALLS_TABLE = """CREATE TABLE IF NOT EXISTS llm_calls (
    at REAL, model TEXT, mode TEXT, outcome TEXT, tokens_in INTEGER, tokens_out INTEGER,
    latency_s REAL, retries INTEGER, reask INTEGER, dropped INTEGER, cost_usd REAL)"""


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating) the SQLite file the LLM cache and call log share."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(path, timeout=30, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        return conn
    except sqlite3.DatabaseError as e:
        raise StoreError(f"{path}: cannot open the LLM cache/call log ({e}); delete the file "
                         "(only cached LLM replies and call history are lost)") from e


class SqliteCallLog:
    """Appends every LLM call to the llm_calls table of the store's SQLite file."""

    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._conn.execute(CALLS_TABLE)
        self._lock = threading.Lock()

    def record(self, call: CallRecord) -> None:
        """Store one call."""
        row = asdict(call)
        with self._lock:
            self._conn.execute(f"INSERT INTO llm_calls ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                               tuple(row.values()))

    def close(self) -> None:
        """Release the database."""
        self._conn.close()


def summarize_calls(path: Path) -> dict[str, Any]:
    """Return totals of the call log (calls, tokens, cost, re-asks, dropped claims, outcomes)."""
    conn = connect(path) if path.exists() else sqlite3.connect(":memory:")
    try:
        conn.execute(CALLS_TABLE)
        calls, t_in, t_out, cost, latency, reasks, retries, dropped = conn.execute(
            "SELECT COUNT(*), TOTAL(tokens_in), TOTAL(tokens_out), TOTAL(cost_usd), TOTAL(latency_s), "
            "TOTAL(reask > 0), TOTAL(retries), TOTAL(dropped) FROM llm_calls").fetchone()
        outcomes = dict(conn.execute("SELECT outcome, COUNT(*) FROM llm_calls GROUP BY outcome").fetchall())
        models = [m for (m,) in conn.execute("SELECT DISTINCT model FROM llm_calls ORDER BY model")]
    finally:
        conn.close()
    return {"calls": calls, "tokens_in": int(t_in), "tokens_out": int(t_out), "cost_usd": round(cost, 6),
            "latency_s": round(latency, 3), "reask_calls": int(reasks), "retries": int(retries),
            "dropped_claims": int(dropped), "outcomes": outcomes, "models": models}
