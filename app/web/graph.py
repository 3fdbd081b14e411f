"""Claim graph page: an entity's claims grouped and graded, and a network of findings that opens their sources."""

from __future__ import annotations

import streamlit as st

from app.resources import KnowledgeBase
from app.web import claims as show_claims
from kb.answers import CitedClaim
from kb.claimgraph import EntityView, entity_view, neighbourhood, stored_claims

ENTITY_KEY = "graph_entity"


@st.cache_resource(max_entries=4)
def _claims_at(store: str, n_claims: int, n_docs: int, _kb: KnowledgeBase) -> tuple[list[CitedClaim],
                                                                                    dict[str, set[str]]]:
    """Return the stored claims linked into studies, read again only when an ingest has changed the counts."""
    return stored_claims(_kb.store)


def claims_of(kb: KnowledgeBase) -> tuple[list[CitedClaim], dict[str, set[str]]]:
    """Return every stored claim with its study links (cached per knowledge base and its size)."""
    where = kb.settings.qdrant_url or str(kb.settings.store)
    return _claims_at(where, kb.store.count("claims"), kb.store.count("documents"), kb)


def entity_names(cited: list[CitedClaim]) -> list[str]:
    """Return the interventions and outcomes the claims name, one spelling each, for the entity box."""
    names: dict[str, str] = {}
    for c in cited:
        for e in (c.claim.subject, c.claim.object):
            names.setdefault(e.name.casefold(), e.name)
    return sorted(names.values(), key=str.casefold)


def show(kb: KnowledgeBase) -> None:
    """Lay out the claim graph page."""
    st.header("Claim graph")
    st.caption("Every claim where an entity is the intervention or the outcome, grouped into findings and graded as "
               "an answer grades them, with the network around it.")
    cited, cites = claims_of(kb)
    if not cited:
        st.info("This knowledge base holds no claims yet: ingest some papers or trial records first.")
        return
    picked = st.selectbox("Entity (an intervention or an outcome)", entity_names(cited), index=None, key=ENTITY_KEY,
                          placeholder="Type or pick, e.g. a drug or an outcome", accept_new_options=True)
    if not picked or not picked.strip():
        return
    view = entity_view(cited, cites, picked, kb.lexicon)
    entity_page(view)


def entity_page(view: EntityView) -> None:
    """Show an entity's findings, the claims not counted and the network around it."""
    n = len(view.as_intervention) + len(view.as_outcome)
    if not n and not view.not_counted:
        st.warning(f"No claim in this knowledge base names {view.name} as an intervention or an outcome.")
        return
    st.caption(f"Matched as: {'; '.join(view.forms)} · {n} findings · {len(view.not_counted)} claims not counted")
    # NOTE: a radio, not tabs: the network component lays itself out when drawn, and a hidden tab has no size.
    if st.radio("Show", ["Claims", "Network"], horizontal=True, key=f"graph-show-{view.name}") == "Network":
        nodes, edges = show_claims.network(neighbourhood(view), key=f"graph-{view.name}")
        for label in nodes:
            if label.casefold() != view.name.casefold():
                st.button(f"Open {label}", on_click=_open, args=(label,))
        for edge in edges:
            show_claims.picked_finding(edge)
        return
    show_claims.findings(f"{view.name} as the intervention", view.as_intervention,
                         "No claim tests it as an intervention.")
    show_claims.findings(f"{view.name} as the outcome", view.as_outcome, "No claim measures it as an outcome.")
    if view.not_counted:
        with st.expander(f"Claims naming {view.name} that no finding counts ({len(view.not_counted)})"):
            for c in view.not_counted:
                show_claims.source(c)


def _open(label: str) -> None:
    """Make a clicked entity the page's entity (a callback: it runs before the page is laid out again)."""
    st.session_state[ENTITY_KEY] = label
