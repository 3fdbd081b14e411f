"""Which of the study's arms a clause names: its comparator, an arm phrase, the groups it compares unnamed.

An arm phrase names a mention inside it, else the study's arm it stands for ("the intervention group", "group B");
"the control group" is named as the study names its control.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.extract.clauses import COMPARATOR, Named, Parsed, arm_phrase, trim_phrase
from ingest.nlp.arms import LABELLED, Arms, generic_arm, is_control
from ingest.nlp.entities import is_entity_name
from kb.lexicon import Mention

# NOTE: "placebo in adults with moderate asthma": the comparator ends where its setting begins.
COMPARATOR_ENDS = re.compile(r"\s+(?:in|over|during|within|through|until|for|at|among|after|on)\b", re.IGNORECASE)
# NOTE: "the groups" of a two-arm comparison the sentence does not name.
BETWEEN_GROUPS = re.compile(r"\b(?:between|among|across)\s+(?:the\s+)?(?:two\s+|2\s+|both\s+|study\s+|treatment\s+)?"
                            r"(?:groups|arms)\b|\bbetween-groups?\b|\bin\s+(?:either|both)\s+(?:group|arm)s?\b",
                            re.IGNORECASE)
# NOTE: "than in subjects in the placebo group": the people stand for the arm they were in.
PEOPLE_LEAD = re.compile(r"(?:in\s+|among\s+)?(?:the\s+)?(?:subjects|patients|participants|individuals|those|children|"
                         r"women|men|infants)\s+(?P<at>in|of|from|on|receiving|given|treated|who|allocated|"
                         r"randomi[sz]ed|assigned)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Compared:
    """The comparator of a clause: its phrase, the phrase's span, and where its keyword ("than", "versus") starts."""

    text: str | None = None
    span: tuple[int, int] = (0, 0)
    at: int = -1
    raw: str = ""


def comparator(s: Parsed, lo: int, hi: int, arms: Arms) -> Compared:
    """Return the comparator phrase of a clause (empty when none); "the control group" is named as the study does."""
    m = COMPARATOR.search(s.masked, lo, hi)
    if m is None:
        return Compared()
    span = trim_phrase(s.masked[m.start("c") : hi], m.start("c"))
    if people := PEOPLE_LEAD.match(s.masked, m.start("c")):  # NOTE: "than in subjects in the placebo group": placebo
        span = arm_phrase(s.masked, people.start("at"), min(hi, m.start("c") + 80), (0, 0)) or span
    if span is None:  # NOTE: "compared to 30 of 378 children in the B group": no name, but B is still the comparator
        return Compared(None, (m.start("c"), hi), m.start(), s.masked[m.start("c") : hi])
    text = s.text[span[0] : span[1]]
    if cut := COMPARATOR_ENDS.search(text):  # NOTE: "placebo in adults with moderate asthma" is "placebo"
        text = text[: cut.start()]
    if generic_arm(text) == "control" and arms.control:
        text = arms.control
    return Compared(text, span, m.start(), s.masked[m.start("c") : hi])


def study_arm(m: Mention) -> Named:
    """Return a study arm named elsewhere in the document, as a validated intervention."""
    return Named(m.surface, "intervention", m.normalized_id, m.name, True)


_NO_ARM = re.compile(r"^\W*(?:no|non|without)\b", re.I)
_ADD_ON = re.compile(r"\s[+&]\s|\bplus\b", re.I)


def named_arm(s: Parsed, span: tuple[int, int], arms: Arms) -> Named | None:
    """Return the intervention an arm phrase names: a mention inside it, the study's arm it stands for, or None."""
    phrase = s.text[span[0] : span[1]]
    if _NO_ARM.match(phrase):
        return None  # NOTE: "the 'no website' group" is the arm without the intervention, never the intervention
    # NOTE: "the TAU + SWT condition" is not TAU: in an add-on arm the usual care it is added to names nothing.
    inside = [m for m in s.mentions if span[0] <= m.start and m.end <= span[1] and m.type == "intervention"
              and not (_ADD_ON.search(phrase) and is_control(m.surface))]
    if inside:
        return s.named((inside[0].start, inside[0].end), "intervention", inside[0])
    # NOTE: "in the intervention group" spans "intervention" alone; with its group word it is the generic arm.
    if "active" in (generic_arm(phrase), generic_arm(f"{phrase} group")) and arms.active is not None:
        return study_arm(arms.active)
    if (label := LABELLED.search(phrase)) and (given := arms.labelled(label["label"])) is not None:
        return study_arm(given)
    return s.named(span, "intervention") if is_entity_name(phrase) else None


def labelled_subject(s: Parsed, lo: int, at: int, avoid: tuple[int, int], arms: Arms) -> Named | None:
    """Return the intervention of a labelled arm named before the cue ("Group B patients showed ...")."""
    for m in LABELLED.finditer(s.masked, lo, at):
        if not avoid[0] <= m.start() < avoid[1] and (given := arms.labelled(m["label"])) is not None:
            return study_arm(given)
    return None


def between_arms(s: Parsed, lo: int, hi: int, arms: Arms) -> tuple[Named, str] | None:
    """Return the study's two arms when a clause compares "the groups" without naming them and the study's arms
    are known ("no significant difference between the two groups in X"): its intervention and control, else the
    two treatments of a head-to-head study."""
    if not BETWEEN_GROUPS.search(s.masked, lo, hi):
        return None
    if arms.active is not None and arms.control is not None:
        return study_arm(arms.active), arms.control
    return (study_arm(arms.pair[0]), arms.pair[1].surface) if arms.pair else None
