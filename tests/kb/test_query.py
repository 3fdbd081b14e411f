"""Question parsing: roles from structure and types, year and design filters, no invented entities."""

from __future__ import annotations

import csv
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from kb.lexicon import Lexicon, LexiconTerm
from kb.models import EntityType
from kb.query import parse_query, role_of

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
PUBMEDQA = DATA / "pubmedqa" / "pqal_pool.json"
PROMPTS = DATA / "evidence_inference" / "annotations" / "prompts_merged.csv"
TODAY = date(2025, 6, 1)


@dataclass(frozen=True)
class FakeMention:
    """A lexicon hit, shaped like kb.lexicon.Mention."""

    start: int
    end: int
    surface: str
    name: str
    type: EntityType
    normalized_id: str | None = None


class FakeLexicon:
    """A tiny term table found longest-first on word boundaries (a fake of kb.lexicon.Lexicon)."""

    def __init__(self, terms: dict[str, tuple[str, EntityType, str | None]]) -> None:
        self.terms = terms
        self.calls: list[str] = []

    def find(self, text: str) -> list[FakeMention]:
        self.calls.append(text)
        found: list[FakeMention] = []
        for term in sorted(self.terms, key=len, reverse=True):
            name, type_, norm = self.terms[term]
            for m in re.finditer(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.I):
                if all(m.end() <= f.start or m.start() >= f.end for f in found):
                    found.append(FakeMention(m.start(), m.end(), m.group(), name, type_, norm))
        return sorted(found, key=lambda f: f.start)


LEXICON = FakeLexicon({
    "metformin": ("Metformin", "intervention", "D008687"),
    "sulfonylureas": ("Sulfonylurea Compounds", "intervention", "D013453"),
    "type 2 diabetes": ("Diabetes Mellitus, Type 2", "condition", "D003924"),
    "cardiovascular mortality": ("cardiovascular mortality", "outcome", None),
    "mortality": ("Mortality", "outcome", "D009026"),
    "glycemic control": ("Glycemic Control", "outcome", "D000066489"),
    "placebo": ("Placebos", "intervention", "D010919"),
    "aspirin": ("Aspirin", "intervention", "D001241"),
    "stroke": ("Stroke", "condition", "D020521"),
    "vitamin d": ("Vitamin D", "intervention", "D014807"),
    "fractures": ("Fractures, Bone", "condition", "D050723"),
    "older adults": ("Aged", "population", "D000368"),
    "elderly": ("Aged", "population", "D000368"),
    "children": ("Child", "population", "D002648"),
    "asthma": ("Asthma", "condition", "D001249"),
    "inhaled corticosteroids": ("Adrenal Cortex Hormones", "intervention", "D000305"),
    "exacerbations": ("exacerbations", "outcome", None),
    "statins": ("Hydroxymethylglutaryl-CoA Reductase Inhibitors", "intervention", "D019161"),
    "ldl cholesterol": ("Cholesterol, LDL", "outcome", "D008078"),
    "sglt2 inhibitors": ("Sodium-Glucose Transporter 2 Inhibitors", "intervention", "D000077203"),
    "heart failure": ("Heart Failure", "condition", "D006333"),
    "hospitalization": ("Hospitalization", "outcome", "D006760"),
    "exercise": ("Exercise", "intervention", "D015444"),
    "depression": ("Depression", "condition", "D003863"),
    "acupuncture": ("Acupuncture Therapy", "intervention", "D026881"),
    "low back pain": ("Low Back Pain", "condition", "D017116"),
    "coffee": ("Coffee", "intervention", "D003069"),
    "liver cancer": ("Liver Neoplasms", "condition", "D008113"),
    "dexamethasone": ("Dexamethasone", "intervention", "D003907"),
    "covid-19": ("COVID-19", "condition", "D000086382"),
    "ibuprofen": ("Ibuprofen", "intervention", "D007052"),
    "naproxen": ("Naproxen", "intervention", "D009288"),
    "pregnant women": ("Pregnant People", "population", "D000081326"),
    "migraine": ("Migraine Disorders", "condition", "D008881"),
    "probiotics": ("Probiotics", "intervention", "D019936"),
    "diarrhea": ("Diarrhea", "condition", "D003967"),
    "smoking": ("Smoking", "intervention", "D012907"),
    "lung cancer": ("Lung Neoplasms", "condition", "D008175"),
    "oral contraceptives": ("Contraceptives, Oral", "intervention", "D003276"),
    "hba1c": ("Glycated Hemoglobin", "outcome", "D006442"),
    "randomized trial": ("Randomized Controlled Trial", "other", "D016449"),
})

# (question, expected {(role, canonical name)}, year_min, year_max, designs)
CASES = [
    ("Does metformin reduce cardiovascular mortality in patients with type 2 diabetes?",
     {("intervention", "Metformin"), ("outcome", "cardiovascular mortality"),
      ("condition", "Diabetes Mellitus, Type 2")}, None, None, ()),
    ("Metformin vs sulfonylureas for glycemic control in the elderly",
     {("intervention", "Metformin"), ("comparator", "Sulfonylurea Compounds"), ("outcome", "Glycemic Control"),
      ("population", "Aged")}, None, None, ()),
    ("What is the effect of vitamin D on fractures in older adults?",
     {("intervention", "Vitamin D"), ("outcome", "Fractures, Bone"), ("population", "Aged")}, None, None, ()),
    ("Is aspirin better than placebo for preventing stroke?",
     {("intervention", "Aspirin"), ("comparator", "Placebos"), ("outcome", "Stroke")}, None, None, ()),
    ("Is smoking associated with an increased risk of lung cancer?",
     {("intervention", "Smoking"), ("outcome", "Lung Neoplasms")}, None, None, ()),
    ("In adults with asthma, do inhaled corticosteroids reduce exacerbations?",
     {("population", "adults"), ("condition", "Asthma"), ("intervention", "Adrenal Cortex Hormones"),
      ("outcome", "exacerbations")}, None, None, ()),
    ("Do statins compared with placebo lower LDL cholesterol? RCTs since 2015",
     {("intervention", "Hydroxymethylglutaryl-CoA Reductase Inhibitors"), ("comparator", "Placebos"),
      ("outcome", "Cholesterol, LDL")}, 2015, None, ("rct",)),
    ("Meta-analyses of SGLT2 inhibitors versus placebo on hospitalization for heart failure between 2010 and 2020",
     {("intervention", "Sodium-Glucose Transporter 2 Inhibitors"), ("comparator", "Placebos"),
      ("outcome", "Hospitalization"), ("condition", "Heart Failure")}, 2010, 2020, ("meta_analysis",)),
    ("Effect of exercise on depression in children: randomized trials in the last 10 years",
     {("intervention", "Exercise"), ("outcome", "Depression"), ("population", "Child")}, 2015, None, ("rct",)),
    ("Does acupuncture relieve low back pain? cohort studies 2018-2020",
     {("intervention", "Acupuncture Therapy"), ("outcome", "Low Back Pain")}, 2018, 2020, ("cohort",)),
    ("Observational studies after 2010 on coffee and liver cancer",
     {("intervention", "Coffee"), ("outcome", "Liver Neoplasms")}, 2011, None,
     ("cohort", "case_control", "cross_sectional")),
    ("Does treatment with dexamethasone reduce mortality in hospitalized patients with COVID-19?",
     {("intervention", "Dexamethasone"), ("outcome", "Mortality"), ("population", "hospitalized patients"),
      ("condition", "COVID-19")}, None, None, ()),
    ("Is ibuprofen safer than naproxen in pregnant women with migraine?",
     {("intervention", "Ibuprofen"), ("comparator", "Naproxen"), ("population", "Pregnant People"),
      ("condition", "Migraine Disorders")}, None, None, ()),
    ("What do systematic reviews say about probiotics for prevention of antibiotic-associated diarrhea?",
     {("intervention", "Probiotics"), ("outcome", "Diarrhea")},
     None, None, ("systematic_review",)),
    ("Risk of stroke with oral contraceptives before 2005",
     {("outcome", "Stroke"), ("intervention", "Contraceptives, Oral")}, None, 2004, ()),
    ("Metformin compared to sulfonylureas: effect on HbA1c in published randomised controlled trials, 2000 to 2012",
     {("intervention", "Metformin"), ("comparator", "Sulfonylurea Compounds"), ("outcome", "Glycated Hemoglobin")},
     2000, 2012, ("rct",)),
    ("Does aspirin prevent stroke in elderly patients? Evidence from clinical trials published in 2019",
     {("intervention", "Aspirin"), ("outcome", "Stroke"), ("population", "Aged")},
     2019, 2019, ("rct", "non_randomized_trial")),
    ("Case reports of liver cancer with oral contraceptives prior to 1990",
     {("condition", "Liver Neoplasms"), ("intervention", "Contraceptives, Oral")}, None, 1989, ("case_report",)),
]


@pytest.mark.parametrize(("question", "expected", "year_min", "year_max", "designs"), CASES,
                         ids=[c[0][:40] for c in CASES])
def test_realistic_questions_get_roles_and_filters(question: str, expected: set[tuple[str, str]],
                                                   year_min: int | None, year_max: int | None,
                                                   designs: tuple[str, ...]) -> None:
    query = parse_query(question, LEXICON, today=TODAY)
    assert {(e.role, e.name) for e in query.entities} == expected
    assert (query.year_min, query.year_max, query.designs) == (year_min, year_max, designs)
    assert all(e.text in question for e in query.entities)


def test_lexicon_fields_are_carried_over() -> None:
    query = parse_query("Does metformin reduce HbA1c in type 2 diabetes?", LEXICON, today=TODAY)
    [drug] = query.by_role("intervention")
    assert (drug.text, drug.name, drug.type, drug.normalized_id) == ("metformin", "Metformin", "intervention",
                                                                     "D008687")
    [condition] = query.by_role("condition")
    assert condition.text == "type 2 diabetes" and condition.normalized_id == "D003924"


def test_a_design_word_the_lexicon_knows_is_a_filter_not_an_entity() -> None:
    query = parse_query("Aspirin and stroke: randomized trial evidence", LEXICON, today=TODAY)
    assert query.designs == ("rct",)
    assert "Randomized Controlled Trial" not in {e.name for e in query.entities}


@pytest.mark.parametrize(("question", "expected"), [
    ("Does metformin reduce cardiovascular mortality in patients with type 2 diabetes?",
     {("intervention", "metformin"), ("outcome", "cardiovascular mortality"), ("condition", "type 2 diabetes")}),
    ("Metformin vs sulfonylureas for glycemic control in the elderly",
     {("intervention", "Metformin"), ("comparator", "sulfonylureas"), ("condition", "glycemic control"),
      ("population", "elderly")}),
    ("What is the effect of vitamin D on fracture risk in older adults?",
     {("intervention", "vitamin D"), ("outcome", "fracture risk"), ("population", "older adults")}),
    ("Is smoking associated with an increased risk of lung cancer?",
     {("intervention", "smoking"), ("outcome", "lung cancer")}),
    ("Is aspirin better than placebo for preventing stroke?",
     {("intervention", "aspirin"), ("comparator", "placebo"), ("outcome", "stroke")}),
    ("In adults with asthma, do inhaled corticosteroids reduce exacerbations?",
     {("population", "adults"), ("condition", "asthma"), ("intervention", "inhaled corticosteroids"),
      ("outcome", "exacerbations")}),
    ("Effect of exercise on depression in children: randomized trials since 2015",
     {("intervention", "exercise"), ("outcome", "depression"), ("population", "children")}),
])
def test_without_a_lexicon_phrases_take_the_role_of_their_slot(question: str,
                                                               expected: set[tuple[str, str]]) -> None:
    query = parse_query(question, None, today=TODAY)
    assert {(e.role, e.text) for e in query.entities} == expected
    assert all(e.name == e.text for e in query.entities)


@pytest.mark.parametrize(("phrase", "bounds"), [
    ("since 2015", (2015, None)),
    ("after 2010", (2011, None)),
    ("before 2010", (None, 2009)),
    ("until 2010", (None, 2010)),
    ("between 2000 and 2010", (2000, 2010)),
    ("2018-2020", (2018, 2020)),
    ("2018–2020", (2018, 2020)),
    ("from 2001 to 2003", (2001, 2003)),
    ("in the last 10 years", (2015, None)),
    ("over the past five years", (2020, None)),
    ("in the last decade", (2015, None)),
    ("in 2019", (2019, 2019)),
    ("in the last year", (2024, None)),
    ("in the past two decades", (2005, None)),
    ("since 2015 and before 2020", (2015, 2019)),
])
def test_year_filters(phrase: str, bounds: tuple[int | None, int | None]) -> None:
    query = parse_query(f"Does aspirin reduce stroke {phrase}?", None, today=TODAY)
    assert (query.year_min, query.year_max) == bounds
    assert all(not any(ch.isdigit() for ch in e.text) for e in query.entities)


def test_relative_years_follow_the_given_day() -> None:
    question = "Statins and stroke in the last 10 years"
    assert parse_query(question, None, today=date(2030, 1, 1)).year_min == 2020


@pytest.mark.parametrize(("phrase", "designs"), [
    ("RCTs", ("rct",)),
    ("randomized controlled trials", ("rct",)),
    ("randomised trials", ("rct",)),
    ("non-randomized trials", ("non_randomized_trial",)),
    ("meta-analyses", ("meta_analysis",)),
    ("a meta-analysis", ("meta_analysis",)),
    ("systematic reviews", ("systematic_review",)),
    ("cohort studies", ("cohort",)),
    ("case-control studies", ("case_control",)),
    ("cross-sectional studies", ("cross_sectional",)),
    ("observational studies", ("cohort", "case_control", "cross_sectional")),
    ("case reports", ("case_report",)),
    ("animal studies", ("animal",)),
    ("RCTs and cohort studies", ("rct", "cohort")),
])
def test_design_filters(phrase: str, designs: tuple[str, ...]) -> None:
    query = parse_query(f"What do {phrase} show about aspirin for stroke?", None, today=TODAY)
    assert query.designs == designs
    assert {(e.role, e.text) for e in query.entities} == {("intervention", "aspirin"), ("condition", "stroke")}


def test_terms_are_the_leftover_content_words() -> None:
    query = parse_query("Does metformin reduce cardiovascular mortality in patients with type 2 diabetes "
                        "since 2015?", LEXICON, today=TODAY)
    assert query.terms == ("reduce",)


def test_no_entities_are_invented_for_a_question_without_any() -> None:
    query = parse_query("What is known?", LEXICON, today=TODAY)
    assert query.entities == ()
    assert query.question == "What is known?"


@pytest.mark.parametrize(("type_", "slot", "role"), [
    ("intervention", "comparator", "comparator"), ("intervention", "outcome", "intervention"),
    ("condition", "outcome", "outcome"), ("condition", "condition", "condition"), ("condition", "lead", "condition"),
    ("outcome", "condition", "outcome"), ("population", "lead", "population"), ("other", "outcome", "outcome"),
    ("other", "lead", "intervention"),
])
def test_role_of_type_and_slot(type_: EntityType, slot: str, role: str) -> None:
    assert role_of(type_, slot) == role  # type: ignore[arg-type]


def test_the_real_lexicon_fits_the_protocol() -> None:
    lexicon = pytest.importorskip("kb.lexicon")
    terms = [lexicon.LexiconTerm("aspirin", "Aspirin", "intervention", "D001241"),
             lexicon.LexiconTerm("stroke", "Stroke", "condition", "D020521")]
    query = parse_query("Does aspirin prevent stroke?", lexicon.Lexicon.from_terms(terms, seed=False), today=TODAY)
    assert {(e.role, e.normalized_id) for e in query.entities} == {("intervention", "D001241"),
                                                                   ("outcome", "D020521")}


@pytest.mark.skipif(not PUBMEDQA.exists(), reason="../shared/datasets/pubmedqa not present")
def test_pubmedqa_questions_never_get_invented_entities() -> None:
    questions = [r["QUESTION"] for r in json.loads(PUBMEDQA.read_text(encoding="utf-8")).values()]
    parsed = [parse_query(q, None, today=TODAY) for q in questions]
    assert len(parsed) == 500
    assert all(e.text in q.question and e.text.strip() == e.text for q in parsed for e in q.entities)
    assert sum(bool(q.by_role("intervention")) for q in parsed) > 250


@pytest.mark.skipif(not PROMPTS.exists(), reason="../shared/datasets/evidence_inference not present")
def test_evidence_inference_prompts_put_phrases_in_the_right_slot() -> None:
    """Questions built from 500 real I/C/O prompts: most phrases must land inside their own slot."""
    with PROMPTS.open(encoding="utf-8", newline="") as f:
        rows = [r for _, r in zip(range(500), csv.DictReader(f), strict=False)]
    right = total = 0
    for row in rows:
        i, c, o = (row[k].strip() for k in ("Intervention", "Comparator", "Outcome"))
        head = "What is the effect of "
        question = f"{head}{i} compared with {c} on {o}?"
        c_at = len(head) + len(i) + len(" compared with ")
        o_at = c_at + len(c) + len(" on ")
        slots = {"intervention": (len(head), len(head) + len(i)), "comparator": (c_at, c_at + len(c)),
                 "outcome": (o_at, o_at + len(o))}
        for e in parse_query(question, None, today=TODAY).entities:
            lo, hi = slots.get(e.role, (0, 0))
            total += 1
            right += e.text in question[lo:hi]
    assert total > 1000
    assert right / total > 0.85


def test_chosen_filters_narrow_the_question_s_own() -> None:
    from kb.answers import Narrowing
    from kb.query import narrowed

    query = parse_query("Does metformin lower HbA1c since 2010 in cohort studies?", today=date(2026, 1, 1))
    assert (query.year_min, query.designs) == (2010, ("cohort",))
    both = narrowed(query, Narrowing(year_min=2005, year_max=2020, designs=("rct",)))
    assert (both.year_min, both.year_max, both.designs) == (2010, 2020, ("rct",))
    assert narrowed(query, Narrowing()).designs == ("cohort",)


def test_a_change_from_baseline_in_a_score_is_the_outcome_not_a_setting() -> None:
    # NOTE: a registry outcome title asked back (NCT02210780): "in GISS ..." became the condition.
    q = parse_query("Does Dupilumab affect Changes From Baseline in GISS Cumulative Score to Week 16?")
    assert [(e.role, e.text) for e in q.entities] == [("intervention", "Dupilumab"),
                                                      ("outcome", "GISS Cumulative Score to Week 16")]


def test_a_named_instrument_is_the_outcome_not_the_condition_inside_it() -> None:
    # NOTE: a registry outcome asked back (NCT02210780) was understood as the condition "Eczema".
    lexicon = Lexicon.from_terms([LexiconTerm("eczema", "Eczema", "condition", "D004485")])
    q = parse_query("Does Dupilumab affect Change in Patient Oriented Eczema Measure (POEM) Score From Baseline to "
                    "Week 16?", lexicon)
    assert [(e.role, e.text) for e in q.entities] == [
        ("intervention", "Dupilumab"), ("outcome", "Patient Oriented Eczema Measure (POEM) Score From Baseline to Week 16")]


def test_a_closing_capital_letter_is_part_of_the_name() -> None:
    # NOTE: "vitamin A" was asked as "vitamin" (the "A" trimmed as an article): a standing check's DEVTA question.
    assert parse_query("Does vitamin A affect child mortality?").entities[0].text == "vitamin A"
    assert [e.text for e in parse_query("Is a statin better than a placebo?").entities] == ["statin", "placebo"]


def test_a_treatment_named_as_the_setting_is_not_a_second_treatment() -> None:
    # NOTE: a standing check asked "Does TLRP affect Costs for surgery?" (PMC2365983) and got "surgery" as a second
    # intervention, with a false "no finding on Costs for surgery" gap beside the answer.
    lexicon = Lexicon.from_terms([LexiconTerm("surgery", "Surgical Procedures, Operative", "intervention", "D013514"),
                                  LexiconTerm("aspirin", "Aspirin", "intervention", "D001241")])
    q = parse_query("Does TLRP affect Costs for surgery?", lexicon)
    assert [(e.role, e.text) for e in q.entities] == [("intervention", "TLRP"), ("outcome", "Costs"),
                                                      ("condition", "surgery")]
    # NOTE: asked about alone, a treatment keeps its role wherever it stands.
    q = parse_query("Is there a role for aspirin in stroke?", lexicon)
    assert [(e.role, e.text) for e in q.entities][0] == ("intervention", "aspirin")
