"""Streamlit display pieces: hypotheses, citations, links to the literature and sources as they look."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import quote as url_quote

import streamlit as st

from app.console import badges, where
from app.web.sources import excerpt, page_image
from kb.report.wording import direction_label
from kb.answers import Answer, Citation, Hypothesis
from kb.models import Document

PAGE_WIDTH = 760  # NOTE: pixels: a page as wide as the text column, readable without dwarfing the answer
BADGE_COLOR = {"high": "green", "moderate": "blue", "low": "orange", "very low": "red"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")
# NOTE: only well-formed ids become links, so stored text can never make a link to anywhere else.
_PMID, _PMCID, _NCT = re.compile(r"\d{1,9}"), re.compile(r"PMC\d{1,12}"), re.compile(r"NCT\d{8}")
_DOI = re.compile(r"10\.\d{4,9}/\S+")


def md_escape(text: str) -> str:
    """Escape Markdown so source text shows as text, never as links or markup."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def badge(h: Hypothesis) -> str:
    """Return a coloured Markdown badge for a hypothesis' certainty."""
    if h.speculative:
        return ":violet-badge[SPECULATIVE — not established]"
    return f":{BADGE_COLOR.get(h.confidence, 'gray')}-badge[certainty: {h.confidence}]"


def links(pmid: str | None, doi: str | None, pmcid: str | None = None, nct_id: str | None = None) -> str:
    """Return Markdown links to PubMed, the DOI, PubMed Central and ClinicalTrials.gov for the ids given."""
    out = []
    if pmid and _PMID.fullmatch(pmid):
        out.append(f"[PMID {pmid}](https://pubmed.ncbi.nlm.nih.gov/{pmid}/)")
    if pmcid and _PMCID.fullmatch(pmcid):
        out.append(f"[{pmcid}](https://pmc.ncbi.nlm.nih.gov/articles/{pmcid}/)")
    if nct_id and _NCT.fullmatch(nct_id):
        out.append(f"[{nct_id}](https://clinicaltrials.gov/study/{nct_id})")
    if doi and _DOI.fullmatch(doi):
        out.append(f"[doi:{md_escape(doi)}](https://doi.org/{url_quote(doi, safe='/;:._-')})")
    return " · ".join(out)


def notices(found: tuple[str, ...]) -> str:
    """Return editorial notices (retraction, concern, correction) as orange badges."""
    return " ".join(f":orange-badge[{n.replace('_', ' ')}]" for n in found)


def citation(c: Citation, key: str, doc: Document | None) -> None:
    """Show one citation: source and its links, study facts, verbatim quote, and the source as it looks."""
    ids = links(c.pmid, c.doi, doc.pmcid if doc else None, c.nct_id)
    st.markdown(f"**{md_escape(c.title or c.source)}** ({c.year or 'n.d.'}) {ids} {notices(c.notices)}".rstrip())
    extraction = f"extraction confidence {c.extraction_confidence:.2f} ({c.extractor})" if c.extractor else ""
    # NOTE: a file name is the uploader's text: escaped, so "![x](http://…)" shows as text and fetches nothing.
    st.caption(md_escape(" · ".join(x for x in (badges(c), where(c), extraction, c.source) if x)))
    if c.note:
        st.caption(f"Not counted: {md_escape(c.note)}")
    st.markdown("> " + md_escape(c.quote))
    if doc is not None:
        with st.expander("Open the source passage", expanded=False):
            source(doc, c, key)


def hypothesis(h: Hypothesis, idx: int, docs: Mapping[str, Document]) -> None:
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
                citation(c, f"{idx}-{label}-{j}", docs.get(c.doc_id))


def sections(a: Answer) -> None:
    """Show what is known, what is uncertain or conflicting, and what is missing."""
    cols = st.columns(3)
    for col, (title, lines) in zip(cols, (("What we know", a.known), ("Uncertain or conflicting", a.uncertain),
                                          ("What is missing", a.gaps)), strict=True):
        with col:
            st.markdown(f"**{title}**")
            for line in lines or ("—",):
                st.markdown("- " + md_escape(line))


def marked(doc: Document, c: Citation) -> str:
    """Return the quote's paragraph as Markdown, the quote highlighted, cut at whole sentences."""
    e = excerpt(doc, c.start, c.end)
    before = ("… " if e.cut_before else "") + md_escape(e.before)
    after = md_escape(e.after) + (" …" if e.cut_after else "")
    return f"{before} :orange-background[{md_escape(e.quote)}] {after}".strip()


@st.cache_data(max_entries=64, show_spinner=False)
def _rendered(path: str, stamp: int, page: int, quote: str) -> tuple[bytes, int, bool]:
    """Return a PDF page as PNG with the quote highlighted (kept while the file is unchanged)."""
    image = page_image(Path(path), page, quote)
    return image.png, image.pages, image.found


def source(doc: Document, c: Citation, key: str) -> None:
    """Show where a quote stands: the PDF page with the quote highlighted, and its paragraph as text."""
    path = Path(doc.source)
    if doc.kind == "pdf" and c.page:
        try:
            png, pages, found = _rendered(str(path), path.stat().st_mtime_ns, c.page, c.quote)
        except (OSError, RuntimeError, ValueError) as exc:  # NOTE: moved, deleted or no longer readable.
            st.caption(f"The page cannot be shown: {md_escape(str(exc))}")
        else:
            st.image(png, width=PAGE_WIDTH, caption=f"{md_escape(path.name)}, page {c.page} of {pages}"
                     + ("" if found else " (the quote could not be located on the page image)"))
    st.markdown(marked(doc, c))


def related(a: Answer, docs: Mapping[str, Document], first: int = 5) -> None:
    """Show the passages retrieved but not counted, apart from the hypotheses, each with its reason; past the first
    few only when asked (they can outnumber the evidence many times)."""
    if not a.related:
        return
    st.subheader("Related passages — not counted as evidence for this question")
    shown = a.related
    if len(a.related) > first and not st.toggle(f"Show all {len(a.related)} related passages", key="related_all"):
        shown = a.related[:first]
    for j, c in enumerate(shown):
        citation(c, f"related-{j}", docs.get(c.doc_id))
