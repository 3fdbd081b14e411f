"""The Memory page: saved questions with their notes, re-run to see what changed since their last answer, and the
history of every question asked."""

from __future__ import annotations

from datetime import datetime, timezone

import streamlit as st

from app.resources import KnowledgeBase
from kb.answer import answer_question
from kb.answers import Answer
from kb.errors import MedKBError
from kb.memory import Remembered, Rerun, rerun
from kb.memory.rerun import Ask
from kb.memory.wording import change_lines

RERUNS = "memory_reruns"  # NOTE: session state: question id -> its latest re-run, shown until the next one
SHOWN = {"retracted": st.error, "notice": st.warning, "removed_study": st.warning, "vanished_finding": st.warning,
         "new_gap": st.warning, "new_study": st.success, "new_finding": st.success, "closed_gap": st.success,
         "certainty": st.info}


def _asker(kb: KnowledgeBase) -> Ask:
    """Return a function that answers a question from this knowledge base, as the Ask page does."""
    def ask(question: str) -> Answer:
        return answer_question(question, store=kb.store, embedder=kb.embedder, lexicon=kb.lexicon,
                               extractive=kb.settings.extractive_only)
    return ask


def _changes(r: Rerun) -> None:
    """Show what a re-run found changed, retractions first."""
    if r.changes is None:
        st.caption("First answer kept; the next re-run will say what changed.")
        return
    lines = change_lines(r.changes)
    if not lines:
        st.caption(f"No change since {r.changes.before_at:%Y-%m-%d %H:%M} UTC.")
    for line in lines:
        SHOWN.get(line.kind, st.info)(line.text)


def _saved(kb: KnowledgeBase, q: Remembered) -> None:
    """Show one saved question with its note, a Re-run button and what its last re-run found."""
    reruns: dict[str, Rerun] = st.session_state.setdefault(RERUNS, {})
    with st.container(border=True):
        st.markdown(f"**{q.question}**")
        when = f"last asked {q.last_asked:%Y-%m-%d %H:%M} UTC" if q.last_asked else "never asked"
        times = "once" if q.asks == 1 else f"{q.asks} times"
        st.caption(f"id {q.id} · {when} · asked {times}" + (f" · note: {q.note}" if q.note else ""))
        rerun_col, forget_col, _ = st.columns([1, 1, 5])
        if rerun_col.button("Re-run", key=f"rerun-{q.id}"):
            try:
                with st.spinner("Asking again…"):
                    reruns[q.id] = rerun(kb.memory, q.id, _asker(kb), datetime.now(timezone.utc))
            except MedKBError as e:
                st.error(str(e))
            else:
                st.rerun()  # NOTE: drawn again, so the card and the history count the re-run just kept
        if forget_col.button("Unsave", key=f"unsave-{q.id}"):
            kb.memory.forget(q.id)
            st.rerun()
        if q.id in reruns:
            _changes(reruns[q.id])


def _history(kb: KnowledgeBase) -> None:
    """Show every question asked, newest first, with a way to save one with a note."""
    asked = kb.memory.questions(limit=100)
    if not asked:
        st.caption("No question asked yet: questions asked in the app or with `medkb ask` appear here.")
        return
    st.dataframe([{"question": q.question, "saved": q.saved, "note": q.note or "", "asked": q.asks,
                   "last asked (UTC)": f"{q.last_asked:%Y-%m-%d %H:%M}" if q.last_asked else ""} for q in asked],
                 hide_index=True)
    unsaved = {q.question: q for q in asked if not q.saved}
    if unsaved:
        with st.form("memory_save"):
            question = st.selectbox("Save a question", list(unsaved))
            note = st.text_input("Note (optional)")
            if st.form_submit_button("Save") and question:
                kb.memory.save(question, note.strip() or None)
                st.rerun()


def show(kb: KnowledgeBase) -> None:
    """Lay out the Memory page: saved questions (re-run to see what changed), then the history."""
    st.header("Memory")
    try:
        saved = kb.memory.questions(saved_only=True, limit=-1)
        st.subheader("Saved questions")
        if not saved:
            st.caption("No saved question yet: save one from the history below, or with `medkb ask QUESTION --save`.")
        for q in saved:
            _saved(kb, q)
        st.subheader("History")
        _history(kb)
    except MedKBError as e:
        st.error(str(e))
