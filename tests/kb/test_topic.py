"""The topic map of a condition, checked against what the demo documents and real trial records say."""

from __future__ import annotations

from app.resources import KnowledgeBase
from kb.topic import topic_graph, topic_map
from tests.conftest import needs_data
from tests.kb.graph_fixtures import demo, real_trials

__all__ = ["demo", "real_trials"]


def test_hypertension_is_uncertain_with_a_trial_against_a_cohort_and_an_unpublished_trial(demo: KnowledgeBase) -> None:
    t = topic_map(demo.store, demo.lexicon, "hypertension")
    assert t.interventions == ("quorvafil",)
    systolic = t.cell("quorvafil", "systolic blood pressure")
    assert systolic is not None
    assert set(systolic.lead.designs) == {"rct", "cohort"} and systolic.lead.n_studies == 2
    assert not t.known, "nothing on quorvafil is established"
    assert any(line.startswith("Conflicting evidence") and "systolic" in line for line in t.uncertain)
    assert any("NCT09900002" in g and "registered, finished, unpublished" in g for g in t.gaps)
    assert any("older adults" in g and "cohort" in g for g in t.gaps), "the cohort is the only study in the aged"
    assert all(c.lead.confidence != "high" for c in t.cells)


def test_asthma_knows_zelmorant_and_keeps_other_conditions_out(demo: KnowledgeBase) -> None:
    t = topic_map(demo.store, demo.lexicon, "asthma")
    assert t.interventions == ("zelmorant",)
    fev1 = t.cell("zelmorant", "pre-bronchodilator FEV1")
    assert fev1 is not None and fev1.lead.confidence == "high" and fev1.lead.direction == "increase"
    assert any("FEV1" in line and "high certainty" in line for line in t.known)
    assert not any("quorvafil" in line.casefold() or "brenotide" in line.casefold()
                   for line in (*t.known, *t.uncertain, *t.gaps))
    assert not any("NCT09900001" in g for g in t.gaps), "ZEPHYR-1 posted its results"


def test_speculative_findings_stay_out_of_the_grid(demo: KnowledgeBase) -> None:
    t = topic_map(demo.store, demo.lexicon, "rheumatoid arthritis")
    assert not t.cells and not t.known
    assert [h.intervention.casefold() for h in t.speculative] == ["brenotide"]
    assert all(h.speculative for h in t.speculative)
    assert "beyond speculative ones" in t.gaps[0]
    assert any(e.speculative for e in topic_graph(t).edges)


def test_a_condition_the_knowledge_base_lacks_says_so(demo: KnowledgeBase) -> None:
    t = topic_map(demo.store, demo.lexicon, "multiple sclerosis")
    assert t.documents == 0 and not t.cells and not t.speculative
    assert t.gaps == ("No document in this knowledge base names multiple sclerosis in its title, MeSH terms, "
                      "keywords, registered conditions or studied population",)


@needs_data
def test_real_trial_records_give_an_unpublished_gap_and_a_running_trial(real_trials: KnowledgeBase) -> None:
    migraine = topic_map(real_trials.store, real_trials.lexicon, "migraine")
    assert any(g.startswith("NCT03435185") and "registered, finished, unpublished" in g for g in migraine.gaps)
    depression = topic_map(real_trials.store, real_trials.lexicon, "depression")
    assert any(m.startswith("NCT03228394") and "recruiting" in m for m in depression.might)
    assert not any("NCT03228394" in g for g in depression.gaps), "a recruiting trial is not a missing result"


@needs_data
def test_a_real_trial_with_posted_results_fills_the_grid(real_trials: KnowledgeBase) -> None:
    t = topic_map(real_trials.store, real_trials.lexicon, "type 2 diabetes")
    hba1c = [c for c in t.cells if "hba1c" in c.outcome.casefold()]
    assert hba1c and hba1c[0].lead.direction == "decrease"
    assert {c.nct_id for h in hba1c[0].findings for c in h.supporting} == {"NCT02305381"}
    assert not any("NCT02305381" in g for g in t.gaps), "it posted results"
