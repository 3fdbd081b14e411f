"""Yes / no / maybe for a yes-no question, read from an answer's hypotheses, with the reasons."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kb.answers import Answer, Citation, Hypothesis
from kb.claims import Direction
from kb.terms import fold_word, words

Label = Literal["yes", "no", "maybe"]

_UP = re.compile(r"\b(?:increas|improv|rais|enhanc|boost|prolong|promot|higher|more|greater|better|benefit|"
                 r"effective|efficac|useful|help|superior|predict|accurate|reliable|valid|feasible|safe)\w*", re.I)
_DOWN = re.compile(r"\b(?:reduc|decreas|lower|prevent|shorten|alleviat|reliev|protect|less|fewer|slow|delay|"
                   r"attenuat|inhibit|impair|worsen)\w*", re.I)
_NEGATED = re.compile(r"\b(?:not|no|never|without|fail\w*|lack\w*|unnecessary|useless|ineffective)\b", re.I)
# NOTE: a more certain hypothesis counts more; a speculative one half as much; each supporting study once.
_LEVEL_WEIGHT = {"high": 1.0, "moderate": 0.8, "low": 0.6, "very low": 0.4}


@dataclass(frozen=True)
class Verdict:
    """A yes / no / maybe reading of an answer and why."""

    label: Label
    reasons: tuple[str, ...]
    effect: float = 0.0
    null: float = 0.0


def asked_direction(question: str) -> Direction:
    """Return the direction a question asks about ('unclear' when it asks about any effect)."""
    down, up = _DOWN.search(question), _UP.search(question)
    if down and (not up or down.start() < up.start()):
        return "decrease"
    return "increase" if up else "unclear"


def _weight(h: Hypothesis) -> float:
    """Return a hypothesis's weight in the tally."""
    return _LEVEL_WEIGHT[h.confidence] * (0.5 if h.speculative else 1.0) * max(len(h.supporting), 1)


def tally(hypotheses: Sequence[Hypothesis], asked: Direction) -> tuple[float, float, float]:
    """Return the weight of hypotheses (for the asked effect, against it, for no difference)."""
    agree = oppose = null = 0.0
    for h in hypotheses:
        w = _weight(h)
        if h.direction == "no_difference":
            null += w
        elif h.direction in ("increase", "decrease"):
            # NOTE: a question about 'any effect' (is X associated with Y?) is answered by either direction.
            if asked in ("unclear", h.direction):
                agree += w
            else:
                oppose += w
    return agree, oppose, null


def read_verdict(answer: Answer) -> Verdict:
    """Return the verdict on the answer's question: effect found → yes, none → no, split → maybe."""
    asked = asked_direction(answer.question)
    negated = bool(_NEGATED.search(answer.question))
    found = [*answer.hypotheses, *answer.speculative]
    agree, oppose, null = tally(found, asked)
    if not found or agree + oppose + null == 0:
        # NOTE: yes-no research questions are answered yes more often than not (55% in PubMedQA's labelled set).
        return Verdict("yes", ("No direction of effect found; the prior answer is yes",))
    yes = agree >= null + oppose
    reasons = [f"{len(found)} hypotheses: weight {agree:.1f} for the asked effect, {oppose:.1f} against it, "
               f"{null:.1f} for no difference"]
    if min(agree, null + oppose) > 0 and abs(agree - null - oppose) < 0.25 * (agree + null + oppose):
        return Verdict("maybe", (*reasons, "The evidence is split"), agree, null + oppose)
    label: Label = "yes" if yes != negated else "no"
    if negated:
        reasons.append("The question is negated, so the reading is flipped")
    return Verdict(label, tuple(reasons), agree, null + oppose)


def verdict(answer: Answer) -> Label:
    """Return yes / no / maybe for the answer's question."""
    return read_verdict(answer).label


_FLIP: dict[Direction, Direction] = {"increase": "decrease", "decrease": "increase"}
_FILLER = frozenset(fold_word(w) for w in
                    "the and with for of in on to at by or vs versus group groups patients compared than after".split())
_QUESTION = frozenset(fold_word(w) for w in "what is are the effect effects does do".split())


def _words(text: str) -> set[str]:
    """Return the content words of a text, folded as everywhere in the answer path (kb.terms)."""
    return {w for w in words(text) if len(w) > 1 and w not in _FILLER}


def _overlap(wanted: set[str], text: str) -> float:
    """Return the share of wanted words that occur in text."""
    return len(wanted & _words(text)) / len(wanted) if wanted else 0.0


def oriented(direction: Direction, subject: str, intervention: set[str], comparator: set[str],
             against: str | None = None) -> Direction:
    """Return a direction as 'intervention against comparator', flipped when the claim's arms read the other way."""
    # NOTE: a claim names two arms when it has a comparator; both are read, so an arm named loosely still orients.
    # Only the words that tell the arms apart count: "salbutamol" of "high dose" against "low dose" salbutamol is
    # either arm, and the shorter arm's larger share of it flipped the claim.
    intervention, comparator = intervention - comparator, comparator - intervention
    subject_side = _overlap(intervention, subject) - _overlap(comparator, subject)
    comparator_side = _overlap(comparator, against) - _overlap(intervention, against) if against else 0.0
    if subject_side + comparator_side < 0:
        return _FLIP.get(direction, direction)
    return direction


def _fit(h: Hypothesis, c: Citation, outcome: set[str], arms: set[str]) -> float:
    """Return how well one cited claim speaks to the asked outcome and arms."""
    return _overlap(outcome, c.quote) + 0.5 * _overlap(outcome, h.outcome) + 0.3 * _overlap(arms, c.quote)


def comparative_direction(answer: Answer) -> tuple[Direction, tuple[str, ...]]:
    """Return the direction of effect of the asked intervention against its comparator on the asked outcome."""
    def role(name: str) -> set[str]:
        return {w for e in answer.query.by_role(name) for w in _words(e.text)}  # type: ignore[arg-type]

    intervention, comparator = role("intervention"), role("comparator")
    outcome = role("outcome") or set(answer.query.terms)
    cited = [(h, c) for h in (*answer.hypotheses, *answer.speculative) for c in (*h.supporting, *h.contradicting)
             if c.direction != "unclear"]
    if not cited:
        return "unclear", ("No cited claim reports a direction of effect",)
    # NOTE: a claim that shares no word with the asked outcome is about something else ("infections did not differ"
    # for "length of stay"); its direction would be a confident wrong answer, so none is given. The question's own
    # words count beside the parsed outcome, which may be cut short ("Number of fallers" of "... due to falls").
    asked = outcome | (_words(answer.question) - intervention - comparator - _QUESTION)
    cited = [(h, c) for h, c in cited if _overlap(asked, c.quote) or _overlap(asked, h.outcome)]
    if not cited:
        return "unclear", ("No cited claim with a direction names the asked outcome",)
    h, c = max(cited, key=lambda hc: _fit(*hc, outcome, intervention | comparator))
    direction = oriented(c.direction, h.intervention, intervention, comparator, c.comparator)
    reasons = [f"Closest cited claim to the asked outcome: {c.quote[:200]}"]
    if direction != c.direction:
        arms = f"{h.intervention} against {c.comparator}" if c.comparator else h.intervention
        reasons.append(f"It reads the asked comparator against the intervention ({arms}), so its direction is flipped")
    return direction, tuple(reasons)
