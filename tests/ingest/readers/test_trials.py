"""ingest.readers.trials: every real registry record parses into a trial Document with its TrialInfo fields."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ingest.readers.trials import parse_trial_records, parse_trials
from kb.errors import ParseError, SkippedInput
from kb.models import document_id
from tests.conftest import DATA

TRIALS = DATA / "clinicaltrials_gov"
V2 = sorted((TRIALS / "api_v2_json").glob("*.json"))
LEGACY = sorted((TRIALS / "legacy_xml").glob("*.xml"))

pytestmark = pytest.mark.skipif(not TRIALS.exists(), reason="../shared/datasets/clinicaltrials_gov not present")


@pytest.mark.parametrize("path", V2 + LEGACY, ids=lambda p: p.name)
def test_every_record_parses(path: Path) -> None:
    [doc] = list(parse_trials(path))
    nct = path.stem
    assert doc.kind == "trial" and doc.nct_ids == (nct,) and doc.trial is not None and doc.trial.nct_id == nct
    assert doc.id == document_id("trial", nct=nct)
    assert doc.title and doc.text.startswith(doc.title) and doc.journal is None
    assert doc.publication_types == ("Clinical Trial Registration",)
    assert doc.source == str(path) and len(doc.content_hash) == 64
    assert doc.sections and all(doc.text[s.start:s.end] for s in doc.sections)
    assert {s.kind for s in doc.sections} <= {"title", "registry", "results"}
    assert ("results" in {s.kind for s in doc.sections}) == doc.trial.has_results
    assert doc.sample_size == (doc.trial.enrollment.count if doc.trial.enrollment.type == "ACTUAL" else None)
    assert set(doc.mesh_terms) == set(doc.trial.condition_mesh) | set(doc.trial.intervention_mesh)


def test_v2_record_fields_match_the_registry() -> None:
    path = TRIALS / "api_v2_json" / "NCT02210780.json"
    raw = json.loads(path.read_text())["protocolSection"]
    [doc] = list(parse_trials(path))
    t = doc.trial
    assert t is not None
    assert doc.title == raw["identificationModule"]["officialTitle"] and doc.year == 2014
    assert t.conditions == ("Atopic Dermatitis",)
    assert t.condition_mesh == ("Dermatitis, Atopic", "Dermatitis", "Eczema")
    assert t.interventions == ("Dupilumab", "Placebo") and t.arms == ("Placebo qw", "Dupilumab 300 mg qw")
    assert (t.phase, t.study_type, t.allocation, t.masking) == (("PHASE2",), "INTERVENTIONAL", "RANDOMIZED", "TRIPLE")
    assert (t.overall_status, t.start_date, t.completion_date) == ("COMPLETED", "2014-08-05", "2015-09-15")
    assert (t.enrollment.count, t.enrollment.type) == (194, "ACTUAL") and doc.sample_size == 194
    assert [o.measure for o in t.primary_outcomes] == [o["measure"] for o in raw["outcomesModule"]["primaryOutcomes"]]
    assert len(t.secondary_outcomes) == 10 and t.primary_outcomes[0].time_frame == "Week 16"
    assert t.sponsor == "Regeneron Pharmaceuticals" and t.has_results and doc.study_design == "rct"


def test_legacy_record_fields_are_normalised_to_api_v2_values() -> None:
    [doc] = list(parse_trials(TRIALS / "legacy_xml" / "NCT01642004.xml"))
    t = doc.trial
    assert t is not None
    assert doc.title.startswith("An Open-Label Randomized Phase III Trial of BMS-936558 (Nivolumab)")
    assert (t.phase, t.study_type, t.allocation, t.masking) == (("PHASE3",), "INTERVENTIONAL", "RANDOMIZED", "NONE")
    assert (t.overall_status, t.start_date, t.completion_date) == ("ACTIVE_NOT_RECRUITING", "2012-09-26", "2018-12-29")
    assert t.interventions == ("Nivolumab", "Docetaxel") and t.arms == ("Arm A: Nivolumab", "Arm B: Docetaxel")
    assert t.sponsor == "Bristol-Myers Squibb" and t.has_results and doc.year == 2012 and doc.study_design == "rct"
    assert t.primary_outcomes[0].measure.startswith("Overall Survival (OS) Time in Months")
    assert "Primary outcome: Overall Survival (OS) Rate in All Randomized Participants" in doc.text


@pytest.mark.parametrize(("name", "count", "kind"), [
    ("legacy_xml/NCT01642004.xml", 352, "ACTUAL"),       # <enrollment type="Actual">
    ("legacy_xml/NCT00001177.xml", 1600, "ESTIMATED"),   # <enrollment type="Anticipated">
    ("legacy_xml/NCT01220531.xml", None, "UNKNOWN"),     # expanded access: no <enrollment> at all
    ("api_v2_json/NCT03475563.json", 100, "ESTIMATED"),
])
def test_enrollment_type_is_kept_never_guessed(name: str, count: int | None, kind: str) -> None:
    [doc] = list(parse_trials(TRIALS / name))
    assert doc.trial is not None
    assert (doc.trial.enrollment.count, doc.trial.enrollment.type) == (count, kind)
    assert doc.sample_size == (count if kind == "ACTUAL" else None)


@pytest.mark.parametrize(("name", "design"), [
    ("legacy_xml/NCT00023673.xml", "non_randomized_trial"), ("legacy_xml/NCT02567188.xml", "case_control"),
    ("api_v2_json/NCT06171568.json", "cohort"), ("legacy_xml/NCT03133988.xml", "other"),
])
def test_study_design_follows_the_registered_design(name: str, design: str) -> None:
    [doc] = list(parse_trials(TRIALS / name))
    assert doc.study_design == design


def test_references_give_pmids() -> None:
    [doc] = list(parse_trials(TRIALS / "api_v2_json" / "NCT03630471.json"))
    assert doc.trial is not None and {"34582460", "32585185", "31533783"} <= set(doc.trial.reference_pmids)


def test_a_studies_list_yields_every_study_and_hashes_each_record(tmp_path: Path) -> None:
    # NOTE: the API's search endpoint wraps studies in {"studies": [...]}; built here from two real records.
    studies = [json.loads((TRIALS / "api_v2_json" / f"{n}.json").read_text()) for n in ("NCT03418623", "NCT00973089")]
    page = tmp_path / "page.json"
    page.write_text(json.dumps({"studies": studies}))
    docs = list(parse_trials(page))
    [single] = list(parse_trials(TRIALS / "api_v2_json" / "NCT03418623.json"))
    assert [d.nct_ids for d in docs] == [("NCT03418623",), ("NCT00973089",)]
    assert docs[0].content_hash == single.content_hash and docs[0].text == single.text
    assert docs[0].content_hash != docs[1].content_hash


def test_content_hash_changes_with_the_record(tmp_path: Path) -> None:
    raw = (TRIALS / "legacy_xml" / "NCT03446690.xml").read_text()
    changed = tmp_path / "NCT03446690.xml"
    changed.write_text(raw.replace("<overall_status>Completed</overall_status>",
                                   "<overall_status>Terminated</overall_status>"))
    [before], [after] = list(parse_trials(TRIALS / "legacy_xml" / "NCT03446690.xml")), list(parse_trials(changed))
    assert before.id == after.id and before.content_hash != after.content_hash
    assert after.trial is not None and after.trial.overall_status == "TERMINATED"


def test_xml_entities_are_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    hostile = tmp_path / "hostile.xml"
    hostile.write_text(f'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file://{secret}">]>'
                       "<clinical_study><id_info><nct_id>NCT00000001</nct_id></id_info>"
                       "<brief_title>T &x;</brief_title></clinical_study>")
    [doc] = list(parse_trials(hostile))
    assert "TOP-SECRET" not in doc.text


def test_classic_api_json_is_skipped_with_a_pointer_to_api_v2() -> None:
    with pytest.raises(SkippedInput, match="api/v2"):
        list(parse_trials(TRIALS / "classic_api_v1_json" / "NCT04780763.json"))


@pytest.mark.parametrize(("content", "error"), [
    ("{not json", ParseError), ("<clinical_study><brief_title>x", ParseError), ("plain text", ParseError),
    ('{"hello": 1}', SkippedInput), ("<html><body/></html>", SkippedInput),
])
def test_bad_input_names_the_file(tmp_path: Path, content: str, error: type[Exception]) -> None:
    path = tmp_path / "record.dat"
    path.write_text(content)
    with pytest.raises(error, match="record.dat"):
        list(parse_trial_records(path))


@pytest.mark.parametrize(("record", "reason"), [
    ({"protocolSection": None}, "no identificationModule.nctId"),
    ({"protocolSection": {"identificationModule": None}}, "no identificationModule.nctId"),
    ({"protocolSection": {"identificationModule": {"nctId": 5}}}, "no identificationModule.nctId"),
    ({"protocolSection": {"identificationModule": {"nctId": "NCT00000001"},
                          "designModule": {"enrollmentInfo": {"count": "many"}}}}, "count: Input should be"),
    ({"protocolSection": {"identificationModule": {"nctId": "NCT00000001"},
                          "armsInterventionsModule": {"armGroups": "x"}}}, "a field has the wrong shape"),
    ({"protocolSection": {"identificationModule": {"nctId": "NCT00000001"},
                          "statusModule": {"startDateStruct": {"date": 2020}}}}, "start_date: Input should be"),
    ({"protocolSection": {"identificationModule": {"nctId": "NCT00000001"}, "designModule": {"designInfo": "RCT"}}},
     "a field has the wrong shape"),
])
def test_a_malformed_v2_record_is_a_parse_error_with_its_reason(tmp_path: Path, record: dict[str, object],
                                                                reason: str) -> None:
    path = tmp_path / "study.json"
    path.write_text(json.dumps(record))
    with pytest.raises(ParseError, match=reason) as info:
        list(parse_trials(path))
    assert str(path) in str(info.value) and "download" in str(info.value)
