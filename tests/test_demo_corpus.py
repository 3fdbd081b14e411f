"""The demo corpus in data/demo: every file parses, says it is synthetic and is our own."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pymupdf
import pytest
from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "data" / "demo"
DATA = ROOT / ".." / "shared" / "datasets"

EXPECTED = {
    "README.md",
    "pubmed_demo.xml",
    "medline_demo.txt",
    "zelmorant_pmc_demo.nxml",
    "quorvafil_notes.md",
    "brenotide_case.txt",
    "zelmorant_poster.pdf",
    "trials/NCT09900001.json",
    "trials/NCT09900002.xml",
}
FILES = sorted(p for p in DEMO.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
XML_FILES = [p for p in FILES if p.suffix in (".xml", ".nxml")]
# NOTE: no DTD loading or network, like any safe reader of untrusted XML.
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _rel(path: Path) -> str:
    """Return a demo file's path relative to data/demo, with forward slashes."""
    return path.relative_to(DEMO).as_posix()


def _text(path: Path) -> str:
    """Return a demo file's text: extracted pages for the PDF, UTF-8 for everything else."""
    return "\n".join(_pdf_pages(path)) if path.suffix == ".pdf" else path.read_text(encoding="utf-8")


def _pdf_pages(path: Path) -> list[str]:
    """Return the text of each page of a PDF."""
    with pymupdf.open(path) as doc:
        return [page.get_text() for page in doc]


def _load_make_pdf(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Import data/make_demo_pdf.py from its path (data/ is not a package)."""
    # NOTE: no __pycache__ in data/demo, or `medkb ingest data/demo` would list a .pyc file.
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    spec = importlib.util.spec_from_file_location("demo_make_pdf", DEMO.parent / "make_demo_pdf.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_expected_file_is_present_and_nothing_else() -> None:
    assert {_rel(p) for p in FILES} == EXPECTED


def test_corpus_is_small() -> None:
    assert sum(p.stat().st_size for p in FILES) < 200_000


@pytest.mark.parametrize("path", FILES, ids=_rel)
def test_every_file_says_it_is_synthetic(path: Path) -> None:
    assert "synthetic" in _text(path).casefold()


@pytest.mark.parametrize("path", XML_FILES, ids=_rel)
def test_xml_files_are_well_formed(path: Path) -> None:
    root = etree.parse(str(path), PARSER).getroot()
    if path.suffix == ".nxml":
        assert root.tag == "article"
    else:
        assert root.tag == ("clinical_study" if "trials" in path.parts else "PubmedArticleSet")


def test_identifiers_are_in_the_fictional_ranges() -> None:
    text = "\n".join(_text(p) for p in FILES)
    assert set(re.findall(r"\bNCT\d{8}\b", text)) == {"NCT09900001", "NCT09900002"}
    assert {d.rstrip(".,;)") for d in re.findall(r"\b10\.\d{4,9}/[^\s<\"]+", text)} <= {
        f"10.99999/demo.{n}" for n in (*range(1, 9), "N")
    }
    pmids = set(re.findall(r'(?i)pmids?(?:\s+version="\d")?["\'>:\s(=-]{0,6}(\d{5,9})', text))
    assert len(pmids) >= 8 and all(pmid.startswith("900000") for pmid in pmids)


def test_pubmed_xml_has_the_designed_articles() -> None:
    root = etree.parse(str(DEMO / "pubmed_demo.xml"), PARSER).getroot()
    articles = root.findall("PubmedArticle")
    assert [a.findtext("MedlineCitation/PMID") for a in articles] == [f"9000000{n}" for n in range(1, 6)]
    types = [{t.text for t in a.iter("PublicationType")} for a in articles]
    assert sum("Randomized Controlled Trial" in t for t in types) == 3
    assert "Observational Study" in types[2] and "Case Reports" in types[4]
    assert [n.text for n in root.iter("AccessionNumber")] == ["NCT09900001"]
    for article in articles:
        assert "SYNTHETIC" in article.findtext(".//ArticleTitle", "")
        assert "SYNTHETIC" in "".join(article.find(".//Abstract").itertext())
        assert article.findall(".//MeshHeading") and article.findall(".//Chemical/NameOfSubstance")


def test_pubmed_results_state_explicit_statistics() -> None:
    root = etree.parse(str(DEMO / "pubmed_demo.xml"), PARSER).getroot()
    results = " ".join("".join(e.itertext()) for e in root.iter("AbstractText") if e.get("Label") == "RESULTS")
    assert "(rate ratio 0.64, 95% CI 0.52 to 0.79; P<0.001)" in results
    assert "(HR 0.62, 95% CI 0.48-0.80, P<0.001)" in results
    assert "no significant difference in systolic blood pressure between quorvafil and placebo" in results


def test_medline_text_has_two_complete_records() -> None:
    text = (DEMO / "medline_demo.txt").read_text(encoding="utf-8")
    records = [r for r in re.split(r"\n\s*\n", text) if r.strip()]
    assert len(records) == 2
    for record in records:
        lines = record.strip("\n").splitlines()
        # NOTE: MEDLINE lines are a 4-character tag, "- " and a value, or 6-space continuations.
        assert all(re.match(r"^([A-Z]{2,4} {0,2}- |      \S)", line) for line in lines), record[:80]
        tags = {line[:4].strip() for line in lines if not line.startswith(" ")}
        assert {"PMID", "TI", "AB", "AU", "MH", "PT", "DP", "JT", "AID"} <= tags
        assert re.search(r"^AID - 10\.99999/demo\.\d \[doi\]$", record, re.M)
        assert record.count("SYNTHETIC DEMO RECORD") >= 2  # in the title and in the abstract
    assert "PT  - Meta-Analysis" in records[0] and "MH  - Mice" in records[1]


def test_pmc_article_has_sections_and_a_table() -> None:
    root = etree.parse(str(DEMO / "zelmorant_pmc_demo.nxml"), PARSER).getroot()
    titles = [s.findtext("title") for s in root.find("body").findall("sec")]
    assert titles == ["Introduction", "Methods", "Results", "Discussion"]
    table = root.find(".//table-wrap/table")
    assert table is not None and len(table.findall(".//tbody/tr")) == 3
    assert root.findtext(".//article-id[@pub-id-type='pmid']") == "90000008"


def test_trial_json_has_posted_results_with_an_analysis() -> None:
    record = json.loads((DEMO / "trials" / "NCT09900001.json").read_text(encoding="utf-8"))
    protocol = record["protocolSection"]
    assert protocol["identificationModule"]["nctId"] == "NCT09900001"
    assert protocol["statusModule"]["overallStatus"] == "COMPLETED"
    assert protocol["designModule"]["enrollmentInfo"] == {"count": 812, "type": "ACTUAL"}
    assert record["hasResults"] is True
    (measure,) = record["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    (analysis,) = measure["analyses"]
    assert (analysis["paramType"], analysis["paramValue"]) == ("Rate Ratio", "0.64")
    assert float(analysis["ciLowerLimit"]) < float(analysis["paramValue"]) < float(analysis["ciUpperLimit"]) < 1
    assert {g["id"] for g in measure["groups"]} == set(analysis["groupIds"])
    assert record["resultsSection"]["adverseEventsModule"]["otherEvents"]


def test_legacy_trial_is_completed_without_results() -> None:
    root = etree.parse(str(DEMO / "trials" / "NCT09900002.xml"), PARSER).getroot()
    assert root.findtext("id_info/nct_id") == "NCT09900002"
    assert root.findtext("overall_status") == "Completed"
    enrollment = root.find("enrollment")
    assert enrollment is not None and (enrollment.get("type"), enrollment.text) == ("Actual", "340")
    assert root.find("clinical_results") is None and root.find("results_reference") is None


def test_pdf_has_text_on_every_page() -> None:
    pages = _pdf_pages(DEMO / "zelmorant_poster.pdf")
    assert len(pages) == 2
    assert all("SYNTHETIC" in page for page in pages)
    assert "Zelmorant improved FEV1 compared with placebo" in " ".join(pages[1].split())


def test_make_pdf_is_deterministic_and_matches_the_committed_pdf(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_pdf = _load_make_pdf(monkeypatch)
    first, second = tmp_path / "a.pdf", tmp_path / "b.pdf"
    assert make_pdf.main(["make_pdf.py", str(first)]) == 0
    assert make_pdf.main(["make_pdf.py", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()
    # NOTE: text, not bytes, against the committed file: another pymupdf version may lay bytes out differently.
    assert _pdf_pages(first) == _pdf_pages(DEMO / "zelmorant_poster.pdf")


@pytest.mark.skipif(not DATA.exists(), reason="../shared/datasets not present")
def test_no_demo_file_is_a_copy_of_a_real_dataset_file() -> None:
    ours: dict[int, set[str]] = {}
    for p in FILES:
        ours.setdefault(p.stat().st_size, set()).add(hashlib.sha1(p.read_bytes()).hexdigest())
    # NOTE: hashing only same-size files keeps this fast over ~50 MB of data sets.
    copies = [
        theirs
        for theirs in DATA.rglob("*")
        if theirs.is_file()
        and theirs.stat().st_size in ours
        and hashlib.sha1(theirs.read_bytes()).hexdigest() in ours[theirs.stat().st_size]
    ]
    assert copies == []
