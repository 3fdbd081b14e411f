"""Display pieces the graph and topic pages share: a finding with its badge and sources, and the network."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st
from st_cytoscape import cytoscape

from app.console import badges
from app.views import badge, md_escape
from kb.answers import Citation, Hypothesis
from kb.claimgraph import ClaimGraph, GraphEdge
from kb.report.build import links_for
from kb.report.topic import finding_label, source_line

CERTAINTY_COLOUR = {"high": "#15803d", "moderate": "#1d4ed8", "low": "#d97706", "very low": "#b91c1c"}
ARROW = {"increase": "↑", "decrease": "↓", "no_difference": "=", "unclear": "?"}
STYLE = [
    {"selector": "node", "style": {"label": "data(label)", "font-size": "11px", "text-wrap": "wrap",
                                   "text-max-width": "140px", "background-color": "#64748b", "width": 18,
                                   "height": 18}},
    {"selector": "node[role = 'intervention']", "style": {"background-color": "#2563eb", "shape": "round-rectangle"}},
    {"selector": "node[role = 'outcome']", "style": {"background-color": "#059669"}},
    {"selector": "node[role = 'focus']", "style": {"background-color": "#111827", "width": 26, "height": 26,
                                                   "font-weight": "bold"}},
    {"selector": "edge", "style": {"label": "data(label)", "font-size": "10px", "curve-style": "bezier",
                                   "target-arrow-shape": "triangle", "width": 2, "line-color": "data(colour)",
                                   "target-arrow-color": "data(colour)", "text-background-color": "#ffffff",
                                   "text-background-opacity": 0.8}},
    {"selector": "edge[?speculative]", "style": {"line-style": "dashed"}},
    {"selector": "edge:selected", "style": {"width": 5, "line-color": "data(colour)",
                                            "target-arrow-color": "data(colour)"}},
    {"selector": "node:selected", "style": {"border-width": 3, "border-color": "#f59e0b"}},
]


def elements(graph: ClaimGraph) -> list[dict[str, object]]:
    """Return the network as Cytoscape.js elements: edges labelled by direction and certainty, coloured by it."""
    nodes = [{"data": {"id": n.id, "label": n.label, "role": n.role}} for n in graph.nodes]
    edges = [{"data": {"id": e.id, "source": e.source, "target": e.target,
                       "label": f"{ARROW[e.direction]} {e.certainty}" + (" (speculative)" if e.speculative else ""),
                       "colour": "#7c3aed" if e.speculative else CERTAINTY_COLOUR.get(e.certainty, "#64748b"),
                       "speculative": e.speculative}} for e in graph.edges]
    return [*nodes, *edges]


def network(graph: ClaimGraph, key: str) -> tuple[list[str], list[GraphEdge]]:
    """Draw the network; return the labels of the selected nodes and the selected findings."""
    if not graph.edges:
        st.caption("No finding to draw.")
        return [], []
    st.caption("Click a finding (an arrow) to see its sources; click an entity to open its page. ↑ increase, "
               "↓ decrease, = no difference, ? no verifiable direction; colour is certainty, dashed is speculative.")
    picked = cytoscape(elements(graph), STYLE, height="480px", selection_type="single", key=key,
                       layout={"name": "fcose", "animationDuration": 0, "nodeRepulsion": 9000,
                               "idealEdgeLength": 120}) or {}
    if graph.left_out:
        st.caption(f"{graph.left_out} less certain findings are not drawn, to keep the network readable.")
    labels = {n.id: n.label for n in graph.nodes}
    edges = {e.id: e for e in graph.edges}
    return ([labels[i] for i in picked.get("nodes", []) if i in labels],
            [edges[i] for i in picked.get("edges", []) if i in edges])


def picked_finding(edge: GraphEdge) -> None:
    """Show the finding an edge of the network stands for, with its certainty and every source it cites."""
    st.markdown(f"#### {md_escape(edge.label)}")
    studies = f"{edge.n_studies} {'study' if edge.n_studies == 1 else 'studies'}"
    kind = " · speculative, not established" if edge.speculative else ""
    st.caption(f"{ARROW[edge.direction]} {edge.direction.replace('_', ' ')} · {edge.certainty} certainty · {studies}"
               f"{kind}")
    for c in edge.citations:
        source(c)


def source(c: Citation) -> None:
    """Show one cited study: title, ids as links built from validated ids, the computed badges and the quote."""
    st.markdown(f"**{md_escape(source_line(c))}** {links(c)}".rstrip())
    st.caption(md_escape(badges(c)) + (f" · Not counted: {md_escape(c.note)}" if c.note else ""))
    st.markdown("> " + md_escape(c.quote))


def links(c: Citation) -> str:
    """Return PubMed, DOI and ClinicalTrials.gov links as Markdown, built from validated ids only."""
    return " · ".join(f"[{link.label}]({link.url})" for link in links_for(c.pmid, c.doi, c.nct_id))


def finding(h: Hypothesis) -> None:
    """Show a graded finding: heading, certainty badge, its sources in one line each, then why and the quotes."""
    st.markdown(f"**{md_escape(h.heading)}**  \n{badge(h)} · {md_escape(finding_label(h, certainty=False))}")
    lines = [f"- {tag}: {md_escape(source_line(c))} {links(c)}".rstrip()
             for tag, cites in (("for", h.supporting), ("against", h.contradicting)) for c in cites]
    st.markdown("\n".join(lines))
    with st.expander(f"Why {h.confidence} certainty, and the quotes"):
        for reason in h.confidence_reasons:
            st.markdown("- " + md_escape(reason))
        for tag, cites in (("Supporting", h.supporting), ("Contradicting", h.contradicting)):
            if cites:
                st.markdown(f"**{tag} ({len(cites)})**")
                for c in cites:
                    source(c)


def findings(title: str, found: Sequence[Hypothesis], empty: str) -> None:
    """Show a titled list of findings, or why there are none."""
    st.subheader(title)
    if not found:
        st.caption(empty)
    for h in found:
        finding(h)
