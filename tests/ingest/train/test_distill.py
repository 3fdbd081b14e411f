"""Each trainer run whole on a tiny data folder cut from the shared data, with a tiny examples file: the examples join
its fitting part (counted in the summary and the report), those from evaluation or held-out articles do not, and the
weights and report go to a temporary folder, never over the committed ones."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from ingest.train import direction, pico, roles
from ingest.train.examples import NO_EXAMPLES, TrainingExample, read_examples
from tests.conftest import needs_data
from tests.ingest.train.fakes import WordEncoder, example
from tests.ingest.train.tiny_data import committed, tiny_data, validation_article

pytestmark = needs_data

REDUCED = "Zinc reduced the duration of diarrhoea compared with placebo (p<0.01)."
RAISED = "Iron raised haemoglobin concentration compared with placebo (p=0.002)."
NULL = "Zinc did not change stool volume compared with placebo (p=0.41)."


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Return a tiny data folder; pico's feature cache goes to tmp_path; the committed files must not change."""
    monkeypatch.setenv("MEDKB_PICO_CACHE", str(tmp_path / "cache" / "pico"))
    before = committed()
    yield tiny_data(tmp_path)
    assert committed() == before, "a test wrote over committed weights or reports"


def write(path: Path, items: list[TrainingExample]) -> Path:
    """Write examples as JSON lines (as `medkb export training` does) and return the path."""
    path.write_text("".join(e.model_dump_json() + "\n" for e in items), encoding="utf-8")
    return path


def findings(data: Path, tmp_path: Path) -> Path:
    """Return an examples file: three sentences of a trial note, and one of an EI validation article."""
    items = [example(REDUCED, "Zinc", "duration of diarrhoea", doc_id="n1", start=10, end=10 + len(REDUCED)),
             example(RAISED, "Iron", "haemoglobin concentration", doc_id="n1", predicate="increases",
                     direction="increase", start=200, end=200 + len(RAISED)),
             example(NULL, "Zinc", "stool volume", doc_id="n2", predicate="no_effect_on", direction="no_difference"),
             example(REDUCED, "Zinc", "duration of diarrhoea", doc_id="v1",
                     source=f"ei/PMC{validation_article(data)}.txt")]
    return write(tmp_path / "examples.jsonl", items)


def test_direction_fits_the_validated_examples_and_says_so(data: Path, tmp_path: Path) -> None:
    items = read_examples(findings(data, tmp_path)).items
    unvalidated = example(RAISED, "Iron", "haemoglobin", doc_id="n3", restatable=False)
    examples = read_examples(write(tmp_path / "examples.jsonl", [*items, unvalidated]))
    out = tmp_path / "out"
    summary = direction.train(data, examples, out=out)
    assert "+ 3 distilled examples" in summary and str(out / "direction.md") in summary
    weights = json.loads((out / "direction_weights.json").read_text())
    assert weights["trained_on"].endswith("+ 3 distilled examples")
    report = (out / "direction.md").read_text()
    assert f"Distilled: trained with 3 distilled examples from {examples.path} (weight 1 each; 2 left out" in report
    plain = direction.train(data, out=tmp_path / "plain")
    assert "distilled" not in plain and NO_EXAMPLES in (tmp_path / "plain" / "direction.md").read_text()
    # NOTE: the examples changed the fitted model, not the out-of-fold metrics read on the evidence spans alone.
    assert weights["vocabulary"] != json.loads((tmp_path / "plain" / "direction_weights.json").read_text())["vocabulary"]


def test_roles_fits_each_example_sentence_once_as_a_finding(data: Path, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(roles, "EI_FULL_TEXTS", 2)
    monkeypatch.setattr(roles, "FOLDS", 3)
    examples = read_examples(findings(data, tmp_path))
    out = tmp_path / "out"
    summary = roles.train(data, examples, out=out, embedder=WordEncoder())
    line = f"trained with 3 distilled examples from {examples.path} (weight 0.5 each; as findings, role unknown; 1 from"
    assert line in summary and str(out / "roles.md") in summary
    report = (out / "roles.md").read_text()
    assert f"Distilled: {line}" in report and "| distilled | train | 2 | 3 | 3 | 0 | 3 | 0 |" in report
    assert "| distilled | held-out | 0 | 0 |" in report  # NOTE: never scored
    with np.load(out / "roles_weights.npz") as raw:
        assert tuple(raw["roles"].tolist()) == roles.ROLES


def test_pico_fits_the_example_names_as_positives(data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pico, "MAX_EPOCHS", 1)
    held = _held_out_pmid(data)
    items = read_examples(findings(data, tmp_path)).items
    examples = read_examples(write(tmp_path / "examples.jsonl", [
        *items, example(RAISED, "Iron", "haemoglobin concentration", doc_id="h1", pmid=held)]))
    out = tmp_path / "out"
    summary = pico.train(data, examples, out=out, embedder=WordEncoder())
    # NOTE: pieces (one per word here): Zinc + duration of diarrhoea, Iron + haemoglobin concentration, Zinc + stool
    # volume; 2 left out (a validation and a held-out article).
    line = (f"trained with 3 distilled examples from {examples.path} (weight 0.5 each; 3 sentences, 10 labelled pieces; "
            "2 from held-out, tuning or evaluation articles left out)")
    assert line in summary and str(out / "pico.md") in summary
    report = (out / "pico.md").read_text()
    assert f"Distilled: {line}" in report
    with np.load(out / "pico_weights.npz") as raw:
        meta = json.loads(str(raw["meta"]))
    assert line in meta["trained_on"] and meta["example_weight"] == pico.EXAMPLE_WEIGHT
    pico.train(data, out=tmp_path / "plain", embedder=WordEncoder())
    plain = (tmp_path / "plain" / "pico.md").read_text()
    assert NO_EXAMPLES in plain and pieces(report) == pieces(plain) + 10  # NOTE: only the labelled pieces are fitted
    held_part = re.compile(r"Held out for this report: \d+ abstracts.*?The rest fit the model\.")
    assert held_part.findall(report) == held_part.findall(plain) != []  # NOTE: scored on the same abstracts


def pieces(report: str) -> int:
    """Return the number of training pieces a pico report gives."""
    match = re.search(r"; (\d+) training pieces;", report)
    assert match is not None
    return int(match.group(1))


def _held_out_pmid(data: Path) -> str:
    """Return the PMID of an EBM-NLP abstract pico holds out for its report."""
    with gzip.open(data / "ebm_nlp" / "ebmnlp_trainpool_pio_io.jsonl.gz", "rt", encoding="utf-8") as f:
        return next(p for p in (json.loads(line)["pmid"] for line in f) if pico.held_out(p))
