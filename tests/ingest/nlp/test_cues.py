"""ingest.nlp.cues: the wording that marks other work, captions, baseline comparisons, future work and hedges."""

from __future__ import annotations

import pytest

from ingest.nlp.cues import NAMES, attach_references, cites_other_work, cue_vector, is_hedged, not_a_finding


@pytest.mark.parametrize(("sentence", "reason"), [
    ("Table 1Frequency distribution of research units based on educational level", "caption"),
    ("Figure 2. Kaplan–Meier estimates of survival", "caption"),
    ("The two groups were similar at baseline.", "baseline comparison"),
    ("Baseline characteristics were comparable between the groups (Table 1).", "baseline comparison"),
    ("There were no significant differences between the two groups in age or sex.", "baseline comparison"),
    ("A larger study would be needed to confirm these results.", "future work"),
    ("Further randomised trials are warranted.", "future work"),
    ("In a study of Hewison et al., video education had no effect on the rate of screening.", "other work"),
    ("This was reported previously in adults [18].", "other work"),
    ("No author has a financial or proprietary interest in any material or method mentioned.", "disclosure"),
    ("One of the limitations of this study is its small sample.", "limitation"),
    # NOTE: real held-out sentences the first trained model called findings (MEDLINE, Evidence Inference texts).
    ("Prospective studies are needed to clarify the causes of the differences.", "future work"),
    ("Itai Berger serves on the scientific advisory board of Neuro-Tech Solutions Ltd.", "disclosure"),
    ("Regarding the emphasis of TPM on the effects of Daucus carota on sexual potency in males and its stimulating "
     "effects on the menstruation in the females (14, 43), we studied the effect of a food product", "other work"),
    ("6 (4.4)", "fragment"),
    ("aIncludes one patient randomized to receive interferon beta-1b but treated with placebo.", "table note"),
    ("At least one serious adverse event", "fragment"),
    ("The primary hypothesis of this study was that the MQ group would experience significant improvements in QOL "
     "compared with the control group.", "aim"),
    ("Pre-induction SBP, DBP and MAP were comparable between groups.", "baseline comparison"),
    ("This study had some limitations.", "limitation"),
    ("A P value of < 0.05 was considered statistically significant.", "analysis plan"),
    ("With statistical significance set at 0.05, power at 80%, and loss-to-follow-up at about 6%, the estimated "
     "sample size of each group was 68.", "analysis plan"),
    ("The mean age of pregnant women in face-to-face education group, group education, and control group was 27.4 ± "
     "5.3, 27.7 ± 5.0, and 26.7 ± 5.7 years, respectively.", "baseline"),
])
def test_sentences_that_are_never_a_finding(sentence: str, reason: str) -> None:
    assert not_a_finding(sentence) == reason


@pytest.mark.parametrize("sentence", [
    "Pain fell by 30% with aspirin compared with placebo (P = 0.01; 95% CI 1.2 to 3.4).",
    "Nausea was similar in both groups (P = 0.41).",
    "Our findings suggest that aspirin may lower pain after surgery.",
    "Table salt intake fell in both arms.",
])
def test_own_results_pass(sentence: str) -> None:
    assert not_a_finding(sentence) is None


def test_a_reference_that_opens_a_sentence_goes_back_to_the_one_it_follows() -> None:
    texts = attach_references(["Anomalies are a problem throughout the world.", "[1] The trisomy-21 is morbid.", "B."])
    assert texts == ["Anomalies are a problem throughout the world. [1]", "The trisomy-21 is morbid.", "B."]
    assert cites_other_work(texts[0]) and not cites_other_work(texts[1])


def test_superscript_references_flattened_into_text_count_as_citations() -> None:
    assert cites_other_work("Programs such as the Diabetes Prevention Program (DPP)7 and the FDPS8, are recommended.")
    assert not cites_other_work("BMI was 25 kg/m2 (SD 3) in both groups.")


def test_hedges_and_cue_vector() -> None:
    assert is_hedged("These results suggest that X might reduce Y.") and not is_hedged("X reduced Y (P < 0.01).")
    flags = dict(zip(NAMES, cue_vector("X reduced Y compared with placebo (P < 0.01).").tolist(), strict=True))
    assert flags["p_value"] == flags["p_significant"] == flags["compare"] == 1.0 and flags["citation"] == 0.0


def test_a_reference_that_is_the_subject_stays_and_marks_other_work() -> None:
    # NOTE: PMC5782437 (Evidence Inference), a PRP trial's discussion; it was stored as the trial's own finding.
    quote = ("[19] reported that though there was better scar correction on the FCL + intradermal PRP side, it was not "
             "statistically significant and that there were more local side effects on the PRP-treated side.")
    texts = attach_references(["Others used intradermal PRP.", quote])
    assert texts == ["Others used intradermal PRP.", quote]
    assert not_a_finding(texts[1]) == "other work"


def test_an_abbreviation_legend_is_not_a_finding() -> None:
    # NOTE: PMC3718707, a table legend stored as "GWG increases weight gain".
    assert not_a_finding("GWG = Gestational weight gain, IOM = Institute of Medicine, pp = postpartum.") == (
        "abbreviation legend")
    assert not_a_finding("Mortality was lower with drug A (HR = 0.75, 95% CI 0.60 to 0.90; p = 0.01).") is None
