"""Build the report view model from an Answer: numbering, wording and links, decided once for every format."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from urllib.parse import quote as urlquote

from kb.answers import Answer, Citation, Hypothesis, Query, QueryEntity, Role
from kb.models import Document
from kb.report.model import (
    CitationRef,
    EvidenceEntry,
    Contradiction,
    Corpus,
    HypothesisView,
    Link,
    QuestionView,
    QuotePair,
    Reference,
    RelatedPassage,
    Report,
    RoleEntities,
    SofRow,
    SofTable,
)
from kb.report.wording import (
    design_label,
    direction_label,
    format_effect,
    format_p,
    location,
    sample_size_label,
    year_range,
)

ROLE_ORDER: tuple[Role, ...] = ("intervention", "comparator", "outcome", "population", "condition", "other")
# NOTE: links are only ever built from ids that match these, so a source cannot smuggle in a URL.
PMID_RE = re.compile(r"[0-9]{1,9}")
DOI_RE = re.compile(r"10\.[0-9]+/\S+", re.ASCII)
NCT_RE = re.compile(r"NCT[0-9]{8}")


def build_report(answer: Answer, corpus: Corpus, documents: Sequence[Document] = ()) -> Report:
    """Return the report view model of an answer; documents only add authors and journals."""
    cited = _unique_citations(answer)
    refs = _references(cited, {d.id: d for d in documents})
    ref_no = {r.doc_id: r.number for r in refs}
    evidence = tuple(_cited_claim(c, f"E{i}", ref_no[c.doc_id]) for i, c in enumerate(cited, 1))
    pointers = {e.claim_id: _pointer(e) for e in evidence}
    quotes = {e.claim_id: e.quote for e in evidence}
    return Report(
        title="MedKB evidence report",
        question=_question(answer.question, answer.query),
        corpus=corpus,
        corpus_years=year_range(corpus.year_min, corpus.year_max, "unknown"),
        hypotheses=tuple(_hypothesis(h, pointers) for h in answer.hypotheses),
        known=answer.known,
        uncertain=answer.uncertain,
        summary_of_findings=_summary_of_findings(answer.hypotheses, pointers, answer.query),
        contradictions=_contradictions(
            [(h, h.speculative) for h in answer.hypotheses] + [(h, True) for h in answer.speculative], pointers, quotes
        ),
        gaps=answer.gaps,
        speculative=tuple(_hypothesis(h, pointers, speculative=True) for h in answer.speculative),
        evidence=evidence,
        related=tuple(_related(c) for c in answer.related),
        references=refs,
        extractive=answer.extractive,
        disclaimer=answer.disclaimer,
    )


def _related(c: Citation) -> RelatedPassage:
    """Return a related passage as the report shows it."""
    return RelatedPassage(quote=c.quote, title=c.title, doc_id=c.doc_id, start=c.start, end=c.end,
                          location=location(c.page, c.field), design_label=design_label(c.study_design),
                          sample_size_label=sample_size_label(c.sample_size, c.sample_size_type),
                          reason=c.note or "not counted", source=c.source, links=links_for(c.pmid, c.doi, c.nct_id))


def _unique_citations(answer: Answer) -> list[Citation]:
    """Return every cited claim once, in order of first citation."""
    seen: dict[str, Citation] = {}
    for h in (*answer.hypotheses, *answer.speculative):
        for c in (*h.supporting, *h.contradicting):
            seen.setdefault(c.claim_id, c)
    return list(seen.values())


def _question(text: str, query: Query) -> QuestionView:
    """Return the question with its entities grouped by role and its filters worded."""
    roles = []
    for role in ROLE_ORDER:
        names = tuple(entity_name(e) for e in query.by_role(role))
        if names:
            roles.append(RoleEntities(role=role, names=names))
    return QuestionView(
        text=text,
        roles=tuple(roles),
        years=year_range(query.year_min, query.year_max, "any"),
        designs=tuple(design_label(d) for d in query.designs),
    )


SHOWN_SYNONYMS = 3


def entity_name(e: QueryEntity) -> str:
    """Return an entity's name, with the question's wording when it differs and the first few other names."""
    name = e.name if e.text.casefold() == e.name.casefold() else f"{e.name} (from “{e.text}”)"
    others = [*e.synonyms[:SHOWN_SYNONYMS], *(f"{r} (related)" for r in e.related[:1])]
    return f"{name}; also: {', '.join(others)}" if others else name


def _references(cited: Iterable[Citation], docs: dict[str, Document]) -> tuple[Reference, ...]:
    """Return the numbered reference list: one entry per document, in order of first citation."""
    refs: dict[str, Reference] = {}
    for c in cited:
        if c.doc_id in refs:
            continue
        doc = docs.get(c.doc_id)
        trial = doc.kind == "trial" if doc else bool(c.nct_id and not c.pmid and not c.doi)
        refs[c.doc_id] = Reference(
            number=len(refs) + 1,
            doc_id=c.doc_id,
            kind="trial" if trial else "article",
            title=c.title or (doc.title if doc else ""),
            authors=doc.authors if doc else (),
            journal=doc.journal if doc else None,
            year=c.year if c.year is not None else (doc.year if doc else None),
            pmid=checked_id(c.pmid, PMID_RE),
            doi=checked_id(c.doi, DOI_RE),
            nct_id=checked_id(c.nct_id, NCT_RE),
            links=links_for(c.pmid, c.doi, c.nct_id),
        )
    return tuple(refs.values())


def checked_id(value: str | None, pattern: re.Pattern[str]) -> str | None:
    """Return an identifier only if it is well-formed."""
    return value if value and pattern.fullmatch(value) else None


def links_for(pmid: str | None, doi: str | None, nct_id: str | None) -> tuple[Link, ...]:
    """Return PubMed, DOI and ClinicalTrials.gov links for the ids that are well-formed."""
    links = []
    if valid_pmid := checked_id(pmid, PMID_RE):
        links.append(Link(label="PubMed", url=f"https://pubmed.ncbi.nlm.nih.gov/{valid_pmid}/"))
    if valid_doi := checked_id(doi, DOI_RE):
        links.append(Link(label="DOI", url=f"https://doi.org/{urlquote(valid_doi, safe='/')}"))
    if valid_nct := checked_id(nct_id, NCT_RE):
        links.append(Link(label="ClinicalTrials.gov", url=f"https://clinicaltrials.gov/study/{valid_nct}"))
    return tuple(links)


def _cited_claim(c: Citation, label: str, ref: int) -> EvidenceEntry:
    """Return the appendix entry of one citation."""
    effect, ci = format_effect(c.effect) if c.effect else (None, None)
    p_value = format_p(c.p_value) if c.p_value else None
    full = f"{effect} ({ci})" if effect and ci else effect
    result = "; ".join(x for x in (full, p_value, f"direction: {direction_label(c.direction, [c.predicate])}") if x)
    return EvidenceEntry(
        label=label,
        ref=ref,
        claim_id=c.claim_id,
        doc_id=c.doc_id,
        title=c.title,
        quote=c.quote,
        start=c.start,
        end=c.end,
        location=location(c.page, c.field),
        page=c.page,
        field=c.field,
        design=c.study_design,
        design_label=design_label(c.study_design),
        sample_size=c.sample_size,
        sample_size_label=sample_size_label(c.sample_size, c.sample_size_type),
        direction=c.direction,
        effect=effect,
        ci=ci,
        p_value=p_value,
        result=result,
        hedged=c.hedged,
        notices=tuple(n.replace("_", " ") for n in c.notices),
        extraction_confidence=c.extraction_confidence,
        source=c.source,
        links=links_for(c.pmid, c.doi, c.nct_id),
    )


def _pointer(e: EvidenceEntry) -> CitationRef:
    """Return how a hypothesis points at an appendix entry."""
    full = f"{e.effect} ({e.ci})" if e.effect and e.ci else e.effect
    return CitationRef(label=e.label, ref=e.ref, design_label=e.design_label,
                       sample_size_label=e.sample_size_label, effect=full)


def _hypothesis(h: Hypothesis, pointers: dict[str, CitationRef], *, speculative: bool = False) -> HypothesisView:
    """Return the view of one hypothesis."""
    return HypothesisView(
        heading=h.heading,
        statement=h.statement,
        label=h.label,
        intervention=h.intervention,
        comparator=h.comparator,
        outcome=h.outcome,
        scope=h.scope.replace("_", " "),
        direction=direction_label(h.direction, [c.predicate for c in h.supporting]),
        certainty=h.confidence,
        certainty_reasons=h.confidence_reasons,
        n_studies=h.n_studies,
        n_participants=h.n_participants,
        designs=tuple(design_label(d) for d in h.designs),
        supporting=tuple(pointers[c.claim_id] for c in h.supporting),
        contradicting=tuple(pointers[c.claim_id] for c in h.contradicting),
        extraction_confidence=h.extraction_confidence,
        speculative=h.speculative or speculative,
    )


def _comparators(h: Hypothesis, query: Query) -> list[str]:
    """Return the hypothesis's comparator, else those its citations name, else those of the question."""
    if h.comparator:
        return [h.comparator]
    names = list(dict.fromkeys(c.comparator for c in (*h.supporting, *h.contradicting) if c.comparator))
    return names or [e.name for e in query.by_role("comparator")]


def _summary_of_findings(hyps: Sequence[Hypothesis], pointers: dict[str, CitationRef],
                         query: Query) -> tuple[SofTable, ...]:
    """Return one Summary of Findings table per outcome, in order of first appearance."""
    tables: dict[str, tuple[str, list[SofRow]]] = {}
    for h in hyps:
        comps = _comparators(h, query)
        refs = [pointers[c.claim_id] for c in (*h.supporting, *h.contradicting)]
        row = SofRow(
            comparison=f"{h.intervention} vs {', '.join(comps) if comps else 'comparator not reported'}",
            n_studies=h.n_studies,
            n_participants=str(h.n_participants) if h.n_participants is not None else "not reported",
            designs=", ".join(design_label(d) for d in h.designs) or "not reported",
            direction=direction_label(h.direction, [c.predicate for c in h.supporting]),
            effects=tuple(f"{r.effect} [{r.label}]" for r in refs if r.effect),
            certainty=h.confidence,
            certainty_reasons=h.confidence_reasons,
        )
        tables.setdefault(h.outcome.casefold(), (h.outcome, []))[1].append(row)
    return tuple(SofTable(outcome=name, rows=tuple(rows)) for name, rows in tables.values())


def _contradictions(hyps: Sequence[tuple[Hypothesis, bool]], pointers: dict[str, CitationRef],
                    quotes: dict[str, str]) -> tuple[Contradiction, ...]:
    """Return the hypotheses with evidence both ways, their quotes paired side by side."""
    out = []
    for h, speculative in hyps:
        if not (h.supporting and h.contradicting):
            continue
        pairs = tuple(
            QuotePair(
                supporting=pointers[s.claim_id] if s else None,
                supporting_quote=quotes[s.claim_id] if s else None,
                contradicting=pointers[c.claim_id] if c else None,
                contradicting_quote=quotes[c.claim_id] if c else None,
            )
            for s, c in zip_longest(h.supporting, h.contradicting)
        )
        out.append(Contradiction(statement=h.heading, speculative=speculative, pairs=pairs))
    return tuple(out)
