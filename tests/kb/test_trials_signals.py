"""kb.trials: registry statistics as claim terms, and the trial ↔ paper signals, on real registry records."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.readers.trials import parse_trials
from kb.claims import PValue
from kb.models import Document, Enrollment, TrialInfo, content_hash, document_id
from kb.trials import (effect_predicate, effect_type, enrollment_label, link_key_pmids, outcome_switch,
                       primary_outcome_phrases, trial_paper_links, unpublished_gap)

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
TRIALS = DATA / "clinicaltrials_gov"
needs_data = pytest.mark.skipif(not TRIALS.exists(), reason="../shared/datasets/clinicaltrials_gov not present")


def _trial(name: str) -> Document:
    [doc] = list(parse_trials(TRIALS / name))
    return doc


def _paper(text: str, *, pmid: str | None = None, nct_ids: tuple[str, ...] = ()) -> Document:
    return Document(id=document_id("pubmed", pmid=pmid, digest=content_hash(text)), kind="pubmed", source="test",
                    content_hash=content_hash(text), title="A paper", text=text, pmid=pmid, nct_ids=nct_ids)


@pytest.mark.parametrize(("param_type", "expected"), [
    ("Hazard Ratio (HR)", "HR"), ("Odds Ratio (OR)", "OR"), ("Risk Ratio (RR)", "RR"),
    ("Mean Difference (Final Values)", "MD"), ("LS Mean Difference", "MD"), ("Mean Difference (Net)", "MD"),
    ("Risk Difference (RD)", "RD"), ("Percentage Difference", "other"), ("Treatment difference", "other"),
    ("", "other"),
])
def test_effect_type_maps_registry_param_types(param_type: str, expected: str) -> None:
    assert effect_type(param_type) == expected


def test_effect_predicate_signs_against_the_null() -> None:
    assert effect_predicate(0.62, 0.47, 0.81, None, ratio=True) == "decreases_risk_of"
    assert effect_predicate(1.32, 1.07, 1.63, None, ratio=True) == "increases_risk_of"
    assert effect_predicate(0.70, 0.47, 1.02, None, ratio=True) == "no_effect_on"
    # NOTE: a CI across the null beside p = 0.01 (another test) decides nothing, so the record states no claim.
    assert effect_predicate(0.70, 0.47, 1.02, PValue.parse("0.01"), ratio=True) is None
    assert effect_predicate(-2.13, -2.72, -1.55, None, ratio=False) == "decreases"
    assert effect_predicate(0.32, -0.47, 1.12, None, ratio=False) == "no_effect_on"
    assert effect_predicate(None, None, None, PValue.parse("<0.05"), ratio=False) == "associated_with"
    assert effect_predicate(None, None, None, PValue.parse("0.33"), ratio=False) == "no_effect_on"
    assert effect_predicate(0.5, None, None, None, ratio=False) is None


@needs_data
def test_links_go_both_ways_by_nct_id_and_by_reference_pmid() -> None:
    trial = _trial("api_v2_json/NCT03630471.json")
    cited = _paper("Results of the PRIDE trial.", pmid="32585185")
    naming = _paper("Registered as NCT03630471.", pmid="99999991", nct_ids=("NCT03630471",))
    other = _paper("Unrelated.", pmid="99999992", nct_ids=("NCT00000000",))
    assert {"32585185", "34582460"} <= link_key_pmids(trial) and link_key_pmids(cited) == {"32585185"}
    links = trial_paper_links([trial, cited, naming, other])
    assert links == {trial.id: {cited.id, naming.id}, cited.id: {trial.id}, naming.id: {trial.id}}


@needs_data
def test_completed_trial_without_results_or_paper_is_a_gap() -> None:
    trial = _trial("api_v2_json/NCT03418623.json")  # real: COMPLETED 2020-03-13, 24 ACTUAL, no results posted
    assert trial.trial is not None and not trial.trial.has_results
    gap = unpublished_gap(trial, [])
    assert gap == (f"NCT03418623 ({trial.title}) was completed on 2020-03-13 with ACTUAL enrollment 24 but has "
                   "no posted results and no linked publication: registered, finished, unpublished.")
    assert unpublished_gap(trial, [_paper("Results.", pmid="1", nct_ids=("NCT03418623",))]) is None


@pytest.mark.parametrize("name", ["api_v2_json/NCT02210780.json",   # completed, results posted
                                  "api_v2_json/NCT06171568.json",   # not yet recruiting
                                  "legacy_xml/NCT02591810.xml"])    # withdrawn
@needs_data
def test_no_gap_for_posted_unfinished_or_withdrawn_trials(name: str) -> None:
    assert unpublished_gap(_trial(name), []) is None


PAPER_SAME = ("Semaglutide as add-on to basal insulin. Patients were randomised to semaglutide or placebo. "
              "The primary endpoint was change in HbA1c from baseline to week 30. Semaglutide reduced HbA1c.")
PAPER_SWITCHED = ("Semaglutide as add-on to basal insulin. Patients were randomised to semaglutide or placebo. "
                  "The primary outcome was the incidence of severe hypoglycaemic episodes. Few occurred.")


def test_primary_outcome_phrase_is_extracted() -> None:
    assert primary_outcome_phrases(PAPER_SAME) == ["change in HbA1c from baseline to week 30"]
    assert primary_outcome_phrases("Overall survival was the primary end point of the trial.") == ["Overall survival"]
    assert primary_outcome_phrases("With overall survival as the primary endpoint, we enrolled 300 patients.") == [
        "overall survival"]
    assert primary_outcome_phrases("The primary end point was met. There was no primary outcome data.") == []


@needs_data
def test_outcome_switch_is_flagged_only_when_the_primary_outcome_differs() -> None:
    trial = _trial("legacy_xml/NCT02305381.xml")  # registered primary: Change in HbA1c
    assert outcome_switch(trial, _paper(PAPER_SAME, pmid="11111111")) is None
    warning = outcome_switch(trial, _paper(PAPER_SWITCHED, pmid="22222222"))
    assert warning is not None
    assert "PMID 22222222" in warning and "NCT02305381" in warning
    assert "severe hypoglycaemic episodes" in warning and "Change in HbA1c" in warning
    assert outcome_switch(trial, _paper("A paper that names no primary outcome.")) is None


@pytest.mark.parametrize(("name", "label"), [
    ("api_v2_json/NCT02210780.json", "n=194 (actual)"),
    ("legacy_xml/NCT00001177.xml", "target n=1,600 (estimated, still recruiting)"),
    ("api_v2_json/NCT03475563.json", "target n=100 (estimated, status unknown)"),
    ("api_v2_json/NCT00973089.json", "withdrawn, 0 enrolled"),
    ("legacy_xml/NCT01220531.xml", "enrollment not stated"),
])
@needs_data
def test_enrollment_label_on_real_records(name: str, label: str) -> None:
    trial = _trial(name).trial
    assert trial is not None and enrollment_label(trial) == label


def test_enrollment_label_formats_thousands() -> None:
    info = TrialInfo(nct_id="NCT00000001", overall_status="RECRUITING", enrollment=Enrollment(count=1000,
                                                                                              type="ESTIMATED"))
    assert enrollment_label(info) == "target n=1,000 (estimated, still recruiting)"
