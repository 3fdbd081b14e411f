"""PMC JATS full text: front matter, nested sections, tables and hardening."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from ingest.readers.jats import parse_jats
from kb.errors import ParseError, SkippedInput
from tests.conftest import DATA as DATASETS

SHARED = DATASETS
DATA = SHARED / "pubmed_xml" / "pmc_jats"
EVIDENCE = SHARED / "evidence_inference" / "xml_files"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/datasets not present")

# NOTE: table counts as listed in pubmed_xml/SOURCE.md.
TABLES = {"1471-2180-11-174.nxml": 3, "1472-6831-8-11.nxml": 4, "6605965a.nxml": 2, "ehp-116-1694.nxml": 0,
          "mds526.nxml": 4, "pntd.0002065.nxml": 5, "pone.0000217.nxml": 0, "pone.0046493.nxml": 3}


@needs_data
@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_article_keeps_its_tables_and_valid_spans(name: str) -> None:
    (doc,) = parse_jats(DATA / name)
    assert doc.kind == "pmc" and doc.pmcid and doc.pmcid.startswith("PMC") and doc.doi and doc.pmid
    assert sum(s.kind == "table" for s in doc.sections) == TABLES[name]
    assert doc.sections[0].kind == "title" and doc.text[: doc.sections[0].end] == doc.title
    for s in doc.sections:
        piece = doc.text[s.start : s.end]
        assert piece and piece == piece.strip()


@needs_data
def test_front_matter_of_a_bmc_article() -> None:
    (doc,) = parse_jats(DATA / "1471-2180-11-174.nxml")
    assert (doc.pmid, doc.pmcid, doc.doi) == ("21810267", "PMC3166277", "10.1186/1471-2180-11-174")
    assert doc.journal == "BMC Microbiology" and doc.year == 2011
    assert doc.authors[:2] == ("Dennehy JJ", "Wang IN")
    (again,) = parse_jats(DATA / "1471-2180-11-174.nxml")
    assert doc.id == again.id and doc.content_hash == again.content_hash


@needs_data
def test_leaf_section_text_is_its_paragraph_and_subsections_inherit_kind() -> None:
    path = DATA / "ehp-116-1694.nxml"
    (doc,) = parse_jats(path)
    sec = next(s for s in ET.parse(path).getroot().iter("sec") if s.findtext("title") == "Animals and housing")
    expected = " ".join("".join(sec.find("p").itertext()).split())
    found = next(s for s in doc.sections if s.title == "Animals and housing")
    assert doc.text[found.start : found.end] == expected
    assert found.kind == "methods"
    stats = next(s for s in doc.sections if s.title == "Statistical analyses")
    parent = next(s for s in doc.sections if s.title == "Materials and Methods")
    assert parent.start <= stats.start < stats.end <= parent.end and stats.kind == "methods"
    assert doc.keywords[:2] == ("basic transcription element-binding protein", "brain")


@needs_data
def test_table_rows_are_pipe_joined() -> None:
    (doc,) = parse_jats(DATA / "mds526.nxml")
    table = next(s for s in doc.sections if s.kind == "table" and s.title == "Table 2")
    text = doc.text[table.start : table.end]
    assert text.startswith("Table 2. Independent associations of gender")
    assert "\nWomen | 0.93 (0.89, 0.98)\n" in text
    results = next(s for s in doc.sections if s.kind == "results" and s.title == "results")
    assert results.start <= table.start and table.end <= results.end  # table stays where it was cited


@needs_data
def test_structured_abstract_sections() -> None:
    (doc,) = parse_jats(DATA / "6605965a.nxml")
    assert [s.kind for s in doc.sections[1:5]] == ["background", "methods", "results", "conclusions"]
    assert doc.sections[1].title == "Background"


@needs_data
def test_pmc_articleset_is_skipped() -> None:
    with pytest.raises(SkippedInput, match="not a JATS <article>"):
        list(parse_jats(SHARED / "pubmed_xml" / "biopython_entrez" / "efetch_pmc.xml"))


@pytest.mark.skipif(not EVIDENCE.exists(), reason="evidence_inference/xml_files not in this copy")
def test_evidence_inference_articles_parse() -> None:
    for path in sorted(EVIDENCE.glob("*.nxml"))[:20]:
        (doc,) = parse_jats(path)
        assert doc.pmcid and doc.sections[0].kind == "title"


def test_entities_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "evil.nxml"
    path.write_text('<?xml version="1.0"?><!DOCTYPE article [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
                    "<article><front><article-meta><title-group><article-title>&x;</article-title>"
                    "</title-group></article-meta></front></article>")
    with pytest.raises(ParseError, match="evil.nxml: declares its own XML entities"):
        list(parse_jats(path))


def test_minimal_article_without_ids_uses_content_hash(tmp_path: Path) -> None:
    path = tmp_path / "tiny.nxml"
    path.write_text("<article><front><article-meta><title-group><article-title>Tiny <italic>trial</italic>"
                    "</article-title></title-group></article-meta></front><body><p>Loose intro.</p>"
                    "<sec><title>Results</title><p>NCT00000102 reduced pain.</p></sec></body></article>")
    (doc,) = parse_jats(path)
    assert doc.title == "Tiny trial" and doc.pmid is None and doc.nct_ids == ("NCT00000102",)
    assert [(s.title, s.kind) for s in doc.sections] == [("Title", "title"), ("Body", "body"), ("Results", "results")]
    assert doc.text == "Tiny trial\n\nLoose intro.\n\nNCT00000102 reduced pain."
