"""Uploads kept under the store: safe names, the size limit, empty files."""

from __future__ import annotations

from pathlib import Path

from app.uploads import Upload, keep_uploads, safe_name


def test_a_name_stays_inside_the_uploads_folder() -> None:
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("C:\\Users\\me\\trial.pdf") == "trial.pdf"
    assert safe_name(".hidden.xml") == "hidden.xml"
    assert safe_name("a<b>|c?.pdf") == "a_b_c_.pdf"
    assert safe_name("...") == "upload"


def test_files_over_the_limit_or_empty_are_refused_with_the_reason(tmp_path: Path) -> None:
    folder = tmp_path / "sources" / "uploads"
    kept, done = keep_uploads([Upload("big.pdf", b"x" * 3000), Upload("empty.txt", b""),
                               Upload("note.txt", b"Aspirin reduced pain.")], folder, max_bytes=2048)
    assert kept == [folder / "note.txt"] and (folder / "note.txt").read_bytes() == b"Aspirin reduced pain."
    reasons = dict(done.refused)
    assert "over the upload limit" in reasons["big.pdf"] and "MEDKB_UPLOAD_MAX_MB" in reasons["big.pdf"]
    assert reasons["empty.txt"] == "the file is empty"
    assert sorted(p.name for p in folder.iterdir()) == ["note.txt"], "no temporary file is left"
    assert done.name_of(str((folder / "note.txt").resolve())) == "note.txt"


def test_an_upload_of_the_same_name_replaces_the_kept_file(tmp_path: Path) -> None:
    keep_uploads([Upload("note.txt", b"first")], tmp_path, max_bytes=100)
    keep_uploads([Upload("note.txt", b"second")], tmp_path, max_bytes=100)
    assert (tmp_path / "note.txt").read_bytes() == b"second"
