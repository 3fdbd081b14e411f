"""The report view model: numbering, deduplication, wording and links built from an Answer."""

from __future__ import annotations

import pytest

from kb.claims import EffectMeasure
from kb.report import build_report
from kb.report.build import links_for
from kb.answers import Answer, Hypothesis, Query
from kb.report.wording import direction_label, format_effect, sample_size_label
from tests.kb.report_fixtures import ANSWER, CORPUS, DOC_RCT, DOC_XSS, DOCUMENTS, QUOTES, RCT


def test_every_cited_claim_appears_once_in_order_of_first_citation() -> None:
    report = build_report(ANSWER, CORPUS, DOCUMENTS)
    ids = [e.claim_id for e in report.evidence]
    assert ids == ["claim-rct", "claim-trial", "claim-cohort", "claim-xss", "claim-series"]
    assert [e.label for e in report.evidence] == ["E1", "E2", "E3", "E4", "E5"]
    assert {e.quote for e in report.evidence} == QUOTES


def test_references_are_numbered_once_per_document() -> None:
    report = build_report(ANSWER, CORPUS, DOCUMENTS)
    assert [r.number for r in report.references] == [1, 2, 3, 4, 5]
    assert len({r.doc_id for r in report.references}) == 5
    first = report.references[0]
    assert (first.doc_id, first.authors, first.journal) == (DOC_RCT, ("O'Byrne PM", "FitzGerald JM"),
                                                           "The New England journal of medicine")
    assert report.references[1].kind == "trial"
    assert [e.ref for e in report.evidence] == [1, 2, 3, 4, 5]


def test_ids_that_are_not_well_formed_give_no_link_and_no_id() -> None:
    xss = next(r for r in build_report(ANSWER, CORPUS, DOCUMENTS).references if r.doc_id == DOC_XSS)
    assert xss.doi is None
    assert [link.url for link in xss.links] == ["https://pubmed.ncbi.nlm.nih.gov/31000004/"]
    assert links_for("12a", "javascript:alert(1)", "NCT123") == ()
    assert links_for("٣٤٥", None, "NCT0123456789") == ()


def test_links_take_only_the_three_url_forms() -> None:
    links = links_for("29768149", "10.1002/(SICI)1097-0258 x", "NCT02149199")
    assert [link.url for link in links] == [
        "https://pubmed.ncbi.nlm.nih.gov/29768149/",
        "https://clinicaltrials.gov/study/NCT02149199",
    ]
    doi = links_for(None, "10.1002/(SICI)1097-0258<x>", None)
    assert doi[0].url == "https://doi.org/10.1002/%28SICI%291097-0258%3Cx%3E"


@pytest.mark.parametrize(
    ("effect", "expected"),
    [
        (EffectMeasure(type="HR", value=0.82, ci_low=0.71, ci_high=0.95), ("HR 0.82", "0.71–0.95")),
        (EffectMeasure(type="OR", value=1.14, ci_low=1.0, ci_high=1.3), ("OR 1.14", "1.00–1.30")),
        (EffectMeasure(type="MD", value=-3.25, ci_low=-5.125, ci_high=-1.0, ci_level=0.9),
         ("MD -3.25", "90% CI -5.125–-1.00")),
        (EffectMeasure(type="percent", value=34.4), ("34.40%", None)),
    ],
)
def test_effect_estimates_are_worded_with_their_interval(effect: EffectMeasure,
                                                         expected: tuple[str, str | None]) -> None:
    assert format_effect(effect) == expected


def test_sample_size_says_actual_or_estimated() -> None:
    assert sample_size_label(3849, "ACTUAL") == "n = 3849 (actual)"
    assert sample_size_label(500, "ESTIMATED") == "n = 500 (estimated)"
    assert sample_size_label(120, "REPORTED") == "n = 120"
    assert sample_size_label(None, "ACTUAL") == "n not reported"


def test_summary_of_findings_has_one_table_per_outcome() -> None:
    sof = build_report(ANSWER, CORPUS).summary_of_findings
    assert [t.outcome for t in sof] == ["severe exacerbation", "asthma control"]
    row = sof[0].rows[0]
    assert row.comparison == "budesonide-formoterol vs terbutaline"
    assert (row.n_studies, row.n_participants, row.designs) == (3, "8885", "RCT, cohort")
    assert row.effects == ("RR 0.36 (0.27–0.49) [E1]", "HR 0.82 (0.71–0.95) [E2]", "OR 1.02 (0.85–1.22) [E3]")
    assert row.certainty == "moderate"
    assert row.certainty_reasons == ("rated down one level for inconsistency: a cohort found no difference",)


def test_contradictions_pair_supporting_and_contradicting_quotes() -> None:
    (c,) = build_report(ANSWER, CORPUS).contradictions
    assert c.pairs[0].supporting_quote == RCT.quote
    assert c.pairs[0].contradicting_quote is not None and "did not differ" in c.pairs[0].contradicting_quote
    assert c.pairs[1].contradicting is None
    assert c.pairs[1].supporting is not None and c.pairs[1].supporting.sample_size_label == "n = 3849 (actual)"


def test_question_roles_and_filters_are_worded() -> None:
    q = build_report(ANSWER, CORPUS).question
    assert [r.role for r in q.roles] == ["intervention", "comparator", "outcome", "condition"]
    assert q.roles[3].names == ("asthma (from “mild asthma”)",)
    assert (q.years, q.designs) == ("2010 or later", ("RCT", "cohort"))


def test_speculative_hypotheses_stay_apart_and_marked() -> None:
    report = build_report(ANSWER, CORPUS)
    assert [h.speculative for h in report.speculative] == [True]
    assert not any(h.speculative for h in report.hypotheses)
    assert report.speculative[0].certainty == "very low"


def test_without_documents_the_report_still_builds() -> None:
    report = build_report(ANSWER, CORPUS)
    assert report.references[0].authors == ()
    assert report.references[1].kind == "trial"


def test_a_hazard_ratio_on_survival_is_a_lower_risk_not_a_decrease_in_survival() -> None:
    # NOTE: NCT01642004 posts "Overall Survival ... Hazard Ratio (HR) 0.59"; "decrease" read as less survival.
    assert direction_label("decrease", ["decreases_risk_of"]) == "lower risk"
    assert direction_label("decrease", ["decreases"]) == "decrease"
    assert direction_label("no_difference", ["decreases_risk_of"]) == "no difference"


def test_an_unworded_hypothesis_is_headed_by_its_label_and_related_passages_are_kept() -> None:
    h = Hypothesis(label="X vs placebo: Y", intervention="X", outcome="Y", direction="decrease", confidence="low",
                   supporting=(RCT,))
    related = RCT.model_copy(update={"claim_id": "r", "note": "its outcome ('Z') is not the one asked about"})
    report = build_report(Answer(question="q", query=Query(question="q"), hypotheses=(h,), related=(related,),
                                 extractive=True), CORPUS, DOCUMENTS)
    [view] = report.hypotheses
    assert (view.heading, view.statement, view.label) == ("X vs placebo: Y", None, "X vs placebo: Y")
    assert report.extractive and report.related[0].reason == "its outcome ('Z') is not the one asked about"
