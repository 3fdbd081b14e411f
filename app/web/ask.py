"""The Ask page: a question with filters, the answer with its sources as they look, and the evidence report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import get_args

import streamlit as st

from app import views
from app.resources import KnowledgeBase
from kb.answer import answer_question
from kb.answers import Answer, Narrowing
from kb.errors import MedKBError
from kb.memory import remember
from kb.models import Document, StudyDesign
from kb.records import document_from_hit
from kb.report import FORMATS, render
from kb.report.corpus import corpus_of
from kb.report.model import Corpus

DESIGNS: tuple[StudyDesign, ...] = get_args(StudyDesign)
TRIAL_DESIGNS: tuple[StudyDesign, ...] = ("rct", "non_randomized_trial")
STATE = "ask_answer"
EXAMPLE = "Does zelmorant reduce exacerbations in asthma?"


@dataclass(frozen=True)
class Asked:
    """What one press of Ask asked for: the question and everything that changes its answer."""

    question: str
    narrowing: Narrowing
    extractive: bool


@dataclass
class Answered:
    """An answer kept for the session: what was asked, the answer, its cited documents, the corpus it came from,
    and the reports built from it so far."""

    asked: Asked
    answer: Answer
    docs: dict[str, Document]
    corpus: Corpus
    reports: dict[str, bytes] = field(default_factory=dict)

    def report(self, fmt: str) -> bytes:
        """Return the evidence report in one format, built the first time it is asked for."""
        if fmt not in self.reports:
            ids = sorted({c.doc_id for h in (*self.answer.hypotheses, *self.answer.speculative)
                          for c in (*h.supporting, *h.contradicting)})
            cited = [self.docs[i] for i in ids if i in self.docs]  # NOTE: as kb.report.corpus.cited_documents
            self.reports[fmt] = render(self.answer, self.corpus, fmt, documents=cited)
        return self.reports[fmt]


def narrowing(years: tuple[int | None, int | None], designs: list[StudyDesign], trials_only: bool) -> Narrowing:
    """Return the filters chosen beside the question; trials only keeps the trial designs among those chosen."""
    chosen = tuple(designs)
    if trials_only:
        chosen = tuple(d for d in (chosen or TRIAL_DESIGNS) if d in TRIAL_DESIGNS)
    return Narrowing(year_min=years[0], year_max=years[1], designs=chosen)


def _form(kb: KnowledgeBase) -> tuple[Asked | None, bool]:
    """Lay out the question box, the filters and the Ask button; return what was asked (on Ask) and whether
    speculative hypotheses are shown."""
    with st.form("ask"):
        question = st.text_input("Question", placeholder=EXAMPLE, key="ask_question")
        years = st.columns((1, 1, 3))
        first = years[0].number_input("From year", min_value=1800, max_value=2200, value=None, step=1,
                                      key="ask_from")
        last = years[1].number_input("To year", min_value=1800, max_value=2200, value=None, step=1, key="ask_to",
                                     help="Documents without a year are left out when either year is set.")
        designs = years[2].multiselect("Study designs", DESIGNS, format_func=lambda d: d.replace("_", " "),
                                       placeholder="All designs", key="ask_designs")
        spans = st.columns(4)
        trials_only = spans[0].checkbox("Trials only", key="ask_trials", help="Only evidence from clinical trials "
                                        "(randomised or not), papers and registry records alike.")
        speculative = spans[1].checkbox("Show speculative", value=True, key="ask_speculative",
                                        help="Hedged, animal or laboratory findings, shown apart and never as "
                                             "established.")
        extractive = spans[2].toggle("Extractive only", value=kb.settings.extractive_only, key="ask_extractive",
                                     help="No generated sentence at all: findings are their verbatim quotes with "
                                          "computed badges (design, n, effect, certainty).")
        pressed = st.form_submit_button("Ask", type="primary")
    if not pressed:
        return None, speculative
    if not question.strip():
        st.info(f"Type a question first, e.g. “{EXAMPLE}”")
        return None, speculative
    if trials_only and designs and not set(designs) & set(TRIAL_DESIGNS):
        st.warning("None of the chosen designs is a trial design; clear them or untick Trials only.")
        return None, speculative
    return Asked(question.strip(), narrowing((first, last), designs, trials_only), extractive), speculative


def _answered(kb: KnowledgeBase, asked: Asked) -> Answered:
    """Answer the question and fetch the documents it cites."""
    with st.spinner("Searching the knowledge base…"):
        answer = answer_question(asked.question, store=kb.store, embedder=kb.embedder, lexicon=kb.lexicon,
                                 limit=kb.settings.top_k, extractive=asked.extractive, narrowing=asked.narrowing)
    cites = [c for h in (*answer.hypotheses, *answer.speculative) for c in (*h.supporting, *h.contradicting)]
    try:  # NOTE: the app keeps every question, as `medkb ask` does; a memory that cannot be written only warns.
        remember(kb.memory, answer, datetime.now(timezone.utc))
    except MedKBError as exc:
        st.warning(f"The question was not kept in the history: {exc}")
    ids = sorted({c.doc_id for c in (*cites, *answer.related)})
    docs = {h.id: document_from_hit(h) for h in kb.store.retrieve("documents", ids)}
    corpus = corpus_of(kb.store, kb.settings.qdrant_url or str(kb.settings.store), datetime.now(timezone.utc))
    return Answered(asked, answer, docs, corpus)


def show(kb: KnowledgeBase) -> None:
    """Lay out the Ask page; an answer is computed only when Ask is pressed with a new question or filters."""
    st.title("MedKB")
    st.caption("What do we know, how sure are we, and where does it say so?")
    asked, speculative = _form(kb)
    kept: Answered | None = st.session_state.get(STATE)
    if asked is not None and (kept is None or kept.asked != asked):
        kept = _answered(kb, asked)
        st.session_state[STATE] = kept
    if kept is not None:
        report_download(kept)
        answer_view(kept, speculative)


def report_download(kept: Answered) -> None:
    """Offer the answer as an evidence report, built when the button is pressed (once per answer and format)."""
    left, right = st.columns((1, 3), vertical_alignment="bottom")
    fmt = left.selectbox("Evidence report format", list(FORMATS), index=0, key="ask_report_format")
    right.download_button(f"Download report (.{fmt})", data=lambda: kept.report(fmt),
                          file_name=f"medkb-report.{fmt}", mime=FORMATS[fmt].split(";")[0])


def answer_view(kept: Answered, speculative: bool) -> None:
    """Show an answer's sections, hypotheses, speculative hypotheses (when wanted) and related passages."""
    answer = kept.answer
    st.markdown(f"**{views.md_escape(kept.asked.question)}**")
    views.sections(answer)
    if not answer.hypotheses and not answer.speculative:
        st.warning("No claims in the knowledge base address this question.")
    for i, h in enumerate(answer.hypotheses):
        views.hypothesis(h, i, kept.docs)
    if answer.speculative and speculative:
        st.subheader("Speculative hypotheses — not established")
        for i, h in enumerate(answer.speculative):
            views.hypothesis(h, 1000 + i, kept.docs)
    elif answer.speculative:
        st.caption(f"{len(answer.speculative)} speculative hypotheses hidden (Show speculative).")
    views.related(answer, kept.docs)
