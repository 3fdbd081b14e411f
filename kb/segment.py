"""Sentence boundaries with exact character offsets (pysbd, one shared segmenter)."""

from __future__ import annotations

import re
from functools import cache

import pysbd


@cache
def _segmenter() -> pysbd.Segmenter:
    """Return the shared sentence segmenter (offsets are found here, so pysbd's slow char spans stay off)."""
    return pysbd.Segmenter(language="en", clean=False)


# NOTE: a line break inside a sentence (PDF text keeps the page's lines): before a lowercase word, or after a comma,
# semicolon, colon, opening bracket or hyphen. A break before a capital or a number may start a heading or a table
# row, so it still ends a sentence.
_WRAPPED = re.compile(r"(?<=[,;:(\-–])\n(?=[ \t]*\S)|\n(?=[ \t]*[a-z])")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence in text, trimmed of whitespace and split at blank lines."""
    # NOTE: a wrapped line's break becomes a space of the same length, so offsets found in `flat` hold for text.
    flat = _WRAPPED.sub(" ", text)
    spans, cursor = [], 0
    for seg in _segmenter().segment(flat):
        for part in re.split(r"\n\s*\n", seg):
            part = part.strip()
            at = flat.find(part, cursor) if part else -1
            if at >= 0:
                spans.append((at, at + len(part)))
                cursor = at + len(part)
    return spans
