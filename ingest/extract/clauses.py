"""Reading one sentence: direction cues, clauses, bracket masking, entity phrases and the statistics of a clause."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ingest.extract.stats import find_effects, find_p_values
from kb.claims import Direction, EffectMeasure, PValue, Predicate
from ingest.nlp.mentions import mask_brackets
from kb.lexicon import Mention
from kb.models import Entity, EntityType, entity_id

_I = re.IGNORECASE
# NOTE: order matters: negated and risk phrasings must win over the bare verbs they contain.
CUES: tuple[tuple[re.Pattern[str], Predicate, Direction], ...] = tuple((re.compile(p, _I), pred, d) for p, pred, d in (
    (r"\b(?:was|were|is|are)\s+not\s+(?:significantly\s+|independently\s+)?(?:associated|correlated|linked)"
     r"|\bno\s+(?:significant\s+|statistically\s+significant\s+)?(?:association|correlation|relationship)",
     "not_associated_with", "no_difference"),
    (r"\bno\s+(?:statistically\s+)?(?:significant\s+|clinically\s+relevant\s+|meaningful\s+)?(?:difference|change|"
     r"effect|benefit|improvement|reduction|increase|decrease)s?\b|\b(?:did|does|do)\s+not\s+(?:significantly\s+)?"
     r"(?:differ|change|improve|reduce|increase|decrease|affect|alter|influence|lower|modify)|\bnot\s+(?:statistically"
     r"\s+)?significant(?:ly)?\b|\bnon-?significant|\b(?:similar|comparable|equivalent|unchanged|unaffected)\b"
     r"|\bwas\s+not\s+(?:affected|altered|changed)|\bno\s+(?:\w+\s+)?differences?\b|\bnot\s+(?:significantly\s+)?"
     r"different|\bdid\s+not\s+(?:show|reach|result)|\bas\s+effective\s+as|\b(?:did|does|do)\s+not\s+lead\s+to\b"
     r"|\bfail(?:ed|s)?\s+to\s+(?:improve|reduce|increase|decrease|change|affect|lower|alter|show|demonstrate)\b"
     # NOTE: a "trend" or "tendency" is the authors' word for an effect that did not reach significance.
     r"|(?<!significant\s)\btrend(?:ed|s)?\s+(?:towards?|for)\b|\btend(?:ed|s)?\s+to\b"
     r"|\btendency\s+(?:towards?|to|for)\b"
     # NOTE: "There was no evidence of further benefit of the additional lifestyle support services".
     r"|\bno\s+(?:\w+\s+)?evidence\s+(?:of|for)\b",
     "no_effect_on", "no_difference"),
    (r"\b(?:increased|increases|higher|greater|elevated)\s+(?:the\s+)?(?:risk|odds|incidence|likelihood)\s+of",
     "increases_risk_of", "increase"),
    (r"\b(?:reduced|reduces|decreased|decreases|lower|lowered)\s+(?:the\s+)?(?:risk|odds|incidence|likelihood)\s+of",
     "decreases_risk_of", "decrease"),
    (r"\bassociated\s+with\s+(?:an?\s+|the\s+)?(?:significantly\s+)?(?:increased|higher|greater|elevated|more)\b",
     "increases_risk_of", "increase"),
    (r"\bassociated\s+with\s+(?:an?\s+|the\s+)?(?:significantly\s+)?(?:reduced|lower|decreased|less|fewer)\b",
     "decreases_risk_of", "decrease"),
    (r"\b(?:associated|correlated)\s+with|\b(?:risk\s+factor|predictor)s?\s+(?:of|for)", "associated_with",
     "unclear"),
    (r"\b(?:increased|increases|increase|improved|improves|improve|improvements?|gains|higher|greater|elevated|"
     r"raised|enhanced|"
     r"superior|more|gain|rose|prolonged)\b", "increases", "increase"),
    (r"\b(?:reduced|reduces|reduce|reductions?|declines|decreased|decreases|decrease|lower|lowered|fewer|less|"
     r"declined|decline|"
     r"inferior|attenuated|shorter|smaller|prevented|fell)\b", "decreases", "decrease"),
))
# NOTE: explicit no-difference wording: the only words that may say "no difference" (statistics aside).
NULL_WORDING = re.compile("|".join(f"(?:{c[0].pattern})" for c in CUES[:2]), _I)
# NOTE: an effect cue that gives no direction between arms: negated ("No patient exhibited prolonged sedation") or a
# change within both groups ("Cardiovascular risk increased in both groups").
_NEGATION = re.compile(r"\b(?:no|not|never|neither|nor|without|none)\b|n't\b", _I)
_WITHIN_GROUPS = re.compile(r"\b(?:in|within|for|among)\s+(?:both|all|each\s+of\s+the|the\s+two)\s+(?:\w+\s+)?"
                            r"(?:groups|arms)\b|\bboth\s+(?:groups|arms)\b", _I)
SAFETY = re.compile(r"adverse|side[- ]effects?|toxicit|tolerab|safety|complications?", _I)
METHODS = re.compile(r"\b(?:we (?:aimed|sought|conducted|performed|assessed|evaluated|compared|investigated|"
                     r"randomi[sz]ed|enrolled|hypothesi[sz]ed)|(?:was|were) randomi[sz]ed|randomly assigned|"
                     r"was considered|primary (?:end ?point|outcome|objective) was|the aim|the objective|"
                     r"this study|to (?:evaluate|assess|investigate|determine|compare|examine))\b", _I)
# NOTE: "superior asthma-symptom control to terbutaline": the object may stand between the adjective and "to".
# NOTE: "than those on metformin", "in contrast to subjects who received metformin": the comparator is metformin.
COMPARATOR = re.compile(r"\b(?:compared\s+(?:with|to)|versus|vs\.?|than|"
                        # NOTE: "intake expressed relative to body weight" is a unit, not a comparator.
                        r"(?<!expressed\s)(?<!adjusted\s)(?<!normali[sz]ed\s)(?<!calculated\s)relative\s+to|"
                        r"in\s+contrast\s+(?:to|with)|"
                        # NOTE: "desvenlafaxine (68.7%) did not differ from placebo", "no significant difference
                        # from placebo for either desvenlafaxine or fluoxetine".
                        r"(?:differ(?:ed|s)?|differences?)\s+(?:(?:significantly|statistically(?:\s+significantly)?)"
                        r"\s+)?from|"
                        r"as\s+opposed\s+to|(?:superior|inferior|similar|"
                        r"comparable|equivalent|non-?inferior)\s+(?:[\w-]+\s+){0,3}?to)\s+"
                        r"(?:(?:the\s+)?(?:rates?|values?|levels?|that|those|ones?|scores?|subjects|patients|"
                        r"participants|individuals)\s+"
                        r"(?:(?:observed|seen|found|reported|measured|recorded|obtained)\s+)?(?:with|in|of|for|among|"
                        r"receiving|on|taking|given|treated\s+with|who\s+(?:received|took|were\s+given))\s+)?"
                        r"(?P<c>[^,;:()\[\]]+)", _I)
# NOTE: "participants in the ePaper Team condition": a behavioural trial's arm is often its condition.
IN_GROUP = re.compile(r"\b(?:in|with|for|among|of)\s+(?:the\s+)?(?P<x>[\w\s/+-]{2,60}?)\s+(?:group|arm|condition)s?\b",
                      _I)
# NOTE: "The intervention group had more visits": a generic arm as the clause's grammatical subject, no preposition.
GROUP_SUBJECT = re.compile(r"\b(?:the\s+)?(?P<x>intervention|treatment|treated|experimental|active|study|verum|control|"
                           r"comparison)\s+(?:group|arm)s?\s+(?=(?:had|has|showed|show|was|were|experienced|reported|"
                           r"achieved|demonstrated|exhibited|displayed|gained|lost|scored)\b)", _I)
RECEIVING = re.compile(r"\b(?:patients|participants|subjects|individuals|those|children|women|men|infants|rats|mice)"
                       r"\s+(?:who\s+(?:received|were\s+given|took)|receiving|given|treated\s+with|taking|"
                       r"(?:allocated|randomi[sz]ed|assigned)\s+to)\s+(?P<x>\w)", _I)
ARM_PREP = re.compile(r"\b(?P<p>with|in|among|for|after|on|following|during|receiving)\s+", _I)
# NOTE: "from 41% in A to 50% in B" is a change, not two arms.
# NOTE: "12.4% (6/51) in the cefixime group": a value's own bracket (blanked) stands between it and its arm.
_ARM_VALUE = (r"(?<![\w.])(?<!from\s)(?P<v{0}>\d+(?:[.·]\d+)?)\s*%?(?:\s*[(\[]\s*[)\]])?\s+"
              r"(?:with|in|for|among|after|on)\s+"
              r"(?P<a{0}>[^,;:\d]{{2,60}}?)")
ARM_VALUES = re.compile(_ARM_VALUE.format(1) + r",?\s+(?:and\s+|vs\.?\s+|versus\s+)?" + _ARM_VALUE.format(2)
                        + r"(?=[\s,;:.]|$)", _I)
# NOTE: "than for the abstainers" is the abstainers; "than with patients’ usual oral triptans therapy" the therapy.
LEADING = re.compile(r"(?:(?:the|a|an|in|of|with|to|by|that|both|all|treatment|use|patients|was|were|is|are|had|"
                     r"has|have|been|also|significantly|statistically|only|for|among|did|do|does)\b(?!-)\s*|[’'‘]\s*)+",
                     _I)
TRAILING = re.compile(r"(?:\s+(?:was|were|is|are|had|has|have|been|be|significantly|statistically|also|not|"
                      r"the|a|an|and|in|of|to|with|by))+$", _I)
STOP_AT = re.compile(r"[,;:()\[\]]|(?<![\w.-])\d[\d.,]*(?![\w-])|\b(?:compared|versus|vs|than|among|after|when|"
                     r"from|during|while|whereas|but|at|who|which|and\s+was|relative|tend(?:s|ed)?|seemed|"
                     r"appeared)\b", _I)
CLAUSE_BREAK = re.compile(r";\s|\s+and\s+(?=[−-]?\d[\d.·]*\s*[(\[])|\s(?:but|whereas|while)\s"
                          r"|,?\s+and\s+(?=(?:was|were|is|are|had)\b)")
KEEP_SECTIONS = ("results", "conclusions", "abstract", "body", "discussion", "title", "other", "registry")
MAX_WORDS = 8


@dataclass(frozen=True)
class Named:
    """A subject or object picked from a sentence: its exact surface and what the lexicon knows."""

    surface: str
    type: EntityType
    normalized_id: str | None = None
    canonical: str | None = None
    # NOTE: True when a tagged span, a lexicon term or the study's own arms name it; False for a bare phrase.
    validated: bool = False

    def entity(self) -> Entity:
        """Return the graph entity, named by its surface so the name stays verbatim in the quote."""
        synonyms = (self.canonical,) if self.canonical and self.canonical != self.surface else ()
        eid = entity_id(self.surface, self.type, self.normalized_id)
        return Entity(id=eid, name=self.surface, type=self.type, normalized_id=self.normalized_id, synonyms=synonyms)


def clauses(masked: str) -> list[tuple[int, int]]:
    """Return clause spans of a bracket-masked sentence, split at "; ", "but", "whereas", "while", "and was"."""
    spans, start = [], 0
    for m in CLAUSE_BREAK.finditer(masked):
        if m.start() > start:
            spans.append((start, m.start()))
        start = m.end()
    return [*spans, (start, len(masked))]


def trim_phrase(text: str, offset: int) -> tuple[int, int] | None:
    """Return the span (shifted by offset) of the noun phrase opening text: ≤ 8 words, stopped at punctuation."""
    cut = STOP_AT.search(text)
    phrase = text[: cut.start()] if cut else text
    lead = LEADING.match(phrase, len(phrase) - len(phrase.lstrip()))
    begin = lead.end() if lead else len(phrase) - len(phrase.lstrip())
    words = list(re.finditer(r"\S+", phrase[begin:]))[:MAX_WORDS]
    if not words:
        return None
    end = begin + words[-1].end()
    tail = TRAILING.search(phrase[begin:end])
    end = begin + tail.start() if tail else end
    span = phrase[begin:end].rstrip(".")
    if not (re.search(r"[A-Za-z]{3}", span) or re.fullmatch(r"[A-Z][A-Z0-9]+", span)):
        return None
    return offset + begin, offset + begin + len(span)


def arm_phrase(masked: str, lo: int, hi: int, avoid: tuple[int, int]) -> tuple[int, int] | None:
    """Return the first arm named in masked[lo:hi] ("in the X group", "patients receiving X", "the intervention
    group had") outside avoid; an "X group" span holds X alone."""
    found = [(m.start(), m.span("x")) for rx in (IN_GROUP, GROUP_SUBJECT) for m in rx.finditer(masked, lo, hi)]
    found += [(m.start(), trim_phrase(masked[m.start("x") : hi], m.start("x")))
              for m in RECEIVING.finditer(masked, lo, hi)]
    spans = [span for _, span in sorted(found, key=lambda f: f[0]) if span and not avoid[0] <= span[0] < avoid[1]]
    return spans[0] if spans else None


def parallel_arm(masked: str, lo: int, at: int, comparator: str) -> tuple[int, int] | None:
    """Return the arm just before a comparator keyword at `at` when both are written alike ("with A than with B")."""
    lead = ARM_PREP.match(comparator)
    symmetric = re.match(r"(?:versus|vs)\b", masked[at:], _I)
    if not (lead or symmetric):
        return None
    wanted = lead["p"].casefold() if lead else None
    preps = [m for m in ARM_PREP.finditer(masked, lo, at) if wanted in (None, m["p"].casefold())]
    if not preps or re.search(r"[,;:]", masked[preps[-1].end() : at]):
        return None
    return trim_phrase(masked[preps[-1].end() : at], preps[-1].end())


def arm_values(masked: str, lo: int, hi: int) -> tuple[tuple[int, int], tuple[int, int], Predicate, int] | None:
    """Return the arms of "X was 12% with A and 20% with B": A's span, B's, A's direction against B, where 12 starts."""
    m = ARM_VALUES.search(masked, lo, hi)
    first = trim_phrase(m["a1"], m.start("a1")) if m else None
    second = trim_phrase(masked[m.start("a2") : hi], m.start("a2")) if m else None
    if m is None or first is None or second is None:
        return None
    v1, v2 = (float(m[v].replace("·", ".")) for v in ("v1", "v2"))
    predicate: Predicate = "increases" if v1 > v2 else "decreases" if v1 < v2 else "no_effect_on"
    return first, second, predicate, m.start()


@dataclass(frozen=True)
class Parsed:
    """One sentence: its text, the same text with brackets blanked, and its lexicon mentions outside brackets."""

    text: str
    masked: str
    mentions: tuple[Mention, ...]

    def named(self, span: tuple[int, int], type_: EntityType, mention: Mention | None = None) -> Named:
        """Return a Named for a span of the sentence (the surface is always a verbatim slice); a mention validates it."""
        if mention is None:
            return Named(self.text[span[0] : span[1]], type_)
        return Named(self.text[span[0] : span[1]], type_, mention.normalized_id, mention.name, True)


def parse(sentence: str, mentions: Sequence[Mention]) -> Parsed:
    """Return the sentence with its bracket mask and its mentions (found by ingest.extract.mentions)."""
    return Parsed(sentence, mask_brackets(sentence), tuple(mentions))


def from_effect(effect: EffectMeasure | None) -> tuple[Predicate, Direction] | None:
    """Return the predicate a significant ratio implies when no verbal cue is present."""
    if effect is None or effect.crosses_null() is None or not effect.is_ratio:
        return None
    if effect.crosses_null():
        return "no_effect_on", "no_difference"
    return ("decreases", "decrease") if effect.value < 1 else ("increases", "increase")


def clause_stats(text: str, carried: EffectMeasure | None) -> tuple[EffectMeasure | None, PValue | None]:
    """Return a clause's first effect and p-value; "and 0.83 (0.59 to 1.16)" reuses the previous clause's label."""
    effects, ps = find_effects(text), find_p_values(text)
    if not effects and carried is not None and re.match(r"\s*[−-]?\d", text):
        effects = find_effects(f"{carried.type} {text.strip()}")[:1]
    return (effects[0] if effects else None), (ps[0] if ps else None)


def undirected(masked: str, lo: int, hi: int) -> bool:
    """Return whether a clause's first effect cue states no direction between arms (negated, or within both groups)."""
    if NULL_WORDING.search(masked, lo, hi):
        return False  # NOTE: null wording ("was not associated with weight gain") is read as such, not as a cue.
    if _WITHIN_GROUPS.search(masked, lo, hi):
        return True
    found = [m.start() for rx, _, d in CUES if d in ("increase", "decrease") and (m := rx.search(masked, lo, hi))]
    if not found:
        return False
    before = masked[lo : min(found)].split()[-4:]
    return bool(_NEGATION.search(" ".join(before)))
