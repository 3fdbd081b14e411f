"""A document as MedKB reads it: roles, mentions typed by what the study gives, its arms and population."""

from __future__ import annotations

from ingest.nlp.pico import PicoSpan
from ingest.nlp.arms import study_arms
from ingest.nlp.reading import _population, studied, title_mentions
from ingest.nlp.roles import Role
from kb.lexicon import Mention
from kb.models import Document, content_hash

METHODS = "Adults were randomly assigned to creatine or placebo for 28 days."
RESULT = "Creatine raised serum creatinine, and insulin fell (p < 0.05)."


def _role(name: str) -> Role:
    return Role(role=name, probability=0.9, finding=name == "results", finding_score=0.9,  # type: ignore[arg-type]
                other_work=False, hedged=False, vetoed=None, head="vector")


def _m(text: str, word: str, kind: str = "intervention") -> Mention:
    at = text.index(word)
    return Mention(at, at + len(word), word, word, kind, f"id:{word.casefold()}")  # type: ignore[arg-type]


def test_a_drug_named_only_in_the_results_is_something_measured() -> None:
    found = [[_m(METHODS, "creatine"), _m(METHODS, "placebo")],
             [_m(RESULT, "creatinine"), _m(RESULT, "insulin")]]
    typed, given = studied(found, [METHODS, RESULT], [0, 100], [_role("methods"), _role("results")], [], [])
    assert given == {"id:creatine", "id:placebo"}
    results = {m.surface: m.type for m in typed[1]}
    assert results["creatinine"] == "outcome" and results["insulin"] == "outcome"
    # NOTE: the drug the methods say the study gives is named wherever it appears, tagged or not.
    assert results["Creatine"] == "intervention"


def test_the_population_is_the_people_not_the_verb_that_enrolled_them() -> None:
    text = "We randomly assigned 120 adults with migraine to aspirin."
    doc = Document(id="d", kind="text", source="t", content_hash=content_hash(text), text=text)
    at = text.index("randomly")
    span = PicoSpan(at, text.index(" to aspirin"), "P", 0.8)
    assert _population(doc, [span]) == "120 adults with migraine"


# NOTE: PMC3643086 (an Evidence Inference train article): the body names atorvastatin once and placebo four times;
# without a lexicon that knows the drug, its title is what says atorvastatin is the study's intervention.
STATIN_TITLE = "A clinical randomized trial on the use of atorvastatin in patients with sepsis or septic shock"


def test_the_title_names_the_intervention_the_body_tags() -> None:
    body = "Patients received atorvastatin 40 mg or placebo."
    drug = Mention(body.index("atorvastatin"), body.index(" 40"), "atorvastatin", "atorvastatin", "intervention")
    found = title_mentions(STATIN_TITLE, [], [[drug]], frozenset({"atorvastatin"}))
    assert [(STATIN_TITLE[m.start : m.end], m.type) for m in found] == [("atorvastatin", "intervention")]
    assert title_mentions(STATIN_TITLE, [], [[drug]], frozenset()) == []
    arms = study_arms([[drug]], found, given=frozenset({"atorvastatin"}))
    assert arms.active is not None and arms.active.surface == "atorvastatin"
