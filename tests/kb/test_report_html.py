"""HTML reports: one self-contained, script-free file with a strict CSP."""

from __future__ import annotations

from kb.report import render
from tests.kb.report_fixtures import ANSWER, CORPUS, DOCUMENTS, QUOTES, XSS_QUOTE, XSS_TITLE, audit

ALLOWED = ("https://pubmed.ncbi.nlm.nih.gov/", "https://doi.org/", "https://clinicaltrials.gov/study/")
CSP = "default-src 'none'; style-src 'unsafe-inline'"


def _html() -> str:
    return render(ANSWER, CORPUS, "html", documents=DOCUMENTS).decode("utf-8")


def test_hostile_titles_and_quotes_render_as_text() -> None:
    found = audit(_html())
    assert "script" not in found.tags and "img" not in found.tags
    assert found.handlers == []
    assert found.hrefs and all(h.startswith(ALLOWED) for h in found.hrefs)
    assert any(XSS_TITLE in h for h in found.headings)
    assert XSS_QUOTE in found.quotes


def test_file_is_self_contained_with_a_strict_csp() -> None:
    html = _html()
    found = audit(html)
    assert {"link", "iframe", "object", "embed", "base", "form"}.isdisjoint(found.tags)
    assert found.sources == []
    assert {"http-equiv": "Content-Security-Policy", "content": CSP} in found.metas
    assert "url(" not in html and "@import" not in html


def test_every_quote_is_a_citation_quote_and_every_citation_is_quoted() -> None:
    quotes = audit(_html()).quotes
    assert set(quotes) == QUOTES


def test_labels_keep_certainty_extraction_confidence_and_speculation_apart() -> None:
    html = _html()
    assert "Certainty of evidence: <span class=\"certainty\">moderate</span>" in html
    assert "Extraction confidence: 0.91" in html
    assert html.index("Speculative — not established</h2>") < html.index("may reduce exercise-induced symptoms")
    assert "research aid, not medical advice" in html
