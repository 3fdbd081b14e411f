"""Results-table rows as claims: only a primary study's results tables, never a baseline table."""

from __future__ import annotations

import pytest

from ingest.extract.rows import result_row, row_claims
from ingest.extract.table_rows import table_rows
from ingest.readers.text import parse_text
from ingest.nlp.reading import read_document
from kb.lexicon import Lexicon, LexiconTerm
from kb.models import Chunk, Document, Section, StudyDesign, content_hash, make_id
from tests.conftest import DATA

EI = DATA / "evidence_inference" / "txt_files"
# NOTE: flattened the way Evidence Inference's PMC texts flatten tables (one cell per line).
BASELINE = """Table 1Baseline characteristics of the patients
Characteristic
Enoxaparin
Heparin
P
Weight, kg
61.7 ± 13.8
58.0 ± 13.5
0.04
"""
OUTCOMES = """Table 2Outcomes at 30 days
Outcome
Enoxaparin
Heparin
P
Total mortality
98/2006 (4.9%)
132/2027 (6.5%)
0.03
"""
ARMS = Lexicon.from_terms([LexiconTerm("enoxaparin", "Enoxaparin", "intervention", "D017984"),
                           LexiconTerm("heparin", "Heparin", "intervention", "D006493")], seed=False)


def _claims(design: StudyDesign) -> list[tuple[str, str, str, str | None]]:
    text = f"Results\n\n{BASELINE}\n{OUTCOMES}"
    doc = Document(id=make_id("d", text, design), kind="text", source="t.txt", content_hash=content_hash(text),
                   text=text, study_design=design, title="Enoxaparin versus heparin in acute coronary syndromes",
                   sections=(Section(title="Results", kind="results", start=0, end=len(text)),))
    reading = read_document(doc, [Chunk(id="c", doc_id=doc.id, text=text, start=0, end=len(text))], None, ARMS, None)
    return [(c.subject.name, c.predicate, c.object.name, c.comparator) for c in row_claims(reading, "rules", "3")]


def test_a_results_row_is_a_claim_and_a_baseline_row_is_not() -> None:
    assert _claims("rct") == [("Enoxaparin", "decreases", "Total mortality", "Heparin")]


def test_columns_of_groups_the_study_gave_nothing_are_not_arms() -> None:
    """PMC116601: "Fabry Patients" against "Control Subjects" compares people, not treatments."""
    text = ("Results\n\nTable 2Cerebral blood flow\nMeasure\nFabry Patients\nControl Subjects\nP\n"
            "Change with visual activation\n3.74 ± 2.91\n3.0 ± 2.88\n0.498\n")
    doc = Document(id=make_id("d", text), kind="text", source="t.txt", content_hash=content_hash(text), text=text,
                   study_design="rct", title="Enzyme replacement therapy in Fabry disease",
                   sections=(Section(title="Results", kind="results", start=0, end=len(text)),))
    reading = read_document(doc, [Chunk(id="c", doc_id=doc.id, text=text, start=0, end=len(text))], None, ARMS, None)
    assert list(row_claims(reading, "rules", "3")) == []


def test_a_reviews_table_lists_other_studies() -> None:
    assert _claims("meta_analysis") == [] and _claims("review") == []


@pytest.mark.skipif(not EI.exists(), reason="../shared/datasets not present")
def test_rows_of_the_groups_make_up_are_not_results() -> None:
    """PMC4210953's Table 1 lists "Intake status" rows, attendance and pre-treatment scores; "messages make little or
    no difference to Age at assessment" was an answer."""
    doc = next(iter(parse_text(EI / "PMC4210953.txt")))
    kept = {doc.text[r.label[0] : r.label[1]]: result_row(doc.text, r.start, doc.text[r.label[0] : r.label[1]])
            for r in table_rows(doc.text)}
    assert kept == {"Age at assessment, mean (SD)": False, "Treatment length in days, mean (SD)": True,
                    "Number of sessions, mean (SD)": True, "Number of DNAa, mean (SD)": True,
                    "PHQbPre, mean (SD)": False, "GADcPre, mean (SD)": False, "WSASdPre, mean (SD)": False}


def test_a_change_from_baseline_is_a_result() -> None:
    assert result_row("", 0, "Change from baseline in HbA1c, %") and result_row("", 0, "Gestational age at birth")
    assert not result_row("", 0, "HbA1c at baseline, %") and not result_row("", 0, "Age, years")
