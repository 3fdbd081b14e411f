"""The claim graph over the demo corpus: an entity's claims graded per finding, and the network around it."""

from __future__ import annotations

import pytest

from app.resources import KnowledgeBase
from kb.claimgraph import entity_view, neighbourhood, network, per_intervention, stored_claims
from kb.records import document_from_hit
from tests.kb.graph_fixtures import demo

__all__ = ["demo"]


def view(kb: KnowledgeBase, name: str):  # noqa: ANN201 - returns kb.claimgraph.EntityView
    cited, cites = stored_claims(kb.store)
    return entity_view(cited, cites, name, kb.lexicon)


def test_quorvafil_systolic_pressure_is_one_trial_against_one_cohort(demo: KnowledgeBase) -> None:
    v = view(demo, "Quorvafil")
    systolic = [h for h in v.as_intervention if h.outcome.casefold() == "systolic blood pressure"]
    assert len(systolic) == 1
    h = systolic[0]
    assert h.n_studies == 2 and set(h.designs) == {"rct", "cohort"}
    assert h.direction == "no_difference" and h.confidence in ("low", "very low")
    assert [c.study_design for c in h.contradicting] == ["cohort"]
    # NOTE: checked against the documents themselves: the trial is PMID 90000004, the cohort PMID 90000003.
    ids = [c.doc_id for c in (*h.supporting, *h.contradicting)]
    docs = {d.pmid: d for d in map(document_from_hit, demo.store.retrieve("documents", ids))}
    assert docs["90000004"].study_design == "rct" and docs["90000003"].study_design == "cohort"


def test_a_review_restating_studies_is_shown_apart_with_its_reason(demo: KnowledgeBase) -> None:
    v = view(demo, "quorvafil")
    counted = {c.doc_id for h in v.as_intervention for c in (*h.supporting, *h.contradicting)}
    apart = [c for c in v.not_counted if "narrative review" in c.title]
    assert apart and all(c.note for c in apart)
    assert not counted & {c.doc_id for c in apart}


def test_an_outcome_lists_the_interventions_tested_on_it(demo: KnowledgeBase) -> None:
    v = view(demo, "systolic blood pressure")
    assert not v.as_intervention
    assert {h.intervention.casefold() for h in v.as_outcome} == {"quorvafil"}
    assert all(h.outcome.casefold() == "systolic blood pressure" for h in v.as_outcome)


def test_the_best_evidence_comes_first_and_certainty_is_the_answer_paths(demo: KnowledgeBase) -> None:
    v = view(demo, "zelmorant")
    fev1 = next(h for h in v.as_intervention if h.outcome == "pre-bronchodilator FEV1")
    assert fev1.confidence == "high" and fev1.direction == "increase" and fev1.n_studies == 3
    assert v.as_intervention[0].confidence == "high"
    assert all("brenotide" not in h.intervention.casefold() for h in v.as_intervention)


def test_an_entity_nothing_names_gives_an_empty_view(demo: KnowledgeBase) -> None:
    v = view(demo, "natalizumab")
    assert not v.as_intervention and not v.as_outcome and not v.not_counted


def test_the_network_has_the_entity_at_its_centre_and_one_edge_per_finding(demo: KnowledgeBase) -> None:
    v = view(demo, "zelmorant")
    g = neighbourhood(v)
    focus = [n for n in g.nodes if n.role == "focus"]
    assert len(focus) == 1 and focus[0].label.casefold() == "zelmorant"
    assert len(g.edges) == len(v.as_intervention) and all(e.source == focus[0].id for e in g.edges)
    assert all(e.citations for e in g.edges)
    assert len({e.id for e in g.edges}) == len(g.edges)


@pytest.mark.parametrize("limit", [1, 3])
def test_the_network_is_capped_to_the_most_certain_findings(demo: KnowledgeBase, limit: int) -> None:
    v = view(demo, "zelmorant")
    g = network(v.as_intervention, limit=limit)
    assert len(g.edges) == limit and g.left_out == len(v.as_intervention) - limit
    assert all(e.certainty == "high" for e in g.edges)


def test_a_retracted_paper_is_shown_apart_never_counted(demo: KnowledgeBase) -> None:
    cited, cites = stored_claims(demo.store)
    cohort = next(c for c in cited if c.source.pmid == "90000003")
    retracted = cohort.model_copy(update={"source": cohort.source.model_copy(update={"notices": ("retracted",)})})
    mixed = [retracted if c.source.pmid == "90000003" else c for c in cited]
    v = entity_view(mixed, cites, "quorvafil", demo.lexicon)
    counted = {c.pmid for h in v.as_intervention for c in (*h.supporting, *h.contradicting)}
    assert "90000003" not in counted and "90000004" in counted
    assert any(c.pmid == "90000003" and "retracted" in (c.note or "") for c in v.not_counted)


def test_a_result_stated_both_ways_round_is_counted_once_across_interventions(demo: KnowledgeBase) -> None:
    cited, cites = stored_claims(demo.store)
    lead = next(c for c in cited if c.claim.restatable and c.claim.predicate == "decreases"
                and (c.claim.comparator or "").casefold() == "placebo")
    turned = lead.claim.model_copy(update={
        "id": lead.claim.id + "-turned", "subject": lead.claim.subject.model_copy(update={"name": "placebo"}),
        "comparator": lead.claim.subject.name, "predicate": "increases", "direction": "increase",
        "hedged": True})  # NOTE: the weaker reading, so kb.hypotheses keeps the original
    found, left = per_intervention([lead, lead.model_copy(update={"claim": turned})], cites, demo.lexicon)
    assert [h.intervention.casefold() for _, h in found] == [lead.claim.subject.name.casefold()]
    assert [c.claim_id for c in left] == [turned.id] and "other way round" in (left[0].note or "")
