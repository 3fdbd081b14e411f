"""The fetch state file and atomic writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.fetch.state import FetchState, load_state, query_lock, save_state, slug, write_atomic
from kb.errors import ParseError, StoreBusy


def test_slug_is_folder_safe_and_distinct() -> None:
    assert slug("Alzheimer's disease AND (donepezil[tiab])").startswith("alzheimer-s-disease-and-donepezil-tiab-")
    assert slug("asthma") != slug("asthma", "2024/01/01") != slug("Asthma")
    assert slug("../../..").startswith("query-") and "/" not in slug("a/b")


def test_state_round_trips_and_a_damaged_one_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "state.json"
    fresh = FetchState(source="pubmed", query="asthma")
    assert load_state(path, fresh) is fresh
    save_state(path, fresh.model_copy(update={"offset": 200, "files": ["batch-000000.xml.gz"]}))
    loaded = load_state(path, fresh)
    assert loaded.offset == 200 and loaded.files == ["batch-000000.xml.gz"] and loaded.last_run
    path.write_text("{not json")
    with pytest.raises(ParseError, match=rf"{path}: the fetch state cannot be read .* delete it"):
        load_state(path, fresh)


def test_write_atomic_leaves_no_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "sub" / "f.bin"
    write_atomic(target, b"one")
    write_atomic(target, b"two")
    assert target.read_bytes() == b"two" and [p.name for p in target.parent.iterdir()] == ["f.bin"]


def test_one_fetch_per_query_at_a_time(tmp_path: Path) -> None:
    with query_lock(tmp_path / ".q.lock"), pytest.raises(StoreBusy, match="another medkb fetch of the same query"):
        with query_lock(tmp_path / ".q.lock"):
            pass
