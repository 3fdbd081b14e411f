"""Graded hypotheses from the claims that answer a question: one per intervention, comparator and outcome."""

from __future__ import annotations

from collections.abc import Sequence
from statistics import fmean

from kb.answers import Certainty, Citation, Hypothesis, Query
from kb.claims import Direction, Scope
from kb.evidence import SUBGROUP, Fit
from kb.grade import DESIGN_WEIGHT, LEVELS, capped, conflicts, counted_size, grade, study_weight, trusted_direction
from kb.terms import normalize
from kb.wording import wording

GroupKey = tuple[str, str | None, str, bool, bool]
MAX_HYPOTHESES = 10
MAX_SPECULATIVE = 5
# NOTE: on a weight tie the conservative reading (no difference) wins; the rest is a fixed, stable order.
_TIE_ORDER: tuple[Direction, ...] = ("no_difference", "decrease", "increase")
# NOTE: a study's primary result speaks for it before an unlabelled one, and both before a secondary one.
_SCOPE_RANK: dict[Scope, int] = {"primary": 3, "unspecified": 2, "secondary": 1, "subgroup": 0, "post_hoc": 0,
                                 "within_group": 0}


def cite(fit: Fit, note: str | None = None) -> Citation:
    """Return the citation of a matched claim, with the direction MedKB counts for it."""
    return fit.cited.citation(note).model_copy(update={"direction": trusted_direction(fit.claim)})


def _strength(fit: Fit) -> tuple[bool, int, bool, float, bool, int, str]:
    # NOTE: model confidence is left out on purpose, so it can never pick the claim that sets certainty.
    c = fit.claim
    stats = c.effect is not None or c.p_value is not None
    return (trusted_direction(c) != "unclear", _SCOPE_RANK[c.scope], not c.hedged, DESIGN_WEIGHT[c.study_design],
            stats, counted_size(c) or 0, c.id)


def per_study(fits: Sequence[Fit]) -> tuple[list[Fit], list[tuple[Fit, str]]]:
    """Return one claim per study (its strongest), and the studies a synthesis of the group already counts."""
    best: dict[str, Fit] = {}
    for fit in fits:
        old = best.get(fit.cited.study)
        if old is None or _strength(fit) > _strength(old):
            best[fit.cited.study] = fit
    # NOTE: a meta-analysis is not added to its own trials: the trials it names are counted through it.
    within = {s: f for f in best.values() for s in f.cited.includes if s != f.cited.study}
    absorbed = [(best[s], f"included in {_named(within[s])}, counted there") for s in sorted(best) if s in within]
    return [best[s] for s in sorted(best) if s not in within], absorbed


_MIRRORED: dict[Direction, Direction] = {"increase": "decrease", "decrease": "increase",
                                         "no_difference": "no_difference"}


def _mirror(a: Fit, b: Fit) -> bool:
    """Return whether two claims of one study state one result both ways round ("A lowered X against B" and "B
    raised X against A")."""
    ca, cb = a.claim, b.claim
    if a.cited.study != b.cited.study or a.outcome != b.outcome or not (ca.comparator and cb.comparator):
        return False
    swapped = (normalize(ca.subject.name) == normalize(cb.comparator)
               and normalize(cb.subject.name) == normalize(ca.comparator))
    da, db = trusted_direction(a.claim), trusted_direction(b.claim)
    return swapped and da != "unclear" and _MIRRORED[da] == db


def one_way(fits: Sequence[Fit]) -> tuple[list[Fit], list[tuple[Fit, str]]]:
    """Return the fits with each result stated both ways round kept once (its stronger reading), and the others."""
    kept: list[Fit] = []
    dropped: list[tuple[Fit, str]] = []
    for fit in sorted(fits, key=_strength, reverse=True):
        twin = next((k for k in kept if _mirror(k, fit)), None)
        if twin is None:
            kept.append(fit)
        else:
            dropped.append((fit, f"the same result read the other way round, counted as {twin.claim.subject.name} "
                                 f"against {twin.claim.comparator}"))
    return [f for f in fits if any(f is k for k in kept)], dropped


def _named(fit: Fit) -> str:
    source = fit.cited.source
    return f"PMID {source.pmid}" if source.pmid else (source.title or source.source)


def majority(studies: Sequence[Fit]) -> Direction:
    """Return the direction with the most design- and size-weighted support ('unclear' if none has any)."""
    directions = [(trusted_direction(f.claim), study_weight(f.claim)) for f in studies]
    tally = {d: sum(w for got, w in directions if got == d) for d in _TIE_ORDER}
    counted = [d for d in _TIE_ORDER if any(got == d for got, _ in directions)]
    return max(counted, key=lambda d: tally[d], default="unclear")


def group(fits: Sequence[Fit]) -> dict[GroupKey, list[Fit]]:
    """Return the fits grouped by hypothesis; a claim naming no comparator joins its outcome's only comparator."""
    groups: dict[GroupKey, list[Fit]] = {}
    for fit in fits:
        groups.setdefault(fit.key, []).append(fit)
    for key in [k for k in groups if k[1] is None]:
        homes = [k for k in groups if k[1] is not None and (k[0], k[2], k[3], k[4]) == (key[0], key[2], key[3], key[4])]
        if len(homes) == 1:
            groups[homes[0]].extend(groups.pop(key))
    return groups


def _scope(key: GroupKey, studies: Sequence[Fit]) -> Scope:
    scopes = {f.claim.scope for f in studies}
    if key[3]:
        return next(s for s in ("subgroup", "post_hoc", "within_group") if s in scopes)
    if "primary" in scopes:
        return "primary"
    return "secondary" if scopes == {"secondary"} else "unspecified"


def label(intervention: str, comparator: str | None, outcome: str, scope: Scope) -> str:
    """Return what a hypothesis compares on what, in names only: 'quorvafil vs placebo: systolic blood pressure'."""
    versus = f" vs {comparator}" if comparator else ""
    tag = {"subgroup": " (subgroup)", "post_hoc": " (post hoc)", "secondary": " (secondary outcome)",
           "within_group": " (change within one group, no comparison)"}.get(scope, "")
    return f"{intervention}{versus}: {outcome}{tag}"


def _grade(body: Sequence[Fit], direction: Direction, query: Query, mechanistic: bool,
           support: Sequence[Fit]) -> tuple[Certainty, tuple[str, ...], bool]:
    """Return the certainty, its reasons and whether the hypothesis is speculative."""
    mismatches = list(dict.fromkeys(m for f in body for m in f.mismatches))
    if direction == "unclear":
        level: Certainty = "very low"
        indirect = [f"Indirect: {'; '.join(mismatches)}"] if mismatches else []
        reasons: tuple[str, ...] = ("Very low: no study reports a direction of effect that MedKB could verify",
                                    *indirect)
    else:
        level, reasons = grade([f.claim for f in body], direction, query, mismatches)
    speculative = mechanistic or all(f.claim.hedged for f in support)
    if speculative:
        why = ("only mechanistic, animal or in-vitro evidence" if mechanistic
               else "every supporting statement is hedged by its authors")
        level, reasons = capped(level, reasons, "low", f"hypothesis only, {why}")
    return level, reasons, speculative


def hypothesis(key: GroupKey, fits: Sequence[Fit], query: Query, *, extractive: bool = False) -> Hypothesis:
    """Return the graded hypothesis for one group of matched claims."""
    studies, _ = per_study(fits)
    direction = majority(studies)
    body = [f for f in studies if trusted_direction(f.claim) != "unclear"] or studies
    # NOTE: strongest study first, so the hypothesis is headed and cited from the best evidence.
    against = [f for f in body if conflicts(trusted_direction(f.claim), direction)]
    support = sorted((f for f in body if f not in against), key=_strength, reverse=True)
    against.sort(key=_strength, reverse=True)
    level, reasons, speculative = _grade(body, direction, query, key[4], support)
    lead, scope = support[0], _scope(key, body)
    # NOTE: a comparator only the uncounted studies name is not what the counted ones compared against.
    named = sum(f.comparator == key[1] for f in body)
    shown = key[1] if named else None
    words = None
    if not extractive and lead.claim.restatable and (direction != "unclear" or lead.claim.predicate ==
                                                     "adverse_event_of"):
        words = wording([f.claim for f in support], direction, level, comparator=shown)
    sizes = [n for f in body if (n := counted_size(f.claim)) is not None]
    versus = shown if named == len(body) or shown is None else f"{shown} ({named} of {len(body)} studies)"
    return Hypothesis(
        statement=words, label=label(lead.intervention, versus, lead.outcome_name, scope),
        intervention=lead.intervention, outcome=lead.outcome_name, comparator=key[1], scope=scope,
        direction=direction, confidence=level, confidence_reasons=reasons,
        supporting=tuple(cite(f) for f in support), contradicting=tuple(cite(f) for f in against),
        n_studies=len(body), n_participants=sum(sizes) if sizes else None,
        designs=tuple(sorted({f.claim.study_design for f in body}, key=lambda d: (-DESIGN_WEIGHT[d], d))),
        speculative=speculative, extraction_confidence=fmean(f.claim.confidence for f in fits),
    )


def build_hypotheses(fits: Sequence[Fit], query: Query, *, extractive: bool = False,
                     ) -> tuple[list[Hypothesis], list[Hypothesis], list[tuple[Fit, str]]]:
    """Return (hypotheses, speculative ones, fits not counted and why): most relevant, primary, larger first."""
    fits, counted_elsewhere = one_way(fits)
    ranked = []
    for key, members in group(fits).items():
        counted_elsewhere += per_study(members)[1]
        h = hypothesis(key, members, query, extractive=extractive)
        primary = h.scope == "primary"
        ranked.append((-max(f.relevance for f in members), not primary, h.scope in SUBGROUP,
                       -h.n_studies, -LEVELS.index(h.confidence), h.label, h, members))
    ranked.sort(key=lambda r: r[:6])
    # NOTE: a group no study of which reports a verifiable direction says nothing the others do not; its claims
    # are shown as related passages unless nothing else was found.
    decided = [r for r in ranked if r[6].direction != "unclear"]
    kept = decided or ranked
    unclear = "no study reports a direction of effect MedKB could verify for this comparison"
    left = [(f, unclear) for r in ranked if r not in kept for f in r[7]] + counted_elsewhere
    hypotheses = [r[6] for r in kept]
    return ([h for h in hypotheses if not h.speculative][:MAX_HYPOTHESES],
            [h for h in hypotheses if h.speculative][:MAX_SPECULATIVE], left)
