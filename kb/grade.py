"""GRADE-like certainty rules: where a body of evidence starts, and why it is rated down.

Certainty is computed from study designs, counts, sizes, consistency and directness only; a model's
self-reported confidence never enters (it is kept apart as extraction confidence).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence

from kb.answers import Certainty, Query
from kb.claims import Claim, Direction
from kb.models import StudyDesign
from kb.terms import occurs_any

LEVELS: tuple[Certainty, ...] = ("very low", "low", "moderate", "high")

# NOTE: weights for the direction tally, after the usual evidence hierarchy (Oxford CEBM 2011 levels):
# syntheses 3, randomised trials 2.5, non-randomised trials 1.5, analytic observational designs 1.2,
# cross-sectional 1, case series/reports 0.5, animal/in-vitro 0.3 (level-5 mechanism evidence),
# and 0.8 for an unknown design. Each is multiplied by log(1 + participants) when the size is known.
DESIGN_WEIGHT: dict[StudyDesign, float] = {
    "meta_analysis": 3.0, "systematic_review": 3.0, "rct": 2.5, "non_randomized_trial": 1.5,
    "cohort": 1.2, "case_control": 1.2, "cross_sectional": 1.0, "case_series": 0.5, "case_report": 0.5,
    "animal": 0.3, "in_vitro": 0.3, "qualitative": 0.5, "guideline": 0.8, "review": 0.8, "other": 0.8,
    "unknown": 0.8,
}
RANDOMISED: frozenset[StudyDesign] = frozenset({"meta_analysis", "systematic_review", "rct"})
OBSERVATIONAL: frozenset[StudyDesign] = frozenset({"non_randomized_trial", "cohort", "case_control",
                                                   "cross_sectional"})
MECHANISTIC: frozenset[StudyDesign] = frozenset({"animal", "in_vitro"})
# NOTE: GRADE's rule of thumb for the optimal information size of a dichotomous outcome.
MIN_PARTICIPANTS = 400
ALPHA = 0.05
NOT_ASSESSED = ("risk of bias", "publication bias")
# NOTE: GRADE's default thresholds of an appreciable benefit or harm for a ratio (a 25% relative change).
APPRECIABLE = (0.75, 1.25)
RATIOS = frozenset({"HR", "OR", "RR", "IRR"})
# NOTE: effect types whose null value is known (ratios 1, differences 0); "percent" and "other" are not tested.
_TESTABLE = frozenset({"HR", "OR", "RR", "IRR", "MD", "SMD", "RD", "ARR"})

_NOUNS: dict[StudyDesign, tuple[str, str]] = {
    "meta_analysis": ("meta-analysis", "meta-analyses"),
    "systematic_review": ("systematic review", "systematic reviews"),
    "rct": ("randomised trial", "randomised trials"),
    "non_randomized_trial": ("non-randomised trial", "non-randomised trials"),
    "cohort": ("cohort study", "cohort studies"),
    "case_control": ("case-control study", "case-control studies"),
    "cross_sectional": ("cross-sectional study", "cross-sectional studies"),
    "case_series": ("case series", "case series"),
    "case_report": ("case report", "case reports"),
    "animal": ("animal study", "animal studies"),
    "in_vitro": ("in-vitro study", "in-vitro studies"),
}
_DIRECTION_WORDS: dict[Direction, str] = {"increase": "an increase", "decrease": "a decrease",
                                          "no_difference": "no difference", "unclear": "an unclear effect"}


def counted_size(claim: Claim) -> int | None:
    """Return the participants a claim's study counts for: actual or reported, never an estimated target."""
    return claim.sample_size if claim.sample_size_type != "ESTIMATED" else None


def study_weight(claim: Claim) -> float:
    """Return a study's weight in the direction tally: design weight times log(1 + participants)."""
    n = counted_size(claim)
    return DESIGN_WEIGHT[claim.study_design] * (math.log1p(n) if n is not None else 1.0)


def _p_significant(claim: Claim) -> bool | None:
    p = claim.p_value
    if p is None:
        return None
    if p.operator in (">", ">="):
        return False if p.value >= ALPHA else None
    if p.operator in ("<", "<="):
        return True if p.value <= ALPHA else None
    return p.value < ALPHA


def significance(claim: Claim) -> bool | None:
    """Return whether a claim's statistics show an effect (p, or a CI against the null); None when they cannot."""
    e = claim.effect
    by_ci = None
    if e is not None and e.type in _TESTABLE and (crosses := e.crosses_null()) is not None:
        by_ci = not crosses
    by_p = _p_significant(claim)
    if by_p is None or by_ci is None:
        return by_ci if by_p is None else by_p
    return by_p if by_p == by_ci else None


def trusted_direction(claim: Claim) -> Direction:
    """Return the direction MedKB counts: a validated claim's, else only what its statistics bear out."""
    if claim.restatable:
        return claim.direction
    shown = significance(claim)
    if shown is True and claim.direction in ("increase", "decrease"):
        return claim.direction
    if shown is False and claim.direction == "no_difference":
        return "no_difference"
    # NOTE: an unvalidated direction without statistics, or against them, is shown as its quote, never counted.
    return "unclear"


def conflicts(a: Direction, b: Direction) -> bool:
    """Return whether two reported directions disagree (no difference against an effect counts)."""
    return "unclear" not in (a, b) and a != b


def design_phrase(designs: Sequence[StudyDesign]) -> str:
    """Return '2 randomised trials and 1 meta-analysis' for a list of designs."""
    parts = []
    for design, n in Counter(designs).most_common():
        one, many = _NOUNS.get(design, (f"{design.replace('_', ' ')} study", f"{design.replace('_', ' ')} studies"))
        parts.append(f"{n} {one if n == 1 else many}")
    return " and ".join(parts) if len(parts) < 3 else ", ".join(parts[:-1]) + " and " + parts[-1]


def direction_counts(directions: Sequence[Direction]) -> str:
    """Return '2 studies report a decrease, 1 reports no difference'."""
    parts = []
    for i, (direction, n) in enumerate(Counter(directions).most_common()):
        verb = "reports" if n == 1 else "report"
        subject = f"{n} {'study' if n == 1 else 'studies'}" if i == 0 else str(n)
        parts.append(f"{subject} {verb} {_DIRECTION_WORDS[direction]}")
    return ", ".join(parts)


def starting_level(studies: Sequence[Claim]) -> tuple[Certainty, str]:
    """Return where the body of evidence starts: high for randomised, low observational, else very low."""
    designs = [c.study_design for c in studies]
    tiers: tuple[tuple[frozenset[StudyDesign], Certainty], ...] = ((RANDOMISED, "high"), (OBSERVATIONAL, "low"))
    for tier, level in tiers:
        best = [d for d in designs if d in tier]
        if best:
            rest = [d for d in designs if d not in tier]
            also = f"; also {design_phrase(rest)}" if rest else ""
            return level, f"Starts at {level}: {design_phrase(best)}{also}"
    return "very low", f"Starts at very low: {design_phrase(designs)}"


def inconsistency(studies: Sequence[Claim], direction: Direction) -> str | None:
    """Return the reason to rate down for studies reporting another direction (never for one study)."""
    if len(studies) < 2:
        return None
    against = Counter(trusted_direction(c) for c in studies if conflicts(trusted_direction(c), direction))
    parts = []
    for i, (other, n) in enumerate(against.most_common()):
        verb = "reports" if n == 1 else "report"
        head = f"{n} of {len(studies)} studies" if i == 0 else str(n)
        parts.append(f"{head} {verb} {_DIRECTION_WORDS[other]}")
    return "Rated down one level for inconsistency: " + ", ".join(parts) if parts else None


def _ci_text(claim: Claim) -> str:
    e = claim.effect
    assert e is not None and e.ci_low is not None and e.ci_high is not None
    return f"the {e.ci_level * 100:g}% CI of {e.type} {e.value:g} ({e.ci_low:g}–{e.ci_high:g}) crosses no effect"


def _appreciable(studies: Sequence[Claim]) -> str | None:
    """Return why 'no difference' is imprecise: every ratio interval reaches an appreciable benefit or harm."""
    ratios = [c.effect for c in studies if c.effect is not None and c.effect.type in RATIOS
              and c.effect.ci_low is not None and c.effect.ci_high is not None]
    wide = [e for e in ratios if e.ci_low < APPRECIABLE[0] or e.ci_high > APPRECIABLE[1]]  # type: ignore[operator]
    if not ratios or len(wide) < len(ratios):
        return None
    e = wide[0]
    which = f"the {e.ci_level * 100:g}% CI of {e.type} {e.value:g} ({e.ci_low:g}–{e.ci_high:g})" if len(wide) == 1 \
        else f"all {len(wide)} confidence intervals"
    return f"{which} include{'s' if len(wide) == 1 else ''} an appreciable benefit or harm (below {APPRECIABLE[0]} " \
           f"or above {APPRECIABLE[1]})"


def imprecision(studies: Sequence[Claim], direction: Direction) -> str | None:
    """Return the reason to rate down for too few participants, null-crossing CIs or no statistics."""
    found = []
    supporting = [c for c in studies if trusted_direction(c) == direction] or list(studies)
    # NOTE: the finding rests on the studies that report it; a large study pointing elsewhere adds no precision.
    sizes = [n for c in supporting if (n := counted_size(c)) is not None]
    where = "in total" if len(supporting) == len(studies) else "in the studies reporting this"
    if not sizes:
        found.append("no participant numbers reported")
    elif sum(sizes) < MIN_PARTICIPANTS:
        found.append(f"{sum(sizes)} participants {where} (< {MIN_PARTICIPANTS})")
    with_ci = [c for c in supporting if c.effect is not None and c.effect.crosses_null() is not None]
    # NOTE: a CI spanning no effect is what a no-difference finding predicts, so only effects are judged.
    if direction in ("increase", "decrease") and with_ci and all(c.effect and c.effect.crosses_null()
                                                                for c in with_ci):
        found.append(_ci_text(with_ci[0]) if len(with_ci) == 1
                     else f"all {len(with_ci)} confidence intervals cross no effect")
    stats = any(c.effect is not None or c.p_value is not None for c in supporting)
    if direction == "no_difference" and (wide := _appreciable(supporting)):
        found.append(wide)
    elif direction == "no_difference" and stats and not any(c.effect and c.effect.interval for c in supporting):
        # NOTE: "not significantly associated (P = 0.152)": without a confidence interval nothing shows that the
        # difference is small; a p-value alone cannot rule out an appreciable benefit or harm.
        found.append("no confidence interval shows that the difference is small")
    if not stats:
        found.append("no effect estimate or p-value reported")
    return "Rated down one level for imprecision: " + "; ".join(found) if found else None


def _population_fits(claim: Claim, wanted: Sequence[Sequence[str]]) -> bool:
    return all(occurs_any(forms, claim.population or "") for forms in wanted)


def indirectness(studies: Sequence[Claim], query: Query, mismatches: Sequence[str] = ()) -> str | None:
    """Return the reason to rate down for a population, intervention, comparator or outcome other than asked."""
    wanted = [e.forms() for e in (*query.by_role("population"), *query.by_role("condition"))
              if e.type in ("population", "condition")]
    found = list(mismatches)
    indirect = [c for c in studies if c.population and wanted and not _population_fits(c, wanted)]
    if indirect and 2 * len(indirect) > len(studies):
        asked = " / ".join(forms[0] for forms in wanted)
        found.append(f"population '{indirect[0].population}' differs from the question's '{asked}'"
                     if len(indirect) == 1 else f"{len(indirect)} of {len(studies)} studies are in other populations "
                     f"(e.g. '{indirect[0].population}') than the question's '{asked}'")
    return "Rated down one level for indirectness: " + "; ".join(found) if found else None


def not_assessed() -> str:
    """Return the domains MedKB does not judge, named."""
    return "Not assessed: " + ", ".join(NOT_ASSESSED)


def grade(studies: Sequence[Claim], direction: Direction, query: Query,
          mismatches: Sequence[str] = ()) -> tuple[Certainty, tuple[str, ...]]:
    """Return the certainty of a body of evidence (one claim per study) and every reason for it."""
    start, reason = starting_level(studies)
    downs = [r for r in (inconsistency(studies, direction), imprecision(studies, direction),
                         indirectness(studies, query, mismatches)) if r]
    level = LEVELS.index(start) - len(downs)
    reasons = [reason, *downs]
    if level < 0:
        reasons.append("Cannot go lower than very low")
    reasons.append(not_assessed())
    return LEVELS[max(level, 0)], tuple(reasons)


def capped(level: Certainty, reasons: tuple[str, ...], ceiling: Certainty,
           why: str) -> tuple[Certainty, tuple[str, ...]]:
    """Return the level lowered to a ceiling, with the reason added when it bites."""
    if LEVELS.index(level) <= LEVELS.index(ceiling):
        return level, reasons
    return ceiling, (*reasons, f"Capped at {ceiling}: {why}")
