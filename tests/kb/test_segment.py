"""Sentence boundaries: a PDF's wrapped lines stay one sentence; headings and table rows still end one."""

from __future__ import annotations

from kb.segment import sentence_spans

# NOTE: the demo poster's results (data/demo/zelmorant_poster.pdf, page 2), its lines as PyMuPDF gives them.
POSTER = ("FEV1 increased by 130 mL with zelmorant and by 35 mL with placebo. Zelmorant\nimproved FEV1 compared with "
          "placebo at week 12 (mean difference 95 mL, 95% CI 30 to 160;\nP=0.005). Adverse events were mild.")


def test_a_wrapped_line_stays_in_its_sentence() -> None:
    found = [POSTER[s:e] for s, e in sentence_spans(POSTER)]
    assert found[1] == ("Zelmorant\nimproved FEV1 compared with placebo at week 12 (mean difference 95 mL, 95% CI 30 "
                        "to 160;\nP=0.005).")
    assert len(found) == 3


def test_headings_table_rows_and_blank_lines_still_end_a_sentence() -> None:
    text = "Results\nAge, years\n45.2 (10.1)\nThe drug worked.\n\nbut this starts a new paragraph."
    found = [text[s:e] for s, e in sentence_spans(text)]
    assert "45.2 (10.1)" in found and found[-1] == "but this starts a new paragraph."
    assert all("\n\n" not in f for f in found)
