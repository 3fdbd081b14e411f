"""A one-page app for AppTest: the Memory page on the knowledge base MEDKB_STORE names."""

import streamlit as st

from app.resources import KnowledgeBase, open_kb
from app.web.memory import show
from kb.config import Settings


@st.cache_resource
def _kb(store: str) -> KnowledgeBase:
    """Open the knowledge base once per store for the test process."""
    return open_kb(Settings(store=store), create=False)


show(_kb(str(Settings().store)))
