"""ingest.extract.scope: which analysis a result sentence reports, on real Evidence Inference sentences."""

from __future__ import annotations

import pytest

from ingest.extract.scope import clause_scope, scope_of


@pytest.mark.parametrize(("sentence", "expected"), [
    ("Analysis of the primary endpoint showed that persistence was significantly higher in the ibandronate/PSP group "
     "compared with the alendronate group (p < 0.0001).", "primary"),
    ("The secondary endpoint (TTP) was, however, significantly longer for fulvestrant 500 mg (median TTP not reached "
     "for fulvestrant v 12.5 months for anastrozole; HR = 0.63; P = 0.", "secondary"),
    ("Analysis of data in the subgroup of patients with mild COPD (FEV1 ≥50% predicted, according to NICE "
     "classification [2]), suggested a small but significant improvement in the trough FVC response with tiotropium "
     "compared with placebo on Day 85 (Table 4).", "subgroup"),
    ("Overall asthma symptom improvement attributable to azithromycin was 28% in high IgA participants versus 12% in "
     "low IgA participants (p for interaction = 0.27).", "subgroup"),
    ("Lower response rates were observed in patients aged 50 years or less (14% versus 29%) and a HER2 score of 0 to "
     "1+ (18% versus 35%); however, only age was significantly associated with TTF (P = 0.045) after adjustment for "
     "ER/PR status and HER2 status (Table 5).", "subgroup"),
    ("For both statements 1 (p = 0.025) and 3 (p = 0.039), post hoc analysis revealed a difference between HVLA and "
     "LT.", "post_hoc"),
    # NOTE: "among women in the vaccine arm" names an arm's members in a trial of women, not a subgroup.
    ("HPV prevalence four years after vaccination with the ASO4-adjuvanted HPV16/18 vaccine was much lower among "
     "women in the vaccine arm compared to the control arm, suggesting that the vaccine affords strong protection "
     "against oral HPV16/18 infection, with potentially important implications for prevention of increasingly "
     "common HPV-associated oropharyngeal cancer.", "unspecified"),
    ("Among women, the drug lowered systolic blood pressure (p = 0.01).", "subgroup"),
    ("The primary outcome improved; secondary outcomes did not differ.", "unspecified"),
])
def test_scope_of(sentence: str, expected: str) -> None:
    assert scope_of(sentence) == expected


def test_a_clause_names_its_own_scope_before_its_sentence() -> None:
    sentence = "The primary outcome improved with drug A (p = 0.01); secondary outcomes did not differ."
    assert clause_scope("secondary outcomes did not differ.", sentence) == "secondary"
    assert clause_scope("The primary outcome improved with drug A (p = 0.01)", sentence) == "primary"
    assert clause_scope("it improved", "In the subgroup of men it improved") == "subgroup"


@pytest.mark.parametrize(("sentence", "compared"), [
    # NOTE: real Evidence Inference sentences (PMC3691658, PMC3961245) stored as the treatment's effect.
    ("While serum IL-17 was significantly increased after low dose vitamin D treatment, heterogeneous responses were "
     "noted after high dose vitamin D.", None),
    ("There was no change in the HRV of the STRE and FLEX groups.", None),
    ("No significant changes in FAMS score, EDSS or relapse rates were noted in either group.", "placebo"),
    # NOTE: PMC5545112, answered "Vitamin D3 probably increases ... quality life scores" (moderate).
    ("In the group receiving 4,000 IU/day of vitamin D3 the increase in quality life scores (SIBDQ) was significant "
     "1.0 ± 1.0 (p = 0.017) but not in the 2,000 IU vitamin D3 group 0.1 ± 1.0 (p = 0.87).", None),
])
def test_changes_within_a_group_over_time(sentence: str, compared: str | None) -> None:
    assert clause_scope(sentence, sentence, compared) == "within_group"


@pytest.mark.parametrize("sentence", [
    "Although the serum progesterone concentration was higher in the oestradiol group in comparison to the control "
    "group on day 7, 10 and 12 after embryo transfer, these differences were not statistically significant.",
    "The change from baseline in FEV1 was greater with tiotropium than with placebo (p < 0.001).",
    "There was no significant difference in pain after treatment between the two groups.",
])
def test_differences_between_arms_are_not_within_group(sentence: str) -> None:
    assert clause_scope(sentence, sentence, None) != "within_group"
