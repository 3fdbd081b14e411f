"""The shared-data knowledge base the claim benchmarks read: which files, built with the medkb CLI, then reused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import shared_kb
from tests.conftest import DATA, DEMO, needs_data


def demo_data(tmp: Path) -> Path:
    """Return a data folder whose 'pubmed_xml' is the demo corpus (a stand-in for the shared data)."""
    data = tmp / "data"
    data.mkdir()
    (data / "pubmed_xml").symlink_to(DEMO.resolve())
    return data


@needs_data
def test_sources_are_the_shared_files_and_only_the_validation_full_texts() -> None:
    files = shared_kb.source_files(DATA)
    ei = [f for f in files if "evidence_inference" in f.parts]
    validation = set((DATA / "evidence_inference" / "splits" / "ev2_validation_article_ids.txt").read_text().split())
    assert ei and {f.stem.removeprefix("PMC") for f in ei} <= validation
    assert any("biomedical_pdfs" in f.parts for f in files) and any("clinicaltrials_gov" in f.parts for f in files)
    limited = shared_kb.source_files(DATA, limit=1)
    assert len(limited) == 4 and set(limited) <= set(files)


def test_build_keeps_the_store_and_a_second_open_reuses_it(tmp_path: Path) -> None:
    data, store = demo_data(tmp_path), tmp_path / "kb"
    with shared_kb.opened(data, str(store)) as built:
        claims = built.kb.store.count("claims")
        assert claims > 5 and built.info["reused"] is False and built.info["store"] == str(store)
    info = json.loads((store / shared_kb.BUILD_FILE).read_text())
    assert info["files"] >= 8 and "claims" in " ".join(info["log"])
    with shared_kb.opened(data, str(store)) as again:
        assert again.info["reused"] is True and again.kb.store.count("claims") == claims
        docs = shared_kb.documents(again.kb.store)
        assert docs and all(d.text == "" for d in docs.values())


def test_a_missing_data_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no shared data"):
        with shared_kb.opened(tmp_path, str(tmp_path / "kb")):
            pass


def test_a_build_that_did_not_finish_is_not_reused(tmp_path: Path) -> None:
    store = tmp_path / "kb"
    store.mkdir()
    (store / shared_kb.STORE_MARK).write_text("{}")
    shared_kb.pending(store).touch()
    with pytest.raises(RuntimeError, match="did not finish"):
        with shared_kb.opened(tmp_path, str(store)):
            pass
