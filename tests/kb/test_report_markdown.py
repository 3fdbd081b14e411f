"""Markdown reports: CommonMark that renders inert whatever the sources contain."""

from __future__ import annotations

from markdown_it import MarkdownIt

from kb.report import render
from kb.report.markdown import escape
from tests.kb.report_fixtures import ANSWER, CORPUS, DOCUMENTS, QUOTES, RCT, answer_citing, audit

ALLOWED = ("https://pubmed.ncbi.nlm.nih.gov/", "https://doi.org/", "https://clinicaltrials.gov/study/")
SECTIONS = ["Question", "Corpus", "Key hypotheses", "Summary of findings", "Contradictions",
            "Gaps in the evidence", "Speculative — not established", "Related passages", "Evidence appendix",
            "References", "Notice"]


def _markdown() -> str:
    return render(ANSWER, CORPUS, "md", documents=DOCUMENTS).decode("utf-8")


def _html(md: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(md)


def test_hostile_sources_render_inert() -> None:
    found = audit(_html(_markdown()))
    assert "script" not in found.tags and "img" not in found.tags
    assert found.handlers == [] and found.sources == []
    assert found.hrefs and all(h.startswith(ALLOWED) for h in found.hrefs)
    assert "<script>alert(1)</script> Budesonide <img src=x onerror=alert(1)> [click](javascript:alert(1))" in (
        " ".join(found.headings))


def test_every_quote_is_a_citation_quote_and_every_citation_is_quoted() -> None:
    quotes = audit(_html(_markdown()), quote_tags=frozenset({"em"})).quotes
    assert set(quotes) == {" ".join(q.split()) for q in QUOTES}


def test_sections_come_in_order() -> None:
    headings = audit(_html(_markdown())).headings
    top = [h for h in headings if h in SECTIONS]
    assert top == SECTIONS


def test_summary_of_findings_is_a_table_with_one_row_per_comparison() -> None:
    html = _html(_markdown())
    assert html.count("<th>Effect estimates</th>") == 2
    assert "<td>RR 0.36 (0.27–0.49) [E1]; HR 0.82 (0.71–0.95) [E2]; OR 1.02 (0.85–1.22) [E3]</td>" in html


def test_escape_keeps_text_literal() -> None:
    hostile = "a | b *c* _d_ `e` [f](g) <h> & www.x.org https://y.org ~~z~~ \\ @w\nnext"
    html = MarkdownIt("commonmark").enable(["table", "strikethrough"]).render("| " + escape(hostile) + " |\n| --- |\n")
    assert "a | b *c* _d_ `e` [f](g) &lt;h&gt; &amp; www.x.org https://y.org ~~z~~ \\ @w next" in html
    assert "<a " not in html and "<em>" not in html and "<s>" not in html


def test_citations_show_design_and_sample_size() -> None:
    md = _markdown()
    assert "RCT, n = 3849 (actual); HR 0.82 (0.71–0.95)" in md
    assert "Extraction confidence: 0.41; hedged wording" in md
    assert "Certainty of evidence: **moderate**" in md


def test_an_editorial_notice_is_shown_beside_the_citation() -> None:
    concern = RCT.model_copy(update={"notices": ("expression_of_concern", "corrected")})
    md = render(answer_citing(concern), CORPUS, "md", documents=DOCUMENTS).decode("utf-8")
    html = render(answer_citing(concern), CORPUS, "html", documents=DOCUMENTS).decode("utf-8")
    assert "- Editorial notice: expression of concern, corrected" in md
    assert "<strong>Editorial notice: expression of concern, corrected</strong>" in html
    assert "Editorial notice" not in _markdown()


def test_related_passages_are_apart_with_their_reason_and_escaped() -> None:
    from tests.kb.report_fixtures import XSS
    related = XSS.model_copy(update={"note": "its outcome ('asthma') is not the one asked about"})
    md = render(ANSWER.model_copy(update={"related": (related,), "extractive": True}), CORPUS, "md",
                documents=DOCUMENTS).decode("utf-8")
    part = md[md.index("## Related passages"):md.index("## Evidence appendix")]
    assert "Not counted: its outcome ('asthma') is not the one asked about" in part
    assert "**Extractive-only mode:**" in md
    found = audit(_html(md))
    assert "script" not in found.tags and found.handlers == []
