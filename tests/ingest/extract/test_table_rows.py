"""Tests for ingest.extract.table_rows: flattened table rows (one cell per line) read as two-arm comparisons."""

from __future__ import annotations

import pytest

from ingest.extract.table_rows import arm_value, is_cell, p_value, table_rows

# NOTE: layout as Evidence Inference's PMC texts flatten tables (PMC59610, PMC59899, PMC88884, PMC57750).
META = """Table 1A meta-analysis comparing LMWH in the treatment of venous thromboembolism
Adverse event
LMWH
Unfractionated heparin
RR (95% CI)
P
Recurrent venous thromboembolism
96/2212 (4.3%)
115/2235 (5.1%)
0.85 (0.65-1.12)
0.20
Total mortality
98/2006 (4.9%)
132/2027 (6.5%)
0.76 (0.59-0.98)
0.03
CI, confidence interval; RR, relative risk.
"""
ESTIMATE_ONLY = """Table 2Events
Event
Drug
Placebo
Hazard ratio (95% CI)
Stroke
12 (3%)
30 (8%)
0.40 (0.20-0.79)
Bleeding
10 (2%)
9 (2%)
1.10 (0.45-2.70)
"""
PRE_POST = """Table 4Percentage correct responses
Survey Item:
Baseline Survey(Pre-Test) (N = 1596)
Evaluation Survey(Immediate Post-Test) (N = 1438)

%2
%2
p-value
Knowledge of short-term effects of tobacco:



(2) Smokers have yellow teeth and fingers ............
76.9
96.7
p < 0.0001
"""
TIME_POINTS = """Table 5Event rates (%) at 30 days

All patients
With reclassification*



Event
Eptifibatide
Placebo
P
Eptifibatide
Placebo
P
Death or myocardial infarction






\u2003Eastern Europe
21.0
19.7

18.0
17.9

\u2003Overall
14.2
15.7
0.42
13.3
16.9
0.021
"""


def _read(text: str) -> list[tuple[str, str, tuple[str | None, str | None], str]]:
    return [(text[r.label[0] : r.label[1]], r.direction, r.arms, text[r.start : r.end]) for r in table_rows(text)]


def test_p_value_column_sets_significance_and_arms_the_direction() -> None:
    rows = _read(META)
    assert [(label, d, arms) for label, d, arms, _ in rows] == [
        ("Recurrent venous thromboembolism", "no_difference", ("LMWH", "Unfractionated heparin")),
        ("Total mortality", "decrease", ("LMWH", "Unfractionated heparin"))]
    assert rows[1][3] == "Total mortality\n98/2006 (4.9%)\n132/2027 (6.5%)\n0.76 (0.59-0.98)\n0.03"


def test_ratio_ci_without_p_value() -> None:
    assert [(label, d) for label, d, _, _ in _read(ESTIMATE_ONLY)] == [("Stroke", "decrease"),
                                                                       ("Bleeding", "no_difference")]


def test_baseline_column_is_the_comparator() -> None:
    (label, direction, arms, _), = _read(PRE_POST)
    assert (label, direction, arms[1]) == ("(2) Smokers have yellow teeth and fingers ............", "increase",
                                           "%2 (baseline)")


def test_repeated_time_points_read_at_the_last() -> None:
    (label, direction, arms, quote), = _read(TIME_POINTS)
    assert (label, direction, arms) == ("Overall", "decrease", ("Eptifibatide", "Placebo"))
    assert quote.startswith("Overall\n14.2")


def test_rows_without_significance_and_prose_give_nothing() -> None:
    text = "Table 3Doses\nGroup\nA\nB\nWeight (kg)\n70\n72\nResults were similar in both groups.\n"
    assert table_rows(text) == ()


@pytest.mark.parametrize(("cell", "significant"), [("0.20", False), ("P = 0.04 *", True), ("N.S.", False),
                                                   ("NS", False), ("0.03b", True), ("<0.05†", True), ("0.05", False),
                                                   ("<0.06", None), ("12.5", "none"), ("0.85 (0.65-1.12)", "none")])
def test_p_value_cells(cell: str, significant: bool | str | None) -> None:
    got = p_value(cell)
    assert (got is None) if significant == "none" else (got is not None and got.significant() is significant)


def test_a_row_whose_p_leaves_significance_open_says_nothing() -> None:
    text = "Table 2 Outcomes\nDrug\nPlacebo\nP\nPain score\n3.1\n4.2\n<0.10\nNausea\n12\n4\n0.01\n"
    assert [(text[r.label[0] : r.label[1]], r.direction, r.predicate) for r in table_rows(text)] == [
        ("Nausea", "increase", "increases")]


def test_cells_and_arm_values() -> None:
    assert is_cell("1.3 (range, 1–4)") and is_cell("0.79\u2009±\u20090.07 (12)") and not is_cell("Total mortality")
    assert arm_value("98/2006 (4.9%)") == 4.9 and arm_value("-22.86 (4.02)") == -22.86
