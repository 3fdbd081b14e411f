"""MedKB web app: ask questions (hypotheses, certainty, sources as they look) and keep a library of documents."""

from __future__ import annotations

import os

from app.__main__ import QUIET_ENVIRONMENT

if __name__ == "__main__":  # NOTE: streamlit runs this file as __main__: quiet the libraries before they load.
    for _name, _value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(_name, _value)

import argparse  # noqa: E402 - after the quiet settings, which must precede every library's loading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from importlib import import_module
from pathlib import Path

import streamlit as st

from app import views
from app.console import kb_counts
from app.resources import KnowledgeBase, open_kb
from kb.answers import DISCLAIMER
from kb.config import Settings
from kb.embed import Embedder, make_embedder
from kb.errors import MedKBError, StoreBusy
from kb.lexicon import Lexicon
from kb.lexicon_file import load_lexicon


@dataclass(frozen=True)
class PageSpec:
    """One page of the app: its title and the module whose `show(kb)` lays it out."""

    title: str
    module: str

    @property
    def url(self) -> str:
        """Return the page's path in the address bar (the module's name)."""
        return self.module.rsplit(".", 1)[-1]


# NOTE: the one list of pages, in the order the sidebar shows them; the first is the home page. No page icons:
# Streamlit fetches a Material icon's favicon from fonts.gstatic.com, and nothing may leave the machine.
PAGES: tuple[PageSpec, ...] = (
    PageSpec("Ask", "app.web.ask"),
    PageSpec("Library", "app.web.library"),
    PageSpec("Memory", "app.web.memory"),
    PageSpec("Claim graph", "app.web.graph"),
    PageSpec("Topic map", "app.web.topic"),
)


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


def sidebar(kb: KnowledgeBase) -> None:
    """Show which knowledge base is open, what it holds, and the disclaimer."""
    with st.sidebar:
        st.markdown("**Knowledge base**")
        st.caption(views.md_escape(str(kb.settings.store)))
        for name, n in kb_counts(kb.store).items():
            st.caption(f"{name}: {n:,}")
        st.info(DISCLAIMER)


def serve(store: Path, module: str) -> None:
    """Run one page with the knowledge base open for this run only; MedKB errors become messages."""
    try:
        with knowledge_base(store) as kb:
            sidebar(kb)
            import_module(module).show(kb)
    except StoreBusy:
        st.info("An ingest is updating this knowledge base right now; ask again when it has finished (the page "
                "shows what it stored as soon as it is done).")
    except MedKBError as exc:
        st.error(str(exc))


def main() -> None:
    """Lay out the app: the pages in the sidebar, the chosen one served on the knowledge base."""
    st.set_page_config(page_title="MedKB", layout="wide")
    store = (_store_arg() or Settings().store).resolve()
    pages = [st.Page(partial(serve, store, p.module), title=p.title, url_path=p.url, default=not i)
             for i, p in enumerate(PAGES)]
    st.navigation(pages).run()


if __name__ == "__main__":  # NOTE: streamlit runs this file as __main__; imports stay inert.
    main()
