"""The shared section layout: blocks joined into one text with exact spans, and the kinds headings name."""

from __future__ import annotations

import pytest

from ingest.readers.layout import Block, assemble, heading_kind


@pytest.mark.parametrize(("title", "kind"), [
    ("Materials and Methods", "methods"), ("Results and Discussion", "results"), ("BACKGROUND", "background"),
    ("Conclusions/Significance", "conclusions"), ("Competing interests", "other"), ("Viral Evolution", None),
])
def test_heading_kind(title: str, kind: str | None) -> None:
    assert heading_kind(title) == kind


def test_assemble_nests_blocks_and_skips_empty_ones() -> None:
    text, sections = assemble([
        Block("Title", "title", ("A title",)),
        Block("Methods", "methods", ("First.", Block("Stats", "methods", ("Second.",)), "")),
        Block("Empty", "body", ("",)),
    ])
    assert text == "A title\n\nFirst.\n\nSecond."
    assert [(s.title, text[s.start : s.end]) for s in sections] == [
        ("Title", "A title"), ("Methods", "First.\n\nSecond."), ("Stats", "Second.")]
