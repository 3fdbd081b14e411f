"""Which intervention, outcome and cue a clause gives: real sentences of the judged sample that were misread."""

from __future__ import annotations

import pytest

from ingest.extract.clauses import COMPARATOR, parse
from ingest.extract.cue import find_cue
from ingest.extract.picking import HEAD_BEFORE, complete
from kb.claims import Claim
from kb.lexicon import Lexicon, LexiconTerm
from kb.models import SectionKind
from tests.ingest.extract.test_rules import Rules, make_doc, mesh_rules, needs_data, whole_chunk

__all__ = ["mesh_rules"]  # NOTE: the module-scoped fixture, shared with test_rules


def read(rules: Rules, methods: str, sentence: str, kind: SectionKind = "results") -> list[Claim]:
    """Return the claims of a results sentence in an RCT abstract whose methods name what the study gives."""
    doc = make_doc("A randomised controlled trial", [(methods, "methods"), (sentence, kind)], study_design="rct")
    return [c for c in rules.extract(doc, whole_chunk(doc)) if c.quote.text == sentence]


SENTENCE = ("A combination diuretic therapy including tolvaptan resulted in a greater decrease in body weight compared to "
            "conventional diuretic with only a natriuretic drug for cirrhotic ascites patients.")


@needs_data
def test_a_greater_decrease_is_a_decrease(mesh_rules: Rules) -> None:
    """PMC5725301: "greater" qualifies the decrease; the claim said the aquaretic increased body weight."""
    got = read(mesh_rules, "Patients were randomly assigned to tolvaptan, an aquaretic drug, or to furosemide.",
               SENTENCE)
    assert all(c.direction == "decrease" for c in got), got
    cue = find_cue(parse(SENTENCE, ()), 0, len(SENTENCE), None)
    assert cue is not None and cue[0].group() == "decrease" and cue[1] == "decreases"


@needs_data
def test_the_base_an_add_on_is_added_to_is_not_the_subject(mesh_rules: Rules) -> None:
    """PMC4173573: dexamethasone or magnesium was added to ropivacaine, which every child received."""
    got = read(mesh_rules, "Children were randomized to receive ropivacaine with dexamethasone or magnesium.",
               "The addition of dexamethasone or magnesium to caudal 0.15% ropivacaine significantly prolonged the "
               "duration of postoperative analgesia in children undergoing inguinal hernia repair.")
    assert not [c for c in got if c.subject.name.casefold() == "ropivacaine"], got


@needs_data
def test_a_drug_that_induced_the_outcome_is_not_the_subject(mesh_rules: Rules) -> None:
    """PMC116601: enzyme replacement normalized the response acetazolamide induced."""
    got = read(mesh_rules, "Patients received acetazolamide before and after enzyme replacement therapy.",
               "The current study indicates that enzyme replacement therapy normalized acetazolamide-induced "
               "prolonged cerebral vascular response time in Fabry disease.", "conclusions")
    assert not [c for c in got if c.subject.name.casefold() == "acetazolamide"], got


@needs_data
def test_a_gradient_with_duration_gives_no_claim(mesh_rules: Rules) -> None:
    """MEDLINE cohort: lung cancer risk rose with work duration; "chromium increases work duration" was stored."""
    got = read(mesh_rules, "Workers exposed to chromium and nickel were followed for 20 years.",
               "The risk of lung cancer increased with work duration and thus with occupational exposure to "
               "chromium and nickel.", "conclusions")
    assert got == [], got


@needs_data
def test_a_responder_threshold_is_not_a_direction(mesh_rules: Rules) -> None:
    """PMC3664320: "a ≥30% decrease in target lesions" is the outcome; sorafenib did not reduce anything here."""
    got = read(mesh_rules, "Patients were randomly assigned to axitinib or sorafenib.",
               "A total of 15 (60%) of 25 Japanese patients in the axitinib arm and 2 (7%) of 29 in the sorafenib "
               "arm had a ≥30% decrease in target lesions (Fig. 2).")
    assert not [c for c in got if c.subject.name.casefold() == "sorafenib"], got


@needs_data
def test_a_purpose_is_not_the_result(mesh_rules: Rules) -> None:
    """MEDLINE RCT: training "designed to improve auditory processing" is what it was for, not what it changed."""
    got = read(mesh_rules, "Outpatients were randomized to computerized cognitive training or computer games.",
               "Subjects who engaged in computerized cognitive training designed to improve auditory processing "
               "showed significant cognitive gains compared with subjects who played computer games.")
    assert not [c for c in got if "auditory" in c.object.name.casefold()], got


@needs_data
def test_several_arms_named_alike_give_no_claim(mesh_rules: Rules) -> None:
    """PMC3622018: scores fell in three arms; "MBB reduces scores" picked one of them and a word for the outcome."""
    got = read(mesh_rules, "Survivors were randomized to meditation (MBB), massage (MM) or sleep hygiene (SHE).",
               "IES measures, as indicated by adjusted mean scores, decreased in MBB (6.43), MM (2.13), and SHE "
               "(2.9), respectively.")
    assert got == [], got


@pytest.mark.parametrize(("sentence", "word", "expected"), [
    # NOTE: MEDLINE RCT, judged as "LLLT reduces rate": the rate is of tooth movement.
    ("LLLT significantly decreased the rate of tooth movement into the bone-grafted defects.", "rate",
     "rate of tooth movement into the bone-grafted defects"),
    ("Counseling reduced the rate, not the weight.", "rate", None),
])
def test_a_generic_outcome_word_takes_its_complement(sentence: str, word: str, expected: str | None) -> None:
    at = sentence.index(word)
    span = complete(parse(sentence, ()), (at, at + len(word)), len(sentence))
    assert (sentence[span[0] : span[1]] if span else None) == expected


def test_an_outcome_ending_in_a_function_word_is_none() -> None:
    """Judged sample 73bae9c4: "proportion of patients who had" names no outcome."""
    text = "The proportion of patients who had a relapse was lower."
    assert complete(parse(text, ()), (text.index("proportion"), text.index(" a relapse")), len(text)) is None


@needs_data
def test_a_measured_hormone_is_not_the_subject(mesh_rules: Rules) -> None:
    """PMC (fats trial), judged sample f661ea70: "insulin reduces PHSO" put the outcome in the subject's place."""
    got = read(mesh_rules, "Volunteers were randomized to diets enriched in PHSO, IE fat or palm olein (POL); fasting "
               "insulin and glucose were compared.",
               "The 2 h insulin was significantly lower after both the PHSO (p < 0.05) and IE (p < 0.05) challenge "
               "compared to POL, while C-peptide was significantly lowered only by IE compared to either POL or PHSO.")
    assert not [c for c in got if c.subject.name.casefold() == "insulin"], got


@needs_data
def test_one_drug_of_a_regimen_is_not_the_regimen(mesh_rules: Rules) -> None:
    """PMC (TDF+PI/r cohort), judged sample: "TDF makes no difference to eGFR" dropped the regimen's other drugs."""
    got = read(mesh_rules, "Patients were assigned to TDF+PI/r or to a regimen without tenofovir.",
               "Compared to control, the TDF+PI/r group exhibited higher levels of serum creatinine (79 vs. 69.7 "
               "μmol/L, P<0.001) at the end of week 48.")
    assert not [c for c in got if c.subject.name.casefold() in ("tdf", "pi/r")], got


@needs_data
def test_subgroups_of_people_compared_give_no_claim(mesh_rules: Rules) -> None:
    """PMC3664320, judged sample f5cd09a2: Japanese against overall patients within the axitinib arm."""
    got = read(mesh_rules, "Patients were randomly assigned to axitinib or sorafenib.",
               "Incidence of proteinuria ≥2+ in the axitinib arm was similar between the Japanese and overall "
               "population (20 vs. 21%, respectively).")
    assert got == [], got


@needs_data
def test_improvement_on_a_falling_score_gives_no_increase(mesh_rules: Rules) -> None:
    """Judged sample 7690c2a0: "greater improvement in MADRS total score" was stored as olanzapine increases MADRS."""
    got = read(mesh_rules, "Patients were randomly assigned to olanzapine or placebo for 6 weeks.",
               "Compared to placebo, patients in the olanzapine group experienced greater improvement in the primary "
               "outcome measure, MADRS total score (−14.9 vs. −10.7; p = .01).")
    assert not [c for c in got if c.direction == "increase" and "madrs" in c.object.name.casefold()], got


def test_a_share_is_the_outcome_not_the_people_counted() -> None:
    """Lifestyle counselling RCT, judged sample af2f91bd: "reduces pregnancies"; the share takes its complement."""
    text = "Counseling reduced the proportion of pregnancies with excessive gestational weight gain."
    head = HEAD_BEFORE.search(text, 0, text.index("pregnancies"))
    assert head is not None
    span = complete(parse(text, ()), (head.start(), text.index("pregnancies") + len("pregnancies")), len(text))
    assert span is not None and text[span[0] : span[1]] == (
        "proportion of pregnancies with excessive gestational weight gain")


# NOTE: PMC5587887 (SENTIPAT, an Evidence Inference validation article): the comparator was read as "those observed".
ALPHA = ("The alpha estimates observed in the Internet group were always greater than those observed in the telephone "
         "group, the difference being statistically significant for the two dimensions, global care and room "
         "convenience (P=.003 and P=.03, respectively), and for the global satisfaction (P=.03).")


def test_those_observed_in_a_group_is_that_group() -> None:
    m = COMPARATOR.search(ALPHA)
    assert m is not None and m["c"].startswith("the telephone group")


def test_a_unit_relative_to_body_weight_is_not_a_comparator() -> None:
    # NOTE: PMC4681166 gave "protein makes no difference to intake vs body weight".
    sentence = ("Although the protein group tended to have lower energy intake (P = 0.1), the dietary intake did not "
                "differ significantly between the groups when expressed relative to body weight (Table 3).")
    assert COMPARATOR.search(parse(sentence, []).masked) is None
    assert COMPARATOR.search("FEV1 improved relative to placebo.")["c"] == "placebo."


# NOTE: PMC1550594 and PMC1766476 (Evidence Inference train articles): results name the study's arm only as "the
# intervention group"; the arm was never resolved (no claim at all), "in the X group" spans X without its group word.
SPPARO = "SPPARO, online access to medical records, in patients with heart failure: a randomized trial"
SPPARO_METHODS = ("Patients were randomized to SPPARO or to usual care. The SPPARO group received a password to the "
                  "SPPARO website.")
VISITS = ("The intervention group had more emergency department visits (20 vs. 8, p=0.03), but these visits were not "
          "temporally related to use of the online medical record.")
FALLS = "The fall risk was significantly lower in the intervention group, HRR 0.41 (95% CI: 0.20–0.82, p = 0.012)."


@pytest.mark.parametrize(("sentence", "direction"), [(VISITS, "increase"), (FALLS, "decrease")])
def test_the_intervention_group_is_the_studys_arm(sentence: str, direction: str) -> None:
    rules = Rules(Lexicon.from_terms([LexiconTerm("SPPARO", "SPPARO", "intervention"),
                                      LexiconTerm("visits", "visits", "outcome"),
                                      LexiconTerm("fall risk", "fall risk", "outcome")]))
    doc = make_doc(SPPARO, [(SPPARO_METHODS, "methods"), (sentence, "results")], study_design="rct")
    found = [c for c in rules.extract(doc, whole_chunk(doc)) if c.quote.text == sentence]
    assert [(c.subject.name, c.direction) for c in found] == [("SPPARO", direction)], found


def test_the_control_group_as_subject_gives_no_claim() -> None:
    rules = Rules(Lexicon.from_terms([LexiconTerm("SPPARO", "SPPARO", "intervention"),
                                      LexiconTerm("visits", "visits", "outcome")]))
    sentence = "The control group had more emergency department visits (20 vs. 8, p=0.03)."
    doc = make_doc(SPPARO, [(SPPARO_METHODS, "methods"), (sentence, "results")], study_design="rct")
    assert not [c for c in rules.extract(doc, whole_chunk(doc)) if c.quote.text == sentence]
