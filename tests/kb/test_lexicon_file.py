"""The lexicon on disk: atomic saves, clear errors for damaged files, and the journal of an unfinished ingest."""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.errors import ConfigError
from kb.lexicon import Lexicon, LexiconTerm
from kb.lexicon_file import Journal, load_lexicon, save_lexicon

TERMS = [LexiconTerm("zelmorant", "zelmorant", "intervention"), LexiconTerm("FEV1", "FEV1", "outcome", "D005541")]


def test_save_replaces_the_file_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.json.gz"
    save_lexicon(Lexicon.from_terms(TERMS[:1]), path)
    save_lexicon(Lexicon.from_terms(TERMS), path)
    assert {t.term for t in load_lexicon(path, tmp_path)} >= {"zelmorant", "FEV1"}
    assert [p.name for p in tmp_path.iterdir()] == ["lexicon.json.gz"]


@pytest.mark.parametrize(("content", "why"), [(b"", "empty"), (b"\x1f\x8b\x08\x00torn", "damaged")])
def test_a_damaged_or_empty_lexicon_names_the_rebuild_command(tmp_path: Path, content: bytes, why: str) -> None:
    path = tmp_path / "lexicon.json.gz"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=f"lexicon is {why}.*medkb lexicon rebuild --store {tmp_path}"):
        load_lexicon(path, tmp_path)


def test_the_journal_keeps_whole_lines_and_drops_a_torn_one(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.tsv")
    assert journal.read() == []
    journal.append(TERMS)
    journal.append([])
    with open(journal.path, "a", encoding="utf-8") as out:
        out.write("half\ta line")  # NOTE: what a kill during a write leaves
    assert journal.read() == TERMS
    journal.clear()
    assert not journal.path.exists()


def test_truncate_takes_back_a_batch_that_was_not_stored(tmp_path: Path) -> None:
    journal = Journal(tmp_path / "journal.tsv")
    journal.append(TERMS[:1])
    mark = journal.append(TERMS[1:])
    journal.truncate(mark)
    assert journal.read() == TERMS[:1]
