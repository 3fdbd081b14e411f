"""kb.verdict: yes / no / maybe from an answer's hypotheses, and the direction of a comparison."""

from __future__ import annotations

from kb.answers import Answer, Citation, Hypothesis, Query, QueryEntity
from kb.claims import Direction
from kb.verdict import asked_direction, comparative_direction, read_verdict, verdict


def _citation(quote: str, direction: Direction, comparator: str | None = None) -> Citation:
    return Citation(claim_id=quote[:8], doc_id="d1", title="", quote=quote, page=None, start=0, end=len(quote),
                    source="x.txt", direction=direction, comparator=comparator)


def _hypothesis(intervention: str, outcome: str, direction: Direction, quote: str = "",
                confidence: str = "low", comparator: str | None = None) -> Hypothesis:
    return Hypothesis(statement=f"{intervention} vs {outcome}", intervention=intervention, outcome=outcome,
                      direction=direction, confidence=confidence,  # type: ignore[arg-type]
                      supporting=(_citation(quote or f"{intervention} changed {outcome}", direction, comparator),))


def _answer(question: str, *hypotheses: Hypothesis, entities: tuple[QueryEntity, ...] = ()) -> Answer:
    return Answer(question=question, query=Query(question=question, entities=entities), hypotheses=hypotheses)


def test_asked_direction_reads_the_verb() -> None:
    assert asked_direction("Does aspirin reduce stroke?") == "decrease"
    assert asked_direction("Does exercise improve sleep quality?") == "increase"
    assert asked_direction("Is obesity associated with asthma?") == "unclear"


def test_an_effect_in_the_asked_direction_is_yes() -> None:
    answer = _answer("Does aspirin reduce stroke?", _hypothesis("aspirin", "stroke", "decrease"))
    assert verdict(answer) == "yes"


def test_no_difference_is_no() -> None:
    answer = _answer("Does aspirin reduce stroke?", _hypothesis("aspirin", "stroke", "no_difference"))
    got = read_verdict(answer)
    assert got.label == "no"
    assert any("no difference" in r for r in got.reasons)


def test_the_opposite_effect_is_no() -> None:
    answer = _answer("Does aspirin reduce stroke?", _hypothesis("aspirin", "stroke", "increase"))
    assert verdict(answer) == "no"


def test_evenly_split_evidence_is_maybe() -> None:
    answer = _answer("Is obesity associated with asthma?", _hypothesis("obesity", "asthma", "increase"),
                     _hypothesis("obesity", "asthma severity", "no_difference"))
    assert verdict(answer) == "maybe"


def test_an_answer_without_hypotheses_gets_the_prior_with_a_reason() -> None:
    got = read_verdict(_answer("Does aspirin reduce stroke?"))
    assert got.label == "yes"
    assert got.reasons and "prior" in got.reasons[0]


def _compared(intervention: str, comparator: str, outcome: str, *claims: Hypothesis) -> Answer:
    """Return the answer to "I compared with C on O" citing the claims."""
    entities = (QueryEntity(text=intervention, role="intervention", name=intervention),
                QueryEntity(text=comparator, role="comparator", name=comparator),
                QueryEntity(text=outcome, role="outcome", name=outcome))
    question = f"What is the effect of {intervention} compared with {comparator} on {outcome}?"
    return _answer(question, *claims, entities=entities)


def test_comparative_direction_picks_the_claim_about_the_asked_outcome() -> None:
    answer = _compared("aspirin", "placebo", "blood loss",
                       _hypothesis("aspirin", "pain", "decrease", "Aspirin reduced pain."),
                       _hypothesis("aspirin", "blood loss", "increase", "Aspirin increased blood loss."))
    direction, reasons = comparative_direction(answer)
    assert direction == "increase"
    assert "blood loss" in reasons[0]


def test_comparative_direction_flips_a_claim_about_the_comparator() -> None:
    answer = _compared("chloroquine", "artemether", "gametocytes",
                       _hypothesis("artemether", "gametocytes", "decrease", "Artemether reduced gametocytes."))
    direction, reasons = comparative_direction(answer)
    assert direction == "increase"
    assert any("flipped" in r for r in reasons)


def test_comparative_direction_reads_the_claims_comparator_too() -> None:
    # NOTE: the subject names neither asked arm ("control group"), its comparator is the asked intervention.
    claim = _hypothesis("control group", "weight", "increase", "Weight was higher in controls than with exercise.",
                        comparator="exercise")
    direction, reasons = comparative_direction(_compared("exercise", "usual care", "weight", claim))
    assert direction == "decrease"
    assert any("control group against exercise" in r for r in reasons)


def test_comparative_direction_keeps_a_claim_whose_comparator_is_the_asked_one() -> None:
    claim = _hypothesis("trial", "weight", "decrease", "Weight was lower in the trial group than in the control group.",
                        comparator="control group")
    assert comparative_direction(_compared("exercise program", "control", "weight", claim))[0] == "decrease"


def test_comparative_direction_without_directions_is_unclear() -> None:
    answer = _answer("What is the effect of a compared with b on c?", _hypothesis("a", "c", "unclear"))
    assert comparative_direction(answer)[0] == "unclear"


def test_comparative_direction_is_unclear_when_no_cited_claim_names_the_asked_outcome() -> None:
    # NOTE: PMC1794469 (an Evidence Inference train article): the only claim the answer cited was a baseline
    # comparison, and its "no difference" was given as the answer on access time (gold: significantly decreased).
    claim = _hypothesis("ultrasound", "gender", "no_difference",
                        "There were no significant differences in gender, age, body mass index, or side of "
                        "cannulation (left or right).")
    direction, reasons = comparative_direction(_compared("ultrasound-guided cannulation", "landmark technique",
                                                         "Average access time and number of attempts", claim))
    assert direction == "unclear"
    assert "names the asked outcome" in reasons[0]


def test_comparative_direction_reads_arms_by_the_words_that_tell_them_apart() -> None:
    # NOTE: PMC1550825 (an Evidence Inference train article): both arms are salbutamol; the claim's subject matched
    # a larger share of the shorter comparator's words and was flipped (gold: significantly increased).
    claim = _hypothesis("salbutamol", "days alive", "increase",
                        "Patients who received high dose salbutamol had significantly more days alive and free of ALI "
                        "(12.2 ± 4.4 days versus 7.6 ± 1.9 days, p = 0.02; Figure 1).")
    # NOTE: the arms as the question parser read them (the comparator cut at "&lt;").
    answer = _compared("inhaled salbutamol 'high dose' ≥ 2.2 mg/day", "inhaled salbutamol 'low dose' &lt",
                       "days alive and free of acute lung injury (ALI)", claim)
    direction, reasons = comparative_direction(answer)
    assert direction == "increase", reasons
