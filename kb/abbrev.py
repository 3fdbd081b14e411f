"""Abbreviations a document defines ("fasting plasma glucose (FPG)"), found with Schwartz–Hearst, and their expansion.

The algorithm is the PyPI package `abbreviations` (Schwartz & Hearst 2003, philgooch's Python 3 port). It reads
one line at a time and drops a whole line on an unbalanced bracket, so it is given one sentence per line.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping, Sequence
from functools import cache

from kb.segment import sentence_spans

MAX_LONG_WORDS = 12


@cache
def _extractor() -> Callable[..., dict[str, str]]:
    """Return the package's extractor, undoing the root-logger setup it does on import."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    # NOTE: schwartz_hearst calls logging.basicConfig(level=INFO) at import time; importing it must not
    # change how the app logs, so the root logger is put back as it was.
    from abbreviations import schwartz_hearst

    root.handlers[:] = handlers
    root.setLevel(level)
    return schwartz_hearst.extract_abbreviation_definition_pairs  # type: ignore[no-any-return]


def _plausible(short: str, long: str) -> bool:
    """Return whether a pair is a definition worth using (not an echo, a number or a clause)."""
    return (short.casefold() != long.casefold() and any(c.isalpha() for c in short)
            and 0 < len(long.split()) <= MAX_LONG_WORDS and long.count("(") == long.count(")"))


def abbreviations(text: str, sentences: Sequence[tuple[int, int]] | None = None) -> dict[str, str]:
    """Return the abbreviations a text defines: short form → long form as written (the first definition wins)."""
    bounds = sentences if sentences is not None else sentence_spans(text)
    lines = "\n".join(" ".join(text[s:e].split()) for s, e in bounds)
    found = _extractor()(doc_text=lines, first_definition=True)
    return {str(k): str(v) for k, v in found.items() if _plausible(str(k), str(v))}


def long_form(name: str, defined: Mapping[str, str]) -> str | None:
    """Return the long form of a name that is itself a defined short form (also its plural "MDIs"), else None."""
    name = name.strip()
    if name in defined:
        return defined[name]
    if name.endswith("s") and name[:-1] in defined:
        return defined[name[:-1]]
    return None


def expand(span: str, defined: Mapping[str, str]) -> str:
    """Return a span with every defined short form found in it as a whole word replaced by its long form."""
    if not defined:
        return span
    keys = sorted(defined, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w-])")
    # NOTE: "fasting plasma glucose (FPG)" keeps its definition as written rather than doubling the long form.
    out, last = [], 0
    for m in pattern.finditer(span):
        long = defined[m.group(1)]
        before = span[: m.start()].rstrip(" (")
        if before.casefold().endswith(long.casefold()):
            continue
        out += [span[last : m.start()], long]
        last = m.end()
    return "".join(out) + span[last:]
