"""The answer: graded hypotheses, what is known, uncertain and missing, and the related passages kept apart."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from kb.answers import Answer, Citation, CitedClaim, Hypothesis, Query, QueryEntity
from kb.evidence import Fit, asked_population, select
from kb.grade import RANDOMISED, direction_counts, trusted_direction
from kb.hypotheses import build_hypotheses, cite
from kb.models import WITHDRAWN
from kb.report.wording import format_effect, format_p
from kb.terms import occurs_any

# NOTE: (asked intervention name or "", asked outcome name or "") -> passages of the store naming both.
Coverage = Mapping[tuple[str, str], Sequence[Citation]]
MAX_RELATED = 15


def _line(h: Hypothesis) -> str:
    """Return a hypothesis as one line: its statement, else its label and what its studies report."""
    studies = f"{h.n_studies} {'study' if h.n_studies == 1 else 'studies'}"
    if h.statement:
        return f"{h.statement} ({h.confidence} certainty; {studies})"
    effects = [_effect(c) for c in h.supporting if c.effect is not None]
    directions = [c.direction for c in (*h.supporting, *h.contradicting) if c.direction != "unclear"]
    found = "; ".join(effects) or (direction_counts(directions) if directions else "no verifiable direction of effect")
    return f"{h.label}: {found} ({h.confidence} certainty; {studies})"


def _effect(c: Citation) -> str:
    """Return a citation's effect estimate as computed badges: 'HR 0.59 (0.43–0.81), p = 0.0002'."""
    assert c.effect is not None
    effect, ci = format_effect(c.effect)
    return ", ".join(x for x in (f"{effect} ({ci})" if ci else effect, format_p(c.p_value) if c.p_value else "") if x)


def _conflict(h: Hypothesis) -> str:
    directions = [c.direction for c in (*h.supporting, *h.contradicting)]
    return f"Conflicting evidence on {h.label}: {direction_counts(directions)}"


def answer_sections(hypotheses: Sequence[Hypothesis]) -> tuple[list[str], list[str]]:
    """Return (known, uncertain): conflicts are reported as conflicts, never as a majority verdict."""
    known = [_line(h) for h in hypotheses if h.confidence in ("high", "moderate") and not h.contradicting]
    uncertain = [_conflict(h) if h.contradicting else _line(h) for h in hypotheses
                 if h.contradicting or h.confidence in ("low", "very low")]
    return known, uncertain


def _missing(what: str, where: str, found: Sequence[Citation], about: str = "on") -> str:
    if not found:
        return f"No evidence found {about} {what}{where}"
    n = len(found)
    passages = "the passage" if n == 1 else f"the {n} passages"
    return (f"No finding {about} {what}{where} was read from {passages} of the knowledge base naming both; "
            "see the related passages")


def gaps(query: Query, fits: Sequence[Fit], coverage: Coverage) -> list[str]:
    """Return what the question asks that the knowledge base does not answer (checked in the store, not the hits)."""
    notes: list[str] = []
    interventions: list[QueryEntity | None] = [*query.by_role("intervention")] or [None]
    for o in query.by_role("outcome"):
        for i in interventions:
            where = f" for {i.text}" if i else ""
            # NOTE: a finding on "nausea or vomiting" answers "vomiting" too, though it was counted under "nausea".
            hits = [f for f in fits if (f.asked_outcome == o.name or occurs_any(o.forms(), f.claim.object.name))
                    and (i is None or f.asked_intervention == i.name)]
            if not hits:
                notes.append(_missing(o.text, where, coverage.get((i.name if i else "", o.name), ())))
            elif not any(f.claim.study_design in RANDOMISED for f in hits):
                notes.append(f"No randomised trial evidence on {o.text}{where}")
    if not query.by_role("outcome"):
        for i in query.by_role("intervention"):
            if not any(f.asked_intervention == i.name for f in fits):
                notes.append(_missing(i.text, "", coverage.get((i.name, ""), ()), "for"))
    counted = [f.cited for f in fits]
    for wanted in asked_population(query):
        places = [t for c in counted for t in (c.claim.population or "", c.claim.quote.text, c.source.title)]
        if counted and not any(occurs_any(wanted.forms(), p) for p in places):
            notes.append(f"No evidence found specifically in {wanted.text}")
    if not fits and not notes:
        notes.append("No evidence found for this question")
    return list(dict.fromkeys(notes))


def _paper(c: CitedClaim) -> str:
    """Return how a paper is named in a notice line."""
    ident = f"PMID {c.source.pmid}" if c.source.pmid else c.source.source
    return f"{c.source.title or c.source.source} ({ident})"


def editorial_notes(cited: Sequence[CitedClaim]) -> tuple[list[CitedClaim], list[str]]:
    """Return the claims without retracted papers, and a line for every paper left out or under a notice."""
    kept = [c for c in cited if not WITHDRAWN.intersection(c.source.notices)]
    notes: dict[str, str] = {}
    for c in cited:
        if WITHDRAWN.intersection(c.source.notices):
            notes[c.claim.doc_id] = f"Left out, retracted: {_paper(c)}; its findings are not counted as evidence"
        elif "expression_of_concern" in c.source.notices:
            notes[c.claim.doc_id] = f"The journal published an expression of concern about {_paper(c)}"
    return kept, list(notes.values())


def _shares(c: CitedClaim, query: Query) -> int:
    """Return how many of the asked intervention and outcome a passage names (all count when none was asked)."""
    asked = [e for e in query.entities if e.role in ("intervention", "outcome")]
    if not asked:
        return 1
    return sum(bool(occurs_any((*e.forms(), *e.related), c.claim.quote.text)) for e in asked)


def related_passages(others: Sequence[tuple[CitedClaim, str]], left: Sequence[tuple[Fit, str]], fits: Sequence[Fit],
                     coverage: Coverage, query: Query, shown: Sequence[Hypothesis] = ()) -> tuple[Citation, ...]:
    """Return what was retrieved but not counted and names something asked, once per quote, with the reason."""
    shared = sorted(((c, why, n) for c, why in others if (n := _shares(c, query))), key=lambda t: -t[2])
    found = [c.citation(why).model_copy(update={"direction": trusted_direction(c.claim)}) for c, why, _ in shared]
    found += [cite(f, why) for f, why in left]
    asked = {(f.asked_intervention or "", f.asked_outcome or "") for f in fits}
    # NOTE: passages behind a "no finding was read" gap come first: they are what the gap points to.
    found = [p for key, passages in coverage.items() if key not in asked for p in passages] + found
    # NOTE: a passage a hypothesis already quotes is not shown again under another reading of it.
    unique: dict[tuple[str, int, int], Citation] = {(c.doc_id, c.start, c.end): c for h in shown
                                                    for c in (*h.supporting, *h.contradicting)}
    taken = len(unique)
    for c in found:
        unique.setdefault((c.doc_id, c.start, c.end), c)
    return tuple(unique.values())[taken : taken + MAX_RELATED]


def assemble_answer(question: str, query: Query, cited: Sequence[CitedClaim], *,
                    cites: Mapping[str, set[str]] | None = None, coverage: Coverage | None = None,
                    extra_gaps: Sequence[str] = (), extra_uncertain: Sequence[str] = (),
                    extractive: bool = False) -> Answer:
    """Return the answer: hypotheses from the claims that answer the question, the rest as related passages."""
    kept, notes = editorial_notes(cited)
    counted = {id(c) for c in kept}
    withdrawn = {c.claim.doc_id: c.source for c in cited if id(c) not in counted}
    fits, others = select(kept, query, cites or {})
    hypotheses, speculative, left = build_hypotheses(fits, query, extractive=extractive)
    known, uncertain = answer_sections(hypotheses)
    missing = gaps(query, fits, coverage or {})
    return Answer(question=question, query=query, hypotheses=tuple(hypotheses), speculative=tuple(speculative),
                  known=tuple(known), uncertain=tuple(dict.fromkeys([*notes, *uncertain, *extra_uncertain])),
                  gaps=tuple(dict.fromkeys([*missing, *extra_gaps])),
                  related=related_passages(others, left, fits, coverage or {}, query, [*hypotheses, *speculative]),
                  withdrawn=tuple(withdrawn.values()), extractive=extractive)
