"""Certainty rules: starting levels, each reason to rate down, floors, caps and tally weights."""

from __future__ import annotations

import math
from typing import Any

import pytest

from kb.answers import Query, QueryEntity
from kb.claims import Claim, EffectMeasure, PValue, Quote
from kb.grade import (
    MIN_PARTICIPANTS,
    capped,
    conflicts,
    counted_size,
    design_phrase,
    direction_counts,
    grade,
    significance,
    starting_level,
    study_weight,
    trusted_direction,
)
from kb.models import Entity, make_id

ASPIRIN = Entity(id=make_id("e", "aspirin"), name="aspirin", type="intervention")
STROKE = Entity(id=make_id("e", "stroke"), name="stroke", type="outcome")
SENTENCE = "Aspirin reduced stroke in adults with atrial fibrillation."
NO_QUESTION = Query(question="q")
PREDICATES = {"decrease": "decreases", "increase": "increases", "no_difference": "no_effect_on",
              "unclear": "associated_with"}


def study(doc: str, design: str = "rct", n: int | None = 500, direction: str = "decrease", **extra: Any) -> Claim:
    """Return one study's claim; the quote is the whole (tiny) chunk of its own document."""
    doc_id = make_id("doc", doc)
    # NOTE: statistics that bear out the direction, so an unvalidated claim's direction still counts.
    p = PValue(value=0.4) if direction == "no_difference" else PValue(value=0.01, operator="<")
    fields = dict(id=make_id("claim", doc), doc_id=doc_id, chunk_id=make_id("chunk", doc), subject=ASPIRIN,
                  predicate=PREDICATES[direction], object=STROKE, direction=direction, study_design=design,
                  sample_size=n, quote=Quote(text=SENTENCE, doc_id=doc_id, start=0, end=len(SENTENCE)),
                  extractor="test", extractor_version="1", confidence=0.5, p_value=p)
    return Claim.model_validate({**fields, **extra})


@pytest.mark.parametrize(("designs", "level", "reason"), [
    (["rct", "rct"], "high", "Starts at high: 2 randomised trials"),
    (["meta_analysis", "cohort"], "high", "Starts at high: 1 meta-analysis; also 1 cohort study"),
    (["rct", "cohort"], "high", "Starts at high: 1 randomised trial; also 1 cohort study"),
    (["systematic_review"], "high", "Starts at high: 1 systematic review"),
    (["cohort", "case_control", "cohort"], "low", "Starts at low: 2 cohort studies and 1 case-control study"),
    (["non_randomized_trial"], "low", "Starts at low: 1 non-randomised trial"),
    (["case_series", "case_report"], "very low", "Starts at very low: 1 case series and 1 case report"),
    (["animal"], "very low", "Starts at very low: 1 animal study"),
    (["unknown"], "very low", "Starts at very low: 1 unknown study"),
])
def test_starting_level_follows_the_best_design(designs: list[str], level: str, reason: str) -> None:
    assert starting_level([study(str(i), d) for i, d in enumerate(designs)]) == (level, reason)


def test_randomised_evidence_without_problems_stays_high() -> None:
    level, reasons = grade([study("a"), study("b")], "decrease", NO_QUESTION)
    assert level == "high"
    assert reasons == ("Starts at high: 2 randomised trials", "Not assessed: risk of bias, publication bias")


def test_each_problem_costs_one_level_and_says_why() -> None:
    studies = [study("a", n=50), study("b", n=50), study("c", n=50, direction="no_difference")]
    level, reasons = grade(studies, "decrease", NO_QUESTION)
    assert level == "low"
    assert reasons[1:3] == ("Rated down one level for inconsistency: 1 of 3 studies reports no difference",
                            "Rated down one level for imprecision: 100 participants in the studies reporting this "
                            "(< 400)")


def test_the_floor_is_very_low_and_says_so() -> None:
    level, reasons = grade([study("a", "case_report", n=1)], "decrease", NO_QUESTION)
    assert level == "very low"
    assert "Cannot go lower than very low" in reasons


def test_a_ci_crossing_no_effect_is_imprecise() -> None:
    # NOTE: only a validated claim can say "decrease" against its own interval; others are not counted at all.
    effect = EffectMeasure(type="HR", value=0.9, ci_low=0.7, ci_high=1.2)
    a, b = study("a", effect=effect, restatable=True), study("b", effect=effect, n=900, restatable=True)
    level, reasons = grade([a, b], "decrease", NO_QUESTION)
    assert level == "moderate"
    assert "Rated down one level for imprecision: all 2 confidence intervals cross no effect" in reasons
    _, one = grade([study("a", effect=effect, n=900, restatable=True), study("b", n=900)], "decrease", NO_QUESTION)
    assert "Rated down one level for imprecision: the 95% CI of HR 0.9 (0.7–1.2) crosses no effect" in one


def test_a_ci_crossing_no_effect_is_expected_of_a_no_difference_finding() -> None:
    effect = EffectMeasure(type="MD", value=0.1, ci_low=-0.5, ci_high=0.7)
    level, _ = grade([study("a", effect=effect, direction="no_difference"),
                      study("b", effect=effect, direction="no_difference")], "no_difference", NO_QUESTION)
    assert level == "high"


def test_no_difference_with_a_p_value_alone_is_imprecise() -> None:
    # NOTE: the final standing check: "ARB allocation was not significantly associated with cardiovascular and renal
    # events (P = 0.1520)" in 1,222 patients (PMC5816600) was answered at high certainty of no association.
    level, reasons = grade([study("attempt", n=1222, direction="no_difference", p_value=PValue(value=0.152))],
                           "no_difference", NO_QUESTION)
    assert level == "moderate"
    assert "Rated down one level for imprecision: no confidence interval shows that the difference is small" in reasons


def test_no_statistics_and_no_sizes_are_imprecise() -> None:
    _, reasons = grade([study("a", n=None, p_value=None), study("b", n=None, p_value=None)], "decrease", NO_QUESTION)
    assert ("Rated down one level for imprecision: no participant numbers reported; "
            "no effect estimate or p-value reported") in reasons


def test_indirect_population_needs_most_studies_to_differ() -> None:
    query = Query(question="q", entities=(QueryEntity(text="asthma", role="condition", name="asthma",
                                                      type="condition"),))
    copd = [study(d, population="adults with COPD") for d in "ab"]
    level, reasons = grade(copd, "decrease", query)
    assert level == "moderate"
    assert any(r.startswith("Rated down one level for indirectness: 2 of 2 studies") for r in reasons)
    mixed = [study("a", population="adults with COPD"), study("b", population="children with asthma")]
    assert grade(mixed, "decrease", query)[0] == "high"
    unstated = [study(d) for d in "ab"]
    assert grade(unstated, "decrease", query)[0] == "high"


def test_one_study_is_never_rated_down_for_being_alone_or_inconsistent() -> None:
    level, reasons = grade([study("big", n=5000)], "decrease", NO_QUESTION)
    assert level == "high"
    assert not any("single study" in r or "inconsistency" in r for r in reasons)
    level, reasons = grade([study("big", n=5000)], "no_difference", NO_QUESTION)
    assert not any("inconsistency" in r for r in reasons)


def test_indirectness_names_the_mismatch_and_costs_one_level() -> None:
    mismatch = "asked about turmeric, the study tested curcumin"
    level, reasons = grade([study("a"), study("b")], "decrease", NO_QUESTION, [mismatch])
    assert level == "moderate"
    assert f"Rated down one level for indirectness: {mismatch}" in reasons


def test_a_setting_is_not_a_population() -> None:
    query = Query(question="q", entities=(QueryEntity(text="hospital", role="condition", name="Hospitals"),))
    assert grade([study("a", population="adults with COPD")], "decrease", query)[0] == "high"


def test_no_difference_is_imprecise_when_its_interval_reaches_an_appreciable_effect() -> None:
    # NOTE: SYGMA 1, budesonide-formoterol versus budesonide maintenance: rate ratio 0.83 (95% CI, 0.59 to 1.16).
    wide = EffectMeasure(type="RR", value=0.83, ci_low=0.59, ci_high=1.16)
    level, reasons = grade([study("sygma", n=3849, direction="no_difference", effect=wide)], "no_difference",
                           NO_QUESTION)
    assert level == "moderate"
    assert ("Rated down one level for imprecision: the 95% CI of RR 0.83 (0.59–1.16) includes an appreciable "
            "benefit or harm (below 0.75 or above 1.25)") in reasons
    narrow = EffectMeasure(type="RR", value=0.98, ci_low=0.9, ci_high=1.07)
    assert grade([study("big", n=9000, direction="no_difference", effect=narrow)], "no_difference",
                 NO_QUESTION)[0] == "high"


@pytest.mark.parametrize(("p", "effect", "shown"), [
    (PValue(value=0.01, operator="<"), None, True),
    (PValue(value=0.04), None, True),
    (PValue(value=0.05), None, False),
    (PValue(value=0.47), None, False),
    (PValue(value=0.06, operator="<"), None, None),
    (PValue(value=0.05, operator=">"), None, False),
    (None, EffectMeasure(type="HR", value=0.6, ci_low=0.5, ci_high=0.8), True),
    (None, EffectMeasure(type="MD", value=-1.4, ci_low=-5.2, ci_high=2.4), False),
    (None, EffectMeasure(type="other", value=0.6, ci_low=0.5, ci_high=0.8), None),
    (PValue(value=0.01, operator="<"), EffectMeasure(type="HR", value=0.9, ci_low=0.7, ci_high=1.2), None),
    (None, None, None),
])
def test_significance_reads_p_and_intervals_and_says_when_it_cannot(p: PValue | None, effect: EffectMeasure | None,
                                                                    shown: bool | None) -> None:
    assert significance(study("a", p_value=p, effect=effect)) is shown


def test_an_unvalidated_direction_counts_only_when_its_statistics_bear_it_out() -> None:
    # NOTE: "In adults with moderate-to-severe asthma, zelmorant reduced severe exacerbations" was once read as
    # no effect; without statistics an unvalidated direction is never counted.
    assert trusted_direction(study("a", direction="no_difference", p_value=None)) == "unclear"
    assert trusted_direction(study("a", direction="no_difference", p_value=None, restatable=True)) == "no_difference"
    assert trusted_direction(study("a", direction="decrease")) == "decrease"
    assert trusted_direction(study("a", direction="no_difference", p_value=PValue(value=0.003))) == "unclear"
    assert trusted_direction(study("a", direction="decrease", p_value=PValue(value=0.3))) == "unclear"


def test_model_confidence_is_not_an_input() -> None:
    sure = [study("a", confidence=1.0), study("b", confidence=1.0)]
    unsure = [study("a", confidence=0.0), study("b", confidence=0.0)]
    assert grade(sure, "decrease", NO_QUESTION) == grade(unsure, "decrease", NO_QUESTION)


def test_capped_only_lowers() -> None:
    assert capped("high", (), "low", "hedged") == ("low", ("Capped at low: hedged",))
    assert capped("very low", ("x",), "low", "hedged") == ("very low", ("x",))


def test_estimated_enrollment_counts_no_participants() -> None:
    assert counted_size(study("a", n=1000, sample_size_type="ESTIMATED")) is None
    assert counted_size(study("a", n=240, sample_size_type="ACTUAL")) == 240
    assert counted_size(study("a", n=80)) == 80


def test_weights_follow_design_and_size() -> None:
    assert study_weight(study("a", "rct", n=99)) == pytest.approx(2.5 * math.log(100))
    assert study_weight(study("a", "meta_analysis", n=None)) == 3.0
    assert study_weight(study("a", "unknown", n=None)) == 0.8
    assert study_weight(study("a", "cohort", n=1000, sample_size_type="ESTIMATED")) == 1.2
    assert study_weight(study("a", "case_report", n=1)) < study_weight(study("b", "in_vitro", n=None)) * 2
    assert study_weight(study("a", "rct", n=0)) == 0.0


def test_conflicts_and_phrases() -> None:
    assert conflicts("decrease", "no_difference") and conflicts("increase", "decrease")
    assert not conflicts("unclear", "decrease") and not conflicts("decrease", "decrease")
    assert direction_counts(["decrease", "decrease", "no_difference"]) == \
        "2 studies report a decrease, 1 reports no difference"
    assert design_phrase(["rct", "cohort", "rct", "case_report"]) == \
        "2 randomised trials, 1 cohort study and 1 case report"
    assert MIN_PARTICIPANTS == 400
