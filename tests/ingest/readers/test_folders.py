"""Folder expansion: bookkeeping ignored, and links out of the folder, loops and special files passed over aloud."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from ingest.readers.folders import discover


def test_discover_expands_folders_and_ignores_bookkeeping(tmp_path: Path) -> None:
    for name in ("b.xml", "a.docx", "sub/c.pdf", "SOURCE.md", "LICENSE.txt", "README.md", ".hidden.txt",
                 ".git/config.txt", "sub/notes.md", "z.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    extra = tmp_path / "README.md"
    found = discover([tmp_path, tmp_path / "b.xml", extra])
    assert found.files == [tmp_path / "a.docx", tmp_path / "b.xml", tmp_path / "sub" / "c.pdf",
                           tmp_path / "sub" / "notes.md", tmp_path / "z.txt", extra]  # a named file is kept
    assert found.passed_over == []


def test_links_out_of_the_folder_loops_and_pipes_are_passed_over_with_a_reason(tmp_path: Path) -> None:
    secret, folder = tmp_path / "secret.txt", tmp_path / "papers"
    secret.write_text("password")
    (folder / "sub").mkdir(parents=True)
    (folder / "paper.txt").write_text("a paper")
    (folder / "inside.txt").symlink_to(folder / "paper.txt")
    (folder / "leak.txt").symlink_to(secret)
    (folder / "outside").symlink_to(tmp_path, target_is_directory=True)
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    os.mkfifo(folder / "sub" / "pipe.txt")
    found = discover([folder])
    assert found.files == [folder / "inside.txt", folder / "paper.txt"]
    why = {Path(p).name: reason for p, reason in found.passed_over}
    assert why["leak.txt"].startswith("a symbolic link leading out of the folder") and str(secret) in why["leak.txt"]
    assert "loop" in why["loop.txt"] and "not followed" in why["outside"]
    assert why["pipe.txt"].startswith("not a regular file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every folder, so an unreadable one cannot be made")
def test_an_unreadable_folder_is_named(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    (locked / "a.txt").write_text("x")
    locked.chmod(0)
    try:
        found = discover([tmp_path])
    finally:
        locked.chmod(0o755)
    assert found.files == [] and "cannot be read" in dict(found.passed_over)[str(locked)]
