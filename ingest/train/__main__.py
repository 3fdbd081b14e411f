"""Retrain MedKB's small models: `python -m ingest.train [NAME ...] [--data DIR]` (all when no NAME is given)."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from ingest.train.data import DATA

# NOTE: in dependency order: a later model may read an earlier one's weights.
MODELS = ("direction", "pico", "roles", "calibration")


def main(argv: list[str] | None = None) -> int:
    """Train the named models (all by default) on the data folder and print one line per model."""
    parser = argparse.ArgumentParser(prog="python -m ingest.train", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(MODELS)}")
    parser.add_argument("--data", type=Path, default=DATA, help=f"data sets folder (default {DATA})")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in MODELS]
    if unknown:
        print(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}", file=sys.stderr)
        return 2
    if not args.data.is_dir():
        print(f"{args.data}: no such data folder; pass --data DIR (the shared datasets folder)", file=sys.stderr)
        return 2
    for name in args.names or MODELS:
        module = importlib.import_module(f"ingest.train.{name}")
        print(f"{name}: {module.train(args.data)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
