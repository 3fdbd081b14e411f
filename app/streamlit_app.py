"""MedKB web app: ask a question, see hypotheses with certainty badges, reasons and quoted sources."""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from app import views
from app.console import kb_counts
from app.resources import KnowledgeBase, open_kb
from kb.answer import answer_question
from kb.answers import DISCLAIMER, Answer
from kb.config import Settings
from kb.errors import MedKBError
from kb.records import document_from_hit
from kb.report import FORMATS, render
from kb.report.corpus import cited_documents, corpus_of


def _store_arg() -> Path | None:
    """Return the --store given after `streamlit run app/streamlit_app.py --`."""
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--store", type=Path, default=None)
    args, _ = parser.parse_known_args()
    return args.store


@st.cache_resource
def knowledge_base(store: Path) -> KnowledgeBase:
    """Open the knowledge base once per process and store (reruns and sessions share it)."""
    return open_kb(Settings().model_copy(update={"store": store}))


def passages(kb: KnowledgeBase, answer: Answer) -> dict[str, str]:
    """Return each cited claim's quote in its source context, keyed by claim id."""
    cites = [c for h in (*answer.hypotheses, *answer.speculative) for c in (*h.supporting, *h.contradicting)]
    cites += answer.related
    docs = {h.id: document_from_hit(h) for h in kb.store.retrieve("documents", sorted({c.doc_id for c in cites}))}
    return {c.claim_id: views.passage(docs[c.doc_id], c) for c in cites if c.doc_id in docs}


def main() -> None:
    """Lay out the page."""
    st.set_page_config(page_title="MedKB", layout="wide")
    st.title("MedKB")
    st.caption("What do we know, how sure are we, and where does it say so?")
    try:
        kb = knowledge_base((_store_arg() or Settings().store).resolve())
    except MedKBError as exc:
        st.error(str(exc))
        return
    with st.sidebar:
        st.markdown("**Knowledge base**")
        st.caption(str(kb.settings.store))
        for name, n in kb_counts(kb.store).items():
            st.caption(f"{name}: {n:,}")
        extractive = st.toggle("Extractive only", value=kb.settings.extractive_only,
                               help="No generated sentence at all: findings are their verbatim quotes with "
                                    "computed badges (design, n, effect, certainty).")
        st.info(DISCLAIMER)
    question = st.text_input("Question", placeholder="Does zelmorant reduce exacerbations in asthma?")
    if not question:
        return
    try:
        answer = answer_question(question, store=kb.store, embedder=kb.embedder, lexicon=kb.lexicon,
                                 extractive=extractive)
    except MedKBError as exc:
        st.error(str(exc))
        return
    show_answer(kb, answer)


def report_download(kb: KnowledgeBase, answer: Answer) -> None:
    """Offer the answer as an evidence report in the format the user picks."""
    fmt = st.selectbox("Evidence report format", list(FORMATS), index=0)
    corpus = corpus_of(kb.store, kb.settings.qdrant_url or str(kb.settings.store), datetime.now(timezone.utc))
    data = render(answer, corpus, fmt, documents=cited_documents(kb.store, answer))
    st.download_button(f"Download report (.{fmt})", data=data, file_name=f"medkb-report.{fmt}",
                       mime=FORMATS[fmt].split(";")[0])


def show_answer(kb: KnowledgeBase, answer: Answer) -> None:
    """Show an answer's sections, hypotheses and speculative hypotheses."""
    report_download(kb, answer)
    views.sections(answer)
    found = passages(kb, answer)
    if not answer.hypotheses and not answer.speculative:
        st.warning("No claims in the knowledge base address this question.")
    for i, h in enumerate(answer.hypotheses):
        views.hypothesis(h, i, found)
    if answer.speculative:
        st.subheader("Speculative hypotheses — not established")
        for i, h in enumerate(answer.speculative):
            views.hypothesis(h, 1000 + i, found)
    views.related(answer, found)


if __name__ == "__main__":  # NOTE: streamlit runs this file as __main__; imports stay inert.
    main()
