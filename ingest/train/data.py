"""Where the public data sets are and which of their parts may be trained on."""

from __future__ import annotations

from pathlib import Path

# NOTE: the shared data sets sit beside the checkout (../shared/datasets); --data points elsewhere.
DATA = Path(__file__).resolve().parents[3] / "shared" / "datasets"
REPORTS = Path(__file__).resolve().parent / "reports"


def ei_root(data: Path) -> Path:
    """Return the Evidence Inference folder: data itself when it holds annotations/, else data/evidence_inference."""
    return data if (data / "annotations").is_dir() else data / "evidence_inference"


def ei_split_ids(root: Path, split: str) -> set[str]:
    """Return the article ids (PMCID digits) of an ev2 split; only 'train' may be trained on."""
    return set((root / "splits" / f"ev2_{split}_article_ids.txt").read_text().split())


def outputs(weights: Path, report: str, out: Path | None) -> tuple[Path, Path]:
    """Return where a trainer writes its weights and its report: the committed places, or both inside folder `out`."""
    target = (weights, REPORTS / report) if out is None else (out / weights.name, out / report)
    target[1].parent.mkdir(parents=True, exist_ok=True)
    return target
