"""Which words of a clause are its intervention, its outcome and its comparator.

Mentions (tagged spans and lexicon terms) are preferred; an arm phrase ("in the A group", "patients receiving A")
counts when it names a mention or one of the study's arms; a bare phrase is kept only as an unvalidated name, and
the extractor drops a claim whose intervention or outcome is not validated.
"""

from __future__ import annotations

import re

from ingest.extract.arm_names import Compared, between_arms, comparator, labelled_subject, named_arm, study_arm
from ingest.extract.clauses import IN_GROUP, Named, Parsed, arm_phrase, arm_values, parallel_arm, trim_phrase
from ingest.extract.cue import find_cue
from ingest.nlp.arms import Arms, generic_arm, is_control
from ingest.nlp.entities import FUNCTION_WORDS, is_entity_name
from kb.claims import EffectMeasure, Predicate
from kb.lexicon import Mention

# NOTE: "after adjusting for calcium intake level", "after correction for preoperative status": a covariate, not what
# the result belongs to nor what it measured.
COVARIATE = re.compile(r"\b(?:adjust(?:ing|ed|ment)?|controll?(?:ing|ed)|correct(?:ing|ed|ion))\s+for\s+"
                       r"(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
# NOTE: words that make a drug the thing measured, not the thing given.
USED = re.compile(r"\b(?:requirements?|consumption|use|usage|doses?|needs?|intake|amount|administration|"
                  r"prescriptions?|requests?)\s+(?:of|for)\s+(?:\w+\s+){0,2}$"
                  # NOTE: "regardless of vitamin D dose": what the result does not depend on is not its subject.
                  r"|\b(?:regardless|irrespective|independent(?:ly)?)\s+of\s+(?:the\s+)?$"
                  rf"|{COVARIATE.pattern}"
                  # NOTE: "the remission based on BDI-II": the instrument a result is measured with.
                  r"|\b(?:based\s+on|measured\s+(?:by|with)|assessed\s+(?:by|with)|according\s+to)\s+(?:the\s+)?$",
                  re.IGNORECASE)


# NOTE: "acetazolamide-induced", "LPS-stimulated": the drug qualifies something else.
MODIFIER = re.compile(r"-(?:induced|related|associated|mediated|dependent|stimulated|resistant|sensitive|exposed|"
                      r"free|naive|specific|like)\b", re.IGNORECASE)
# NOTE: "fasting insulin", "serum concentrations of these cytokines", "insulin values": a thing measured, not given.
MEASURED = re.compile(r"\b(?:serum|plasma|fasting|circulating|blood|urinary|urine|salivary|tissue|2\s*h|(?:levels?|"
                      r"concentrations?|values?|expression|secretion|activity|content)\s+of\s+"
                      r"(?:the\s+|these\s+)?)\s*$", re.IGNORECASE)
MEASURE_AFTER = re.compile(r"\s+(?:levels?|values?|concentrations?|secretion|sensitivity|resistance|clearance|"
                           r"expression|excretion|AUC)\b", re.IGNORECASE)
# NOTE: "TDF+PI/r": one part of a regimen is not the regimen.
PART_OF = re.compile(r"\s*\+\s*\w")
PART_AFTER = re.compile(r"\w\s*\+\s*$")
# NOTE: "the addition of dexamethasone to ropivacaine": ropivacaine is what both arms got.
ADDED_TO = re.compile(r"\b(?:addition|adding|added)\b.*\bto\s+(?:[\w.%-]+\s+){0,3}$", re.IGNORECASE)
# NOTE: after the cue a subject stands only as the agent: "was reduced by A", "improved with A", "after A", "no
# difference in X between A and B", "no significant effect of A".
AGENT = re.compile(r"\b(?:by|with|after|following|on|receiving|between|of|for|in\s+(?:the\s+)?(?:patients|subjects|"
                   r"participants|those)\s+(?:given|receiving|treated\s+with))\s+(?:the\s+)?(?:[\w.%-]+\s+){0,2}$",
                   re.IGNORECASE)


# NOTE: words that name no outcome by themselves: "rate" (of what?), "percentage of weeks" (with what?).
GENERIC_HEAD = frozenset("""rate rates score scores level levels value values percentage proportion number numbers
time times incidence frequency duration change changes difference differences effect effects outcome outcomes
parameters measures index indices concentration concentrations response responses proportions percentages ratio
ratios""".split())
GENERIC_TAIL = frozenset("""weeks days months years patients participants subjects children women men time pregnancies
cases episodes""".split())
PEOPLE = frozenset("""patients participants subjects children women men adults infants nurses people individuals
volunteers mothers students workers""".split())
# NOTE: "training designed to improve auditory processing": what it was meant to change, not what it changed.
AIMED_AT = re.compile(r"\bto\s+(?!the\b)\w+\s+(?:the\s+)?$", re.IGNORECASE)
# NOTE: "the proportion of pregnancies with excessive GWG": the share is the outcome, not the pregnancies.
HEAD_BEFORE = re.compile(r"\b(?:proportions?|percentages?|numbers?|rates?|incidence|frequency)\s+of\s+(?:the\s+)?$",
                         re.IGNORECASE)
# NOTE: a clause about the control arm reports the control, never the intervention the sentence began with.
CONTROL_ARM = re.compile(r"\b(?:in|with|among|for|of)\s+(?:the\s+)?(?:controls?|placebo|sham|usual[- ]care|comparison|"
                         r"non-?exposed|untreated)(?:\s+(?:group|arm|condition|subjects|patients|participants)s?)?\b",
                         re.IGNORECASE)
COMPLEMENT = re.compile(r"\s+(?:of|in|with|for)\s+", re.IGNORECASE)


def consumed(s: Parsed, m: Mention) -> bool:
    """Return whether a drug mention is something measured ("requirements for morphine", "use of rescue opioids")."""
    return USED.search(s.text[max(0, m.start - 30) : m.start]) is not None


def pick_subject(s: Parsed, cue: re.Match[str], comp: Compared, lo: int, hi: int, arms: Arms) -> Named | None:
    """Return the intervention: the clause's arm phrase ("patients receiving A"), else a mention outside the
    comparator (nearest the cue), else an arm label ("Group B")."""
    avoid = comp.span
    # NOTE: an arm named before the cue, then one written like the comparator ("with A than with B"), then any after.
    stop = comp.at if comp.at > cue.end() else hi
    span = (arm_phrase(s.masked, lo, cue.start(), avoid)
            or (parallel_arm(s.masked, cue.end(), comp.at, comp.raw) if comp.at > cue.end() else None)
            or arm_phrase(s.masked, cue.end(), stop, avoid))
    if span and generic_arm(s.text[span[0] : span[1]]) == "control":
        return None  # NOTE: "the rCBF in the control group was elevated after acetazolamide": the control's result
    if span and (arm := named_arm(s, span, arms)) is not None:
        # NOTE: "higher in the placebo group": the result is read against the control; no claim rather than a flip.
        # NOTE: "greater in Macintosh group": an arm the study does not name elsewhere is still the arm the result
        # belongs to, never another word of the sentence ("failed intubation").
        return None if not arm.validated or is_control(arm.surface) or _shared_part(s, span, arm, comp) else arm
    free = [m for m in s.mentions if lo <= m.start < hi and not avoid[0] <= m.start < avoid[1]
            and m.type == "intervention" and not consumed(s, m) and _may_be_subject(s, m, lo, cue)]
    if free and (whole := _within_active(s, free, arms)) is not None:
        return whole
    # NOTE: two different interventions and nothing that says which one the result belongs to: no claim.
    if len({m.normalized_id or m.surface.casefold() for m in free}) > 1:
        return None
    if free:
        return s.named((free[0].start, free[0].end), "intervention", free[0])
    return labelled_subject(s, lo, cue.start(), avoid, arms)


def _shared_part(s: Parsed, span: tuple[int, int], arm: Named, comp: Compared) -> bool:
    """Return whether an arm is named only by what it shares with the comparator ("occlusion" of "the divided
    occlusion group compared to the continuous occlusion group"): the name does not tell the arms apart."""
    whole = s.text[span[0] : span[1]].strip()
    name = rf"(?<!\w){re.escape(arm.surface)}(?!\w)"
    return (len(whole) > len(arm.surface) and comp.text is not None
            and re.search(name, comp.text, re.IGNORECASE) is not None)


def _within_active(s: Parsed, free: list[Mention], arms: Arms) -> Named | None:
    """Return the study's main intervention when every free mention is part of its name spelled out in the sentence
    ("coenzyme Q10" inside "selenium and coenzyme Q10"): the part alone is not what the study gave."""
    if arms.active is None:
        return None
    spelled = [(h.start(), h.end()) for h in re.finditer(rf"(?<!\w){re.escape(arms.active.surface)}(?!\w)", s.text,
                                                         re.IGNORECASE)]
    if spelled and all(any(a <= m.start and m.end <= b and b - a > m.end - m.start for a, b in spelled)
                       for m in free):
        return study_arm(arms.active)
    return None


def _may_be_subject(s: Parsed, m: Mention, lo: int, cue: re.Match[str]) -> bool:
    """Return whether a mention can be what the result belongs to: not a modifier ("acetazolamide-induced"), not the
    base an add-on is added to, not a control arm, and after the cue only as its agent ("reduced by A")."""
    if MODIFIER.match(s.text, m.end) or is_control(m.surface):
        return False
    if MEASURED.search(s.text, max(0, m.start - 40), m.start):
        return False
    if MEASURE_AFTER.match(s.text, m.end) or PART_OF.match(s.text, m.end) or PART_AFTER.search(s.text, 0, m.start):
        return False
    if ADDED_TO.search(s.masked, lo, m.start):
        return False
    return m.start < cue.start() or AGENT.search(s.masked, cue.end(), m.start) is not None


def phrase_before(s: Parsed, lo: int, at: int) -> tuple[int, int] | None:
    """Return the noun phrase of the clause part before a cue, after its last comma or bracket."""
    head = max(lo, max(s.masked.rfind(c, lo, at) for c in ",;:()") + 1)
    return trim_phrase(s.masked[head:at], head)


def pick_object(s: Parsed, cue: re.Match[str], avoid: tuple[int, int], subject: Named | None, lo: int,
                hi: int, reach: int = 6) -> Named | None:
    """Return the outcome: a mention of an outcome (a condition only when no outcome is named), nearest the cue and
    at most `reach` words after it."""
    pool = [m for m in s.mentions if m.type in ("outcome", "condition") and not avoid[0] <= m.start < avoid[1]
            and m.start < hi and (not subject or m.surface != subject.surface)]
    # NOTE: a condition is the outcome only where the finding is about it ("prevented delirium", "delirium was
    # less frequent"), not where it qualifies something else ("weeks with well-controlled asthma").
    # NOTE: an outcome after the cue is the cue's own ("reduced pain"), a few words on; one before it may be fronted
    # ("With respect to X, A was superior").
    pool = [m for m in pool if (_near(s, m, cue, 3) if m.type == "condition" else
                                m.start < cue.start() or _near(s, m, cue, reach))
            and not AIMED_AT.search(s.text, max(0, m.start - 40), m.start)
            and not _after_covariate(s, m.start)]
    inside = [m for m in pool if m.start >= lo] or [m for m in pool if m.type == "outcome"][-1:]
    if inside:
        # NOTE: an outcome beats a condition ("in mild asthma, X reduced exacerbations"); then nearest after the cue.
        best = min(inside, key=lambda m: (m.type != "outcome", m.start < cue.end(), abs(m.start - cue.end())))
        head = HEAD_BEFORE.search(s.text, max(lo, best.start - 40), best.start)
        whole = complete(s, (head.start() if head else best.start, best.end), hi)
        return None if whole is None else s.named(whole, "outcome", best)
    span = _object_phrase(s, cue, avoid, subject, lo, hi)
    span = complete(s, span, hi) if span else None
    if span is None or not is_entity_name(s.text[span[0] : span[1]]):
        return None
    if _after_covariate(s, span[0]):
        return None
    # NOTE: "requirements for morphine" names a measured use of a drug; any other bare phrase stays unvalidated.
    used = any(span[0] <= m.start and m.end <= span[1] and consumed(s, m) for m in s.mentions)
    return Named(s.text[span[0] : span[1]], "outcome", validated=used)


def _after_covariate(s: Parsed, at: int) -> bool:
    """Return whether the words before `at` make what follows a covariate ("after correction for status")."""
    return COVARIATE.search(s.text, max(0, at - 40), at) is not None


def complete(s: Parsed, span: tuple[int, int], hi: int) -> tuple[int, int] | None:
    """Return an outcome's span with the complement a generic word needs ("rate" of what, "percentage of weeks" with
    what); None when a generic word has none, or when it names people rather than an outcome."""
    words = s.text[span[0] : span[1]].casefold().split()
    if not words or words[-1] in PEOPLE and len(words) == 1 or words[-1] in FUNCTION_WORDS:
        return None  # NOTE: "proportion of patients who had" stops before its outcome
    if not (words[-1] in GENERIC_TAIL or (len(words) == 1 and words[0] in GENERIC_HEAD)):
        return span
    more = COMPLEMENT.match(s.masked, span[1], hi)
    if more and IN_GROUP.match(s.masked, more.end() - len(more.group().lstrip()), hi):
        return span  # NOTE: "migraine days in the CXDT-HFG group": the arm, not the complement of "days"
    rest = trim_phrase(s.masked[more.end() : hi], more.end()) if more else None
    return (span[0], rest[1]) if rest and is_entity_name(s.text[span[0] : rest[1]]) else None


def _near(s: Parsed, m: Mention, cue: re.Match[str], words: int) -> bool:
    """Return whether a mention is next to the cue: at most `words` words after it, or one more before it."""
    if m.start >= cue.end():
        return len(s.text[cue.end() : m.start].split()) <= words
    return len(s.text[m.end : cue.start()].split()) <= words + 1


def _object_phrase(s: Parsed, cue: re.Match[str], avoid: tuple[int, int], subject: Named | None, lo: int,
                   hi: int) -> tuple[int, int] | None:
    """Return the phrase that names the outcome when no mention does: before the cue, else after it."""
    at = s.text.find(subject.surface, cue.end(), hi) if subject else -1
    end = min((x for x in (avoid[0], at) if x > cue.end()), default=hi)
    after = trim_phrase(s.masked[cue.end() : end], cue.end())
    # NOTE: an arm after the cue ("X was lower in the A group") leaves the outcome before it.
    behind = subject is not None and subject.surface not in s.text[lo : cue.start()]
    before = phrase_before(s, lo, cue.start()) if at >= 0 or (after is None and behind) else None
    if before and after and re.match(r"(?:there|it|we|this)\b", s.text[before[0] : before[1]], re.I):
        before = None  # NOTE: "We found fewer X in A than in B": the outcome follows the cue.
    return before or after


Parts = tuple[Named, Named, str | None, Predicate]  # subject, object, comparator, what the clause says
Context = tuple[Named, Named, EffectMeasure | None]  # the previous clause's subject, object and effect


def cue_parts(s: Parsed, lo: int, hi: int, effect: EffectMeasure | None, context: Context | None,
              arms: Arms) -> Parts | None:
    """Return what a clause with a direction cue (or a significant ratio) says."""
    cue = find_cue(s, lo, hi, effect)
    if cue is None:
        return None
    comp = comparator(s, lo, hi, arms)
    pair = between_arms(s, lo, hi, arms) if cue[1] in ("no_effect_on", "not_associated_with") else None
    if pair is not None and not any(m.type == "intervention" and lo <= m.start < hi for m in s.mentions):
        comp = Compared(pair[1], comp.span, comp.at, comp.raw)
        # NOTE: "no difference between treatment groups in the proportion of patients discontinuing because of
        # adverse events": between the groups, the outcome may stand further from the cue.
        obj = pick_object(s, cue[0], comp.span, pair[0], lo, hi, 14) or (context[1] if context else None)
        return (pair[0], obj, pair[1], cue[1]) if obj else None
    subject = pick_subject(s, cue[0], comp, lo, hi, arms)
    if subject is None and context and not CONTROL_ARM.search(s.masked, lo, hi):
        subject = context[0]  # NOTE: "..., while it remained unchanged in the control group" is the control's
    obj = pick_object(s, cue[0], comp.span, subject, lo, hi) or (context[1] if context else None)
    if subject is None or obj is None or subject.surface.casefold() == obj.surface.casefold():
        return None
    pair = _PAIR.fullmatch(subject.surface) if comp.text is None else None
    if pair and cue[1] in ("no_effect_on", "not_associated_with"):
        return Named(pair["a"], "intervention", validated=True), obj, pair["b"], cue[1]
    return subject, obj, comp.text, cue[1]


# NOTE: "similar for citrate and heparin anticoagulation": with null wording and no comparator, "A and B" names the
# two compared arms, not one combination.
_PAIR = re.compile(r"(?P<a>[\w-]+)\s+and\s+(?P<b>[\w-]+(?:\s+[\w-]+)?)")


def value_parts(s: Parsed, lo: int, hi: int, context: Context | None, arms: Arms) -> Parts | None:
    """Return what "X was 0.20 with A and 0.07 with B" says: A against B on X, by the larger value."""
    found = arm_values(s.masked, lo, hi)
    if found is None:
        return None
    first, second, said, at = found
    span = phrase_before(s, lo, at)
    mention = next((m for m in s.mentions if span and m.start >= span[0] and m.end <= span[1]
                    and m.type in ("outcome", "condition")), None)
    obj = (s.named((mention.start, mention.end), "outcome", mention) if mention
           else s.named(span, "outcome") if span else (context[1] if context else None))
    subject = named_arm(s, first, arms)
    if obj is None or subject is None:
        return None
    other = s.text[second[0] : second[1]]
    return subject, obj, (arms.control if generic_arm(other) == "control" and arms.control else other), said

