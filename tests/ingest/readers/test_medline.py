"""MEDLINE text format: real Biopython fixtures and a synthetic record with a trial registration."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers.medline import parse_medline
from kb.errors import ParseError
from tests.conftest import DATA as DATASETS

DATA = DATASETS / "pubmed_xml" / "biopython_medline"
needs_data = pytest.mark.skipif(not DATA.exists(), reason="../shared/datasets not present")

SYNTHETIC = """PMID- 31000001
TI  - Aspirin for the prevention of pre-eclampsia: a randomised
      trial.
DP  - 2019 Mar 2
JT  - Journal of Tests
AU  - Smith AB
AU  - Jones C
PT  - Randomized Controlled Trial
AB  - BACKGROUND: Pre-eclampsia is common. METHODS: We randomly assigned 1776 women.
      RESULTS: Pre-eclampsia occurred in 1.6% vs 4.3% (odds ratio, 0.38). CONCLUSIONS:
      Aspirin lowered the incidence.
MH  - *Aspirin/therapeutic use
MH  - Pre-Eclampsia/*prevention & control
RN  - R16CO5Y76E (Aspirin)
OT  - low-dose aspirin
AID - 10.1056/TEST.1 [doi]
SI  - ClinicalTrials.gov/NCT01234567

PMID- 31000002
TI  - Second record.
DP  - 2020
RIN - J Tests. 2021;1:2. PMID: 31000009
ECI - J Tests. 2020;1:1.
"""


@needs_data
def test_biopython_records() -> None:
    docs = list(parse_medline(DATA / "pubmed_result2.txt"))
    assert [d.pmid for d in docs] == ["16403221", "16377612", "14871861", "14630660"]
    scop = docs[0]
    assert scop.kind == "medline" and scop.year == 2006 and scop.journal == "BMC bioinformatics"
    assert scop.doi == "10.1186/1471-2105-7-10" and scop.pmcid == "PMC1373603"
    assert scop.authors == ("Casbon JA", "Crooks GE", "Saqi MA")
    assert "Information Storage and Retrieval" in scop.mesh_terms and "Software" in scop.mesh_terms
    assert [s.kind for s in scop.sections] == ["title", "background", "results", "conclusions"]
    assert docs[3].chemicals == ("Macromolecular Substances",)
    (hifu,) = parse_medline(DATA / "pubmed_result3.txt")
    assert hifu.doi == "10.1118/1.4748329"
    assert [s.kind for s in hifu.sections] == ["title", "background", "methods", "results", "conclusions"]


@needs_data
def test_unstructured_abstract_spans_and_deterministic_ids() -> None:
    (doc,) = parse_medline(DATA / "pubmed_result1.txt")
    (again,) = parse_medline(DATA / "pubmed_result1.txt")
    assert doc.id == again.id and doc.content_hash == again.content_hash
    title, abstract = doc.sections
    assert doc.text[title.start : title.end] == "The Bio* toolkits--a brief overview."
    body = doc.text[abstract.start : abstract.end]
    assert body.startswith("Bioinformatics research is often difficult") and body.endswith("programmer.")
    assert "  " not in body and "\n" not in body


def test_structured_abstract_registry_and_fields(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text(SYNTHETIC)
    doc, second = parse_medline(path)
    assert doc.title == "Aspirin for the prevention of pre-eclampsia: a randomised trial."
    assert doc.nct_ids == ("NCT01234567",)
    assert doc.doi == "10.1056/TEST.1" and doc.year == 2019
    assert doc.mesh_terms == ("Aspirin", "Pre-Eclampsia") and doc.chemicals == ("Aspirin",)
    assert doc.keywords == ("low-dose aspirin",) and doc.publication_types == ("Randomized Controlled Trial",)
    assert (doc.study_design, second.study_design) == ("rct", "unknown")
    spans = {s.kind: doc.text[s.start : s.end] for s in doc.sections}
    assert spans["results"] == "Pre-eclampsia occurred in 1.6% vs 4.3% (odds ratio, 0.38)."
    assert spans["conclusions"] == "Aspirin lowered the incidence."
    assert second.pmid == "31000002" and [s.kind for s in second.sections] == ["title"]


def test_retraction_and_concern_tags_become_notices(tmp_path: Path) -> None:
    path = tmp_path / "notices.txt"
    path.write_text(SYNTHETIC, encoding="utf-8")
    assert [d.notices for d in parse_medline(path)] == [(), ("retracted", "expression_of_concern")]


def test_file_without_records_is_a_parse_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("TI  - a title without a PMID\n")
    with pytest.raises(ParseError, match="notes.txt: no MEDLINE records"):
        list(parse_medline(path))
