"""What every benchmark shares: run metadata, result files and the README results table."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
README = HERE / "README.md"
WORK = HERE / "work"  # NOTE: gitignored caches (embeddings) that make reruns fast.
DATA = HERE.parent.parent / "shared" / "datasets"
BEGIN, END = "<!-- results:begin -->", "<!-- results:end -->"


@dataclass
class Target:
    """A goal for one metric: value compared with op ('>=' or '<=')."""

    metric: str
    op: str
    value: float

    def met(self, actual: float | None) -> bool | None:
        """Return whether the actual value meets the target (None when not measured)."""
        if actual is None:
            return None
        return actual >= self.value if self.op == ">=" else actual <= self.value


@dataclass
class Result:
    """One benchmark run's numbers and the context needed to reproduce them."""

    name: str
    metrics: dict[str, float]
    baselines: dict[str, float] = field(default_factory=dict)
    targets: list[Target] = field(default_factory=list)
    dataset: dict[str, Any] = field(default_factory=dict)
    notes: str = ""
    # NOTE: what a reader needs beyond the numbers (examples, tables); written to the JSON, not the README table.
    details: dict[str, Any] = field(default_factory=dict)


def machine() -> dict[str, Any]:
    """Return the cores and memory of this machine."""
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    return {"cores": os.cpu_count(), "memory_gib": round(pages / 2**30, 1), "python": platform.python_version()}


def commit() -> str:
    """Return the current git commit (with '+dirty' when the tree has changes)."""
    try:
        sha = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=HERE,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True, cwd=HERE).stdout
        return sha + ("+dirty" if dirty.strip() else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def timed(run: Callable[[], Result], results: Path | None = None) -> dict[str, Any]:
    """Run a benchmark, write its result file (to results, default RESULTS) and return the record."""
    start = time.perf_counter()
    result = run()
    record = {
        "name": result.name,
        "metrics": result.metrics,
        "baselines": result.baselines,
        "targets": [{"metric": t.metric, "op": t.op, "value": t.value, "met": t.met(result.metrics.get(t.metric))}
                    for t in result.targets],
        "dataset": result.dataset,
        "notes": result.notes,
        **({"details": result.details} if result.details else {}),
        "commit": commit(),
        "machine": machine(),
        "wall_s": round(time.perf_counter() - start, 1),
        "date": time.strftime("%Y-%m-%d"),
    }
    folder = results or RESULTS
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{result.name}.json").write_text(json.dumps(record, indent=2) + "\n")
    return record


def _fmt(value: Any) -> str:
    """Format a metric value for the table."""
    return f"{value:.3f}" if isinstance(value, float) and abs(value) < 10 else (f"{value:,.1f}" if isinstance(value, float) else str(value))


def table(results: Path | None = None) -> str:
    """Return the Markdown results table over every stored result."""
    rows = ["| benchmark | metric | target | baseline (same run) | MedKB | met | data | wall s | commit |",
            "|---|---|---|---|---|---|---|---|---|"]
    for path in sorted((results or RESULTS).glob("*.json")):
        r = json.loads(path.read_text())
        data = f"{r['dataset'].get('size', '')} {r['dataset'].get('unit', '')}".strip()
        targets = {t["metric"]: t for t in r["targets"]}
        for metric, value in r["metrics"].items():
            t = targets.get(metric)
            target = f"{t['op']} {t['value']}" if t else ""
            met = "" if not t or t["met"] is None else ("yes" if t["met"] else "**no**")
            base = r["baselines"].get(metric, "")
            rows.append(f"| {r['name']} | {metric} | {target} | {_fmt(base)} | {_fmt(value)} | {met} | {data} | "
                        f"{r['wall_s']} | {r['commit']} |")
    return "\n".join(rows)


def refresh_readme(results: Path | None = None, readme: Path | None = None) -> None:
    """Rewrite the results table between the markers in the README (default benchmarks/README.md)."""
    readme = readme or README
    text = readme.read_text() if readme.exists() else f"# Benchmarks\n\n{BEGIN}\n{END}\n"
    head, _, rest = text.partition(BEGIN)
    _, _, tail = rest.partition(END)
    readme.parent.mkdir(parents=True, exist_ok=True)  # NOTE: --out may name a folder no benchmark wrote into
    readme.write_text(f"{head}{BEGIN}\n{table(results)}\n{END}{tail}")
