"""The section layout every parser shares: blocks of paragraphs joined into one text, and heading kinds."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kb.models import Section, SectionKind

SEP = "\n\n"
NCT = re.compile(r"\bNCT\d{8}\b")

# NOTE: first matching word wins, so "Materials and Methods" is methods and "Results and Discussion" results.
_KIND_PREFIXES: tuple[tuple[str, SectionKind], ...] = (
    ("abstract", "abstract"), ("summary", "abstract"),
    ("background", "background"), ("introduc", "background"), ("objective", "background"),
    ("aim", "background"), ("purpose", "background"), ("rationale", "background"), ("context", "background"),
    ("method", "methods"), ("material", "methods"), ("design", "methods"), ("setting", "methods"),
    ("participant", "methods"), ("patients", "methods"), ("subjects", "methods"),
    ("result", "results"), ("finding", "results"),
    ("discussion", "discussion"),
    ("conclu", "conclusions"), ("interpretation", "conclusions"),
    ("reference", "other"), ("bibliograph", "other"), ("acknowledg", "other"), ("funding", "other"),
    ("competing", "other"), ("conflict", "other"), ("contribution", "other"), ("abbreviation", "other"),
    ("supplement", "other"), ("appendi", "other"), ("disclosure", "other"),
)

def heading_kind(title: str) -> SectionKind | None:
    """Return the section kind a heading names (Methods → methods), or None if it names none."""
    for word in re.findall(r"[a-z]+", title.casefold()):
        for prefix, kind in _KIND_PREFIXES:
            if word.startswith(prefix):
                return kind
    return None


def squash(text: str) -> str:
    """Return text with every whitespace run folded to one space."""
    return " ".join(text.split())


def find_nct_ids(text: str) -> tuple[str, ...]:
    """Return the ClinicalTrials.gov ids (NCT + 8 digits) in text, first-seen order."""
    return tuple(dict.fromkeys(NCT.findall(text)))


@dataclass(frozen=True)
class Block:
    """A titled part of a document: paragraphs and nested blocks in reading order."""

    title: str
    kind: SectionKind
    items: tuple[str | Block, ...]


class _Layout:
    """Accumulates paragraphs into one text and records where each block lands."""

    def __init__(self) -> None:
        """Start with empty text."""
        self.parts: list[str] = []
        self.pos = 0
        self.sections: list[Section] = []

    def paragraph(self, text: str) -> tuple[int, int]:
        """Append one paragraph and return its span."""
        if self.parts:
            self.parts.append(SEP)
            self.pos += len(SEP)
        start = self.pos
        self.parts.append(text)
        self.pos += len(text)
        return start, self.pos

    def block(self, block: Block) -> tuple[int, int] | None:
        """Append a block's items and return its span, or None when it holds no text."""
        slot, first, last = len(self.sections), -1, -1
        for item in block.items:
            span = self.block(item) if isinstance(item, Block) else self.paragraph(item) if item else None
            if span is not None:
                first = span[0] if first < 0 else first
                last = span[1]
        if first < 0:
            return None
        # NOTE: parents go before their children so sections stay in reading order.
        self.sections.insert(slot, Section(title=block.title, kind=block.kind, start=first, end=last))
        return first, last


def assemble(blocks: Sequence[Block]) -> tuple[str, tuple[Section, ...]]:
    """Return the blocks' paragraphs joined by blank lines and one Section per non-empty block."""
    layout = _Layout()
    for block in blocks:
        layout.block(block)
    return "".join(layout.parts), tuple(layout.sections)
