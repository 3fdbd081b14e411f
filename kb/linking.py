"""Trials and papers linked both ways in an answer: shared studies, linked citations, registry signals."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kb.answers import Citation, Query
from kb.claims import Claim
from kb.models import Document
from kb.query import terms_match
from kb.records import document_from_hit
from kb.store import Filter, Match, Store
from kb.trials import outcome_switch, trial_paper_links, unpublished_gap

Pair = tuple[Claim, Citation]


@dataclass(frozen=True)
class Links:
    """Documents and the links between them, as far as the store knows."""

    docs: dict[str, Document]
    links: dict[str, set[str]]

    def linked(self, doc_id: str) -> list[Document]:
        """Return the documents linked to one document, in a stable order."""
        return [self.docs[i] for i in sorted(self.links.get(doc_id, ())) if i in self.docs]

    def study_id(self, doc_id: str) -> str:
        """Return one id for a trial and its papers, so they count as one study."""
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
    return Links(docs=found, links=trial_paper_links(found.values()))


def _label(doc: Document) -> str:
    """Return how a linked document is named beside a citation."""
    ident = doc.trial.nct_id if doc.trial else (f"PMID {doc.pmid}" if doc.pmid else doc.source)
    return f"{ident}: {doc.title}"


def link_citations(store: Store, pairs: Sequence[Pair]) -> tuple[list[Pair], Links]:
    """Return the pairs with linked trials/papers named on each citation and one study id per linked group."""
    links = find_links(store, _documents(store, (c.doc_id for _, c in pairs)))
    out = []
    for claim, cite in pairs:
        labels = tuple(_label(d) for d in links.linked(cite.doc_id))
        out.append((claim, cite.model_copy(update={"linked": labels, "study_id": links.study_id(cite.doc_id)})))
    return out, links


def _about(doc: Document, query: Query) -> bool:
    """Return whether a trial concerns an intervention or condition the question names."""
    if doc.trial is None:
        return False
    names = (doc.title, *doc.trial.conditions, *doc.trial.interventions, *doc.mesh_terms)
    wanted = [e for e in query.entities if e.role in ("intervention", "condition", "population")]
    return any(terms_match(e.name, n) or e.name.casefold() in n.casefold() for e in wanted for n in names)


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
