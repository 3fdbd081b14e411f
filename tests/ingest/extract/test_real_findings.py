"""More whole Evidence Inference articles read as ingest reads them (continues test_real_articles.py)."""

from __future__ import annotations

import pytest

from tests.conftest import needs_data
from tests.ingest.extract.test_real_articles import claims, quoted


@needs_data
def test_a_change_noun_and_an_arm_are_not_part_of_the_outcome() -> None:
    # NOTE: PMC3525331 gave "CXDT-HFG may reduce reduction of migraine days in the CXDT-HFG group".
    [found] = quoted("PMC3525331", "In other words, the mean reduction of migraine days")
    assert found.object.name == "migraine days" and found.predicate == "decreases"


@needs_data
def test_one_participants_result_is_not_a_finding() -> None:
    # NOTE: PMC5842245: "The only participant who did a complete intervention ... decreased the GSI by 31%".
    assert not quoted("PMC5842245", "The only participant who")
    assert claims("PMC5842245")  # NOTE: the article's other results are still read


@needs_data
@pytest.mark.parametrize(("pmcid", "start"), [
    ("PMC3751456", "Significant reduction in carbohydrate, protein and lipid intake was observed in the NGLCD group"),
    ("PMC3751456", "In LFD group we observed a significant reduction"),
    ("PMC5654748", "The Logbook group also increased physical activity"),
    ("PMC5654748", "In the Web 2.0 group, physical activity increased"),
    ("PMC65683", "Mean of daily steps was significantly higher in the exercise group from about 6,800"),
])
def test_one_arms_change_over_time_is_a_within_group_change(pmcid: str, start: str) -> None:
    found = quoted(pmcid, start)
    assert found and all(c.scope == "within_group" for c in found)


@needs_data
def test_a_one_word_outcome_the_tagger_cut_short_is_finished() -> None:
    # NOTE: "daily" of "daily steps", "liver" of "liver steatosis".
    names = {c.object.name for pmcid, start in (("PMC65683", "Mean of daily steps"),
                                                ("PMC3751456", "This reduction in prevalence"))
             for c in quoted(pmcid, start)}
    assert names == {"daily steps", "liver steatosis"}


@needs_data
def test_an_arm_named_only_in_the_sentence_is_not_replaced_by_an_outcome_word() -> None:
    # NOTE: PMC5789504: "... and failed intubation were greater in Macintosh group than in C-MAC D-Blade group" gave
    # "intubation increases bleeding".
    assert all(c.subject.name != "intubation" for c in claims("PMC5789504"))


@needs_data
def test_a_devices_survival_is_not_the_patients() -> None:
    # NOTE: PMC4161888: "Filter survival times were superior for citrate" was answered "Citrate probably increases
    # survival".
    [found] = quoted("PMC4161888", "Filter survival times were superior for citrate")
    assert found.object.name == "Filter survival times"


@needs_data
def test_two_arms_found_similar_are_compared_not_combined() -> None:
    # NOTE: PMC4161888: "similar for citrate and heparin anticoagulation" gave the subject "citrate and heparin".
    [found] = quoted("PMC4161888", "Patient mortality and renal outcome were similar for citrate and heparin")
    assert (found.subject.name, found.comparator, found.predicate) == ("citrate", "heparin", "no_effect_on")


@needs_data
def test_a_comparative_naming_which_people_is_not_the_direction() -> None:
    # NOTE: PMC3398966: "... among higher risk participants and reduced overall mortality suggest ..." was stored as
    # "care increases mortality"; "care" alone names no intervention.
    [found] = quoted("PMC3398966", "Favorable impacts on health service utilization")
    assert found.predicate == "decreases" and found.subject.name != "care"


@needs_data
def test_an_effect_that_waned_is_not_a_change_of_the_next_outcome() -> None:
    # NOTE: PMC5654748: "... but that effect reduced over time, despite higher levels of engagement of the Web 2.0
    # group" was stored as "Web decreases engagement".
    assert all(c.object.name != "engagement" for c in quoted("PMC5654748", "In comparison to a Web 1.0 intervention"))


@needs_data
@pytest.mark.parametrize(("pmcid", "wrong"), [
    ("PMC3376123", {"rct", "envelope"}),  # NOTE: "RCT of Optimised Anaesthesia", "sealed envelopes"
    ("PMC3628587", {"oxygen", "venous"}),  # NOTE: "mixed venous oxygen saturation" is the outcome of an HTEA trial
    ("PMC4710681", {"iv", "mg/m2"}),  # NOTE: "Stage IV", a dose's unit
])
def test_a_design_a_unit_or_a_measured_substance_is_never_the_studys_intervention(pmcid: str, wrong: set[str]) -> None:
    assert not {c.subject.name.casefold() for c in claims(pmcid)} & wrong


@needs_data
def test_healthy_people_against_patients_is_not_a_treatment_comparison() -> None:
    # NOTE: PMC3658914: "... indicating no significant difference in fecal bacterial communities between the healthy
    # individuals and the T2DM patients" was stored as "cluster makes no difference to fecal bacterial communities".
    assert not quoted("PMC3658914", "By dendrogram analysis")


@needs_data
def test_results_among_patients_with_an_outcome_are_a_subgroup() -> None:
    found = quoted("PMC5830087", "Of the patients with progressive disease or death")
    assert found and all(c.scope == "subgroup" for c in found)


@needs_data
def test_a_slight_difference_without_a_test_is_shown_as_its_quote() -> None:
    # NOTE: "the incidence of serious AEs (40.7% vs 43.3%) ... was slightly lower in the BTH1677 arm": no test.
    found = quoted("PMC5830087", "However, the incidence of serious AEs")
    assert found and not any(c.restatable for c in found)


@needs_data
def test_an_abbreviation_of_the_control_group_is_never_an_intervention() -> None:
    # NOTE: PMC5732440 defines "CG" as "Control Group": "For CG the only significant decrease was for diastolic blood
    # pressure" was stored as "CG decreases diastolic blood pressure".
    assert all(c.subject.name not in ("CG", "EG") for c in claims("PMC5732440"))


@needs_data
@pytest.mark.parametrize("start", [
    "While their response rates were lower than ours",  # NOTE: another study's
    "Based on prior research, we anticipated a 40% response rate",  # NOTE: an expectation
    "A total of 197 respondents (51.8%) gave reasons",  # NOTE: older against younger respondents
])
def test_other_studies_expectations_and_people_compared_are_not_findings(start: str) -> None:
    assert not quoted("PMC1913938", start)


@needs_data
def test_a_difference_the_next_clause_calls_not_significant_is_no_effect() -> None:
    # NOTE: "... reported a lower weight on average than the mail respondents; however, this did not reach statistical
    # significance" had also been stored as "telephone decreases weight".
    found = quoted("PMC1913938", "Among those who did answer, the telephone respondents reported a lower weight")
    assert found and {c.predicate for c in found} == {"no_effect_on"}


@needs_data
def test_a_comparator_does_not_keep_the_auxiliary_verb() -> None:
    [found] = quoted("PMC1913938", "Mail respondents reported higher rates of recall")
    assert found.comparator == "telephone respondents"


@needs_data
@pytest.mark.parametrize(("pmcid", "start"), [
    ("PMC1794469", "There were no significant differences in gender, age, body mass index"),
    ("PMC3806786", "Women in both groups enrolled during the intervention period"),
])
def test_groups_alike_in_who_they_enrolled_is_a_baseline_comparison(pmcid: str, start: str) -> None:
    # NOTE: had been stored as "cannulation makes no difference to mass index" and "NASG increases lacerations".
    assert not quoted(pmcid, start)


@needs_data
def test_a_waitlist_is_a_control_never_the_subject() -> None:
    # NOTE: PMC3524789: "The waitlist group, however, experienced greater disruptions ..." gave "waitlist increases".
    assert all(c.subject.name.casefold() != "waitlist" for c in claims("PMC3524789"))


@needs_data
def test_the_arm_without_the_intervention_never_gives_it_a_result() -> None:
    # NOTE: PMC3651308: "with the 'no website' group having a lower IBS SSS score than the website groups" was stored
    # as "website decreases IBS SSS score", the other way round.
    assert not quoted("PMC3651308", "However, there was a statistically significant difference seen in the IBS SSS")


@needs_data
def test_each_arms_own_change_side_by_side_is_within_group() -> None:
    # NOTE: PMC4717436: "only minor increases in SHS scores for the budesonide group, but very pronounced increase
    # (ie, loss of quality of life) in the placebo arm" read as "budesonide increases SHS scores".
    found = quoted("PMC4717436", "Over the 12-month double-blind phase, there were only minor increases")
    assert found and all(c.scope == "within_group" and not c.restatable for c in found)


@needs_data
@pytest.mark.parametrize(("pmcid", "start"), [
    ("PMC5988794", "There was a low level of missing item-level data"),  # NOTE: a sensitivity analysis agreeing
    ("PMC3698199", "Post-treatment results indicated a trend"),  # NOTE: subject "Post-treatment"
])
def test_misnamed_or_misread_results_give_no_claim(pmcid: str, start: str) -> None:
    assert not quoted(pmcid, start)


@needs_data
def test_an_interaction_effect_is_not_an_outcome() -> None:
    assert all(c.object.name != "interaction effect" for c in claims("PMC4331444"))


@needs_data
def test_the_next_arms_label_is_not_part_of_an_intervention() -> None:
    # NOTE: PMC3767897: "group I (n=29) that received an autogenous tricortical bone graft and group II (n=23) that
    # received ..." named group I "autogenous tricortical bone graft and group II".
    names = {c.subject.name for c in claims("PMC3767897")}
    assert names and not any("group II" in n for n in names)


@needs_data
def test_an_add_on_arm_is_not_the_usual_care_it_is_added_to() -> None:
    # NOTE: PMC3698199: "... in the TAU + SWT condition, McNemars χ2 (1, N = 19) = 8.2, p = .004" gave "TAU increases
    # number of remitted"; McNemar's test compares the same people before and after.
    found = quoted("PMC3698199", "Overall, a significant increase was found for the number of remitted cases")
    assert found and all(c.subject.name != "TAU" and c.scope == "within_group" for c in found)


@needs_data
@pytest.mark.parametrize(("pmcid", "start"), [
    ("PMC4307364", "One subject in the topiramate group had serious adverse effects"),  # NOTE: one person
    ("PMC3770494", "Participants who assumed they had received MPH"),  # NOTE: what people believed they got
    ("PMC3770494", "Subjects who reported “MPH” or “DNK”"),
    ("PMC1584256", "Among women reporting no NSAID use, the hazard ratio"),  # NOTE: outcome "hazard ratio"
])
def test_one_person_beliefs_and_statistics_are_no_findings(pmcid: str, start: str) -> None:
    assert not quoted(pmcid, start)


@needs_data
def test_a_count_that_rose_from_one_to_twelve_in_one_arm_is_within_group() -> None:
    found = quoted("PMC3576014", "The number of patients in the ACG who attained a systolic blood pressure")
    assert found and all(c.scope == "within_group" for c in found)
