"""Sentence boundaries with exact character offsets (pysbd, one shared segmenter)."""

from __future__ import annotations

import re
from functools import cache

import pysbd


@cache
def _segmenter() -> pysbd.Segmenter:
    """Return the shared sentence segmenter (offsets are found here, so pysbd's slow char spans stay off)."""
    return pysbd.Segmenter(language="en", clean=False)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Return (start, end) of each sentence in text, trimmed of whitespace and split at blank lines."""
    spans, cursor = [], 0
    for seg in _segmenter().segment(text):
        for part in re.split(r"\n\s*\n", seg):
            part = part.strip()
            at = text.find(part, cursor) if part else -1
            if at >= 0:
                spans.append((at, at + len(part)))
                cursor = at + len(part)
    return spans
