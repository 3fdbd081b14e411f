"""The claim_defects benchmark end to end on a knowledge base of the demo corpus, through the runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import claim_defects
from benchmarks.__main__ import main
from benchmarks.defects import CHECKS
from tests.conftest import DEMO


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return a data folder whose 'pubmed_xml' is the demo corpus."""
    folder = tmp_path_factory.mktemp("defects") / "data"
    folder.mkdir()
    (folder / "pubmed_xml").symlink_to(DEMO.resolve())
    return folder


def test_counts_every_stored_claim_and_writes_examples(data: Path, tmp_path: Path) -> None:
    store, out = data.parent / "kb", tmp_path / "out"
    assert main(["run", "claim_defects", "--data", str(data), "--option", f"store={store}", "--out", str(out)]) == 0
    r = json.loads((out / "results" / "claim_defects.json").read_text())
    assert r["metrics"]["claims"] == r["dataset"]["size"] > 5
    assert r["dataset"]["kb"]["store"] == str(store) and r["dataset"]["kb"]["reused"] is False
    for name in CHECKS:
        d = r["details"][name]
        assert 0.0 <= r["metrics"][f"{name}_rate"] == d["rate"] <= 1.0
        assert len(d["examples"]) == min(claim_defects.EXAMPLES, d["count"]) and sum(d["rules"].values()) == d["count"]
    assert {t["metric"] for t in r["targets"]} == {f"{n}_rate" for n in CHECKS}
    assert "| claim_defects | fragment_entity_rate |" in (out / "README.md").read_text()
    assert r["details"]["documents_design"]["checked"] >= 2  # NOTE: the demo RCTs carry publication types.


def test_a_kept_store_is_reused(data: Path) -> None:
    store = data.parent / "kb"
    first = claim_defects.run(data, store=str(store))
    again = claim_defects.run(data, store=str(store))
    assert again.dataset["kb"]["reused"] is True and again.metrics == first.metrics
