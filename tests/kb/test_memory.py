"""The memory of questions: snapshots of answers, what changed between two, and the SQLite file that keeps them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kb.answers import Answer, Citation, Hypothesis, Query, Source
from kb.errors import NotRemembered, StoreError
from kb.memory import Finding, Memory, Snapshot, Study, question_id, snapshot_of, what_changed
from kb.memory.wording import change_lines

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)
T1 = T0 + timedelta(days=7)


def _cite(doc: str, n: int | None, notices: tuple = ()) -> Citation:
    """Return a citation of one document's passage."""
    return Citation(claim_id=f"c-{doc}-{n}", doc_id=doc, title=f"Trial {doc}", quote="it worked", page=None,
                    start=0, end=9, source=f"{doc}.xml", pmid=doc, study_design="rct", sample_size=n,
                    notices=notices, direction="decrease")


def _answer(*, withdrawn: tuple[Source, ...] = ()) -> Answer:
    """Return an answer with one finding citing two passages of doc 1 and one of doc 2, and a speculative one."""
    counted = Hypothesis(label="x vs placebo: y", statement="X reduces y", intervention="x", outcome="y",
                         direction="decrease", confidence="moderate",
                         supporting=(_cite("1", 80), _cite("1", 120)), contradicting=(_cite("2", None),))
    guess = Hypothesis(label="x vs placebo: y", intervention="x", outcome="y", direction="decrease",
                       confidence="very low", speculative=True, supporting=(_cite("3", 10),))
    return Answer(question="Does x reduce y?", query=Query(question="Does x reduce y?"), hypotheses=(counted,),
                  speculative=(guess,), gaps=("No evidence found on mortality for x",), withdrawn=withdrawn)


def test_snapshot_keeps_findings_studies_withdrawn_papers_and_gaps() -> None:
    retracted = Source(doc_id="9", title="Trial 9", pmid="9", study_design="rct", notices=("retracted",))
    snap = snapshot_of(_answer(withdrawn=(retracted,)), T0)
    assert [(f.key, f.statement, f.certainty, f.speculative, f.studies) for f in snap.findings] == [
        ("x vs placebo: y", "X reduces y", "moderate", False, ("1", "2")),
        ("x vs placebo: y (speculative)", "x vs placebo: y", "very low", True, ("3",))]
    assert {s.doc_id: s.n for s in snap.studies} == {"1": 120, "2": None, "3": 10}, "largest n per study"
    assert snap.withdrawn == (Study(doc_id="9", title="Trial 9", design="rct", pmid="9", notices=("retracted",)),)
    assert snap.gaps == ("No evidence found on mortality for x",) and snap.taken_at == T0


def _study(doc: str, *notices: str) -> Study:
    return Study(doc_id=doc, title=f"Trial {doc}", design="rct", n=100, pmid=doc,
                 notices=notices)  # type: ignore[arg-type]


def _finding(key: str, certainty: str, direction: str = "decrease", *docs: str) -> Finding:
    return Finding(key=key, statement=key.upper(), certainty=certainty, direction=direction,  # type: ignore[arg-type]
                   studies=docs)


def test_what_changed_names_every_kind_of_change() -> None:
    trial = Study(doc_id="t", title="Registry record", design="rct", nct_id="NCT09900001")
    _twin = Study(doc_id="p", title="Its paper", design="rct", pmid="77", nct_id="NCT09900001", notices=("retracted",))
    before = Snapshot(question="q", taken_at=T0, studies=(_study("1"), _study("2"), _study("3"), trial),
                      findings=(_finding("a", "high"), _finding("b", "low"), _finding("gone", "moderate")),
                      gaps=("no trial in children",))
    after = Snapshot(question="q", taken_at=T1, studies=(_study("2", "expression_of_concern"), _study("3"),
                                                         _study("4"), trial),
                     withdrawn=(_study("1", "retracted"), _study("5", "retracted"), _twin),
                     findings=(_finding("a", "moderate"), _finding("b", "low", "increase"), _finding("new", "low")),
                     gaps=("no evidence on mortality",))
    changes = what_changed(before, after)
    assert [s.doc_id for s in changes.new_studies] == ["4"]
    assert [s.doc_id for s in changes.removed_studies] == ["1"]
    assert [(c.key, c.before, c.after, c.direction_after) for c in changes.certainty] == [
        ("a", "high", "moderate", "decrease"), ("b", "low", "low", "increase")]
    assert [(n.study.doc_id, n.added, n.retracted) for n in changes.notices] == [
        ("2", ("expression_of_concern",), False), ("1", ("retracted",), True), ("p", ("retracted",), True)], \
        "a retracted paper is news when it or its registry twin was cited, not when the answer never leaned on it"
    assert [f.key for f in changes.new_findings] == ["new"] and [f.key for f in changes.vanished_findings] == ["gone"]
    assert changes.new_gaps == ("no evidence on mortality",) and changes.closed_gaps == ("no trial in children",)
    lines = change_lines(changes)
    assert lines[0].kind == "retracted" and lines[0].text.startswith("Retracted: Trial 1 (PMID 1)")
    assert not any(line.kind == "removed_study" for line in lines), "a retracted study is named once, as retracted"
    assert "A: certainty high -> moderate" in [line.text for line in lines]
    assert "B: certainty low, direction decrease -> increase" in [line.text for line in lines]
    assert not changes.nothing


def test_same_answer_twice_changes_nothing() -> None:
    snap = snapshot_of(_answer(), T0)
    changes = what_changed(snap, snap.model_copy(update={"taken_at": T1}))
    assert changes.nothing and change_lines(changes) == []


def test_memory_round_trip_history_saved_notes_and_ids(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "kb" / "memory.sqlite")
    first = snapshot_of(_answer(), T0)
    qid = memory.record(first)
    memory.record(Snapshot(question="Is z safe?", taken_at=T0 + timedelta(hours=1)))
    assert qid == question_id("  does X   reduce y? ") and len(qid) == 8
    saved = memory.save("Does x reduce y?", "check the new trial")
    assert saved.saved and saved.note == "check the new trial" and saved.asks == 1
    assert memory.save("Does x reduce y?").note == "check the new trial", "no note keeps the old one"
    later = snapshot_of(_answer(), T1)
    memory.record(later)
    assert [q.question for q in memory.questions()] == ["Does x reduce y?", "Is z safe?"]
    assert [q.id for q in memory.questions(saved_only=True)] == [qid]
    assert [a.snapshot.taken_at for a in memory.history()] == [T1, T0 + timedelta(hours=1), T0]
    reopened = Memory(tmp_path / "kb" / "memory.sqlite")
    assert reopened.last_snapshot(qid) == later and reopened.find(qid[:3]).asks == 2
    assert not reopened.forget(qid).saved and reopened.questions(saved_only=True) == []


def test_unknown_id_and_damaged_file_are_errors_that_say_what_to_do(tmp_path: Path) -> None:
    memory = Memory(tmp_path / "memory.sqlite")
    with pytest.raises(NotRemembered, match="medkb questions"):
        memory.find("deadbeef")
    damaged = tmp_path / "damaged.sqlite"
    damaged.write_bytes(b"not a database at all" * 100)
    with pytest.raises(StoreError, match="damaged.sqlite.*move the file aside"):
        Memory(damaged).questions()
