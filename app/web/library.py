"""The Library page: every document, searchable and filterable; one document's metadata, sections and claims;
and uploads from the browser, ingested through the CLI's pipeline."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import streamlit as st

from app import views
from app.resources import KnowledgeBase
from app.uploads import UPLOAD_TYPES, Upload, Uploaded, ingest_uploads
from app.web.sources import joined
from kb.lexicon import Lexicon
from kb.lexicon_file import load_lexicon
from kb.models import Document
from kb.records import claim_from_hit, document_from_hit
from kb.store import Filter, Match, Store

FIELDS = ("title", "year", "study_design", "sample_size", "kind", "notices", "source", "pmid", "doi", "nct_id",
          "pmcid")
KINDS = {"pdf": "PDF", "trial": "trial", "text": "text", "markdown": "text"}
DOC = "library_doc"
DONE = "library_uploaded"
TAB, GOTO = "library_tab", "library_goto"
SECTION_CHARS = 20_000


def kind_label(kind: str) -> str:
    """Return what a user calls a document kind: paper, trial, PDF or text."""
    return KINDS.get(kind, "paper")


def primary_link(p: dict[str, Any]) -> str | None:
    """Return the page a document is best opened at: PubMed, ClinicalTrials.gov or its DOI."""
    ids = views.links(p.get("pmid"), p.get("doi"), None, p.get("nct_id"))
    return ids.split("](", 1)[1].split(")", 1)[0] if ids else None


def library_rows(store: Store) -> list[dict[str, Any]]:
    """Return one row per stored document: title, year, design, n, kind, notices, claim count, link."""
    claims = Counter(h.payload.get("doc_id") for h in store.scroll("claims", fields=("doc_id",)))
    rows = []
    for h in store.scroll("documents", fields=FIELDS):
        p = h.payload
        rows.append({"id": h.id, "title": p.get("title") or p.get("source", "").rsplit("/", 1)[-1],
                     "year": p.get("year"), "design": (p.get("study_design") or "unknown").replace("_", " "),
                     "n": p.get("sample_size"), "kind": kind_label(p.get("kind", "")),
                     "notices": ", ".join(n.replace("_", " ") for n in p.get("notices") or ()),
                     "claims": claims.get(h.id, 0), "link": primary_link(p), "source": p.get("source", "")})
    return sorted(rows, key=lambda r: (-(r["year"] or 0), r["title"].casefold()))


@st.cache_data(max_entries=4, show_spinner=False)
def _cached_rows(_store: Store, key: str, stamp: tuple[int, ...]) -> list[dict[str, Any]]:
    """Return the library rows, read again whenever the store's counts or its lexicon file change."""
    return library_rows(_store)


def rows_of(kb: KnowledgeBase) -> list[dict[str, Any]]:
    """Return the library rows of the open knowledge base (cached while nothing is ingested)."""
    path = kb.lexicon_path
    stamp = (kb.store.count("documents"), kb.store.count("claims"), path.stat().st_mtime_ns if path.exists() else 0)
    return _cached_rows(kb.store, str(kb.settings.store), stamp)


def matching(rows: Sequence[dict[str, Any]], text: str, kinds: Sequence[str], designs: Sequence[str],
             notices_only: bool) -> list[dict[str, Any]]:
    """Return the rows whose title, source or link holds the text, of the chosen kinds and designs."""
    words = text.casefold().split()

    def fits(r: dict[str, Any]) -> bool:
        hay = f"{r['title']} {r['source']} {r['link'] or ''} {r['year'] or ''}".casefold()
        return (all(w in hay for w in words) and (not kinds or r["kind"] in kinds)
                and (not designs or r["design"] in designs) and (r["notices"] or not notices_only))

    return [r for r in rows if fits(r)]


def _table(rows: list[dict[str, Any]]) -> None:
    """Show the documents; a clicked row opens that document below."""
    def picked() -> None:
        chosen = st.session_state["library_table"].selection.rows
        if chosen:
            st.session_state[DOC] = rows[chosen[0]]["id"]

    cfg = st.column_config
    st.dataframe(rows, hide_index=True, on_select=picked, selection_mode="single-row", key="library_table",
                 column_order=("title", "year", "design", "n", "kind", "notices", "claims", "link"),
                 column_config={"title": cfg.TextColumn("Title", width="large"),
                                "year": cfg.NumberColumn("Year", format="%d"), "design": cfg.TextColumn("Design"),
                                "n": cfg.NumberColumn("n", help="Participants (sample size)"),
                                "kind": cfg.TextColumn("Kind"),
                                "notices": cfg.TextColumn("Editorial notices"), "claims": cfg.NumberColumn("Claims"),
                                "link": cfg.LinkColumn("Link", display_text="open")})


def documents(kb: KnowledgeBase) -> None:
    """Lay out the searchable, filterable table and the chosen document."""
    rows = rows_of(kb)
    cols = st.columns((3, 2, 2, 1.3), vertical_alignment="bottom")
    text = cols[0].text_input("Find documents", placeholder="title, file name, PMID, NCT id, year",
                              key="library_search")
    kinds = cols[1].multiselect("Kind", sorted({r["kind"] for r in rows}), placeholder="All kinds")
    designs = cols[2].multiselect("Design", sorted({r["design"] for r in rows}), placeholder="All designs")
    notices_only = cols[3].checkbox("With notices", help="Only documents with a retraction, an expression of "
                                    "concern or a correction.")
    shown = matching(rows, text, kinds, designs, notices_only)
    st.caption(f"{len(shown):,} of {len(rows):,} documents")
    _table(shown)
    titles = {r["id"]: f"{r['title']} ({r['year'] or 'n.d.'})" for r in rows}
    if st.session_state.get(DOC) not in titles:  # NOTE: also a document an ingest replaced since.
        st.session_state[DOC] = None
    chosen = st.selectbox("Open a document", list(titles), format_func=titles.__getitem__, key=DOC,
                          placeholder="Pick a document, or click its row above")
    if chosen:
        document_view(kb, chosen)


def _facts(doc: Document) -> list[str]:
    """Return the document's metadata lines: kind, design, size, year and journal; authors; source; trial facts."""
    n = f"n = {doc.sample_size:,}" if doc.sample_size is not None else "n not reported"
    facts = (kind_label(doc.kind), doc.study_design.replace("_", " "), n, str(doc.year or "n.d."), doc.journal)
    lines = [" · ".join(x for x in facts if x),
             ", ".join(doc.authors[:8]) + (" et al." if len(doc.authors) > 8 else ""),
             f"Source: {doc.source}"]
    if doc.trial:
        t = doc.trial
        lines.append(" · ".join(x for x in (t.overall_status, ", ".join(t.phase), t.allocation,
                                            f"enrollment {t.enrollment.count} ({t.enrollment.type.lower()})"
                                            if t.enrollment.count is not None else "",
                                            "results posted" if t.has_results else "no results posted") if x))
        lines.append("Conditions: " + ", ".join(t.conditions) + " · Interventions: " + ", ".join(t.interventions))
    return [line for line in lines if line.strip()]


def document_view(kb: KnowledgeBase, doc_id: str) -> None:
    """Show one document: its metadata, notices, sections and the claims read from it."""
    hits = kb.store.retrieve("documents", [doc_id])
    if not hits:
        st.warning("This document is no longer in the knowledge base.")
        return
    doc = document_from_hit(hits[0])
    st.subheader(views.md_escape(doc.title or doc.source))
    if doc.notices:
        st.markdown(views.notices(doc.notices) + " — a retracted paper is never counted as evidence.")
    ids = views.links(doc.pmid, doc.doi, doc.pmcid, doc.trial.nct_id if doc.trial else None)
    if ids:
        st.markdown(ids)
    for line in _facts(doc):
        st.caption(views.md_escape(line))
    claims = [claim_from_hit(h) for h in kb.store.scroll("claims", Filter(must=(Match("doc_id", doc_id),)))]
    st.markdown(f"**Claims ({len(claims)})**")
    if claims:
        st.dataframe([{"intervention": c.subject.name, "finding": c.predicate.replace("_", " "),
                       "outcome": c.object.name, "comparator": c.comparator, "design": c.study_design,
                       "n": c.sample_size, "page": c.quote.page, "quote": c.quote.text}
                      for c in sorted(claims, key=lambda c: c.quote.start)], hide_index=True)
    st.markdown(f"**Sections ({len(doc.sections)})**")
    for section in doc.sections or ():
        pages = f", p. {section.page_start}" if section.page_start else ""
        with st.expander(views.md_escape(f"{section.title or section.kind}{pages}")):
            body = joined(doc.text[section.start:section.end])
            st.markdown(views.md_escape(body[:SECTION_CHARS]) + (" …" if len(body) > SECTION_CHARS else ""))


def _fresh_lexicon(kb: KnowledgeBase) -> KnowledgeBase:
    """Return the knowledge base with its saved lexicon read anew: an ingest adds to it, and the app's is shared."""
    saved = load_lexicon(kb.lexicon_path, kb.settings.store) if kb.lexicon_path.exists() else Lexicon.empty()
    return replace(kb, saved=saved)


def _ingest(kb: KnowledgeBase, files: Sequence[Upload]) -> Uploaded:
    """Ingest the uploads with a progress bar naming the file being read."""
    bar = st.progress(0.0, text="Starting…")
    seen = [0]

    def step(path: str) -> None:
        seen[0] += 1
        bar.progress(min(seen[0] / len(files), 1.0), text=f"Reading {views.md_escape(path.rsplit('/', 1)[-1])} "
                     f"({seen[0]} of {len(files)})")

    done = ingest_uploads(_fresh_lexicon(kb), files, step)
    bar.empty()
    return done


def _count(n: int, what: str) -> str:
    """Return '1 claim' or '3 claims'."""
    return f"{n:,} {what}{'' if n == 1 else 's'}"


def _outcome(done: Uploaded) -> None:
    """Say what the last upload stored, and each file that failed or was passed over, with the reason."""
    r = done.report
    if r.documents or r.unchanged:
        st.success(f"Stored {_count(r.documents, 'new or changed document')} ({_count(r.chunks, 'passage')}, "
                   f"{_count(r.claims, 'claim')}); {r.unchanged} already in the knowledge base.")
    for path, reason in done.refused + [(done.name_of(p), why) for p, why in (*r.failed, *r.skipped)]:
        st.error(f"{views.md_escape(done.name_of(path))}: {views.md_escape(reason)}")
    if r.stopped:
        st.error(f"The ingest stopped: {views.md_escape(r.stopped)}")


def upload(kb: KnowledgeBase) -> None:
    """Lay out the uploader; the files are stored under the knowledge base and ingested when the button is pressed."""
    limit = kb.settings.upload_max_mb
    st.caption(f"PDFs, PubMed or PMC (JATS) XML, MEDLINE text, ClinicalTrials.gov JSON or XML, plain text and "
               f"Markdown; up to {limit} MB a file. Kept in {views.md_escape(str(kb.settings.store))}/sources/uploads.")
    round_ = st.session_state.setdefault("library_upload_round", 0)
    files = st.file_uploader("Files to add", type=list(UPLOAD_TYPES), accept_multiple_files=True,
                             max_upload_size=limit, key=f"library_upload_{round_}")
    if files and st.button("Add to the knowledge base", type="primary"):
        st.session_state[DONE] = _ingest(kb, [Upload(f.name, f.getvalue()) for f in files])
        st.session_state["library_upload_round"] = round_ + 1  # NOTE: a new key empties the uploader.
        st.session_state[GOTO] = "Documents"  # NOTE: the tabs' state can change only before they are laid out.
        st.rerun()


def show(kb: KnowledgeBase) -> None:
    """Lay out the Library page: what the last upload did, the documents, and adding more."""
    st.title("Library")
    if DONE in st.session_state:
        _outcome(st.session_state.pop(DONE))
    if GOTO in st.session_state:
        st.session_state[TAB] = st.session_state.pop(GOTO)
    browse, add = st.tabs(["Documents", "Add documents"], key=TAB, on_change="rerun")
    if browse.open:  # NOTE: only the open tab runs, so adding files never reads every document first.
        with browse:
            documents(kb)
    if add.open:
        with add:
            upload(kb)
