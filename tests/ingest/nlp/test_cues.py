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
