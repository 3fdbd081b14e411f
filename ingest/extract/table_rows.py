"""Table rows as claims: a row label, two arm values and a p-value or effect estimate, one cell per line.

Full texts flattened from PMC tables carry one cell per line: a "Table N" caption, the column headers, then for
each row its label and its cells ("Total mortality / 98/2006 (4.9%) / 132/2027 (6.5%) / 0.76 (0.59-0.98) / 0.03").
A row says something only when its statistics decide significance (a p-value, "NS", or an effect estimate whose
header names a ratio or a difference and whose CI is given; ingest.extract.direction.decide); its direction is
then the effect estimate's side of no effect, else the first arm's value against the second's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ingest.extract.direction import Decision, decide
from ingest.extract.stats import to_float
from kb.claims import ALPHA, Direction, EffectMeasure, EffectType, Predicate, PValue

_NUM = r"[-−–]?\d+(?:[.·]\d+)?"
# NOTE: a cell holds numbers and statistical notation; a few words are allowed ("range", "NS", "to").
_CELL = re.compile(r"(?:[<>≤≥=~±()\[\]/%,;:*†‡§¶#+\s\-−–.·]|\d|\b(?:range|to|NS|N\.S|n|p|P|vs|IQR|SD|CI|"
                   r"[a-h])\b)*")
_FOOTNOTE = re.compile(r"(?<=\d)\s*[a-h]$")
_NS_CELL = re.compile(r"n\.?\s?s\.?|not\s+significant", re.IGNORECASE)
_ESTIMATE = re.compile(rf"(?P<v>{_NUM})\s*[(\[]\s*(?P<lo>{_NUM})\s*(?:to|–|—|-|−|,|;)\s*(?P<hi>{_NUM})\s*[)\]]")
_CAPTION = re.compile(r"^\s*Table\s*\d+", re.IGNORECASE | re.MULTILINE)
_P_HEADER = re.compile(r"^\s*p\b|p[- ]?values?|significan", re.IGNORECASE)
_RATIO_HEADER = re.compile(r"\b(?:[ahi]?(?:RR|OR|HR)|IRR|ratio)\b", re.IGNORECASE)
_DIFF_HEADER = re.compile(r"\b(?:difference|MD|WMD|SMD|RD)\b", re.IGNORECASE)
_BEFORE_HEADER = re.compile(r"\b(?:baseline|pre|before|pretest|pre-test)\b", re.IGNORECASE)
_STAT_HEADER = re.compile(rf"{_P_HEADER.pattern}|{_RATIO_HEADER.pattern}|{_DIFF_HEADER.pattern}|\bCI\b|"
                          r"\bchange\b|\btotal\b|\ball\b", re.IGNORECASE)
MAX_LABEL = 200
BEFORE = "(baseline)"  # NOTE: marks a first column the header block calls the earlier time.
HEADER_WINDOW = 3000  # NOTE: how far back (characters) a row looks for its table's caption.


@dataclass(frozen=True)
class Line:
    """One line of a text: its offsets and content."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Row:
    """A table row read as a comparison of two arms: where it stands, what it measures and what it found."""

    start: int
    end: int
    label: tuple[int, int]
    direction: Direction
    arms: tuple[str | None, str | None]
    predicate: Predicate = "associated_with"


def _lines(text: str) -> list[Line]:
    """Return every line of text with its offsets."""
    out, at = [], 0
    for part in text.split("\n"):
        out.append(Line(at, at + len(part), part))
        at += len(part) + 1
    return out


def is_cell(text: str) -> bool:
    """Return whether a line is a numeric table cell (numbers and statistical notation only)."""
    stripped = text.strip()
    if _NS_CELL.fullmatch(stripped):
        return True
    # NOTE: "%3" is a header with a footnote mark, not a value.
    return bool(re.search(r"(?<!%)\d", stripped)) and bool(_CELL.fullmatch(stripped))


def _is_label(text: str) -> bool:
    """Return whether a line can label a row: some words, short, not a cell."""
    stripped = text.strip()
    return 0 < len(stripped) <= MAX_LABEL and bool(re.search(r"[A-Za-z]{3}", stripped)) and not is_cell(stripped)


def p_value(cell: str) -> PValue | None:
    """Return the p-value a cell states ("NS" as p ≥ alpha), or None when it is not a p-value cell."""
    stripped = cell.strip()
    if _NS_CELL.fullmatch(stripped):
        # NOTE: "NS" in a p column is the author's "not significant": p at or above the alpha they tested against.
        return PValue(value=ALPHA, operator=">=")
    return PValue.parse(_FOOTNOTE.sub("", stripped))


def arm_value(cell: str) -> float | None:
    """Return the number an arm cell reports: the percentage of "n/N (x%)", else its first number."""
    pct = re.search(rf"({_NUM})\s*%", cell)
    if pct and re.match(r"\s*\d+\s*/\s*\d+", cell):
        return to_float(pct[1])
    first = re.search(_NUM, cell)
    return to_float(first[0]) if first else None


def _columns(text: str, lines: list[Line], first_row: int, width: int) -> list[str] | None:
    """Return the names of a table's value columns: the last `width` header lines before its first row."""
    caption = None
    for m in _CAPTION.finditer(text, max(0, lines[first_row].start - HEADER_WINDOW), lines[first_row].start):
        caption = m
    if caption is None:
        return None
    block = [(ln, after) for ln, after in zip(lines[:first_row], lines[1 : first_row + 1], strict=True)
             if ln.start > caption.end() and ln.text.strip()]
    # NOTE: a header line followed by a blank spans several columns ("All patients", "Baseline survey") or heads
    # a group of rows ("Knowledge of tobacco:"); it names no single column, but it can say the columns are times.
    header = [ln.text.strip() for ln, after in block if after.text.strip()]
    if len(header) < width:
        return None
    names = header[-width:]
    if any(_BEFORE_HEADER.search(ln.text) for ln, _ in block):
        names[0] = f"{names[0]} {BEFORE}"
    return names


def _read(cells: list[str], columns: list[str] | None) -> tuple[Decision, tuple[int, int]] | None:
    """Return what a row's statistics decide and its two arm columns, or None when they decide nothing."""
    kinds = columns or [""] * len(cells)
    ps = [i for i, kind in enumerate(kinds) if (_P_HEADER.search(kind) if columns else i >= 2)
          and p_value(cells[i]) is not None]
    # NOTE: rows repeating (arm, arm, p) per time point are read at their last complete one, the end of follow-up.
    for lo, hi in reversed(list(zip([-1, *ps], ps, strict=False))):
        arms = [i for i in range(lo + 1, hi) if cells[i].strip() and not _STAT_HEADER.search(kinds[i])][:2]
        if len(arms) == 2:
            return _decided(cells, (arms[0], arms[1]), kinds, None, p_value(cells[hi]))
    arms = [i for i in range(len(cells)) if cells[i].strip() and not _STAT_HEADER.search(kinds[i])][:2]
    estimate = next((_estimate(m, kinds[i]) for i in range(len(cells)) if (m := _ESTIMATE.fullmatch(cells[i].strip()))
                     and (_RATIO_HEADER.search(kinds[i]) or _DIFF_HEADER.search(kinds[i]))), None)
    if estimate is None or len(arms) < 2:
        return None
    return _decided(cells, (arms[0], arms[1]), kinds, estimate, None)


def _estimate(cell: re.Match[str], header: str) -> EffectMeasure | None:
    """Return an estimate cell as the measure its header names; a bare "ratio" or "difference" keeps only its null."""
    named = re.search(r"\b[ahi]?(IRR|RR|OR|HR)\b", header, re.IGNORECASE)
    kind = named[1].upper() if named else "RR" if _RATIO_HEADER.search(header) else "MD"
    low, high = to_float(cell["lo"]), to_float(cell["hi"])
    if low > high:
        return None
    return EffectMeasure(type=kind, value=to_float(cell["v"]), ci_low=low, ci_high=high)  # type: ignore[arg-type]


def _decided(cells: list[str], arms: tuple[int, int], kinds: list[str], effect: EffectMeasure | None,
             p: PValue | None) -> tuple[Decision, tuple[int, int]] | None:
    """Return the decision on a row and its arms (subject first); a table has no words, so only statistics decide."""
    side, ordered = _side(cells, arms, effect, kinds)
    cue: Predicate | None = "increases" if side == "increase" else "decreases" if side == "decrease" else None
    decision = decide(cue, False, effect, p, None)
    if not decision.validated:
        return None
    return decision, ordered if decision.direction != "no_difference" else arms


def _side(cells: list[str], arms: tuple[int, int], effect: EffectMeasure | None,
          kinds: list[str]) -> tuple[Direction | None, tuple[int, int]]:
    """Return which way a row goes and its arms in order: the estimate against no effect, else arm one against two."""
    first, second = arms
    # NOTE: a baseline / pre-test column comes first, yet the change is the later column against it.
    if _BEFORE_HEADER.search(kinds[first]):
        first, second = second, first
    if effect is not None and effect.value != effect.null:
        return ("increase" if effect.value > (effect.null or 0.0) else "decrease"), (first, second)
    a, b = arm_value(cells[first]), arm_value(cells[second])
    if a is None or b is None or a == b:
        return None, (first, second)
    return ("increase" if a > b else "decrease"), (first, second)


def _cells_end(lines: list[Line], i: int) -> int:
    """Return the index of the first line after the cells that follow line i (blank cells inside a row count)."""
    j = i + 1
    while j < len(lines) and (is_cell(lines[j].text) or (not lines[j].text.strip() and j + 1 < len(lines)
                                                         and is_cell(lines[j + 1].text))):
        j += 1
    return j


def _row_at(text: str, lines: list[Line], i: int, j: int, table: tuple[int, dict[int, list[str] | None]]
            ) -> Row | None:
    """Return the row labelled by line i with cells up to line j; table is (first row, column names by width)."""
    cells = [ln.text for ln in lines[i + 1 : j]]
    first, header = table
    if len(cells) not in header:
        header[len(cells)] = _columns(text, lines, first, len(cells))
    columns = header[len(cells)]
    found = _read(cells, columns)
    if found is None:
        return None
    decision, (a, b) = found
    label = lines[i]
    lead = len(label.text) - len(label.text.lstrip())
    names = (columns[a], columns[b]) if columns else (None, None)
    return Row(label.start + lead, lines[j - 1].end, (label.start + lead, label.start + len(label.text.rstrip())),
               decision.direction, names, decision.predicate)


@lru_cache(maxsize=4)
def table_rows(text: str) -> tuple[Row, ...]:
    """Return every table row of a text that states a comparison with its significance."""
    lines = _lines(text)
    rows: list[Row] = []
    table: tuple[int, dict[int, list[str] | None]] | None = None
    i = 0
    while i < len(lines):
        if _CAPTION.match(lines[i].text):
            table = None
        labelled = _is_label(lines[i].text) and i + 1 < len(lines) and is_cell(lines[i + 1].text)
        j = _cells_end(lines, i) if labelled else i + 1
        table = table or ((i, {}) if labelled else None)
        # NOTE: two arms and a p-value or estimate make three cells; a row with fewer says nothing comparative.
        if table and j - i > 3:
            row = _row_at(text, lines, i, j, table)
            rows += [row] if row else []
        i = max(j, i + 1)
    return tuple(rows)
