"""The claim-defect checks on real sentences from the shared data (the failures issue 10 quotes) and sound ones."""

from __future__ import annotations

from typing import Any

import pytest

from benchmarks import defects
from kb.claims import Claim, EffectMeasure, PValue, Quote
from kb.models import Document, Enrollment, Entity, StudyDesign, TrialInfo
from tests.conftest import DATA, needs_data

# NOTE: sentences verbatim from ../shared/datasets (evidence_inference/txt_files/<file> named beside each, else the
# PubMed test file), each a claim of the knowledge base issue 10 was filed on.
FABRY = ("Previously, we demonstrated that the resting rCBF in Fabry disease is elevated compared to controls "
         "particularly in the posterior circulation [5].")  # PMC116601
YOSHIHARA = ("Yoshihara et al. stated that children with long-term use of fluoride mouth rinse had lower-levels of "
             "Streptococcus mutans.")  # PMC3636850
OTHER_STUDIES = (  # medline16n0902.xml.gz
    "In contrast with the findings from a number of other studies, blastocyst culture in Australian and "
    "New Zealand is not associated with an increased risk of preterm, LBW, and SGA for singletons.")
SEROCONVERSION = ("Likewise, the proportion of subjects that displayed seroconversion was similar between groups "
                  "[10 out of 13 (77%) in the LPS–Fluenz group and all 13 subjects in the placebo–Fluenz group, "
                  "p = 0.22].")  # PMC5732479
MBB = ("In all scales, MBB was different from SHE at post-intervention, indicating that MBB led to a reduced level of "
       "self-reported depression symptoms (4a) and enhanced levels of mindfulness, self-compassion, and well-being "
       "(4b, 4c, 4d).")  # PMC3622018: an effect stored as 'little or no difference'
OC = "The OC analysis produced a similar result (8.5% versus 18.9%; P = 0.003)."  # PMC3580327
AGING = ("Aging is associated with changes in various body systems including in the neuromuscular structures, which "
         "lead to a reduction in important components of physical fitness.")  # PMC4354617
CVD = ("There were no significant differences in secondary CVD prevention treatments (aspirin, β-blockers, "
       "angiotensin-converting enzyme inhibitors) or patient parameters (arterial blood pressure or glycaemic control "
       "at baseline and on study) between the “standard” and “intensive” groups.")  # PMC3701988


def claim(quote: str, subject: str = "treatment A", obj: str = "outcome B", predicate: str = "decreases",
          direction: str = "decrease", **fields: Any) -> Claim:
    """Return a claim on a quote (doc 'd', span 0..len) with the given fields."""
    return Claim(id="c", doc_id="d", chunk_id="k", subject=Entity(id="s", name=subject), predicate=predicate,
                 object=Entity(id="o", name=obj), direction=direction,
                 quote=Quote(text=quote, doc_id="d", start=0, end=len(quote)), extractor="rules",
                 extractor_version="t", confidence=0.5, **fields)


def doc(source: str = "/data/pubmed.xml", publication_types: tuple[str, ...] = (), trial: TrialInfo | None = None,
        design: StudyDesign = "unknown") -> Document:
    """Return a document with the facts the checks read."""
    return Document(id="d", kind="trial" if trial else "pubmed", source=source, content_hash="h", text="x",
                    publication_types=publication_types, trial=trial, study_design=design)


def trial(study_type: str, allocation: str | None = None, count: int | None = 120,
          kind: str = "ACTUAL") -> TrialInfo:
    """Return registry fields."""
    return TrialInfo(nct_id="NCT01005095", study_type=study_type, allocation=allocation,
                     enrollment=Enrollment(count=count, type=kind))  # type: ignore[arg-type]


@pytest.mark.parametrize(("quote", "rule"), [(FABRY, "bracketed reference"), (YOSHIHARA, "et al."),
                                             (OTHER_STUDIES, "previous studies"),
                                             ("Mortality fell (Smith et al., 2001).", "et al."),
                                             ("as reported before (Hewison, 2006).", "author-year")])
def test_quotes_citing_other_work(quote: str, rule: str) -> None:
    assert defects.cites_other_work(claim(quote), None) == rule


def test_a_finding_with_bracketed_numbers_is_not_a_citation() -> None:
    assert defects.cites_other_work(claim(SEROCONVERSION), None) is None


def test_huge_sizes_count_unless_they_are_the_registered_enrollment() -> None:
    # NOTE: n = 1,005,095 was read from "ClinicalTrials.gov ID: NCT01005095" (PMC3691658).
    text = "The trial was registered at ClinicalTrials.gov ID: NCT01005095."
    assert defects.huge_free_text_size(claim(text, sample_size=1_005_095), doc()) == "in the quote"
    assert defects.huge_free_text_size(claim(text, sample_size=5_409), doc()) is None
    registry = doc(trial=trial("OBSERVATIONAL", count=250_000))
    assert defects.huge_free_text_size(claim(text, sample_size=250_000), registry) is None


def test_estimated_enrollment_stored_as_reported_is_retyped() -> None:
    registry = doc(trial=trial("INTERVENTIONAL", "RANDOMIZED", count=100, kind="ESTIMATED"))
    assert defects.registry_size_retyped(claim("x", sample_size=100), registry) == "ESTIMATED stored as REPORTED"
    assert defects.registry_size_retyped(claim("x", sample_size=100, sample_size_type="ESTIMATED"), registry) is None
    assert defects.registry_size_retyped(claim("x", sample_size=88), registry) is None


@pytest.mark.parametrize(("name", "why"), [
    ("There", "function word"), ("Achieving", "function word"), ("Following", "function word"),
    ("Upper", "function word"), ("may", "function word"), ("This increase", "starts like a clause"),
    ("the difference", "generic word"), ("patients", "generic word"), ("and BN", "starts like a clause"),
    ("referrals for", "ends mid-phrase"), ("results would indicate that", "ends mid-phrase"),
    ("Such detailed knowledge of the natural history of poultry infections in commercial flocks over several years",
     "starts like a clause"), ("n", "no word"),
    ("knowledge of the natural history of poultry infections in commercial flocks over several years now",
     "a clause, not a name"),
])
def test_fragment_names(name: str, why: str) -> None:
    assert defects.name_defect(name, "quote") == why


@pytest.mark.parametrize("name", ["Budesonide-formoterol", "severe exacerbations", "pre-bronchodilator FEV1",
                                  "Smoking", "Bleeding", "lead", "Vitamin C", "ACQ-5 score"])
def test_real_names_pass(name: str) -> None:
    assert defects.name_defect(name, "Blood lead concentrations were measured.") is None


def test_the_verb_lead_is_not_the_metal() -> None:
    assert defects.fragment_entity(claim(AGING, subject="lead"), None) == "subject: the verb 'lead' read as the metal"


def test_long_registry_outcome_titles_are_names() -> None:
    title = "Mean Change From Baseline in the Dyspnea Domain Associated With the EORTC QLQ-C-30 Scale at Week 12 and 24"
    assert defects.name_defect(title, "q") == "a clause, not a name"
    assert defects.name_defect(title, "q", registry=True) is None


def test_no_effect_without_null_wording_or_statistics() -> None:
    misread = claim(MBB, subject="MBB", obj="depression", predicate="no_effect_on", direction="no_difference")
    assert defects.unsupported_no_effect(misread, None) == "no_effect_on"
    for quote in (CVD, OC, "Quorvafil did not significantly lower diastolic blood pressure compared with placebo."):
        null = claim(quote, predicate="no_effect_on", direction="no_difference")
        assert defects.unsupported_no_effect(null, None) is None, quote
    assert defects.unsupported_no_effect(claim(MBB), None) is None  # NOTE: an effect claim is not this check's


def test_direction_against_its_own_statistics() -> None:
    significant = claim(OC, predicate="no_effect_on", direction="no_difference", p_value=PValue(value=0.003))
    assert defects.direction_against_statistics(significant, None) == "no difference, p < 0.05"
    crossing = claim("HR 0.39 (0.13 to 1.17)", effect=EffectMeasure(type="HR", value=0.39, ci_low=0.13, ci_high=1.17))
    assert defects.direction_against_statistics(crossing, None) == "effect, CI includes the null"
    agreed = claim("P < 0.001", p_value=PValue(value=0.001, operator="<"))
    assert defects.direction_against_statistics(agreed, None) is None


@pytest.mark.parametrize(("document", "design", "rule"), [
    (doc(publication_types=("Journal Article", "Randomized Controlled Trial")), "review",
     "publication type Randomized Controlled Trial: stored review"),
    (doc(publication_types=("Randomized Controlled Trial",)), "rct", None),
    (doc(publication_types=("Meta-Analysis", "Review", "Systematic Review")), "meta_analysis", None),
    (doc(publication_types=("Review",)), "rct", "publication type Review: stored rct"),
    (doc(publication_types=("Clinical Trial, Phase II",)), "cohort", "publication type Clinical Trial: stored cohort"),
    (doc(trial=trial("OBSERVATIONAL")), "non_randomized_trial", "registry OBSERVATIONAL: stored non_randomized_trial"),
    (doc(trial=trial("OBSERVATIONAL")), "cohort", None),
    (doc(trial=trial("INTERVENTIONAL", "RANDOMIZED")), "rct", None),
    (doc(trial=trial("INTERVENTIONAL", "NON_RANDOMIZED")), "rct", "registry INTERVENTIONAL NON_RANDOMIZED: stored rct"),
    (doc(source="/x/evidence_inference/txt_files/PMC1.txt"), "meta_analysis",
     "Evidence Inference RCT report: stored meta_analysis"),
    (doc(source="/x/evidence_inference/txt_files/PMC4218766.txt"), "meta_analysis", None),
    (doc(), "review", None),
])
def test_designs_that_contradict_reader_facts(document: Document, design: StudyDesign, rule: str | None) -> None:
    assert defects.design_contradiction(claim("x", study_design=design), document) == rule


@needs_data
@pytest.mark.parametrize("pmcid", sorted(defects.NOT_RCT_REPORTS))
def test_articles_excused_from_the_corpus_rule_say_so_themselves(pmcid: str) -> None:
    text = (DATA / "evidence_inference" / "txt_files" / f"{pmcid}.txt").read_text(encoding="utf-8")
    assert defects.NOT_RCT_REPORTS[pmcid] in text
