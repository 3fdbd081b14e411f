"""Retrain MedKB's small models: `python -m ingest.train [NAME ...] [--data DIR] [--examples FILE]` (all when no NAME
is given). --examples adds distilled examples (`medkb export training`) to the models that take them."""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

from ingest.train.data import DATA
from ingest.train.examples import Examples, read_examples

# NOTE: in dependency order: a later model may read an earlier one's weights.
MODELS = ("direction", "pico", "roles", "calibration")
# NOTE: the calibrator learns from claims people judged; an LLM's claims are no judgement, so it takes no examples.
DISTILLED = ("direction", "pico", "roles")


def main(argv: list[str] | None = None) -> int:
    """Train the named models (all by default) on the data folder and print one line per model."""
    parser = argparse.ArgumentParser(prog="python -m ingest.train", description=__doc__)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"any of {', '.join(MODELS)}")
    parser.add_argument("--data", type=Path, default=DATA, help=f"data sets folder (default {DATA})")
    parser.add_argument("--examples", type=Path, metavar="FILE",
                        help="distilled examples (medkb export training) added to " + ", ".join(DISTILLED))
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in MODELS]
    if unknown:
        print(f"unknown model {unknown[0]!r}; choose from {', '.join(MODELS)}", file=sys.stderr)
        return 2
    if not args.data.is_dir():
        print(f"{args.data}: no such data folder; pass --data DIR (the shared datasets folder)", file=sys.stderr)
        return 2
    examples = _examples(args.examples) if args.examples else None
    if args.examples and examples is None:
        return 2
    for name in args.names or MODELS:
        module = importlib.import_module(f"ingest.train.{name}")
        if examples is not None and name in DISTILLED:
            print(f"{name}: {module.train(args.data, examples)}")
        else:
            note = " (takes no distilled examples)" if examples is not None else ""
            print(f"{name}: {module.train(args.data)}{note}")
    return 0


def _examples(path: Path) -> Examples | None:
    """Return the examples of a file, or None after saying why they cannot be read."""
    try:
        return read_examples(path)
    except (OSError, ValueError) as e:
        print(f"--examples: {e}", file=sys.stderr)
        return None


if __name__ == "__main__":
    sys.exit(main())
