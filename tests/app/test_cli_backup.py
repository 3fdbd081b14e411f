"""medkb backup / restore on the demo knowledge base: same files, same answers; damage and misuse are messages."""

from __future__ import annotations

import gzip
import io
import json
import tarfile
from pathlib import Path

import pytest
from filelock import FileLock

from kb.store.edge_folder import LOCK
from tests.app.test_cli import demo_store, medkb  # noqa: F401  (a fixture, used by name)

QUESTION = "Does zelmorant reduce exacerbations in asthma?"


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
            if p.is_file() and p.name != LOCK}


def test_backup_then_restore_gives_the_same_knowledge_base(demo_store: Path, tmp_path: Path) -> None:
    archive = tmp_path / "kb.tar.gz"
    code, out, err = medkb("backup", str(archive), "--store", str(demo_store))
    assert code == 0, err
    assert "backed up" in out and archive.exists()
    back = tmp_path / "restored"
    code, out, err = medkb("restore", str(archive), "--store", str(back))
    assert code == 0, err
    assert _files(back) == _files(demo_store)
    asked = [json.loads(medkb("ask", QUESTION, "--json", "--no-history", "--store", str(s))[1])
             for s in (demo_store, back)]
    assert asked[0] == asked[1] and asked[0]["hypotheses"]
    # NOTE: a restore never writes over anything.
    code, _, err = medkb("restore", str(archive), "--store", str(back))
    assert code == 1 and "is not empty" in " ".join(err.split())


def test_a_damaged_backup_restores_nothing(demo_store: Path, tmp_path: Path) -> None:
    archive = tmp_path / "kb.tar.gz"
    assert medkb("backup", str(archive), "--store", str(demo_store))[0] == 0
    # NOTE: one member's bytes changed, the archive itself still well formed: only the manifest can tell.
    with tarfile.open(archive) as tar:
        members = [(m, f.read() if (f := tar.extractfile(m)) else None) for m in tar.getmembers()]
    bad = tmp_path / "bad.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        for m, data in members:
            if data is not None and m.name.endswith("lexicon.json.gz"):
                data = gzip.compress(b"[]")
                m.size = len(data)
            tar.addfile(m, None if data is None else io.BytesIO(data))
    target = tmp_path / "restored"
    code, _, err = medkb("restore", str(bad), "--store", str(target))
    said = " ".join(err.split())
    assert code == 1 and "lexicon.json.gz does not match" in said and "nothing was restored" in said
    assert not target.exists() and not list(tmp_path.glob(".restored.restoring.*"))
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    code, _, err = medkb("restore", str(truncated), "--store", str(target))
    assert code == 1 and "cannot be read" in " ".join(err.split()) and not target.exists()


def test_backup_refuses_a_folder_that_is_not_a_knowledge_base_and_a_busy_one(
        demo_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = medkb("backup", str(tmp_path / "x.tar.gz"), "--store", str(tmp_path))
    assert code == 1 and "is not a MedKB knowledge base" in " ".join(err.split())
    monkeypatch.setenv("MEDKB_STORE_WAIT_S", "0")
    with FileLock(demo_store / LOCK):
        code, _, err = medkb("backup", str(tmp_path / "y.tar.gz"), "--store", str(demo_store))
    assert code == 75 and "open in another process" in " ".join(err.split())
    assert not (tmp_path / "y.tar.gz").exists()
