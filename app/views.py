"""Streamlit display pieces: hypotheses, citations and source passages. Pure display, no logic."""

from __future__ import annotations

import re

import streamlit as st

from app.console import badges, where
from kb.report.wording import direction_label
from kb.answers import Answer, Citation, Hypothesis
from kb.models import Document

BADGE_COLOR = {"high": "green", "moderate": "blue", "low": "orange", "very low": "red"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def md_escape(text: str) -> str:
    """Escape Markdown so source text shows as text, never as links or markup."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def badge(h: Hypothesis) -> str:
    """Return a coloured Markdown badge for a hypothesis' certainty."""
    if h.speculative:
        return ":violet-badge[SPECULATIVE — not established]"
    return f":{BADGE_COLOR.get(h.confidence, 'gray')}-badge[certainty: {h.confidence}]"


def citation(c: Citation, key: str, passage: str | None) -> None:
    """Show one citation: source, study facts, verbatim quote, and a button to open the passage."""
    ids = " · ".join(x for x in (c.pmid and f"PMID {c.pmid}", c.nct_id, c.doi and f"doi:{c.doi}") if x)
    notices = " ".join(f":orange-badge[{n.replace('_', ' ')}]" for n in c.notices)
    st.markdown(f"**{md_escape(c.title or c.source)}** ({c.year or 'n.d.'}) {md_escape(ids)} {notices}".rstrip())
    extraction = f"extraction confidence {c.extraction_confidence:.2f} ({c.extractor})" if c.extractor else ""
    # NOTE: a file name is the uploader's text: escaped, so "![x](http://…)" shows as text and fetches nothing.
    st.caption(md_escape(" · ".join(x for x in (badges(c), where(c), extraction, c.source) if x)))
    if c.note:
        st.caption(f"Not counted: {md_escape(c.note)}")
    st.markdown("> " + md_escape(c.quote))
    if passage is not None:
        with st.expander("Open the source passage", expanded=False):
            st.text(passage)


def hypothesis(h: Hypothesis, idx: int, passages: dict[str, str]) -> None:
    """Show a hypothesis with its badge, reasons and citations for and against."""
    st.markdown(f"#### {md_escape(h.heading)}  \n{badge(h)}")
    if h.statement is None:
        st.caption("Not restated: the findings are their verbatim quotes below.")
    people = f", {h.n_participants:,} participants" if h.n_participants else ""
    st.caption(f"{h.n_studies} stud{'y' if h.n_studies == 1 else 'ies'}{people} · designs: "
               + ", ".join(d.replace('_', ' ') for d in h.designs)
               + f" · direction: {direction_label(h.direction, [c.predicate for c in h.supporting])}")
    for reason in h.confidence_reasons:
        st.markdown("- " + md_escape(reason))
    for label, cites in (("Supporting", h.supporting), ("Contradicting", h.contradicting)):
        if cites:
            st.markdown(f"**{label} evidence ({len(cites)})**")
            for j, c in enumerate(cites):
                citation(c, f"{idx}-{label}-{j}", passages.get(c.claim_id))


def sections(a: Answer) -> None:
    """Show what is known, what is uncertain or conflicting, and what is missing."""
    cols = st.columns(3)
    for col, (title, lines) in zip(cols, (("What we know", a.known), ("Uncertain or conflicting", a.uncertain),
                                          ("What is missing", a.gaps)), strict=True):
        with col:
            st.markdown(f"**{title}**")
            for line in lines or ("—",):
                st.markdown("- " + md_escape(line))


def passage(doc: Document, c: Citation, context: int = 400) -> str:
    """Return the quote in its surrounding source text, the quote marked with »« ."""
    lo, hi = max(0, c.start - context), min(len(doc.text), c.end + context)
    return doc.text[lo:c.start] + "»" + doc.text[c.start:c.end] + "«" + doc.text[c.end:hi]


def related(a: Answer, passages: dict[str, str]) -> None:
    """Show the passages retrieved but not counted, apart from the hypotheses, each with its reason."""
    if not a.related:
        return
    st.subheader("Related passages — not counted as evidence for this question")
    for j, c in enumerate(a.related):
        citation(c, f"related-{j}", passages.get(c.claim_id))
