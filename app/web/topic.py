"""Topic map page: what the knowledge base knows, doubts, lacks and only guesses about a condition."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import streamlit as st

from app.resources import KnowledgeBase
from app.views import md_escape
from app.web import claims as show_claims
from kb.report.topic import TOPIC_FORMATS, cell_label, render_topic
from kb.topic import TopicMap, topic_graph, topic_map

CELL_COLOUR = {"high": "#dcfce7", "moderate": "#dbeafe", "low": "#fef3c7", "very low": "#fee2e2"}


def grid(t: TopicMap) -> pd.DataFrame:
    """Return the intervention x outcome grid as a table of cell labels ('' where there is no finding); the longer
    list runs down the rows, so the table stays as narrow as it can."""
    rows = {i: {o: (cell_label(c) if (c := t.cell(i, o)) else "") for o in t.outcomes} for i in t.interventions}
    table = pd.DataFrame.from_dict(rows, orient="index", columns=list(t.outcomes))
    down = "Intervention"
    if len(t.outcomes) > len(t.interventions):
        table, down = table.T, "Outcome"
    # NOTE: the names as a column of their own: an index column is cut to a narrow width.
    return table.rename_axis(down).reset_index()


def _colour(value: str) -> str:
    """Return the CSS of a grid cell from the certainty its label names."""
    level = next((lv for lv in ("very low", "moderate", "high", "low") if f"; {lv} certainty" in value), None)
    return f"background-color: {CELL_COLOUR[level]}" if level else ""


def mapped(kb: KnowledgeBase, condition: str) -> TopicMap:
    """Return the topic map, kept for the session until the condition or the knowledge base changes."""
    stamp = (condition.casefold().strip(), kb.store.count("claims"), kb.store.count("documents"))
    kept = st.session_state.get("topic_map")
    if kept is None or kept[0] != stamp:
        kept = (stamp, topic_map(kb.store, kb.lexicon, condition))
        st.session_state["topic_map"] = kept
    return kept[1]


def show(kb: KnowledgeBase) -> None:
    """Lay out the topic map page."""
    st.header("Topic map")
    st.caption("For a condition: what we know, what is uncertain, what we know we don't know, and what we might know, "
               "across every intervention and outcome in this knowledge base.")
    with st.form("topic"):
        condition = st.text_input("Condition", placeholder="e.g. asthma, hypertension, multiple sclerosis")
        submitted = st.form_submit_button("Map")
    if submitted:
        st.session_state["topic_condition"] = condition
    condition = st.session_state.get("topic_condition", "")
    if not condition.strip():
        return
    page(mapped(kb, condition))


def _lines(items: tuple[str, ...], empty: str) -> None:
    """Show lines as a bullet list, or a caption when there are none."""
    if not items:
        st.caption(empty)
    for line in items:
        st.markdown("- " + md_escape(line))


def page(t: TopicMap) -> None:
    """Show one topic map: counts, the four sections, the grid, the network and the report."""
    cols = st.columns(4)
    for col, (label, n) in zip(cols, (("Documents", t.documents), ("Interventions", len(t.interventions)),
                                      ("Outcomes", len(t.outcomes)), ("Findings", len(t.cells)))):
        col.metric(label, n)
    st.subheader("What we know")
    _lines(t.known, "Nothing reaches moderate or high certainty without conflicting evidence.")
    st.subheader("What is uncertain")
    _lines(t.uncertain, "Nothing.")
    st.subheader("Intervention × outcome grid")
    if t.cells:
        table = grid(t)
        st.dataframe(table.style.map(_colour, subset=list(table.columns[1:])), width="stretch", hide_index=True,
                     column_config={table.columns[0]: st.column_config.TextColumn(width="medium")})
        st.caption("Each square: direction of the lead finding; certainty of evidence (GRADE-like); studies. "
                   "Green high, blue moderate, amber low, red very low; empty, no finding.")
    else:
        st.caption("No graded finding.")
    st.subheader("What we know we don't know")
    _lines(t.gaps, "No gaps were recorded.")
    with st.container(border=True):
        st.subheader("What we might know — not established")
        st.caption("Speculative findings rest on hedged, animal or in-vitro evidence; running trials have no results "
                   "yet. Do not act on them.")
        _lines(t.might, "No trial on it is still running.")
        for h in t.speculative:
            show_claims.finding(h)
    details(t)
    report(t)


def details(t: TopicMap) -> None:
    """Show every finding with its sources, and the network of findings."""
    with st.expander(f"Findings and their sources ({sum(len(c.findings) for c in t.cells)})"):
        for c in t.cells:
            for h in c.findings:
                show_claims.finding(h)
    # NOTE: a toggle, not an expander: the network component lays itself out when drawn, and a closed one has no size.
    if st.toggle("Show the network of findings", key="topic-network"):
        _, edges = show_claims.network(topic_graph(t), key=f"topic-{t.condition}")
        for edge in edges:
            show_claims.picked_finding(edge)


def report(t: TopicMap) -> None:
    """Offer the topic map as a report in the format the user picks (built from the kept map, never re-run)."""
    fmt = st.selectbox("Topic report format", list(TOPIC_FORMATS), index=0)
    data = render_topic(t, fmt, datetime.now(timezone.utc))
    st.download_button(f"Download topic map (.{fmt})", data=data, file_name=f"medkb-topic.{fmt}",
                       mime=TOPIC_FORMATS[fmt].split(";")[0])
