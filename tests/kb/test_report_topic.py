"""The topic map report: Markdown, HTML and JSON from one TopicMap, every string escaped."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from markdown_it import MarkdownIt

from kb.answers import Citation, Hypothesis
from kb.errors import ConfigError
from kb.report.topic import render_topic
from kb.topic import Cell, TopicMap

WHEN = datetime(2026, 11, 30, tzinfo=timezone.utc)
EVIL = "<script>alert(1)</script> [x](http://evil.example)"


def cite(design: str, pmid: str, quote: str) -> Citation:
    return Citation.model_validate({"claim_id": f"c{pmid}", "doc_id": f"d{pmid}", "title": f"Study {pmid}",
                                    "quote": quote, "page": None, "start": 0, "end": len(quote), "source": "x.xml",
                                    "pmid": pmid, "study_design": design, "direction": "decrease"})


def topic() -> TopicMap:
    trial = cite("rct", "90000004", "no difference in systolic pressure")
    cohort = cite("cohort", "90000003", EVIL)
    h = Hypothesis(label="quorvafil vs placebo: systolic blood pressure", intervention="quorvafil",
                   outcome="systolic blood pressure", direction="no_difference", confidence="low",
                   confidence_reasons=("Starts at high: 1 randomised trial",), supporting=(trial,),
                   contradicting=(cohort,), n_studies=2, designs=("rct", "cohort"))
    spec = h.model_copy(update={"label": "brenotide: inflammation", "intervention": "brenotide", "speculative": True,
                                "supporting": (cohort,), "contradicting": ()})
    return TopicMap(condition=EVIL, forms=(EVIL,), documents=4, interventions=("quorvafil",),
                    outcomes=("systolic blood pressure",),
                    cells=(Cell(intervention="quorvafil", outcome="systolic blood pressure", findings=(h,)),),
                    uncertain=("Conflicting evidence on quorvafil",), gaps=("NCT09900002 ... unpublished",),
                    might=("NCT1 is registered as recruiting",), speculative=(spec,))


def test_markdown_has_the_four_sections_the_grid_and_links_and_no_raw_markup() -> None:
    md = render_topic(topic(), "md", WHEN).decode()
    for heading in ("## What we know", "## What is uncertain", "## Intervention × outcome grid",
                    "## What we know we don't know", "## What we might know — not established"):
        assert heading in md
    assert "| quorvafil | systolic blood pressure | no difference; low certainty; 2 studies, 1 against |" in md
    assert "[PubMed](https://pubmed.ncbi.nlm.nih.gov/90000004/)" in md
    html = MarkdownIt("commonmark").enable("table").render(md)
    assert "<script>" not in html and "evil.example\"" not in html and 'href="http://evil' not in html


def test_html_is_one_file_with_a_strict_policy_a_matrix_and_speculative_apart() -> None:
    html = render_topic(topic(), "html", WHEN).decode()
    assert "default-src 'none'" in html and "<script>" not in html and "&lt;script&gt;" in html
    assert '<td class="low">no difference; low certainty; 2 studies, 1 against</td>' in html
    spec = html.index('class="speculative"')
    assert html.index("brenotide: inflammation") > spec > html.index("Intervention × outcome grid")


def test_json_round_trips_the_topic_map() -> None:
    data = json.loads(render_topic(topic(), "json", WHEN))
    assert data["generated_at"] == WHEN.isoformat()
    assert TopicMap.model_validate(data["topic"]) == topic()


def test_an_unknown_format_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="use one of: md, html, json"):
        render_topic(topic(), "pdf", WHEN)
