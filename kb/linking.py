"""Which cited documents are one study, and which cite which: trials and their papers, syntheses and their trials.

A trial and the papers reporting it share one study id; a meta-analysis or systematic review lists the studies
of the answer it names (PMID, NCT id or trial acronym), so it is not added to its own trials; `cites` says which
document names which, for spotting a review restating another study's result.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.answers import CitedClaim, Query
from kb.models import Document, StudyDesign
from kb.records import document_from_hit
from kb.store import Filter, Match, Store
from kb.abbrev import abbreviations
from kb.terms import occurs_any
from kb.trials import outcome_switch, trial_paper_links, unpublished_gap

SYNTHESES: frozenset[StudyDesign] = frozenset({"meta_analysis", "systematic_review"})
# NOTE: a trial acronym in a title: "(ZEPHYR-1)", "(SYGMA 2)", "(PROSPER)"; short all-caps words like (COPD) are not.
_ACRONYM = re.compile(r"\(([A-Z][A-Z0-9]{2,}(?:-[A-Z0-9]+)?(?: [0-9]{1,2})?)\)")


@dataclass(frozen=True)
class Links:
    """Documents and the links between them, as far as the store knows."""

    docs: dict[str, Document]
    links: dict[str, set[str]]
    cites: dict[str, set[str]]

    def linked(self, doc_id: str) -> list[Document]:
        """Return the documents linked to one document, in a stable order."""
        return [self.docs[i] for i in sorted(self.links.get(doc_id, ())) if i in self.docs]

    def study_id(self, doc_id: str) -> str:
        """Return one id for a trial, its papers and a synthesis of it, so they count as one study."""
        seen, todo = {doc_id}, [doc_id]
        while todo:
            for other in self.links.get(todo.pop(), ()):
                if other not in seen:
                    seen.add(other)
                    todo.append(other)
        return min(seen)


def _documents(store: Store, ids: Iterable[str]) -> list[Document]:
    """Return stored documents by id."""
    wanted = sorted(set(ids))
    return [document_from_hit(h) for h in store.retrieve("documents", wanted)] if wanted else []


def trial_names(doc: Document) -> list[str]:
    """Return the trial acronyms a document's title gives ("ZEPHYR-1")."""
    return [a for a in _ACRONYM.findall(doc.title) if any(c.isdigit() for c in a) or len(a) >= 5]


def names_of(doc: Document) -> list[str]:
    """Return how another document may name this one: PMID, NCT ids, trial acronyms."""
    ids = [doc.pmid] if doc.pmid else []
    ids += [doc.trial.nct_id] if doc.trial else list(doc.nct_ids)
    return [*ids, *trial_names(doc)]


def citations_among(docs: Sequence[Document]) -> dict[str, set[str]]:
    """Map each document to the other documents it names in its text (PMID, NCT id or trial acronym)."""
    owner: dict[str, set[str]] = {}
    for doc in docs:
        for name in names_of(doc):
            owner.setdefault(name, set()).add(doc.id)
    if not owner:
        return {}
    names = "|".join(map(re.escape, sorted(owner, key=len, reverse=True)))
    pattern = re.compile(rf"(?<![\w-])({names})(?![\w-])")
    cites: dict[str, set[str]] = {}
    for doc in docs:
        named = {i for m in pattern.finditer(doc.text) for i in owner[m.group(1)]} - {doc.id}
        if named:
            cites[doc.id] = named
    return cites


def find_links(store: Store, docs: Sequence[Document]) -> Links:
    """Return the given documents plus every stored trial or paper linked to them."""
    ncts = sorted({n for d in docs for n in d.nct_ids} | {d.trial.nct_id for d in docs if d.trial})
    pmids = sorted({p for d in docs if d.trial for p in d.trial.reference_pmids} | {d.pmid for d in docs if d.pmid})
    found = {d.id: d for d in docs}
    queries = [Match("nct_ids", any_of=tuple(ncts)) if ncts else None,
               Match("pmid", any_of=tuple(pmids)) if pmids else None]
    for match in filter(None, queries):
        for hit in store.scroll("documents", Filter(must=(match,))):
            found.setdefault(hit.id, document_from_hit(hit))
    return Links(docs=found, links=trial_paper_links(found.values()), cites=citations_among(list(found.values())))


def _label(doc: Document) -> str:
    """Return how a linked document is named beside a citation."""
    ident = doc.trial.nct_id if doc.trial else (f"PMID {doc.pmid}" if doc.pmid else doc.source)
    return f"{ident}: {doc.title}"


def link_citations(store: Store, cited: Sequence[CitedClaim]) -> tuple[list[CitedClaim], Links]:
    """Return the cited claims with linked trials/papers named, one study id per study, and document abbreviations."""
    links = find_links(store, _documents(store, (c.claim.doc_id for c in cited)))
    defined = {i: tuple(abbreviations(d.text).items()) for i, d in links.docs.items()}
    out = []
    for c in cited:
        doc_id = c.claim.doc_id
        source = c.source.model_copy(update={"abbreviations": defined.get(doc_id, ())})
        out.append(c.model_copy(update={"linked": tuple(_label(d) for d in links.linked(doc_id)),
                                        "study_id": links.study_id(doc_id), "source": source,
                                        "includes": included(links, doc_id)}))
    return out, links


def included(links: Links, doc_id: str) -> tuple[str, ...]:
    """Return the study ids a synthesis names among the answer's documents (none for any other design)."""
    doc = links.docs.get(doc_id)
    if doc is None or doc.study_design not in SYNTHESES:
        return ()
    named = links.cites.get(doc_id, set())
    return tuple(sorted({links.study_id(o) for o in named if links.docs[o].study_design not in SYNTHESES}))


def _about(doc: Document, query: Query) -> bool:
    """Return whether a trial concerns an intervention or condition the question names."""
    if doc.trial is None:
        return False
    names = (doc.title, *doc.trial.conditions, *doc.trial.interventions, *doc.mesh_terms)
    wanted = [e for e in query.entities if e.role in ("intervention", "condition", "population")]
    return any(occurs_any(e.forms(), n) for e in wanted for n in names)


def trial_signals(store: Store, query: Query, trial_ids: Iterable[str], links: Links) -> tuple[list[str], list[str]]:
    """Return (gaps, warnings): finished-unpublished trials and possible outcome switching, for this question."""
    trials = [d for d in _documents(store, trial_ids) if _about(d, query)]
    extra = find_links(store, trials)
    gaps, warnings = [], []
    for trial in trials:
        papers = [d for d in extra.linked(trial.id) if d.trial is None]
        if (gap := unpublished_gap(trial, papers)) is not None:
            gaps.append(gap)
        warnings += [w for p in papers if (w := outcome_switch(trial, p)) is not None]
    for doc_id, doc in links.docs.items():
        if doc.trial is not None and doc_id not in extra.docs:
            papers = [d for d in links.linked(doc_id) if d.trial is None]
            warnings += [w for p in papers if (w := outcome_switch(doc, p)) is not None]
    return list(dict.fromkeys(gaps)), list(dict.fromkeys(warnings))
