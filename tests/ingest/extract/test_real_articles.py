"""Whole Evidence Inference articles read as ingest reads them: the claims a clinician judged wrong, pinned."""

from __future__ import annotations

from functools import cache

import pytest

from ingest.chunk import chunk_document
from ingest.extract.rules import RuleExtractor
from ingest.nlp.reading import read_document
from ingest.nlp.sentences import encoded_text
from ingest.readers.load import load
from kb.claims import Claim
from kb.lexicon import Lexicon
from tests.conftest import DATA, needs_data
from tests.ingest.extract.test_rules import minilm

EI = DATA / "evidence_inference" / "txt_files"


@cache
def claims(pmcid: str) -> tuple[Claim, ...]:
    """Return the rule extractor's claims of a whole article, its chunks encoded as ingest encodes them."""
    doc = next(iter(load(EI / f"{pmcid}.txt")))
    chunks = chunk_document(doc)
    states = minilm().encode([encoded_text(doc, c) for c in chunks]).states
    return RuleExtractor().extract(read_document(doc, chunks, states, Lexicon.empty(), minilm())).claims


def quoted(pmcid: str, start: str) -> list[Claim]:
    """Return the article's claims whose quote starts with `start`."""
    return [c for c in claims(pmcid) if c.quote.text.startswith(start)]


@needs_data
def test_a_combination_supplement_stays_whole() -> None:
    # NOTE: PMC4666408 gave "coenzyme" and "selenium and coenzyme" as the intervention of a selenium + CoQ10 trial.
    found = quoted("PMC4666408", "If applying a multivariate model") + quoted("PMC4666408", "Significantly reduced")
    assert found and {c.subject.name.casefold() for c in found} == {"selenium and coenzyme q10"}


@needs_data
def test_a_control_named_once_in_the_background_is_not_the_comparator() -> None:
    # NOTE: PMC3532036 compares sorafenib with capecitabine; "placebo" appears once, in another trial's result.
    [similar] = quoted("PMC3532036", "The incidences of fatigue/weakness")
    assert similar.subject.name == "sorafenib" and similar.comparator == "capecitabine"
    assert all(c.comparator != "placebo" for c in claims("PMC3532036"))


@needs_data
def test_a_trend_is_not_part_of_the_outcome() -> None:
    found = quoted("PMC3532036", "The incidence of diarrhea and hand-foot syndrome tended")
    assert all(not c.object.name.endswith("tended") for c in found)


@needs_data
def test_changes_within_a_group_are_labelled_and_quoted() -> None:
    # NOTE: PMC3691658 (vitamin D in MS): before-after changes inside one arm, stored as effects of vitamin D.
    for start in ("While serum IL-17 was significantly increased", "No significant changes in FAMS score",
                  "PTH decreased in the high dose group"):
        found = quoted("PMC3691658", start)
        assert found and all(c.scope == "within_group" and not c.restatable and c.comparator is None for c in found)
    # NOTE: "regardless of vitamin D dose": the result is about analgesic use, not about vitamin D.
    assert not quoted("PMC3691658", "As could be expected, mean FLS scores")
    assert not quoted("PMC3691658", "No statistically significant differences were found in FLS scores")


@needs_data
def test_a_clause_about_the_control_group_is_not_the_interventions_result() -> None:
    # NOTE: PMC5749033 was answered "HIIT probably makes little or no difference to H-reflex size" (moderate).
    found = quoted("PMC5749033", "There was a significant increase in H-reflex size after HIIT")
    assert found and {c.direction for c in found} == {"increase"}


@needs_data
def test_the_comparator_is_the_arm_those_people_were_in() -> None:
    # NOTE: PMC5759220 (liraglutide vs metformin): "than those on metformin" gave the comparator "those", and "in
    # contrast to subjects who received metformin" made metformin the subject.
    [pwv] = quoted("PMC5759220", "Thus, post treatment patients that received liraglutide had lower PWV")
    [heart] = quoted("PMC5759220", "Heart rate was increased after liraglutide treatment")
    assert (pwv.comparator, heart.subject.name, heart.comparator) == ("metformin", "liraglutide", "metformin")
    assert heart.scope != "within_group"
    # NOTE: PMC4589005: "than in subjects in the placebo group" is placebo, not "subjects".
    assert {c.comparator for c in quoted("PMC4589005", "In subjects treated with DSG 1%")} == {"placebo"}


@needs_data
def test_what_the_title_says_the_study_prevents_is_not_its_intervention() -> None:
    # NOTE: PMC3686162, a programme to prevent delirium: "delirium makes no difference to survival vs usual care".
    assert all(c.subject.name.casefold() not in ("delirium", "care") for c in claims("PMC3686162"))


@needs_data
def test_an_outcome_word_is_not_completed_with_a_finding() -> None:
    # NOTE: PMC5749033 stored the outcome "changes in the HIIT group were much higher".
    assert all(" were " not in c.object.name for c in claims("PMC5749033"))


@needs_data
def test_a_change_the_sentence_calls_not_significant_is_no_effect() -> None:
    # NOTE: PMC3691744 stored both "AZD3199 increases trough FVC" and "makes no difference" from one sentence.
    found = quoted("PMC3691744", "Trough FVC was increased by 86–184 ml with AZD3199 compared with placebo")
    assert found and {c.direction for c in found} == {"no_difference"}


@needs_data
def test_the_condition_of_the_people_studied_is_not_the_intervention() -> None:
    # NOTE: PMC5769181 (telephone follow-up for children with diabetes) stored "diabetes increases self-care".
    assert claims("PMC5769181") and all(c.subject.name.casefold() != "diabetes" for c in claims("PMC5769181"))


@needs_data
def test_patients_against_healthy_controls_and_a_handful_of_people_are_no_treatment_result() -> None:
    # NOTE: PMC116601: "prolonged in Fabry patients compared to controls", "the rCBF in the control group was
    # elevated" were stored as effects of acetazolamide, the challenge both groups had.
    assert not quoted("PMC116601", "The time for recovery of the cerebral vasculature")
    assert not quoted("PMC116601", "Following acetazolamide at the 20-minute time point, the rCBF in the control")
    # NOTE: PMC4132222: two participants' lesions, and a comparison of participants by lesion age.
    assert not quoted("PMC4132222", "In the two participants with moderate lesions")
    assert all(c.object.name != "lesion onset" for c in claims("PMC4132222"))


@needs_data
def test_a_ratio_is_not_read_against_the_arms_own_values() -> None:
    # NOTE: PMC1891439 stored "cefixime decreases failure rate" from "37.6% ... in the cefixime group and 3.5% ... in the
    # Gatifloxacin group (HR 0.084)": the hazard ratio is gatifloxacin's; cefixime failed more often.
    for start in ("Overall failure rate at 1 month", "Relapse rates were 12.4%"):
        assert all(not (c.subject.name.casefold() == "cefixime" and c.direction == "decrease")
                   for c in quoted("PMC1891439", start))


@needs_data
def test_a_covariate_adjusted_for_is_not_the_subject() -> None:
    # NOTE: PMC2836833 (dairy vs nondairy diet) stored "calcium makes no difference to fecal fat loss".
    found = quoted("PMC2836833", "Although not statistically significant, the average fecal fat loss")
    assert all(c.subject.name.casefold() != "calcium" for c in found)


@needs_data
def test_the_instrument_a_result_is_measured_with_is_not_the_subject() -> None:
    # NOTE: PMC4028193 (an iCBT trial) stored "BDI-II makes no difference to remission".
    found = quoted("PMC4028193", "No significant difference was observed in the remission based on BDI-II")
    assert all(c.subject.name.casefold() != "bdi-ii" for c in found)


@needs_data
def test_a_smaller_increase_is_a_decrease() -> None:
    # NOTE: PMC3476989 stored "coffee increases pain" from "The pain increase ... was significantly lower for the
    # coffee consumers than for the abstainers".
    [lower] = quoted("PMC3476989", "The pain increase in the active side")
    assert (lower.subject.name, lower.direction) == ("coffee", "decrease")


@needs_data
def test_a_smaller_reduction_in_the_other_arm_is_no_claim_of_its_own() -> None:
    # NOTE: PMC3606371: "... reduced ... in the ETN + MTX group whereas the reduction in the DMARD + MTX group was
    # smaller" had also been stored as "DMARD + MTX decreases work impairment".
    found = quoted("PMC3606371", "Notably, overall mean work impairment")
    assert [(c.subject.name, c.direction) for c in found] == [("ETN", "decrease")]


@needs_data
def test_a_change_word_or_the_people_treated_are_no_outcome() -> None:
    # NOTE: PMC3524756 had "decreased" and "reduction" as outcomes; PMC3478157 had "subjects receiving VXP".
    outcomes = {c.object.name.casefold() for pmcid in ("PMC3524756", "PMC3478157") for c in claims(pmcid)}
    assert outcomes and not outcomes & {"decreased", "reduction"}
    assert not any(o.startswith("subjects receiving") for o in outcomes)


@needs_data
def test_no_evidence_of_benefit_is_no_effect() -> None:
    # NOTE: PMC3524756: "There was no evidence of further benefit of the additional lifestyle support services in
    # terms of absolute CVD risk reduction" had been stored as a decrease.
    assert all(c.direction in ("no_difference", "unclear") for c in quoted("PMC3524756", "There was no evidence"))


@needs_data
def test_a_value_before_and_after_in_each_group_is_a_change_within_groups() -> None:
    # NOTE: PMC3524756: "Average population CVD risk decreased from 32.9% to 29.4% (p <0.001) in the NHS Health Check
    # only group and from 31.9% to 29.2% (p <0.001) in the ... additional lifestyle support group".
    found = quoted("PMC3524756", "Average population CVD risk decreased")
    assert found and all(c.scope == "within_group" and not c.restatable for c in found)


@needs_data
def test_an_eye_is_not_a_treatment() -> None:
    # NOTE: PMC3261693 compares implanted with non-implanted eyes; "eyes" had been stored as the intervention.
    assert all(c.subject.name.casefold() not in ("eye", "eyes") for c in claims("PMC3261693"))


@needs_data
def test_saline_that_cools_a_device_is_not_the_control() -> None:
    # NOTE: PMC5805261 compares two ablation techniques; saline perfuses the electrodes, and "RFA ... compared with
    # saline" had been answered.
    found = claims("PMC5805261")
    assert found and all(c.comparator != "saline" for c in found)


@needs_data
def test_a_proportional_reduction_is_against_the_control() -> None:
    # NOTE: PMC1079844: "A highly significant 24% (95% CI 10–35; p = 0.002) proportional reduction in vascular
    # mortality emerged during the first two years after the initiation of simvastatin treatment" is the trial's
    # result against placebo, not a change within the simvastatin group.
    found = quoted("PMC1079844", "A highly significant 24%")
    assert found and all(c.scope != "within_group" for c in found)


@needs_data
def test_the_same_change_in_each_group_is_a_change_within_groups() -> None:
    # NOTE: PMC5812864: increases "in the bench-press group (triceps, from 26.3 ± 3.7 mm to 27.8 ± 3.8 mm ...) and in
    # the push-up group (...)" had been stored as "bench-press increases muscle thickness", restatable.
    found = quoted("PMC5812864", "Significant increases in")
    assert found and all(c.scope == "within_group" and not c.restatable for c in found)


@needs_data
def test_other_trials_results_are_other_work() -> None:
    # NOTE: PMC5827295 "Different results were also acquired compared to the same study" (comparator "same study");
    # PMC1974799 "... in which rizatriptan 10 mg has greater efficacy", "... greater with rizatriptan (16).", and
    # "... than other oral triptans in a naturalistic setting has not been reported".
    assert all("same study" not in (c.comparator or "") for c in claims("PMC5827295"))
    for start in ("This study reproduced", "In a pharmacy-based study", "The extent to which rizatriptan"):
        assert not quoted("PMC1974799", start), start


@needs_data
def test_a_threshold_rise_names_an_outcome_not_a_change() -> None:
    # NOTE: PMC5791588: "Percentages of participants with ≥2-fold increase in the levels of antibodies ... were 85% to
    # 94% for the aP groups, 76% to 95% for the TdaP groups" had been stored as "TdaP increases antibodies".
    assert not quoted("PMC5791588", "Percentages of participants with")


@needs_data
def test_what_was_consumed_is_not_the_outcome() -> None:
    # NOTE: PMC4763470: "Yogurt consumption decreased LDL-C significantly" had been stored as yogurt decreases
    # "consumption".
    assert all(c.object.name.casefold() != "consumption" for c in claims("PMC4763470"))


@needs_data
def test_an_arm_named_only_by_what_both_arms_share_is_no_subject() -> None:
    # NOTE: PMC5827295 compares divided with continuous occlusion; "higher in the divided occlusion group compared to
    # the continuous occlusion group" had been answered "Occlusion probably increases visual acuity compared with
    # continuous occlusion group".
    found = claims("PMC5827295")
    assert found and not [c for c in found if c.subject.name.casefold() == "occlusion" and c.comparator]


@needs_data
def test_a_change_against_a_time_point_is_within_a_group() -> None:
    # NOTE: the final standing check: "BMI in the BNR17 group decreased after the 12th week compared with week 0"
    # (PMC3611107) had "week" as its comparator; "intragroup analysis showed that the REHACOP group increased brain
    # activation ... compared to pre-treatment" (PMC5707237) was labelled a subgroup result, restatable.
    for pmcid, start in (("PMC3611107", "BMI in the BNR17 group decreased"), ("PMC5707237", "During the learning")):
        found = quoted(pmcid, start)
        assert found and all(c.scope == "within_group" and c.comparator is None for c in found), pmcid


@needs_data
def test_a_comparison_before_the_procedure_or_a_covariate_is_no_finding() -> None:
    # NOTE: PMC5789501 "no statistically significant difference between the VAS score, range of motion and SPADI
    # before the procedure"; PMC3488177 "The gain, after correction for preoperative status, was dependent on
    # tourniquet treatment" (outcome "correction").
    assert not quoted("PMC5789501", ":\nThere was no statistically significant difference between the VAS")
    assert not quoted("PMC3488177", "The gain, after correction")


@needs_data
def test_a_history_balanced_between_arms_is_no_finding() -> None:
    # NOTE: the final standing check: "In patients with G3b and/or A3, proportion of previous cardiovascular disease,
    # previous cerebrovascular disease, and previous peripheral artery disease were similar between ARB and non-ARB
    # groups" (PMC5816600) was answered "ARB probably makes little or no difference to proportion of previous
    # cardiovascular disease".
    assert not quoted("PMC5816600", "In patients with G3b and/or A3, proportion of previous")


@needs_data
def test_a_comparator_is_named_without_its_preposition() -> None:
    # NOTE: PMC3476989 "than for the abstainers" and PMC1974799 "Compared with patients’ usual oral triptans therapy"
    # had the comparators "for the abstainers" and "’ usual oral triptans therapy".
    [coffee] = quoted("PMC3476989", "The pain increase in the active side")
    assert coffee.comparator == "abstainers"
    usual = quoted("PMC1974799", "Compared with patients’ usual oral triptans therapy")
    assert usual and all(c.comparator == "usual oral triptans therapy" for c in usual)


@needs_data
def test_a_condition_is_an_arm() -> None:
    # NOTE: PMC4733222 "participants in the ePaper Team condition reported lower average weekly compliance score than
    # participants in the ePaper Solo condition" had been stored as "ePaper decreases ... compared with ePaper Solo".
    assert not quoted("PMC4733222", "However, participants in the ePaper Team condition")
    assert not quoted("PMC4733222", "Participants in the Mobile Team condition")
