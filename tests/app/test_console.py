"""Console rendering of answers: study facts, notices and quotes beside every citation."""

from __future__ import annotations

from rich.console import Console

from app.console import answer
from kb.answers import Answer, Citation, Hypothesis, Query


def _answer(notices: tuple[str, ...]) -> Answer:
    cite = Citation(claim_id="c", doc_id="d", title="A [bold]trial[/bold]", quote="X reduced Y (p=0.01).", page=2,
                    start=0, end=21, source="a.xml", pmid="123", study_design="rct", sample_size=200,
                    notices=notices)  # type: ignore[arg-type]
    h = Hypothesis(statement="X may reduce Y", intervention="X", outcome="Y", direction="decrease",
                   confidence="low", supporting=(cite,))
    return Answer(question="Does X reduce Y?", query=Query(question="Does X reduce Y?"), hypotheses=(h,))


def test_a_citation_shows_its_editorial_notice_and_escapes_markup() -> None:
    out = Console(record=True, width=200)
    answer(out, _answer(("expression_of_concern",)))
    text = out.export_text()
    assert "editorial notice: expression of concern" in text
    assert "A [bold]trial[/bold]" in text and "\u201cX reduced Y (p=0.01).\u201d" in text


def test_no_notice_line_without_a_notice() -> None:
    out = Console(record=True, width=200)
    answer(out, _answer(()))
    assert "editorial notice" not in out.export_text()


def test_an_unworded_finding_shows_its_label_badges_and_related_passages_apart() -> None:
    cite = Citation(claim_id="c", doc_id="d", title="Trial", quote="Y fell with X (HR 0.80, 95% CI 0.70-0.90).",
                    page=None, start=0, end=41, source="a.xml", study_design="rct", sample_size=200,
                    effect={"type": "HR", "value": 0.8, "ci_low": 0.7, "ci_high": 0.9})  # type: ignore[arg-type]
    other = cite.model_copy(update={"claim_id": "o", "quote": "X raised Z.", "note": "its outcome ('Z') is not "
                                                                                    "the one asked about"})
    h = Hypothesis(label="X vs placebo: Y", intervention="X", outcome="Y", direction="decrease", confidence="low",
                   supporting=(cite,))
    shown = Answer(question="Does X reduce Y?", query=Query(question="q"), hypotheses=(h,), related=(other,),
                   extractive=True)
    out = Console(record=True, width=200)
    answer(out, shown)
    text = out.export_text()
    assert "Extractive-only mode" in text and "X vs placebo: Y" in text and "not restated" in text
    assert "rct, n=200; HR 0.80 (0.70–0.90)" in text
    related = text[text.index("Related passages"):]
    assert "not counted: its outcome ('Z') is not the one asked about" in related and "X raised Z." in related
