"""MedKB web app: ask a question, see hypotheses with certainty badges, reasons and quoted sources."""

from __future__ import annotations

import os

from app.__main__ import QUIET_ENVIRONMENT

if __name__ == "__main__":  # NOTE: streamlit runs this file as __main__: quiet the libraries before they load.
    for _name, _value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(_name, _value)

import argparse  # noqa: E402 - after the quiet settings, which must precede every library's loading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

import streamlit as st

from app import views
from app.console import kb_counts
from app.resources import KnowledgeBase, open_kb
from kb.answer import answer_question
from kb.answers import DISCLAIMER, Answer
from kb.config import Settings
from kb.embed import Embedder, make_embedder
from kb.errors import MedKBError, StoreBusy
from kb.lexicon import Lexicon
from kb.lexicon_file import load_lexicon
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
def embedder_for(store: Path) -> Embedder:
    """Return the embedder, built once per process and store (its model loads once)."""
    return make_embedder(_settings(store))


@st.cache_resource(max_entries=2)
def _lexicon_at(path: Path, store: Path, stamp: int) -> Lexicon:
    """Return the saved lexicon as of its file's modification time (a finished ingest changes it)."""
    return load_lexicon(path, store)


def cached_lexicon(path: Path, store: Path) -> Lexicon:
    """Return the saved lexicon, read again only when an ingest has rewritten it."""
    return _lexicon_at(path, store, path.stat().st_mtime_ns)


def _settings(store: Path) -> Settings:
    """Read settings once per run, at the edge, with the store the app serves."""
    return Settings().model_copy(update={"store": store})


@contextmanager
def knowledge_base(store: Path) -> Iterator[KnowledgeBase]:
    """Open the knowledge base for one run of the page and let it go after, so a CLI ingest can write meanwhile
    and the next run sees what it stored."""
    kb = open_kb(_settings(store), create=False, embedder=embedder_for(store), read_lexicon=cached_lexicon)
    try:
        yield kb
    finally:
        kb.close()


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
        with knowledge_base((_store_arg() or Settings().store).resolve()) as kb:
            page(kb)
    except StoreBusy:
        st.info("An ingest is updating this knowledge base right now; ask again when it has finished (the page "
                "shows what it stored as soon as it is done).")
    except MedKBError as exc:
        st.error(str(exc))


def page(kb: KnowledgeBase) -> None:
    """Lay out the sidebar, the question box and the answer."""
    with st.sidebar:
        st.markdown("**Knowledge base**")
        st.caption(views.md_escape(str(kb.settings.store)))
        for name, n in kb_counts(kb.store).items():
            st.caption(f"{name}: {n:,}")
        extractive = st.toggle("Extractive only", value=kb.settings.extractive_only,
                               help="No generated sentence at all: findings are their verbatim quotes with "
                                    "computed badges (design, n, effect, certainty).")
        st.info(DISCLAIMER)
    question = st.text_input("Question", placeholder="Does zelmorant reduce exacerbations in asthma?")
    if not question:
        return
    show_answer(kb, answer_question(question, store=kb.store, embedder=kb.embedder, lexicon=kb.lexicon,
                                    extractive=extractive))


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
