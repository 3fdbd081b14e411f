"""kb.claims: the one p-value notation, the one significance test, and what no effect means for each measure."""

from __future__ import annotations

import pytest

from kb.claims import EffectMeasure, PValue, effect_significance, significance


@pytest.mark.parametrize(("text", "value", "operator"), [
    ("P=0.003", 0.003, "="), ("p < .001", 0.001, "<"), ("P = 1.2 × 10−5", 1.2e-5, "="), ("p<10^-6", 1e-6, "<"),
    ("P < 10−4", 1e-4, "<"), ("0.0004", 0.0004, "="), ("<0.001", 0.001, "<"), ("< 0.0001", 0.0001, "<"),
    ("≤ .05", 0.05, "<="), ("p≤0.05", 0.05, "<="), (">0.05", 0.05, ">"), ("0·03", 0.03, "="),
    ("P-value of 0.02", 0.02, "="), ("p for trend = 0.04", 0.04, "="), ("2e-5", 2e-5, "="), ("<0.05†", 0.05, "<"),
    ("(p = 1)", None, None),
])
def test_one_notation_for_a_written_p_value(text: str, value: float | None, operator: str | None) -> None:
    p = PValue.parse(text)
    if value is None:
        assert p is None
        return
    assert p is not None and (p.value, p.operator) == (pytest.approx(value), operator)


@pytest.mark.parametrize("text", ["", None, "NA", "1.5", "0.03, 0.04", "p=NS", "NS", "significant", "P2"])
def test_what_is_not_a_p_value(text: str | None) -> None:
    # NOTE: "NS" states no number; a table cell that says NS is read as "not significant" by the table reader.
    assert PValue.parse(text) is None


@pytest.mark.parametrize(("text", "expected"), [
    ("p = 0.049", True), ("p = 0.05", False), ("p < 0.05", True), ("p ≤ 0.05", True), ("p < 0.001", True),
    ("p < 0.06", None), ("p ≤ 0.1", None), ("p > 0.05", False), ("p ≥ 0.05", False), ("p > 0.01", None),
    ("p = 0.20", False), ("P = 1.2 × 10−5", True),
])
def test_significance_is_undecided_when_the_operator_leaves_it_open(text: str, expected: bool | None) -> None:
    p = PValue.parse(text)
    assert p is not None and p.significant() is expected


def test_alpha_is_a_parameter() -> None:
    p = PValue(value=0.02)
    assert (p.significant(0.05), p.significant(0.01)) == (True, False)


@pytest.mark.parametrize(("effect", "is_ratio", "null", "crosses"), [
    (EffectMeasure(type="HR", value=0.8, ci_low=0.7, ci_high=0.95), True, 1.0, False),
    (EffectMeasure(type="IRR", value=1.1, ci_low=0.9, ci_high=1.3), True, 1.0, True),
    (EffectMeasure(type="MD", value=-2.0, ci_low=-3.0, ci_high=-1.0), False, 0.0, False),
    (EffectMeasure(type="SMD", value=0.1, ci_low=-0.1, ci_high=0.3), False, 0.0, True),
    (EffectMeasure(type="other", value=1.2, ci_low=0.9, ci_high=1.5), False, None, None),
    (EffectMeasure(type="OR", value=1.2), True, 1.0, None),
])
def test_the_null_of_each_measure(effect: EffectMeasure, is_ratio: bool, null: float | None,
                                  crosses: bool | None) -> None:
    assert (effect.is_ratio, effect.null, effect.crosses_null()) == (is_ratio, null, crosses)


def test_the_ci_and_p_must_agree_to_decide() -> None:
    hr = EffectMeasure(type="HR", value=0.80, ci_low=0.64, ci_high=1.00)
    assert effect_significance(hr, None) is False
    assert effect_significance(hr, PValue(value=0.049)) is None
    assert effect_significance(hr, PValue(value=0.3)) is False
    assert effect_significance(None, PValue(value=0.003)) is True
    assert effect_significance(None, None) is None
    assert significance(None, (0.5, 0.9), 1.0) is True
