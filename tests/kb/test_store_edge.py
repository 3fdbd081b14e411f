"""The embedded Qdrant Edge store: its folder, its marker, its lock and its durability."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kb.config import Settings
from kb.errors import StoreBusy, StoreError
from kb.models import make_id
from kb.store import COLLECTIONS, Filter, Match, Point
from kb.store.edge import EdgeStore
from kb.store.edge_folder import MARKER
from kb.store.factory import make_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Return the folder of an empty, closed 8-d store, built once per module."""
    # NOTE: building shards and payload indexes takes hundreds of fsyncs; tests that are not about it copy this.
    path = tmp_path_factory.mktemp("pristine") / "kb"
    EdgeStore(path, 8, "fake").close()
    return path


@pytest.fixture
def kb_dir(pristine: Path, tmp_path: Path) -> Path:
    """Return a fresh copy of the pristine store folder."""
    # NOTE: cp keeps the engine's sparse 32 MB pages sparse; shutil.copytree would write ~850 MB of zeros.
    subprocess.run(["cp", "-r", str(pristine), str(tmp_path / "kb")], check=True)
    return tmp_path / "kb"


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter from the repository root and return its outcome."""
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_new_store_writes_marker_and_one_folder_per_collection(pristine: Path) -> None:
    assert json.loads((pristine / MARKER).read_text()) == {"format": 1, "dim": 8, "embedder": "fake"}
    assert all((pristine / name / "edge_config.json").is_file() for name in COLLECTIONS)


@pytest.mark.parametrize(("dim", "embedder"), [(16, "fake"), (8, "other-embedder")])
def test_reopening_with_another_dim_or_embedder_is_refused(kb_dir: Path, dim: int, embedder: str) -> None:
    with pytest.raises(StoreError, match="choose another --store"):
        EdgeStore(kb_dir, dim, embedder)


def test_a_foreign_non_empty_folder_is_refused(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not a knowledge base")
    with pytest.raises(StoreError, match="not a MedKB knowledge base"):
        EdgeStore(tmp_path, 8, "fake")
    assert not (tmp_path / MARKER).exists()


def test_second_process_gets_store_busy(kb_dir: Path) -> None:
    store = EdgeStore(kb_dir, 8, "fake")
    try:
        result = run_python(f"""
            from pathlib import Path
            from kb.errors import StoreBusy
            from kb.store.edge import EdgeStore
            try:
                EdgeStore(Path({str(kb_dir)!r}), 8, "fake")
            except StoreBusy as exc:
                print("BUSY:", exc)
        """)
    finally:
        store.close()
    expected = (
        f"BUSY: knowledge base at {kb_dir} is open in another process (the app or another ingest); "
        "stop it, or use a Qdrant server with MEDKB_QDRANT_URL"
    )
    assert result.stdout.strip() == expected, result.stderr


def test_store_busy_in_the_same_process_releases_what_it_opened(kb_dir: Path) -> None:
    store = EdgeStore(kb_dir, 8, "fake")
    with pytest.raises(StoreBusy):
        EdgeStore(kb_dir, 8, "fake")
    store.upsert("claims", [Point(id=make_id("c", 1), payload={"doc_id": "d"})])
    store.close()
    again = EdgeStore(kb_dir, 8, "fake")
    assert again.count("claims") == 1
    again.close()


def test_upsert_is_durable_when_it_returns_even_if_the_process_dies(kb_dir: Path) -> None:
    result = run_python(f"""
        import os
        from pathlib import Path
        from kb.store import Point
        from kb.store.edge import EdgeStore
        store = EdgeStore(Path({str(kb_dir)!r}), 8, "fake")
        store.upsert("chunks", [Point(id="{make_id('chunk', 1)}", payload={{"doc_id": "d1"}}, dense=[0.6, 0.8] * 4)])
        os._exit(0)  # no close(), no flush at exit
    """)
    assert result.returncode == 0, result.stderr
    store = EdgeStore(kb_dir, 8, "fake")
    try:
        assert [h.payload for h in store.retrieve("chunks", [make_id("chunk", 1)])] == [{"doc_id": "d1"}]
    finally:
        store.close()


def test_closed_store_says_so_and_closing_twice_is_harmless(kb_dir: Path) -> None:
    store = EdgeStore(kb_dir, 8, "fake")
    store.close()
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.count("claims", Filter(must=(Match("doc_id", "d"),)))


def test_make_store_without_url_opens_the_edge_store_at_settings_store(kb_dir: Path) -> None:
    store = make_store(Settings(store=kb_dir, qdrant_url=None), 8, "fake")
    try:
        assert isinstance(store, EdgeStore)
        assert store.path == kb_dir
    finally:
        store.close()


def test_a_busy_open_touches_no_store_file(kb_dir: Path) -> None:
    store = EdgeStore(kb_dir, 8, "fake")
    try:
        before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in kb_dir.rglob("*") if p.is_file()}
        result = run_python(f"""
            from pathlib import Path
            from kb.errors import StoreBusy
            from kb.store.edge import EdgeStore
            try:
                EdgeStore(Path({str(kb_dir)!r}), 8, "fake")
            except StoreBusy:
                print("BUSY")
        """)
        after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in kb_dir.rglob("*") if p.is_file()}
    finally:
        store.close()
    assert result.stdout.strip() == "BUSY", result.stderr
    assert after == before


def test_only_create_makes_a_store_and_a_file_is_never_one(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no knowledge base at .*medkb ingest"):
        EdgeStore(tmp_path / "typo", 8, "fake", create=False)
    assert not (tmp_path / "typo").exists()
    (tmp_path / "notes.txt").write_text("x")
    with pytest.raises(StoreError, match="is a file, not a knowledge-base folder"):
        EdgeStore(tmp_path / "notes.txt", 8, "fake")


def test_a_shard_whose_creation_was_cut_short_is_built_again_whole(tmp_path: Path) -> None:
    import qdrant_edge as qe

    from kb.store import INTEGER_FIELDS, KEYWORD_FIELDS

    path = tmp_path / "kb"
    EdgeStore(path, 8, "fake").close()
    # NOTE: what a crash mid-creation leaves: the half-built shard under its temporary name, no shard in place.
    (path / "claims").rename(path / "claims.building")
    EdgeStore(path, 8, "fake").close()
    assert not (path / "claims.building").exists()
    shard = qe.EdgeShard.load(str(path / "claims"))
    try:
        assert len(shard.info().payload_schema) == len(KEYWORD_FIELDS) + len(INTEGER_FIELDS)
    finally:
        shard.close()
