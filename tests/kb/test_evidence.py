"""Evidence aggregation: grouping, study counting, direction tally, wording, speculation and sections."""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from kb.answers import DISCLAIMER, Citation, Query, QueryEntity
from kb.claims import Claim, Direction, EffectMeasure, Quote, claim_id
from kb.evidence import answer_sections, assemble_answer, build_hypotheses, group_key
from kb.models import Chunk, Entity, EntityType, entity_id, make_id

DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "datasets"
EI = DATA / "evidence_inference"

PREDICATE: dict[Direction, str] = {"decrease": "decreases", "increase": "increases",
                                   "no_difference": "no_effect_on", "unclear": "associated_with"}
HR_BENEFIT = EffectMeasure(type="HR", value=0.8, ci_low=0.7, ci_high=0.9)


def entity(name: str, type_: EntityType, norm: str | None = None) -> Entity:
    return Entity(id=entity_id(name, type_, norm), name=name, type=type_, normalized_id=norm)


def cited(doc: str, sentence: str, direction: Direction = "decrease", *, subject: str = "aspirin",
          obj: str = "stroke", design: str = "rct", n: int | None = 300, text: str | None = None,
          **extra: Any) -> tuple[Claim, Citation]:
    """Return a claim whose quote is verified against its chunk, and the citation a caller would build."""
    doc_id = make_id("doc", doc)
    text = text if text is not None else f"{doc.title()}: a study. {sentence} Further details follow."
    chunk = Chunk(id=make_id("chunk", doc_id, 0), doc_id=doc_id, text=text, start=0, end=len(text),
                  section="Results", section_kind="results")
    at = extra.pop("at", text.index(sentence))
    quote = Quote(text=sentence, doc_id=doc_id, start=at, end=at + len(sentence))
    subj = extra.pop("subject_entity", entity(subject, "intervention"))
    target = extra.pop("object_entity", entity(obj, "outcome"))
    predicate = extra.pop("predicate", PREDICATE[direction])
    fields = dict(id=claim_id(doc_id, quote, subj, predicate, target), doc_id=doc_id, chunk_id=chunk.id,
                  subject=subj, predicate=predicate, object=target, direction=direction, study_design=design,
                  sample_size=n, quote=quote, extractor="test", extractor_version="1", confidence=0.9)
    claim = Claim.model_validate({**fields, **extra}, context={"chunk": chunk})
    citation = Citation(claim_id=claim.id, doc_id=doc_id, title=f"{doc.title()}: a study", quote=sentence,
                        page=None, start=quote.start, end=quote.end, source=f"{doc}.xml",
                        study_design=claim.study_design, sample_size=n, sample_size_type=claim.sample_size_type,
                        direction=direction, effect=claim.effect, p_value=claim.p_value, kind=claim.kind,
                        hedged=claim.hedged, extractor="test", extraction_confidence=claim.confidence)
    return claim, citation


def query_of(*entities: tuple[str, str]) -> Query:
    found = tuple(QueryEntity(text=t, role=r, name=t) for r, t in entities)  # type: ignore[arg-type]
    return Query(question="q", entities=found)


ASPIRIN_STROKE = query_of(("intervention", "aspirin"), ("outcome", "stroke"))


def rct(doc: str, direction: Direction = "decrease", n: int | None = 300, **extra: Any) -> tuple[Claim, Citation]:
    sentence = {"decrease": "Aspirin reduced stroke (HR 0.80, 95% CI 0.70-0.90).",
                "increase": "Aspirin increased stroke.",
                "no_difference": "Aspirin did not change stroke rates.",
                "unclear": "Stroke was recorded in both arms."}[direction]
    extra.setdefault("effect", HR_BENEFIT if direction == "decrease" else None)
    return cited(doc, sentence, direction, n=n, **extra)


def test_two_agreeing_large_rcts_give_a_high_certainty_known_statement() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [rct("alpha", n=300), rct("beta", n=250)])
    [h] = answer.hypotheses
    assert (h.direction, h.confidence, h.n_studies, h.n_participants) == ("decrease", "high", 2, 550)
    assert h.statement == "Aspirin reduces stroke"
    assert h.confidence_reasons[0] == "Starts at high: 2 randomised trials"
    assert not any(r.startswith("Rated down") for r in h.confidence_reasons)
    assert answer.known == ("Aspirin reduces stroke (high certainty; 2 studies)",)
    assert answer.uncertain == () and answer.speculative == ()
    assert answer.disclaimer == DISCLAIMER


def test_two_small_rcts_are_rated_down_for_imprecision() -> None:
    [h], _ = build_hypotheses([rct("alpha", n=70), rct("beta", n=70)], ASPIRIN_STROKE)
    assert h.confidence == "moderate"
    assert "Rated down one level for imprecision: 140 participants in total (< 400)" in h.confidence_reasons
    assert h.statement == "Aspirin probably reduces stroke"


def test_conflict_goes_to_uncertain_with_both_sides_and_no_verdict() -> None:
    pairs = [rct("alpha"), rct("beta"), rct("gamma", "no_difference")]
    answer = assemble_answer("q", ASPIRIN_STROKE, pairs)
    [h] = answer.hypotheses
    assert len(h.supporting) == 2 and len(h.contradicting) == 1
    assert h.contradicting[0].direction == "no_difference"
    assert "Rated down one level for inconsistency: 1 of 3 studies reports no difference" in h.confidence_reasons
    assert answer.known == ()
    assert answer.uncertain == ("Conflicting evidence on aspirin and stroke: 2 studies report a decrease, "
                                "1 reports no difference",)


def test_opposite_directions_of_equal_weight_show_both_sides() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [rct("alpha", "decrease"), rct("beta", "increase")])
    [h] = answer.hypotheses
    assert {c.direction for c in (*h.supporting, *h.contradicting)} == {"decrease", "increase"}
    assert answer.uncertain == ("Conflicting evidence on aspirin and stroke: 1 study reports a decrease, "
                                "1 reports an increase",)


def test_the_design_weighted_majority_sets_the_direction() -> None:
    pairs = [rct("trial", "decrease", n=2000),
             cited("case1", "Stroke after aspirin.", "increase", design="case_report", n=1),
             cited("case2", "Another stroke after aspirin.", "increase", design="case_report", n=1)]
    [h], _ = build_hypotheses(pairs, ASPIRIN_STROKE)
    assert h.direction == "decrease" and len(h.contradicting) == 2


def test_case_reports_alone_are_very_low() -> None:
    pairs = [cited("case1", "A patient had a stroke on aspirin.", "increase", design="case_report", n=1)]
    answer = assemble_answer("q", ASPIRIN_STROKE, pairs)
    [h] = answer.hypotheses
    assert h.confidence == "very low"
    assert h.confidence_reasons[0] == "Starts at very low: 1 case report"
    assert h.statement == "It is uncertain whether aspirin increases stroke"
    assert answer.uncertain == ("It is uncertain whether aspirin increases stroke (very low certainty; 1 study)",)
    assert answer.known == ()


def test_hedged_only_support_is_speculative_never_established() -> None:
    pairs = [rct("alpha", hedged=True), rct("beta", hedged=True)]
    answer = assemble_answer("q", ASPIRIN_STROKE, pairs)
    assert answer.hypotheses == () and answer.known == ()
    [h] = answer.speculative
    assert h.speculative and h.confidence == "low"
    assert h.confidence_reasons[-1] == "Capped at low: hypothesis only, every supporting statement is hedged by " \
                                       "its authors"


def test_mechanism_evidence_is_speculative_and_kept_apart_from_clinical_evidence() -> None:
    pairs = [rct("alpha"), rct("beta"),
             cited("mice", "Aspirin reduced infarct size in mice.", design="animal", n=40),
             cited("cells", "Aspirin reduced platelet aggregation.", design="in_vitro", n=None, kind="mechanism")]
    hypotheses, speculative = build_hypotheses(pairs, ASPIRIN_STROKE)
    assert [h.n_studies for h in hypotheses] == [2] and hypotheses[0].designs == ("rct",)
    [spec] = speculative
    assert spec.n_studies == 2 and set(spec.designs) == {"animal", "in_vitro"}
    assert spec.confidence == "very low"


def test_estimated_enrollment_is_never_added_to_actual() -> None:
    pairs = [rct("actual", n=240, sample_size_type="ACTUAL"), rct("target", n=1000, sample_size_type="ESTIMATED")]
    [h], _ = build_hypotheses(pairs, ASPIRIN_STROKE)
    assert h.n_studies == 2 and h.n_participants == 240
    assert "Rated down one level for imprecision: 240 participants in total (< 400)" in h.confidence_reasons


def test_a_single_study_is_rated_down() -> None:
    [h], _ = build_hypotheses([rct("alpha", n=5000)], ASPIRIN_STROKE)
    assert h.confidence == "moderate"
    assert "Rated down one level: single study, not replicated" in h.confidence_reasons


def test_claims_from_one_paper_count_as_one_study_using_its_strongest_claim() -> None:
    weak = cited("alpha", "Aspirin might lower stroke.", hedged=True, n=None)
    strong = rct("alpha", n=800)
    [h], _ = build_hypotheses([weak, strong, rct("beta", n=800)], ASPIRIN_STROKE)
    assert h.n_studies == 2 and h.n_participants == 1600
    assert strong[1] in h.supporting and weak[1] not in h.supporting


def test_model_confidence_never_changes_the_certainty_tag() -> None:
    low = build_hypotheses([rct("alpha", confidence=0.05), rct("beta", confidence=0.15)], ASPIRIN_STROKE)[0][0]
    high = build_hypotheses([rct("alpha", confidence=1.0), rct("beta", confidence=1.0)], ASPIRIN_STROKE)[0][0]
    assert (low.confidence, low.confidence_reasons) == (high.confidence, high.confidence_reasons)
    assert low.extraction_confidence == pytest.approx(0.1) and high.extraction_confidence == 1.0


def test_unclear_claims_support_nothing_unless_nothing_else_exists() -> None:
    [h], _ = build_hypotheses([rct("alpha"), rct("beta"), rct("gamma", "unclear")], ASPIRIN_STROKE)
    assert h.n_studies == 2 and all(c.direction == "decrease" for c in h.supporting)
    [only], _ = build_hypotheses([rct("gamma", "unclear")], ASPIRIN_STROKE)
    assert only.direction == "unclear" and len(only.supporting) == 1 and only.confidence == "very low"


def test_groups_by_normalized_id_else_folded_names() -> None:
    a = cited("a", "Beta-blockers reduced mortality.", subject="Beta-blockers", obj="mortality")
    b = cited("b", "Beta blocker therapy reduced mortality.", subject="beta blocker", obj="Mortality")
    c = cited("c", "Metoprolol reduced deaths.", subject_entity=entity("metoprolol", "intervention", "D008790"),
              object_entity=entity("deaths", "outcome", "D003643"))
    d = cited("d", "Metoprolol succinate reduced mortality.",
              subject_entity=entity("metoprolol succinate", "intervention", "D008790"),
              object_entity=entity("mortality", "outcome", "D003643"))
    assert group_key(a[0]) == group_key(b[0]) != group_key(c[0]) == group_key(d[0])
    hypotheses, _ = build_hypotheses([a, b, c, d], Query(question="q"))
    assert sorted(h.n_studies for h in hypotheses) == [2, 2]


def test_off_topic_groups_are_dropped_when_the_question_is_answered() -> None:
    off_topic = [cited(f"x{i}", "Statins reduced LDL.", subject="statins", obj="LDL cholesterol") for i in range(3)]
    hypotheses, _ = build_hypotheses([*off_topic, cited("case", "Stroke on aspirin.", "increase",
                                                         design="case_report", n=1)], ASPIRIN_STROKE)
    assert [h.intervention for h in hypotheses] == ["aspirin"]
    assert hypotheses[0].confidence == "very low"


def test_nothing_on_topic_keeps_only_groups_sharing_an_entity() -> None:
    statins = cited("x", "Statins reduced LDL.", subject="statins", obj="LDL cholesterol")
    aspirin_bleeding = cited("y", "Aspirin increased bleeding.", "increase", subject="aspirin", obj="bleeding")
    hypotheses, _ = build_hypotheses([statins, aspirin_bleeding], ASPIRIN_STROKE)
    assert [h.outcome for h in hypotheses] == ["bleeding"]


def test_nested_outcomes_and_doses_merge_into_one_hypothesis() -> None:
    a = cited("a", "Aspirin 100 mg reduced stroke.", subject="Aspirin 100 mg", obj="stroke")
    b = cited("b", "Aspirin reduced ischaemic strokes.", subject="aspirin", obj="ischaemic strokes")
    hypotheses, _ = build_hypotheses([a, b], ASPIRIN_STROKE)
    assert len(hypotheses) == 1 and hypotheses[0].n_studies == 2


def test_indirect_population_is_rated_down() -> None:
    query = query_of(("intervention", "inhaled corticosteroids"), ("condition", "asthma"))
    pairs = [cited(d, "Inhaled corticosteroids reduced exacerbations.", subject="inhaled corticosteroids",
                   obj="exacerbations", n=500, population="adults with COPD", effect=HR_BENEFIT) for d in "ab"]
    [h], _ = build_hypotheses(pairs, query)
    assert ("Rated down one level for indirectness: 2 of 2 studies are in other populations "
            "(e.g. 'adults with COPD') than the question's 'asthma'") in h.confidence_reasons
    assert h.confidence == "moderate"
    direct = [cited(d, "Inhaled corticosteroids reduced exacerbations.", subject="inhaled corticosteroids",
                    obj="exacerbations", n=500, population="children with asthma", effect=HR_BENEFIT) for d in "ab"]
    assert build_hypotheses(direct, query)[0][0].confidence == "high"


def test_retracted_papers_are_left_out_and_concerns_named() -> None:
    claim, cite = rct("a")
    retracted = (claim, cite.model_copy(update={"notices": ("retracted",), "pmid": "111"}))
    concern = rct("b")
    concern = (concern[0], concern[1].model_copy(update={"notices": ("expression_of_concern",)}))
    answer = assemble_answer("q", query_of(("intervention", "aspirin")), [retracted, concern, rct("c")])
    cited = {c.doc_id for h in answer.hypotheses for c in (*h.supporting, *h.contradicting)}
    assert cited == {concern[0].doc_id, rct("c")[0].doc_id}
    assert "Left out, retracted: A: a study (PMID 111); its findings are not counted as evidence" in answer.uncertain
    assert "The journal published an expression of concern about B: a study (b.xml)" in answer.uncertain


def test_a_serious_adverse_event_is_worded_as_a_report_not_as_an_effect() -> None:
    sae = cited("a", "Serious adverse event Pneumonia: Drug X 3/120", "unclear", subject="Drug X",
                obj="Pneumonia", predicate="adverse_event_of", kind="safety", design="rct", n=120)
    [h], _ = build_hypotheses([sae], query_of(("intervention", "Drug X")))
    assert h.statement == ("Pneumonia was reported as a serious adverse event with Drug X; "
                           "whether Drug X causes it is uncertain")
    assert h.confidence == "very low"


def test_risk_and_association_claims_are_worded_as_such() -> None:
    risk = cited("a", "Smoking increased the risk of lung cancer.", "increase", subject="smoking",
                 obj="lung cancer", predicate="increases_risk_of", design="cohort", n=90000, kind="association")
    [h], _ = build_hypotheses([risk], query_of(("intervention", "smoking")))
    assert h.statement == "It is uncertain whether smoking is associated with higher risk of lung cancer"
    drugs = [cited(d, "Statins reduced the risk of stroke.", subject="statins", predicate="decreases_risk_of",
                   effect=HR_BENEFIT, n=5000) for d in ("b", "c")]
    [g], _ = build_hypotheses(drugs, Query(question="q"))
    assert g.statement == "Statins reduce the risk of stroke"


def test_gaps_name_missing_outcomes_missing_trials_and_registry_signals() -> None:
    query = query_of(("intervention", "aspirin"), ("outcome", "stroke"), ("outcome", "mortality"),
                     ("outcome", "bleeding"))
    pairs = [rct("alpha"), rct("beta"),
             cited("obs", "Aspirin users had more bleeding.", "increase", obj="bleeding", design="cohort", n=9000)]
    answer = assemble_answer("q", query, pairs, extra_gaps=("NCT01234567: completed, no posted results",))
    assert answer.gaps == ("No evidence found on mortality for aspirin",
                           "No randomised trial evidence on bleeding for aspirin",
                           "NCT01234567: completed, no posted results")


def test_gaps_for_an_unstudied_population() -> None:
    query = query_of(("intervention", "aspirin"), ("outcome", "stroke"), ("population", "children"))
    answer = assemble_answer("q", query, [rct("alpha"), rct("beta")])
    assert answer.gaps == ("No evidence found specifically in children",)


def test_no_claims_means_no_hypotheses_and_an_honest_gap() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [])
    assert (answer.hypotheses, answer.speculative, answer.known, answer.uncertain) == ((), (), (), ())
    assert answer.gaps == ("No evidence found on stroke for aspirin",)
    assert assemble_answer("q", Query(question="q"), []).gaps == ("No evidence found for this question",)


def test_every_hypothesis_cites_something_and_sections_only_use_hypotheses() -> None:
    pairs = [rct("alpha"), rct("beta", "no_difference"), rct("gamma", hedged=True, n=10),
             cited("case", "Stroke on aspirin.", "increase", obj="bleeding", design="case_report", n=1)]
    hypotheses, speculative = build_hypotheses(pairs, ASPIRIN_STROKE)
    assert all(h.supporting for h in (*hypotheses, *speculative))
    known, uncertain, _ = answer_sections(ASPIRIN_STROKE, hypotheses, speculative)
    statements = {h.statement for h in hypotheses}
    assert all(any(s.startswith(t) for t in statements) or s.startswith("Conflicting") for s in known + uncertain)


def _ei_pairs() -> dict[str, list[tuple[Claim, Citation]]]:
    """Return claims built from real EI-2.0 evidence spans, keyed by prompt: one per accepted annotation."""
    label: dict[str, Direction] = {"1": "increase", "-1": "decrease", "0": "no_difference"}
    with (EI / "annotations" / "v2_annotations.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Valid Label"] == r["Valid Reasoning"] == "True"]
    with (EI / "annotations" / "prompts_merged.csv").open(encoding="utf-8", newline="") as f:
        prompts = {r["PromptID"]: r for r in csv.DictReader(f)}
    by_prompt: dict[str, list[tuple[Claim, Citation]]] = defaultdict(list)
    for row in rows[:400]:
        text = (EI / "txt_files" / f"PMC{row['PMCID']}.txt").read_text(encoding="utf-8")
        start, end = int(row["Evidence Start"]), int(row["Evidence End"])
        if not text[start:end].strip():
            continue
        p = prompts[row["PromptID"]]
        # NOTE: the whole article is the chunk, so Claim's validator checks each real span verbatim.
        pair = cited(f"pmc{row['PMCID']}", text[start:end], label[row["Label Code"]], text=text, at=start,
                     subject=p["Intervention"].strip(), obj=p["Outcome"].strip(), n=None)
        by_prompt[row["PromptID"]].append(pair)
    return by_prompt


@pytest.mark.skipif(not (EI / "annotations").exists(), reason="../shared/datasets/evidence_inference not present")
def test_real_trial_evidence_spans_from_one_article_count_as_one_study() -> None:
    by_prompt = _ei_pairs()
    assert len(by_prompt) > 50
    for pairs in by_prompt.values():
        [h], _ = build_hypotheses(pairs, Query(question="q"))
        assert h.n_studies == 1 and h.confidence in ("moderate", "low")
        assert "Rated down one level: single study, not replicated" in h.confidence_reasons
        assert {c.doc_id for c in h.supporting} == {pairs[0][0].doc_id}
        assert h.direction in {c.direction for c, _ in pairs}
