"""What changed, in words: one list of lines that the terminal, the JSON report and the app all show."""

from __future__ import annotations

from kb.memory.snapshot import NOTICE_WORDS, Changes, Study
from kb.models import Frozen
from kb.report.wording import design_label, direction_label, sample_size_label


class ChangeLine(Frozen):
    """One change in words, with its kind (retracted, notice, new_study, removed_study, certainty, new_finding,
    vanished_finding, new_gap, closed_gap)."""

    kind: str
    text: str


def study_words(s: Study) -> str:
    """Return a study's name, design and size."""
    return f"{s.name}, {design_label(s.design)}, {sample_size_label(s.n, '')}"


def _notices(changes: Changes) -> list[ChangeLine]:
    """Return a line per new editorial notice; a retraction says its findings no longer count."""
    lines = []
    for n in sorted(changes.notices, key=lambda n: not n.retracted):
        if n.retracted:
            lines.append(ChangeLine(kind="retracted", text=f"Retracted: {n.study.name}; its findings are not counted "
                                    "as evidence"))
        else:
            words = ", ".join(NOTICE_WORDS[x] for x in n.added)
            lines.append(ChangeLine(kind="notice", text=f"New editorial notice ({words}): {n.study.name}"))
    return lines


def _studies(changes: Changes) -> list[ChangeLine]:
    """Return a line per study newly cited or no longer cited (a retracted one is named once, above)."""
    retracted = {n.study.doc_id for n in changes.notices if n.retracted}
    lines = [ChangeLine(kind="new_study", text=f"New study: {study_words(s)}") for s in changes.new_studies]
    lines += [ChangeLine(kind="removed_study", text=f"No longer cited: {study_words(s)}")
              for s in changes.removed_studies if s.doc_id not in retracted]
    return lines


def _findings(changes: Changes) -> list[ChangeLine]:
    """Return a line per certainty or direction change, and per finding that appeared or vanished."""
    lines = []
    for c in changes.certainty:
        moved = f"certainty {c.before} -> {c.after}" if c.before != c.after else f"certainty {c.after}"
        if c.direction_before != c.direction_after:
            moved += f", direction {direction_label(c.direction_before)} -> {direction_label(c.direction_after)}"
        lines.append(ChangeLine(kind="certainty", text=f"{c.statement}: {moved}"))
    lines += [ChangeLine(kind="new_finding", text=f"New finding ({f.certainty} certainty"
                         + (", speculative" if f.speculative else "") + f"): {f.statement}")
              for f in changes.new_findings]
    lines += [ChangeLine(kind="vanished_finding", text=f"No longer found ({f.certainty} certainty before): "
                         f"{f.statement}") for f in changes.vanished_findings]
    return lines


def change_lines(changes: Changes) -> list[ChangeLine]:
    """Return every change in words, retractions first; an empty list when nothing changed."""
    gaps = [ChangeLine(kind="new_gap", text=f"New gap: {g}") for g in changes.new_gaps]
    gaps += [ChangeLine(kind="closed_gap", text=f"Gap closed: {g}") for g in changes.closed_gaps]
    return [*_notices(changes), *_studies(changes), *_findings(changes), *gaps]
