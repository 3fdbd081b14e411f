"""A compact snapshot of an answer, and what changed between two snapshots of one question."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from kb.answers import Answer, Certainty, Citation, Hypothesis, Source
from kb.claims import Direction
from kb.models import WITHDRAWN, Frozen, Notice, StudyDesign

NOTICE_WORDS: dict[str, str] = {"retracted": "retracted", "retraction_notice": "retraction notice",
                                "expression_of_concern": "expression of concern", "corrected": "corrected"}


class Study(Frozen):
    """A cited (or withdrawn) paper or trial, as the answer named it."""

    doc_id: str
    title: str = ""
    design: StudyDesign = "unknown"
    n: int | None = None
    pmid: str | None = None
    nct_id: str | None = None
    notices: tuple[Notice, ...] = ()

    @property
    def name(self) -> str:
        """Return how a study is named to a user: its title and identifier."""
        ident = f"PMID {self.pmid}" if self.pmid else self.nct_id or self.doc_id[:8]
        return f"{self.title or 'untitled'} ({ident})"


class Finding(Frozen):
    """One hypothesis of an answer: what it says, how sure, and the studies it cites."""

    key: str
    statement: str
    certainty: Certainty
    direction: Direction
    speculative: bool = False
    studies: tuple[str, ...] = ()


class Snapshot(Frozen):
    """What an answer said at one time: its findings, the studies they cite, retracted papers left out, gaps."""

    question: str
    taken_at: datetime
    findings: tuple[Finding, ...] = ()
    studies: tuple[Study, ...] = ()
    withdrawn: tuple[Study, ...] = ()
    gaps: tuple[str, ...] = ()


class CertaintyChange(Frozen):
    """A finding found both times whose certainty or direction moved."""

    key: str
    statement: str
    before: Certainty
    after: Certainty
    direction_before: Direction
    direction_after: Direction


class NoticeChange(Frozen):
    """A study that carries an editorial notice it did not carry before (a retraction, a concern)."""

    study: Study
    added: tuple[Notice, ...]

    @property
    def retracted(self) -> bool:
        """Return whether the new notice takes the study out of the evidence."""
        return bool(WITHDRAWN.intersection(self.added))


class Changes(Frozen):
    """What changed in the answer to one question between two snapshots."""

    question: str
    before_at: datetime
    after_at: datetime
    new_studies: tuple[Study, ...] = ()
    removed_studies: tuple[Study, ...] = ()
    certainty: tuple[CertaintyChange, ...] = ()
    notices: tuple[NoticeChange, ...] = ()
    new_findings: tuple[Finding, ...] = ()
    vanished_findings: tuple[Finding, ...] = ()
    new_gaps: tuple[str, ...] = ()
    closed_gaps: tuple[str, ...] = ()

    @property
    def nothing(self) -> bool:
        """Return whether the answer is the same as before."""
        return not (self.new_studies or self.removed_studies or self.certainty or self.notices or self.new_findings
                    or self.vanished_findings or self.new_gaps or self.closed_gaps)


def _study(c: Citation) -> Study:
    """Return the study a citation names."""
    return Study(doc_id=c.doc_id, title=c.title, design=c.study_design, n=c.sample_size, pmid=c.pmid,
                 nct_id=c.nct_id, notices=c.notices)


def _source(s: Source) -> Study:
    """Return the study a withdrawn paper's source names."""
    return Study(doc_id=s.doc_id, title=s.title, design=s.study_design, pmid=s.pmid, nct_id=s.nct_id,
                 notices=s.notices)


def _studies(citations: Iterable[Citation]) -> dict[str, Study]:
    """Return one study per cited document, with the largest sample size any of its citations reports."""
    found: dict[str, Study] = {}
    for c in citations:
        study, seen = _study(c), found.get(c.doc_id)
        if seen is not None and (seen.n or 0) >= (study.n or 0):
            continue
        found[c.doc_id] = study
    return found


def _finding(h: Hypothesis, key: str, speculative: bool) -> Finding:
    """Return a hypothesis as a finding of the snapshot."""
    cited = dict.fromkeys(c.doc_id for c in (*h.supporting, *h.contradicting))
    return Finding(key=key, statement=h.heading, certainty=h.confidence, direction=h.direction,
                   speculative=speculative, studies=tuple(cited))


def _findings(answer: Answer) -> tuple[Finding, ...]:
    """Return the answer's hypotheses as findings, keyed by what they compare (names, no verb) and made unique."""
    found: dict[str, Finding] = {}
    for speculative, hypotheses in ((False, answer.hypotheses), (True, answer.speculative)):
        for h in hypotheses:
            base = (h.label or f"{h.intervention}: {h.outcome}") + (" (speculative)" if speculative else "")
            key, k = base, 2
            while key in found:  # NOTE: two readings of one comparison (scopes) stay two findings
                key, k = f"{base} #{k}", k + 1
            found[key] = _finding(h, key, speculative)
    return tuple(found.values())


def snapshot_of(answer: Answer, taken_at: datetime) -> Snapshot:
    """Return the compact snapshot of an answer taken at a time."""
    citations = [c for h in (*answer.hypotheses, *answer.speculative) for c in (*h.supporting, *h.contradicting)]
    return Snapshot(question=answer.question, taken_at=taken_at, findings=_findings(answer),
                    studies=tuple(_studies(citations).values()),
                    withdrawn=tuple(_source(s) for s in answer.withdrawn), gaps=answer.gaps)


def _same_study(s: Study, cited: tuple[Study, ...]) -> bool:
    """Return whether s is one of the cited studies, or the paper of a cited trial (the same PMID or NCT id)."""
    return any(s.doc_id == c.doc_id or (s.pmid and s.pmid == c.pmid) or (s.nct_id and s.nct_id == c.nct_id)
               for c in cited)


def _notice_changes(before: Snapshot, after: Snapshot) -> tuple[NoticeChange, ...]:
    """Return the studies of before that now carry a notice they did not, and the papers newly left out as
    retracted that before cited, itself or as its registry record (a retracted paper the answer never leaned on is
    no news for this question)."""
    had = {s.doc_id: set(s.notices) for s in (*before.studies, *before.withdrawn)}
    changes = []
    for s in (*after.studies, *after.withdrawn):
        known = had.get(s.doc_id, set() if s in after.withdrawn and _same_study(s, before.studies) else None)
        if known is not None and (added := tuple(n for n in s.notices if n not in known)):
            changes.append(NoticeChange(study=s, added=added))
    return tuple(changes)


def _certainty(before: dict[str, Finding], after: dict[str, Finding]) -> tuple[CertaintyChange, ...]:
    """Return the findings found both times whose certainty or direction changed."""
    return tuple(CertaintyChange(key=k, statement=after[k].statement, before=b.certainty, after=after[k].certainty,
                                 direction_before=b.direction, direction_after=after[k].direction)
                 for k, b in before.items() if k in after
                 and (b.certainty, b.direction) != (after[k].certainty, after[k].direction))


def what_changed(before: Snapshot, after: Snapshot) -> Changes:
    """Return what changed from one snapshot of a question's answer to a later one."""
    was, now = {s.doc_id: s for s in before.studies}, {s.doc_id: s for s in after.studies}
    found_before, found_after = {f.key: f for f in before.findings}, {f.key: f for f in after.findings}
    return Changes(
        question=after.question, before_at=before.taken_at, after_at=after.taken_at,
        new_studies=tuple(s for k, s in now.items() if k not in was),
        removed_studies=tuple(s for k, s in was.items() if k not in now),
        certainty=_certainty(found_before, found_after), notices=_notice_changes(before, after),
        new_findings=tuple(f for k, f in found_after.items() if k not in found_before),
        vanished_findings=tuple(f for k, f in found_before.items() if k not in found_after),
        new_gaps=tuple(g for g in after.gaps if g not in before.gaps),
        closed_gaps=tuple(g for g in before.gaps if g not in after.gaps),
    )
