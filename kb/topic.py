"""The topic map of a condition: what we know, what is uncertain, what we know we don't know, what we might know.

Every intervention and outcome the knowledge base holds on a condition, graded per finding as an answer grades it
(kb.claimgraph), laid out as an intervention x outcome grid; gaps are read from the findings, the documents and
the trial records (completed without results, still running); speculative findings are kept apart.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from pydantic import Field

from kb.answers import DISCLAIMER, Citation, Hypothesis, Query, QueryEntity
from kb.claimgraph import ClaimGraph, Graded, entity, network, ordered, per_intervention, stored_claims
from kb.grade import RANDOMISED, design_phrase
from kb.report.wording import design_label
from kb.lexicon import Lexicon, fold
from kb.linking import find_links, trial_signals
from kb.models import Document, Frozen
from kb.records import document_from_hit
from kb.sections import answer_sections
from kb.store import Store
from kb.terms import occurs_any

# NOTE: the fields a document is "on" a condition by: what it is indexed, titled or registered under.
ON_FIELDS = ("title", "mesh_terms", "keywords", "trial", "kind", "study_design", "nct_ids", "pmid", "doi", "source",
             "year")
RUNNING = ("RECRUITING", "NOT_YET_RECRUITING", "ACTIVE_NOT_RECRUITING", "ENROLLING_BY_INVITATION")
# NOTE: the populations a reader asks about first; a MeSH age heading names them exactly, a title or a read
# population in words.
POPULATIONS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "children": (("child", "child, preschool", "infant", "infant, newborn"),
                 ("children", "child", "paediatric", "pediatric", "infants")),
    "adolescents": (("adolescent",), ("adolescents", "adolescent", "teenagers")),
    "adults": (("adult", "young adult", "middle aged"), ("adults", "adult")),
    "older adults": (("aged", "aged, 80 and over"), ("older adults", "elderly", "older people", "older patients")),
    "pregnant women": (("pregnancy",), ("pregnant", "pregnancy")),
}


class Cell(Frozen):
    """One square of the grid: every graded finding of one intervention on one outcome."""

    intervention: str
    outcome: str
    findings: tuple[Hypothesis, ...]

    @property
    def lead(self) -> Hypothesis:
        """Return the finding the cell is shown by: the most certain, best studied one."""
        return self.findings[0]


class TopicMap(Frozen):
    """What the knowledge base holds on one condition, graded, with its gaps."""

    condition: str
    forms: tuple[str, ...] = Field(description="The names the condition was matched under.")
    documents: int = Field(description="Documents on the condition (title, MeSH, keywords, registered "
                                       "conditions or a studied population naming it).")
    interventions: tuple[str, ...] = ()
    outcomes: tuple[str, ...] = ()
    cells: tuple[Cell, ...] = ()
    known: tuple[str, ...] = ()
    uncertain: tuple[str, ...] = ()
    gaps: tuple[str, ...] = ()
    might: tuple[str, ...] = Field(default=(), description="What we might know: trials still running.")
    speculative: tuple[Hypothesis, ...] = ()
    not_counted: tuple[Citation, ...] = ()
    disclaimer: str = DISCLAIMER

    def cell(self, intervention: str, outcome: str) -> Cell | None:
        """Return the cell of one intervention and outcome, if the knowledge base has a finding there."""
        return next((c for c in self.cells if (c.intervention, c.outcome) == (intervention, outcome)), None)


def is_on(doc: Document, forms: Sequence[str]) -> bool:
    """Return whether a document is on a condition: its title, MeSH, keywords or registered conditions name it."""
    names = (doc.title, *doc.mesh_terms, *doc.keywords, *(doc.trial.conditions if doc.trial else ()),
             *(doc.trial.condition_mesh if doc.trial else ()))
    return any(occurs_any(forms, n) for n in names if n)


def documents_on(store: Store, forms: Sequence[str]) -> dict[str, Document]:
    """Return the documents on a condition, and those with a claim whose studied population names it."""
    found: dict[str, Document] = {}
    for hit in store.scroll("documents", fields=ON_FIELDS):
        doc = _light(hit.id, hit.payload)
        if is_on(doc, forms):
            found[doc.id] = doc
    by_population = {h.payload["doc_id"] for h in store.scroll("claims", fields=("doc_id", "population"))
                     if occurs_any(forms, h.payload.get("population") or "")} - set(found)
    for hit in store.retrieve("documents", sorted(by_population)):
        found[hit.id] = document_from_hit(hit)
    return found


def _light(doc_id: str, payload: Mapping[str, object]) -> Document:
    """Return a document read without its text (a topic needs its headings, not its words)."""
    data = {k: v for k, v in payload.items() if k in ON_FIELDS and v is not None}
    return Document.model_validate({"id": doc_id, "kind": "text", "source": "", "content_hash": "", "text": "",
                                    **data})


def topic_map(store: Store, lexicon: Lexicon | None, condition: str) -> TopicMap:
    """Return the topic map of a condition from what the knowledge base holds."""
    asked = entity(condition, "condition", lexicon, "condition")
    docs = documents_on(store, asked.forms())
    cited, cites = stored_claims(store, docs)
    found, not_counted = per_intervention(cited, cites, lexicon, asked)
    trials = [d for d in docs.values() if d.trial is not None]
    query = Query(question=condition, entities=(asked,))
    gaps, warnings = trial_signals(store, query, [d.id for d in trials], find_links(store, []))
    return assemble(asked, len(docs), found, not_counted, docs, extra_gaps=gaps, warnings=warnings,
                    might=running(trials))


def assemble(asked: QueryEntity, n_docs: int, found: Sequence[Graded], not_counted: Sequence[Citation],
             docs: Mapping[str, Document], *, extra_gaps: Sequence[str] = (), warnings: Sequence[str] = (),
             might: Sequence[str] = ()) -> TopicMap:
    """Return the topic map of graded findings: the grid, the sections and the gaps."""
    firm = [(k, h) for k, h in found if not h.speculative]
    cells = grid(firm)
    known, uncertain = answer_sections([c.lead for c in cells])
    gaps = [*randomised_gaps(cells), *population_gaps(asked, [h for _, h in firm], docs), *extra_gaps]
    if not n_docs:
        gaps.insert(0, f"No document in this knowledge base names {asked.text} in its title, MeSH terms, keywords, "
                       "registered conditions or studied population")
    elif not firm:
        beyond = " beyond speculative ones" if found else ""
        gaps.insert(0, f"No finding on {asked.text}{beyond} could be graded from the {n_docs} "
                       f"document{'s' if n_docs > 1 else ''} naming it")
    return TopicMap(condition=asked.text, forms=asked.forms(), documents=n_docs,
                    interventions=tuple(dict.fromkeys(c.intervention for c in cells)),
                    outcomes=tuple(sorted({c.outcome for c in cells}, key=str.casefold)), cells=tuple(cells),
                    known=tuple(known), uncertain=tuple(dict.fromkeys([*uncertain, *warnings])),
                    gaps=tuple(dict.fromkeys(gaps)), might=tuple(might),
                    speculative=tuple(ordered(h for _, h in found if h.speculative)),
                    not_counted=tuple({(c.doc_id, c.start, c.end): c for c in not_counted}.values()))


def grid(found: Iterable[Graded]) -> list[Cell]:
    """Return the findings as cells, one per intervention and outcome (as the answer path groups outcomes)."""
    cells: dict[tuple[str, str], list[Hypothesis]] = {}
    names: dict[str, str] = {}
    for key, h in found:
        names.setdefault(key[0], h.intervention)
        # NOTE: the column is named by the outcome as its first finding words it; the key folds the variants.
        names.setdefault(key[2], h.outcome)
        cells.setdefault((key[0], key[2]), []).append(h)
    out = [Cell(intervention=names[i], outcome=names[o], findings=tuple(ordered(hs))) for (i, o), hs in cells.items()]
    return sorted(out, key=lambda c: (c.intervention.casefold(), c.outcome.casefold()))


def randomised_gaps(cells: Sequence[Cell]) -> list[str]:
    """Return, per intervention, the outcomes it has findings on but no randomised study behind them."""
    lacking: dict[str, list[str]] = {}
    designs: dict[str, set[str]] = {}
    for c in cells:
        found = {d for h in c.findings for d in h.designs}
        if not RANDOMISED.intersection(found):
            lacking.setdefault(c.intervention, []).append(c.outcome)
            designs.setdefault(c.intervention, set()).update(found)
    return [f"No randomised evidence for {i} on {_listed(outcomes)}: only "
            f"{', '.join(design_label(d) for d in sorted(designs[i]))} evidence" for i, outcomes in lacking.items()]


def _listed(names: Sequence[str], last: str = "and") -> str:
    """Return names as 'a, b and c'."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} {last} {names[-1]}"


def _in(group: str, cite: Citation, doc: Document | None) -> bool:
    """Return whether a cited study is in a population group: by a MeSH age heading, its title or its population."""
    mesh, words = POPULATIONS[group]
    if doc is not None and any(fold(m) in mesh for m in doc.mesh_terms):
        return True
    return any(occurs_any(words, t) for t in (cite.title, cite.population or ""))


def population_gaps(asked: QueryEntity, findings: Sequence[Hypothesis], docs: Mapping[str, Document]) -> list[str]:
    """Return the population groups no graded study names, and those only non-randomised studies name."""
    cites = [c for h in findings for c in (*h.supporting, *h.contradicting)]
    unnamed, notes = [], []
    for group in POPULATIONS:
        inside = [c for c in cites if _in(group, c, docs.get(c.doc_id))]
        if not inside and cites:
            unnamed.append(group)
        elif inside and not RANDOMISED.intersection(c.study_design for c in inside):
            notes.append(f"No randomised evidence on {asked.text} in {group}: only "
                         f"{design_phrase(sorted({c.study_design for c in inside}))}")
    if unnamed:
        # NOTE: said as what was checked: a trial record carries no MeSH age heading, so absence of a name is
        # not absence of the population.
        notes.insert(0, f"No graded study on {asked.text} names {_listed(unnamed, 'or')} in its MeSH age headings, "
                        "title or studied population")
    return notes


def running(trials: Iterable[Document]) -> list[str]:
    """Return a line for every trial on the condition still running: results that may come."""
    notes = []
    for d in trials:
        info = d.trial
        if info is not None and info.overall_status in RUNNING:
            when = f", completion expected {info.completion_date}" if info.completion_date else ""
            notes.append(f"{info.nct_id} ({d.title}) is registered as {info.overall_status.replace('_', ' ').lower()}"
                         f"{when}: its results are not in yet")
    return notes


def topic_graph(topic: TopicMap, limit: int = 40) -> ClaimGraph:
    """Return the network of a topic's findings, speculative ones included and marked."""
    return network([*(h for c in topic.cells for h in c.findings), *topic.speculative], limit=limit)
