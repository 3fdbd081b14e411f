"""ingest.readers.trials_results: posted analyses and serious adverse events become claims that copy the registry's numbers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from ingest.readers.trials import parse_trial_records
from kb.claims import Claim
from kb.trials import time_to_event_predicate
from kb.models import Chunk, Document
from tests.conftest import DATA

TRIALS = DATA / "clinicaltrials_gov"
RECORDS = sorted((TRIALS / "api_v2_json").glob("*.json")) + sorted((TRIALS / "legacy_xml").glob("*.xml"))

pytestmark = pytest.mark.skipif(not TRIALS.exists(), reason="../shared/datasets/clinicaltrials_gov not present")


def _parse(name: str) -> tuple[Document, list[Claim]]:
    [(doc, claims)] = list(parse_trial_records(TRIALS / name))
    return doc, claims


def _p(text: str) -> tuple[str, float]:
    """Read a registry p-value independently of the code under test."""
    op, num = re.fullmatch(r"\s*(<|>|<=|>=)?\s*([\d.]+)\s*", text).groups()  # type: ignore[union-attr]
    return op or "=", float(num)


def _json_path(obj: Any, path: str) -> Any:
    for key, index in re.findall(r"(\w+)(?:\[(\d+)\])?", path):
        obj = obj[key] if not index else obj[key][int(index)]
    return obj


@pytest.mark.parametrize("path", RECORDS, ids=lambda p: p.name)
def test_every_claim_quotes_its_line_verbatim(path: Path) -> None:
    for doc, claims in parse_trial_records(path):
        for c in claims:
            q = c.quote
            assert q.text == doc.text[q.start:q.end] and q.doc_id == c.doc_id == doc.id
            assert len(q.text) < 400 and "\n" not in q.text and q.field
            section = doc.section_at(q.start)
            assert section is not None and section.kind == "results"
            # NOTE: the pipeline attaches each claim to a chunk holding its span; any such chunk must pass.
            chunk = Chunk(id="c", doc_id=doc.id, text=doc.text[q.start:q.end], start=q.start, end=q.end)
            Claim.model_validate(c.model_dump(), context={"chunk": chunk})
            assert (c.extractor, c.extractor_version, c.confidence) == ("registry", "1", 1.0)
            assert c.sample_size_type == "ACTUAL" and c.study_design == doc.study_design and c.model is None
        assert len({c.id for c in claims}) == len(claims)
        assert len({c.object.name for c in claims if c.kind == "safety"}) <= 10


def test_v2_claim_numbers_equal_the_record() -> None:
    doc, claims = _parse("api_v2_json/NCT02210780.json")
    raw = json.loads((TRIALS / "api_v2_json" / "NCT02210780.json").read_text())
    by_field = {c.quote.field: c for c in claims if c.kind == "efficacy"}
    measures = raw["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
    analyses = [(i, j, a) for i, o in enumerate(measures) for j, a in enumerate(o.get("analyses", []))]
    assert len(analyses) == 7 and len(by_field) == 7
    for i, j, a in analyses:
        c = by_field[f"resultsSection.outcomeMeasuresModule.outcomeMeasures[{i}].analyses[{j}]"]
        assert _json_path(raw, c.quote.field or "") is a
        assert c.effect is not None and c.p_value is not None
        assert (c.effect.value, c.effect.ci_low, c.effect.ci_high) == (
            float(a["paramValue"]), float(a["ciLowerLimit"]), float(a["ciUpperLimit"]))
        assert c.effect.ci_level == float(a["ciPctValue"]) / 100 == 0.9
        assert (c.p_value.operator, c.p_value.value) == _p(a["pValue"])
        for text in (a["paramValue"], a["ciLowerLimit"], a["ciUpperLimit"], a["pValue"]):
            assert text in c.quote.text
        denoms = {d["groupId"]: int(d["value"]) for d in measures[i]["denoms"][0]["counts"]}
        assert c.sample_size == sum(denoms[g] for g in a["groupIds"])
        assert c.subject.name == "Dupilumab" and c.comparator == "Placebo qw" and c.object.name == measures[i]["title"]
    assert by_field["resultsSection.outcomeMeasuresModule.outcomeMeasures[6].analyses[0]"].effect.type == "MD"  # type: ignore[union-attr]
    pruritus = by_field["resultsSection.outcomeMeasuresModule.outcomeMeasures[6].analyses[0]"]
    assert (pruritus.predicate, pruritus.direction) == ("decreases", "decrease")


@pytest.mark.parametrize(("name", "expected"), [("NCT01642004", 13), ("NCT02305381", 2)])
def test_legacy_claim_numbers_equal_the_record(name: str, expected: int) -> None:
    doc, claims = _parse(f"legacy_xml/{name}.xml")
    study = etree.parse(str(TRIALS / "legacy_xml" / f"{name}.xml")).getroot()
    efficacy = [c for c in claims if c.kind == "efficacy"]
    assert len(efficacy) == len(study.findall("clinical_results/outcome_list/outcome/analysis_list/analysis"))
    assert len(efficacy) == expected
    for c in efficacy:
        [a] = study.xpath(c.quote.field or "")  # NOTE: the field is a real XPath into the record
        value, low, high, p = (a.findtext(t) for t in ("param_value", "ci_lower_limit", "ci_upper_limit", "p_value"))
        assert c.effect is not None and (c.effect.value, c.effect.ci_low, c.effect.ci_high) == (
            float(value), float(low), float(high))
        assert (c.p_value.operator, c.p_value.value) == _p(p) if p else c.p_value is None  # type: ignore[union-attr]
        assert all(text in c.quote.text for text in (value, low, high, p or ""))


def test_a_hazard_ratio_on_survival_increases_survival_and_a_ci_across_one_is_no_effect() -> None:
    """NCT01642004 (judged sample, 414ab144): "decreases_risk_of Overall Survival" read as shorter survival."""
    _doc, claims = _parse("legacy_xml/NCT01642004.xml")
    by_field = {c.quote.field: c for c in claims}
    base = "clinical_results/outcome_list/outcome[{}]/analysis_list/analysis[{}]"
    os_hr = by_field[base.format(1, 1)]
    assert (os_hr.subject.name, os_hr.comparator, os_hr.effect.type) == ("Nivolumab", "Docetaxel", "HR")  # type: ignore[union-attr]
    assert "BMS-936558" in os_hr.subject.synonyms
    assert "survival" in os_hr.object.name.casefold()
    assert (os_hr.predicate, os_hr.direction) == ("increases", "increase")
    assert os_hr.quote.text == ("Analysis: Nivolumab vs Docetaxel — Hazard Ratio (HR) 0.62 (95% CI 0.47 to 0.81), "
                                "p=0.0004 (Log Rank)")
    crossing = by_field[base.format(10, 2)]
    assert (crossing.effect.ci_low, crossing.effect.ci_high) == (0.47, 1.02)  # type: ignore[union-attr]
    assert (crossing.predicate, crossing.direction) == ("no_effect_on", "no_difference")


@pytest.mark.parametrize(("predicate", "param", "outcome", "expected"), [
    ("decreases_risk_of", "Hazard Ratio (HR)", "Progression-free Survival (PFS)", "increases"),
    ("increases_risk_of", "Hazard Ratio (HR)", "Overall Survival Time in Months", "decreases"),
    ("decreases_risk_of", "Hazard Ratio (HR)", "Number of Participants With Stroke", "decreases_risk_of"),
    ("increases_risk_of", "Odds Ratio (OR)", "1-year Survival Rate", "increases_risk_of"),
])
def test_only_hazards_of_time_to_event_outcomes_turn_round(predicate: str, param: str, outcome: str,
                                                           expected: str) -> None:
    assert time_to_event_predicate(predicate, param, outcome) == expected  # type: ignore[arg-type]


def test_placebo_comparisons_name_the_active_arm_first() -> None:
    _doc, claims = _parse("legacy_xml/NCT02305381.xml")
    hba1c = [c for c in claims if c.kind == "efficacy"]
    # NOTE: two arms got semaglutide at different doses: each is named with its dose (judged sample 3406db43).
    assert {c.subject.name.casefold() for c in hba1c} == {"semaglutide 0.5 mg", "semaglutide 1.0 mg"}
    assert all("semaglutide" in (s.casefold() for s in c.subject.synonyms) for c in hba1c)
    assert {c.comparator for c in hba1c} == {"Placebo"} and {c.predicate for c in hba1c} == {"decreases"}
    assert hba1c[0].quote.text.startswith("Analysis: Semaglutide 1.0 mg vs Placebo — Treatment difference -1.75")


def test_outcomes_without_analyses_stay_text_but_state_no_claim() -> None:
    doc, claims = _parse("api_v2_json/NCT00763412.json")
    assert doc.text.count("\nOutcome: ") == 9 and "\nGroup " in doc.text
    assert [c for c in claims if c.kind == "efficacy"] == []


def test_serious_adverse_events_become_bounded_safety_claims() -> None:
    doc, claims = _parse("legacy_xml/NCT02076009.xml")
    study = etree.parse(str(TRIALS / "legacy_xml" / "NCT02076009.xml")).getroot()
    safety = [c for c in claims if c.kind == "safety"]
    assert safety and len({c.object.name for c in safety}) == 10
    assert "more serious adverse event terms are in the registry record" in doc.text
    for c in safety:
        [counts] = study.xpath(c.quote.field or "")
        match = re.fullmatch(r"Serious adverse event (.+): (.+) (\d+)/(\d+)", c.quote.text)
        assert match and match.group(1) == c.object.name
        assert (match.group(3), match.group(4)) == (counts.get("subjects_affected"), counts.get("subjects_at_risk"))
        assert c.predicate == "adverse_event_of" and c.direction == "unclear" and c.sample_size == int(match.group(4))
        assert c.subject.type == "intervention" and "placebo" not in c.subject.name.casefold()
    pneumonia = {c.subject.name for c in safety if c.object.name == "Pneumonia"}
    assert pneumonia == {"Daratumumab + Lenalidomide + Dexamethasone", "Lenalidomide + Dexamethasone"}


def test_placebo_arm_events_are_comparators_not_claims() -> None:
    _doc, claims = _parse("api_v2_json/NCT02210780.json")
    safety = [c for c in claims if c.kind == "safety"]
    assert [c.object.name for c in safety] == ["Serum sickness-like reaction", "Mycosis fungoides stage iv",
                                               "Squamous cell carcinoma"]
    assert {c.subject.name for c in safety} == {"Dupilumab"} and {c.comparator for c in safety} == {"Placebo qw 0/97"}


@pytest.mark.parametrize("name", ["api_v2_json/NCT02210780.json", "legacy_xml/NCT01642004.xml"])
def test_registry_claims_keep_their_outcome_type_as_scope(name: str) -> None:
    _, claims = _parse(name)
    efficacy = [c for c in claims if c.kind == "efficacy"]
    # NOTE: another pre-specified outcome is not primary; it counts as secondary.
    scopes = {"primary": "primary", "secondary": "secondary", "other pre-specified": "secondary"}
    assert efficacy
    if name.endswith(".json"):
        raw = json.loads((TRIALS / name).read_text())
        measures = raw["resultsSection"]["outcomeMeasuresModule"]["outcomeMeasures"]
        for c in efficacy:
            i = int(re.search(r"outcomeMeasures\[(\d+)\]", c.quote.field or "")[1])  # type: ignore[index]
            assert c.scope == scopes[measures[i]["type"].casefold()]
    else:
        study = etree.parse(str(TRIALS / name)).getroot()
        for c in efficacy:
            [outcome] = study.xpath((c.quote.field or "").rsplit("/analysis_list", 1)[0])
            assert c.scope == scopes[outcome.findtext("type").casefold()]
    assert all(c.scope == "unspecified" for c in claims if c.kind == "safety")


def test_the_estimate_says_which_arm_comes_first() -> None:
    """NCT02028676 (ARROW), judged sample ed8ce13a: "Hazard ratio is stop vs continue" was read as continue vs stop."""
    _doc, claims = _parse("legacy_xml/NCT02028676.xml")
    death = [c for c in claims if c.kind == "efficacy" and c.object.name == "Cotrimoxazole: New Hospitalisation or Death"
             and c.effect is not None and c.effect.type == "HR"]
    assert [(c.subject.name.casefold(), c.predicate) for c in death] == [
        ("stopped cotrimoxazole prophylaxis", "increases_risk_of")]
    arm_b = [c for c in claims if c.kind == "efficacy" and c.effect is not None and c.effect.value == 1.32]
    assert [c.subject.name.split(":")[0] for c in arm_b] == ["Arm B"]  # NOTE: "HR is Arm B vs A"
