"""Run MedKB's benchmarks: `python -m benchmarks run [NAME ...] [--limit N] [--data DIR]`, `python -m benchmarks list`."""

from __future__ import annotations

import argparse
import importlib
import inspect
import sys
from pathlib import Path
from types import ModuleType

from benchmarks import common

# NOTE: by name, so a benchmark module that is missing or broken is reported, not fatal to the others.
MODULES = ("scifact", "pubmedqa", "evidence_inference", "extract_compare", "throughput", "latency", "scale",
           "claim_defects", "claims_judged")
OUT_ENV = "MEDKB_BENCH_OUT"


def load(name: str) -> ModuleType | str:
    """Return the benchmark module of a name, or why it cannot be imported."""
    try:
        return importlib.import_module(f"benchmarks.{name}")
    except ImportError as exc:
        return f"cannot import benchmarks.{name}: {exc}"


def options(pairs: list[str]) -> dict[str, str]:
    """Return KEY=VALUE pairs as a dict (values stay strings; run() signatures say what they mean)."""
    bad = [p for p in pairs if "=" not in p]
    if bad:
        raise SystemExit(f"--option needs KEY=VALUE, got {bad[0]!r}")
    return dict(p.split("=", 1) for p in pairs)


def _kwargs(module: ModuleType, given: dict[str, str]) -> dict[str, object]:
    """Return the options a module's run() accepts, cast to the type of each parameter's default."""
    params = inspect.signature(module.run).parameters
    return {k: _cast(v, params[k].default) for k, v in given.items() if k in params}


def _cast(value: str, default: object) -> object:
    """Return an option's text as the type of the parameter's default (bool("false") would be True)."""
    if isinstance(default, bool):
        if value.casefold() not in ("true", "false", "1", "0", "yes", "no"):
            raise SystemExit(f"--option expects true or false, got {value!r}")
        return value.casefold() in ("true", "1", "yes")
    return type(default)(value) if default is not None else value


def run_one(name: str, data: Path, limit: int | None, given: dict[str, str], out: Path) -> bool:
    """Run one benchmark, write its result file, print a summary; return whether it ran."""
    module = load(name)
    if isinstance(module, str):
        print(f"{name}: skipped, {module}", file=sys.stderr)
        return False
    print(f"{name}: running on {data} (limit {limit or 'none'})", file=sys.stderr)
    try:
        record = common.timed(lambda: module.run(data, limit, **_kwargs(module, given)), out / "results")
    except Exception as exc:  # noqa: BLE001 - one failing benchmark must not hide the others' numbers
        print(f"{name}: FAILED: {type(exc).__name__}: {exc}", file=sys.stderr)
        return False
    for t in record["targets"]:
        print(f"  target {t['metric']} {t['op']} {t['value']}: {'n/a' if t['met'] is None else t['met']}")
    for metric, value in record["metrics"].items():
        base = record["baselines"].get(metric)
        print(f"  {metric} = {value}" + (f"  (baseline {base})" if base is not None else ""))
    print(f"  wall {record['wall_s']} s", file=sys.stderr)
    return True


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description="MedKB benchmarks on public data sets.")
    sub = p.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="List the benchmarks and whether each can be imported.")
    r = sub.add_parser("run", help="Run benchmarks (all when no NAME is given) and refresh the README table.")
    r.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(MODULES)}")
    r.add_argument("--limit", type=int, default=None, help="Records per benchmark (a quick run); default all.")
    r.add_argument("--data", type=Path, default=common.DATA, help=f"Data sets folder (default {common.DATA}).")
    r.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                   help="Passed to every run() that takes KEY, e.g. qrels=beir_qrels/test.tsv or split=test.")
    r.add_argument("--out", type=Path, default=None,
                   help=f"Folder for results/ and README.md (default benchmarks/, or ${OUT_ENV}).")
    return p


def main(argv: list[str] | None = None, env: dict[str, str] | None = None) -> int:
    """Run the command line and return the exit status (1 when any benchmark failed or was missing)."""
    args = parser().parse_args(argv)
    if args.command == "list":
        for name in MODULES:
            module = load(name)
            doc = module if isinstance(module, str) else (module.__doc__ or "").strip().splitlines()[0]
            print(f"{name:20} {doc}")
        return 0
    unknown = [n for n in args.names if n not in MODULES]
    if unknown:
        print(f"unknown benchmark {unknown[0]!r}; choose from {', '.join(MODULES)}", file=sys.stderr)
        return 2
    out = args.out or Path((env or {}).get(OUT_ENV) or common.HERE)
    ok = [run_one(n, args.data, args.limit, options(args.option), out) for n in args.names or MODULES]
    common.refresh_readme(out / "results", out / "README.md")
    return 0 if all(ok) else 1


if __name__ == "__main__":
    import os

    sys.exit(main(env=dict(os.environ)))
