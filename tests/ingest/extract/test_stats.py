"""Tests for ingest.extract.stats: effect measures, p-values and n written in real sentences."""

from __future__ import annotations

import pytest

from ingest.extract.stats import find_confidence_interval, find_effects, find_p_values, find_sample_size

EFFECTS = [
    ("HR 0.82, 95% CI 0.71-0.95", ("HR", 0.82, 0.71, 0.95)),
    ("hazard ratio [HR], 1.35; 95% confidence interval [CI], 1.02 to 1.78", ("HR", 1.35, 1.02, 1.78)),
    ("OR = 2.1 (1.3–3.4)", ("OR", 2.1, 1.3, 3.4)),
    ("mean difference 0.4 (95% CI: −0.5, 1.2)", ("MD", 0.4, -0.5, 1.2)),
    ("aOR 1.52 (95% CI 1.10 to 2.09)", ("OR", 1.52, 1.10, 2.09)),
    ("aHR: 0.70 [0.55, 0.89]", ("HR", 0.70, 0.55, 0.89)),
    ("SMD −0.31 (95% CI −0.52 to −0.10)", ("SMD", -0.31, -0.52, -0.10)),
    ("risk difference, −2.1 percentage points; 95% CI, −3.9 to −0.3", ("RD", -2.1, -3.9, -0.3)),
    ("IRR 0.64 (0.50–0.82)", ("IRR", 0.64, 0.50, 0.82)),
    ("RR 0.9", ("RR", 0.9, None, None)),
    # SYGMA-2 (PMID 29768149) abstract
    ("budesonide-formoterol was superior to terbutaline (34.4% vs. 31.1% of weeks; odds ratio, 1.14; "
     "95% confidence interval [CI], 1.00 to 1.30; P=0.046)", ("OR", 1.14, 1.00, 1.30)),
    ("the rate ratio was 0.36 (95% CI, 0.27 to 0.49) for budesonide-formoterol versus terbutaline",
     ("IRR", 0.36, 0.27, 0.49)),
    # evidence_inference v2 annotations
    ("The incidence of respiratory distress syndrome was similar in both study groups (adjusted relative risk [RR] "
     "0.98, 95% confidence interval [CI] 0.64–1.49, p = 0.912)", ("RR", 0.98, 0.64, 1.49)),
    ("significantly lower in patients treated with cladribine tablets 3.5 mg/kg (hazard ratio (HR) = 0.63, "
     "95% confidence interval (CI) = 0.438, 0.894; p = 0.010)", ("HR", 0.63, 0.438, 0.894)),
    ("relative rate (95% CI) 0·49 (0·31 to 0·75), P = 0·001", ("RR", 0.49, 0.31, 0.75)),
    ("The incidence rate ratio was 0.38 [95% confidence interval (CI): 0.20 – 0.76, p = 0.006]",
     ("IRR", 0.38, 0.20, 0.76)),
    ("(3.7% prevalence ratio = 1.40; 95% CI: 0.85, 2.30)", ("RR", 1.40, 0.85, 2.30)),
    ("with a hazard ratio for death of 0.77 (95% CI, 0.68 to 0.87)", ("HR", 0.77, 0.68, 0.87)),
]


@pytest.mark.parametrize(("sentence", "expected"), EFFECTS)
def test_effect_value_and_ci(sentence: str, expected: tuple[str, float, float | None, float | None]) -> None:
    effects = find_effects(sentence)
    assert effects, sentence
    e = effects[0]
    assert (e.type, e.value, e.ci_low, e.ci_high) == pytest.approx(expected)


def test_two_estimates_in_one_sentence() -> None:
    text = ("inferior to budesonide maintenance therapy (34.4% and 44.4%, respectively; odds ratio, 0.64; "
            "95% CI, 0.57 to 0.73) and OR 1.2 (1.0-1.4)")
    assert [(e.value, e.ci_low) for e in find_effects(text)] == [(0.64, 0.57), (1.2, 1.0)]


@pytest.mark.parametrize("sentence", [
    "Patients who smoke or drink were excluded.",
    "The HR department recorded 12 absences.",
    "Weight fell by 3.2% in the OR 12% group",
    "budesonide-formoterol (200 μg of budesonide and 6 μg of formoterol)",
])
def test_no_effect_in_plain_text(sentence: str) -> None:
    assert find_effects(sentence) == []


def test_ci_level_other_than_95() -> None:
    assert find_effects("OR 1.8 (90% CI 1.1–2.9)")[0].ci_level == pytest.approx(0.90)


def test_ci_without_named_estimate() -> None:
    text = "no significant difference (−4.4 [12.6] vs. −3.0 [16.8]; 95% CI, −3.8 to 5.5)."
    assert find_confidence_interval(text) == pytest.approx((-3.8, 5.5, 0.95))
    assert find_confidence_interval("no interval here") is None


def test_a_no_break_space_after_the_minus_is_read() -> None:
    # NOTE: the real sentence of PMC4588430 (Evidence Inference); it raised ValueError before.
    text = ("estimated treatment effect in favour of the telephone consultation group was 5.7 points, "
            "95% CI \u2212\xa02.9 to 14.3; p\xa0=\xa00.19")
    assert find_confidence_interval(text) == pytest.approx((-2.9, 14.3, 0.95))


P_VALUES = [
    ("P < .001", 0.001, "<"),
    ("p=0.03", 0.03, "="),
    ("a P value of 0.049", 0.049, "="),
    ("p < 0.05", 0.05, "<"),
    ("(P≤0.01)", 0.01, "<="),
    ("P = 0·001", 0.001, "="),
    ("p-value was 0.20", 0.20, "="),
    ("P for trend = 0.02", 0.02, "="),
    ("P=1.2×10−5", 1.2e-5, "="),
    ("p > 0.05", 0.05, ">"),
    ("P=0.046)", 0.046, "="),
    ("(p = .507)", 0.507, "="),
    ("(p = 1)", 1.0, "="),
]


@pytest.mark.parametrize(("sentence", "value", "op"), P_VALUES)
def test_p_value(sentence: str, value: float, op: str) -> None:
    p = find_p_values(sentence)[0]
    assert (p.value, p.operator) == (pytest.approx(value), op)


@pytest.mark.parametrize("sentence", ["Page 12 of the protocol", "P2 receptors", "type P 0.5 mm", "pH 7.4"])
def test_no_p_value(sentence: str) -> None:
    assert find_p_values(sentence) == []


def test_all_p_values_in_a_sentence() -> None:
    text = "no differences were found preoperatively (P = 0.40) and postoperatively (P = 0.68)."
    assert [p.value for p in find_p_values(text)] == [0.40, 0.68]


@pytest.mark.parametrize(("sentence", "n"), [
    ("n = 240", 240),
    ("patients (n=1,024) were followed", 1024),
    ("placebo (n = 12) and drug (N = 15)", 15),
    ("mean 4.5 (SD 1.2)", None),
])
def test_sample_size(sentence: str, n: int | None) -> None:
    assert find_sample_size(sentence) == n
