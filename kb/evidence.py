"""Evidence aggregation: cited claims grouped into graded hypotheses, and the answer's sections."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from statistics import fmean

from kb.answers import Answer, Certainty, Citation, Hypothesis, Query, QueryEntity
from kb.claims import Claim, Direction
from kb.grade import (
    DESIGN_WEIGHT,
    LEVELS,
    MECHANISTIC,
    RANDOMISED,
    capped,
    conflicts,
    counted_size,
    direction_counts,
    grade,
    study_weight,
)
from kb.models import WITHDRAWN, Entity
from kb.query import normalize_term, terms_match
from kb.wording import wording

Pair = tuple[Claim, Citation]
GroupKey = tuple[str, str, bool]

# NOTE: on a weight tie the conservative reading (no difference) wins; the rest is a fixed, stable order.
_TIE_ORDER: tuple[Direction, ...] = ("no_difference", "decrease", "increase")


def entity_key(entity: Entity) -> str:
    """Return the grouping key of an entity: its normalised id, else its folded name."""
    return entity.normalized_id or normalize_term(entity.name)


def group_key(claim: Claim) -> GroupKey:
    """Return (intervention, outcome, mechanistic): mechanism evidence is never blended with clinical."""
    mechanistic = claim.kind == "mechanism" or claim.study_design in MECHANISTIC
    return entity_key(claim.subject), entity_key(claim.object), mechanistic


def _strength(pair: Pair) -> tuple[bool, bool, float, bool, int, str]:
    # NOTE: model confidence is left out on purpose, so it can never pick the claim that sets certainty.
    claim = pair[0]
    stats = claim.effect is not None or claim.p_value is not None
    return (claim.direction != "unclear", not claim.hedged, DESIGN_WEIGHT[claim.study_design], stats,
            counted_size(claim) or 0, claim.id)


def per_study(pairs: Sequence[Pair]) -> list[Pair]:
    """Return one claim per study (a document, or a trial with its papers): its strongest, in a stable order."""
    best: dict[str, Pair] = {}
    for pair in pairs:
        study = pair[1].study_id or pair[0].doc_id
        old = best.get(study)
        if old is None or _strength(pair) > _strength(old):
            best[study] = pair
    return [best[doc] for doc in sorted(best)]


def majority(studies: Sequence[Pair]) -> Direction:
    """Return the direction with the most design- and size-weighted support ('unclear' if none has any)."""
    tally = {d: sum(study_weight(c) for c, _ in studies if c.direction == d) for d in _TIE_ORDER}
    counted = [d for d in _TIE_ORDER if any(c.direction == d for c, _ in studies)]
    return max(counted, key=lambda d: tally[d], default="unclear")


def hypothesis(pairs: Sequence[Pair], query: Query, mechanistic: bool) -> Hypothesis:
    """Return the graded hypothesis for one (intervention, outcome) group of cited claims."""
    studies = per_study(pairs)
    direction = majority(studies)
    decided = [p for p in studies if p[0].direction != "unclear"]
    body = decided or studies
    # NOTE: strongest study first, so the statement is worded from the best evidence and cited first.
    support = sorted((p for p in body if not conflicts(p[0].direction, direction)), key=_strength, reverse=True)
    against = sorted((p for p in body if conflicts(p[0].direction, direction)), key=_strength, reverse=True)
    if direction == "unclear":
        level: Certainty = "very low"
        reasons: tuple[str, ...] = ("Very low: no study reports a direction of effect",)
    else:
        level, reasons = grade([c for c, _ in body], direction, query)
    speculative = mechanistic or all(c.hedged for c, _ in support)
    if speculative:
        why = ("only mechanistic, animal or in-vitro evidence" if mechanistic
               else "every supporting statement is hedged by its authors")
        level, reasons = capped(level, reasons, "low", f"hypothesis only, {why}")
    lead = support[0][0]
    sizes = [n for c, _ in body if (n := counted_size(c)) is not None]
    return Hypothesis(
        statement=wording([c for c, _ in support], direction, level),
        intervention=lead.subject.name, outcome=lead.object.name, direction=direction,
        confidence=level, confidence_reasons=reasons,
        supporting=tuple(cit for _, cit in support), contradicting=tuple(cit for _, cit in against),
        n_studies=len(body), n_participants=sum(sizes) if sizes else None,
        designs=tuple(sorted({c.study_design for c, _ in body}, key=lambda d: (-DESIGN_WEIGHT[d], d))),
        speculative=speculative, extraction_confidence=fmean(c.confidence for c, _ in pairs),
    )


def _entity_matches(wanted: QueryEntity, entity: Entity) -> bool:
    if wanted.normalized_id and entity.normalized_id:
        return wanted.normalized_id == entity.normalized_id
    return any(terms_match(w, n) for w in (wanted.name, wanted.text) for n in (entity.name, *entity.synonyms))


def relevance(claim: Claim, query: Query) -> int:
    """Return how closely a claim's subject and object match the question's entities."""
    score = 0
    for wanted in query.entities:
        primary = {"intervention": claim.subject, "outcome": claim.object}.get(wanted.role)
        if primary is not None and _entity_matches(wanted, primary):
            score += 2
        elif _entity_matches(wanted, claim.subject) or _entity_matches(wanted, claim.object):
            score += 1
        elif wanted.role in ("population", "condition") and terms_match(wanted.name, claim.population or ""):
            score += 1
    return score


_DOSE = re.compile(r"\b(?:\d+(?:[.,]\d+)?\s*(?:mg|mcg|µg|ug|g|ml|iu|units?|%|mg/kg)?|once|twice|daily|weekly|"
                   r"q\d*w|qd|bid|tid|group|arm|dose|treatment)\b", re.IGNORECASE)
MAX_HYPOTHESES = 10
MAX_SPECULATIVE = 5


def _subject_key(key: str) -> str:
    """Return an intervention key without doses, schedules or arm words ("Zelmorant 200 mg" → "zelmorant")."""
    return " ".join(_DOSE.sub(" ", key).split()) or key


def merge_groups(groups: dict[GroupKey, list[Pair]]) -> dict[GroupKey, list[Pair]]:
    """Merge groups naming the same intervention and nested outcomes ("exacerbation" ⊂ "severe exacerbation")."""
    merged: dict[GroupKey, list[Pair]] = {}
    for key in sorted(groups, key=lambda k: (len(k[1].split()), k)):
        subject = _subject_key(key[0])
        home = next((k for k in merged if k[0] == subject and k[2] == key[2] and terms_match(k[1], key[1])), None)
        merged.setdefault(home or (subject, key[1], key[2]), []).extend(groups[key])
    return merged


def _on_topic(pairs: Sequence[Pair], query: Query) -> bool:
    """Return whether a group answers the question: its outcome and intervention match those asked about."""
    def named(role: str, pick: Callable[[Claim], Entity]) -> bool:
        wanted = query.by_role(role)  # type: ignore[arg-type]
        return not wanted or any(_entity_matches(w, pick(c)) for w in wanted for c, _ in pairs)
    return named("outcome", lambda c: c.object) and named("intervention", lambda c: c.subject)


def build_hypotheses(claims: Sequence[Pair], query: Query) -> tuple[list[Hypothesis], list[Hypothesis]]:
    """Return (hypotheses, speculative hypotheses) on the question's topic, most relevant and certain first."""
    groups: dict[GroupKey, list[Pair]] = {}
    for pair in claims:
        groups.setdefault(group_key(pair[0]), []).append(pair)
    groups = merge_groups(groups)
    # NOTE: off-topic groups are dropped when any group is on topic; otherwise only groups sharing an entity
    # with the question are kept, and the gaps section says what is missing.
    on_topic = {k: v for k, v in groups.items() if _on_topic(v, query)}
    related = {k: v for k, v in groups.items() if max(relevance(c, query) for c, _ in v) > 0}
    pool = on_topic or related or ({} if query.entities else groups)
    ranked = []
    for key, pairs in pool.items():
        h = hypothesis(pairs, query, mechanistic=key[2])
        ranked.append((-max(relevance(c, query) for c, _ in pairs), -LEVELS.index(h.confidence),
                       -h.n_studies, h.statement, h))
    ranked.sort(key=lambda r: r[:4])
    hypotheses = [r[4] for r in ranked]
    return ([h for h in hypotheses if not h.speculative][:MAX_HYPOTHESES],
            [h for h in hypotheses if h.speculative][:MAX_SPECULATIVE])


def _with_level(h: Hypothesis) -> str:
    return f"{h.statement} ({h.confidence} certainty; {h.n_studies} {'study' if h.n_studies == 1 else 'studies'})"


def _conflict(h: Hypothesis) -> str:
    directions = [c.direction for c in (*h.supporting, *h.contradicting)]
    return f"Conflicting evidence on {h.intervention} and {h.outcome}: {direction_counts(directions)}"


def answer_sections(query: Query, hypotheses: Sequence[Hypothesis],
                    speculative: Sequence[Hypothesis]) -> tuple[list[str], list[str], list[str]]:
    """Return (known, uncertain, gaps): conflicts are reported as conflicts, never as a majority verdict."""
    known = [_with_level(h) for h in hypotheses
             if h.confidence in ("high", "moderate") and not h.contradicting]
    uncertain = [_conflict(h) if h.contradicting else _with_level(h) for h in hypotheses
                 if h.contradicting or h.confidence in ("low", "very low")]
    return known, uncertain, gaps(query, [*hypotheses, *speculative])


def _about(wanted: QueryEntity, name: str) -> bool:
    return terms_match(wanted.name, name) or terms_match(wanted.text, name)


def _outcome_gaps(outcome: QueryEntity, interventions: Sequence[QueryEntity | None],
                  found: Sequence[Hypothesis]) -> list[str]:
    notes = []
    for wanted in interventions:
        where = f" for {wanted.name}" if wanted else ""
        hits = [h for h in found if _about(outcome, h.outcome) and (wanted is None or _about(wanted, h.intervention))]
        if not hits:
            notes.append(f"No evidence found on {outcome.name}{where}")
        elif not any(RANDOMISED & set(h.designs) for h in hits if not h.speculative):
            notes.append(f"No randomised trial evidence on {outcome.name}{where}")
    return notes


def _intervention_gaps(wanted: QueryEntity, found: Sequence[Hypothesis]) -> list[str]:
    hits = [h for h in found if _about(wanted, h.intervention)]
    if not hits:
        return [f"No evidence found for {wanted.name}"]
    outcomes = dict.fromkeys(h.outcome for h in hits if not h.speculative)
    return [f"No randomised trial evidence on {o} for {wanted.name}" for o in outcomes
            if not any(RANDOMISED & set(h.designs) for h in hits if h.outcome == o and not h.speculative)]


def _population_gaps(query: Query, found: Sequence[Hypothesis]) -> list[str]:
    notes = []
    for wanted in (*query.by_role("population"), *query.by_role("condition")):
        texts = [t for h in found for c in (*h.supporting, *h.contradicting) for t in (c.quote, c.title)]
        places = [h.intervention for h in found] + [h.outcome for h in found] + texts
        if found and not any(_about(wanted, place) for place in places):
            notes.append(f"No evidence found specifically in {wanted.name}")
    return notes


def gaps(query: Query, found: Sequence[Hypothesis]) -> list[str]:
    """Return what the question asks that the evidence does not cover."""
    interventions: list[QueryEntity | None] = [*query.by_role("intervention")] or [None]
    outcomes = query.by_role("outcome")
    notes = [n for o in outcomes for n in _outcome_gaps(o, interventions, found)]
    if not outcomes:
        notes += [n for i in query.by_role("intervention") for n in _intervention_gaps(i, found)]
    notes += _population_gaps(query, found)
    if not found and not notes:
        notes.append("No evidence found for this question")
    return list(dict.fromkeys(notes))


def _paper(c: Citation) -> str:
    """Return how a paper is named in a notice line."""
    ident = f"PMID {c.pmid}" if c.pmid else c.source
    return f"{c.title or c.source} ({ident})"


def editorial_notes(pairs: Sequence[Pair]) -> tuple[list[Pair], list[str]]:
    """Return the pairs without retracted papers, and a line for every paper left out or under a notice."""
    kept = [p for p in pairs if not WITHDRAWN.intersection(p[1].notices)]
    notes: dict[str, str] = {}
    for _, cite in pairs:
        if WITHDRAWN.intersection(cite.notices):
            notes[cite.doc_id] = f"Left out, retracted: {_paper(cite)}; its findings are not counted as evidence"
        elif "expression_of_concern" in cite.notices:
            notes[cite.doc_id] = f"The journal published an expression of concern about {_paper(cite)}"
    return kept, list(notes.values())


def assemble_answer(question: str, query: Query, cited_claims: Sequence[Pair],
                    extra_gaps: Sequence[str] = (), extra_uncertain: Sequence[str] = ()) -> Answer:
    """Return the answer: graded hypotheses, speculative ones, and the known/uncertain/gaps sections."""
    kept, notes = editorial_notes(cited_claims)
    hypotheses, speculative = build_hypotheses(kept, query)
    known, uncertain, missing = answer_sections(query, hypotheses, speculative)
    return Answer(question=question, query=query, hypotheses=tuple(hypotheses), speculative=tuple(speculative),
                  known=tuple(known), uncertain=tuple(dict.fromkeys([*notes, *uncertain, *extra_uncertain])),
                  gaps=tuple(dict.fromkeys([*missing, *extra_gaps])))
