"""Hypotheses from matched claims: one per intervention, comparator and outcome, each study once, worded or quoted."""

from __future__ import annotations

import pytest

from kb.evidence import Fit, select
from kb.hypotheses import build_hypotheses, label
from tests.kb.claim_fixtures import ASPIRIN_STROKE, HR_BENEFIT, cited, query_of, rct


def fits(*claims: object, query: object = ASPIRIN_STROKE) -> list[Fit]:
    """Return the claims that answer the question."""
    found, _ = select(claims, query, {})  # type: ignore[arg-type]
    return found


def test_two_agreeing_large_validated_trials_are_high_and_worded() -> None:
    [h], _, _ = build_hypotheses(fits(rct("alpha", n=300), rct("beta", n=250)), ASPIRIN_STROKE)
    assert (h.direction, h.confidence, h.n_studies, h.n_participants) == ("decrease", "high", 2, 550)
    assert h.statement == "Aspirin reduces stroke" and h.label == "aspirin: stroke"
    assert h.confidence_reasons == ("Starts at high: 2 randomised trials",
                                    "Not assessed: risk of bias, publication bias")


def test_small_trials_are_imprecise_and_worded_to_their_certainty() -> None:
    [h], _, _ = build_hypotheses(fits(rct("alpha", n=70), rct("beta", n=70)), ASPIRIN_STROKE)
    assert h.confidence == "moderate" and h.statement == "Aspirin probably reduces stroke"
    assert "Rated down one level for imprecision: 140 participants in total (< 400)" in h.confidence_reasons


def test_a_single_large_trial_is_not_rated_down_for_being_single() -> None:
    # NOTE: "single study, not replicated" is not a GRADE domain; every single study once lost a level for it.
    [h], _, _ = build_hypotheses(fits(rct("alpha", n=5000)), ASPIRIN_STROKE)
    assert h.confidence == "high"
    assert not any("single" in r for r in h.confidence_reasons)


def test_unvalidated_claims_are_never_worded_only_labelled_and_quoted() -> None:
    found = fits(rct("alpha", restatable=False), rct("beta", restatable=False))
    [h], _, _ = build_hypotheses(found, ASPIRIN_STROKE)
    assert h.statement is None and h.heading == "aspirin: stroke"
    assert h.direction == "decrease" and all(c.quote for c in h.supporting)


def test_extractive_mode_words_nothing() -> None:
    [h], _, _ = build_hypotheses(fits(rct("alpha"), rct("beta")), ASPIRIN_STROKE, extractive=True)
    assert h.statement is None and h.confidence == "high"


def test_an_unvalidated_direction_without_statistics_is_not_counted() -> None:
    words_only = cited("gamma", "In adults, aspirin reduced stroke over 52 weeks.", "no_difference")
    [h], _, _ = build_hypotheses(fits(rct("alpha"), rct("beta"), words_only), ASPIRIN_STROKE)
    assert h.n_studies == 2 and not h.contradicting and h.confidence == "high"


def test_a_paper_and_its_registry_record_are_one_study() -> None:
    paper = rct("paper", n=800, study="trial-1")
    record = rct("record", n=800, study="trial-1", sample_size_type="ACTUAL")
    [h], _, _ = build_hypotheses(fits(paper, record, rct("other", n=800)), ASPIRIN_STROKE)
    assert h.n_studies == 2 and h.n_participants == 1600


def test_a_meta_analysis_is_not_added_to_its_own_trials() -> None:
    trials = [rct(d, n=800, study=d, source={"pmid": d}) for d in ("t1", "t2")]
    meta = rct("meta", n=3000, design="meta_analysis", study="meta", includes=("t1", "t2"), source={"pmid": "m1"})
    [h], _, left = build_hypotheses(fits(*trials, meta, rct("t3", n=500, study="t3")), ASPIRIN_STROKE)
    assert (h.n_studies, h.n_participants, h.designs) == (2, 3500, ("meta_analysis", "rct"))
    assert sorted(why for _, why in left) == ["included in PMID m1, counted there"] * 2


def test_hedged_support_is_speculative_and_mechanisms_stay_apart() -> None:
    hedged = fits(rct("alpha", hedged=True), rct("beta", hedged=True))
    hypotheses, speculative, _ = build_hypotheses(hedged, ASPIRIN_STROKE)
    assert hypotheses == [] and speculative[0].confidence == "low"
    mice = cited("mice", "Aspirin reduced stroke size in mice (p < 0.01).", design="animal", n=40, restatable=True)
    hypotheses, speculative, _ = build_hypotheses(fits(rct("alpha"), rct("beta"), mice), ASPIRIN_STROKE)
    assert [h.designs for h in hypotheses] == [("rct",)] and speculative[0].designs == ("animal",)


def test_estimated_enrollment_is_never_added_to_actual() -> None:
    found = fits(rct("actual", n=240, sample_size_type="ACTUAL"), rct("target", n=1000, sample_size_type="ESTIMATED"))
    [h], _, _ = build_hypotheses(found, ASPIRIN_STROKE)
    assert h.n_studies == 2 and h.n_participants == 240


def test_model_confidence_never_changes_the_certainty_tag() -> None:
    low = build_hypotheses(fits(rct("a", confidence=0.05), rct("b", confidence=0.15)), ASPIRIN_STROKE)[0][0]
    high = build_hypotheses(fits(rct("a", confidence=1.0), rct("b", confidence=1.0)), ASPIRIN_STROKE)[0][0]
    assert (low.confidence, low.confidence_reasons) == (high.confidence, high.confidence_reasons)
    assert low.extraction_confidence == pytest.approx(0.1)


def test_one_hypothesis_per_comparator_and_a_claim_without_one_joins_the_only_one() -> None:
    versus_placebo = [rct(d, comparator="placebo") for d in ("a", "b")]
    unnamed = rct("d")
    [joined], _, _ = build_hypotheses(fits(*versus_placebo, unnamed), ASPIRIN_STROKE)
    assert joined.label == "aspirin vs placebo (2 of 3 studies): stroke"
    versus_clopidogrel = rct("c", comparator="clopidogrel 75 mg")
    hypotheses, _, _ = build_hypotheses(fits(*versus_placebo, versus_clopidogrel, unnamed), ASPIRIN_STROKE)
    assert sorted(h.label for h in hypotheses) == ["aspirin vs clopidogrel: stroke", "aspirin vs placebo: stroke",
                                                   "aspirin: stroke"]
    assert [h.statement for h in hypotheses if h.comparator == "clopidogrel"] == \
        ["Aspirin probably reduces stroke compared with clopidogrel"]


def test_systolic_and_diastolic_pressure_stay_apart() -> None:
    query = query_of(("intervention", "quorvafil"), ("outcome", "blood pressure"))
    systolic = cited("rct", "There was no significant difference in systolic blood pressure between quorvafil and "
                     "placebo at 12 weeks (mean difference -1.4 mm Hg, 95% CI -5.2 to 2.4; P=0.47).", "no_difference",
                     subject="quorvafil", obj="systolic blood pressure", n=96, p_value={"value": 0.47})
    diastolic = cited("rct", "Quorvafil did not significantly lower diastolic blood pressure compared with placebo "
                      "(mean difference -0.6 mm Hg, 95% CI -3.1 to 1.9; P=0.64).", "no_difference",
                      subject="Quorvafil", obj="diastolic blood pressure", n=96, comparator="placebo",
                      p_value={"value": 0.64})
    hypotheses, _, _ = build_hypotheses(fits(systolic, diastolic, query=query), query)
    assert sorted(h.label for h in hypotheses) == ["quorvafil vs placebo: diastolic blood pressure",
                                                   "quorvafil vs placebo: systolic blood pressure"]


def test_subgroups_keep_their_label_and_never_stand_in_for_the_primary_result() -> None:
    primary = rct("a", "no_difference", scope="primary", n=900)
    subgroup = rct("a", scope="subgroup", n=900)
    hypotheses, _, _ = build_hypotheses(fits(primary, subgroup), ASPIRIN_STROKE)
    assert [(h.scope, h.direction) for h in hypotheses] == [("primary", "no_difference"), ("subgroup", "decrease")]
    assert hypotheses[1].label == "aspirin: stroke (subgroup)"


def test_a_study_speaks_through_its_primary_result_before_a_secondary_one() -> None:
    secondary = rct("a", scope="secondary", n=900)
    primary = rct("a", "no_difference", scope="primary", n=900)
    [h], _, _ = build_hypotheses(fits(secondary, primary), ASPIRIN_STROKE)
    assert h.n_studies == 1 and h.direction == "no_difference" and h.scope == "primary"


def test_a_group_with_no_verifiable_direction_gives_way_to_one_with() -> None:
    unclear = cited("x", "Aspirin and stroke were recorded.", "unclear", obj="ischaemic stroke")
    hypotheses, _, left = build_hypotheses(fits(rct("a"), rct("b"), unclear), ASPIRIN_STROKE)
    assert [h.outcome for h in hypotheses] == ["stroke"] and [f.cited for f, _ in left] == [unclear]


def test_a_serious_adverse_event_is_worded_as_a_report_not_as_an_effect() -> None:
    sae = cited("a", "Serious adverse event Pneumonia: Drug X 3/120", "unclear", subject="Drug X", obj="Pneumonia",
                predicate="adverse_event_of", kind="safety", n=120, restatable=True)
    query = query_of(("intervention", "Drug X"))
    [h], _, _ = build_hypotheses(fits(sae, query=query), query)
    assert h.statement == ("Pneumonia was reported as a serious adverse event with Drug X; "
                           "whether Drug X causes it is uncertain")


def test_labels_are_names_only() -> None:
    assert label("zelmorant", "placebo", "FEV1", "secondary") == "zelmorant vs placebo: FEV1 (secondary outcome)"
    assert label("brenotide", None, "weight gain", "unspecified") == "brenotide: weight gain"


def test_validated_risks_are_worded_as_risks() -> None:
    drugs = [cited(d, "Statins reduced the risk of stroke.", subject="statins", predicate="decreases_risk_of",
                   effect=HR_BENEFIT, n=5000, restatable=True) for d in ("b", "c")]
    query = query_of(("intervention", "statins"), ("outcome", "stroke"))
    [g], _, _ = build_hypotheses(fits(*drugs, query=query), query)
    assert g.statement == "Statins reduce the risk of stroke"


def test_a_comparator_no_counted_study_names_is_not_shown() -> None:
    # NOTE: a standing check read "liraglutide vs those (0 of 1 studies): PWV": the study naming "those" had no
    # verifiable direction and was not counted.
    unverified = rct("a", "unclear", comparator="metformin", restatable=False)
    [h], _, _ = build_hypotheses(fits(unverified, rct("b")), ASPIRIN_STROKE)
    assert h.n_studies == 1 and h.label == "aspirin: stroke" and "metformin" not in (h.statement or "")
