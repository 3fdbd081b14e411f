"""Which words of a clause give its direction: the first cue outside brackets, read with the change it compares."""

from __future__ import annotations

import re

from ingest.extract.clauses import COMPARATOR, CUES, Parsed, from_effect
from ingest.nlp.mentions import CHANGE_NOUNS
from kb.claims import EffectMeasure, Predicate

_I = re.IGNORECASE


# NOTE: "designed to improve", "the potential to reduce": a purpose, not a result; "a ≥30% decrease in lesions" and
# "a 50% reduction in pain" as a responder threshold name an outcome.
_PURPOSE = re.compile(r"(?:\bto|\bin\s+order\s+to|\baimed\s+at|[≥≤>]\s*\d+(?:[.·]\d+)?\s*(?:%|-?\s*fold)?)\s+"
                      r"(?:(?:significantly|further|both)\s+)?$", _I)
_DIRECTED = re.compile(r"\bnormali[sz](?:ed|es|ation)\b"
                       r"|\b(?:increased|decreased|increases|decreases|rose|fell|declined)"
                       r"\s+(?:significantly\s+)?"
                       r"(?:with|along\s+with|in\s+parallel\s+with)\s+(?:increasing|higher|longer|greater|age|the\s+"
                       r"(?:duration|number|dose|level)|\w+\s+(?:duration|dose|exposure))", _I)
_INTENSIFIER = re.compile(r"(?:greater|larger|bigger|more|higher|significant|marked|substantial|superior)$", _I)
_NOUN_CUE = re.compile(rf"\s+(?:\w+\s+)?(?P<n>{CHANGE_NOUNS})\b", _I)


# NOTE: "sorafenib was discontinued until the toxicity had decreased to grade 1": how a patient was managed.
_UNTIL = re.compile(r"\buntil\b[^.;,()]{0,60}$", _I)


# NOTE: "among higher risk participants", "the lower dose group": a comparative that names which people, not a result.
_WHICH_PEOPLE = re.compile(r"[\s-]+(?!(?:for|in|among|of|with|than|to|at|by|and|or|the|all)\b)[\w-]+\s+"
                           r"(?:participants|patients|subjects|women|men|children|adults|individuals|people|families|"
                           r"groups?|arms?)\b", _I)


def _not_a_cue(masked: str, m: re.Match[str]) -> bool:
    """Return whether a bare direction word is a purpose ("to reduce"), part of a threshold ("≥30% decrease"), the
    condition of an "until" clause, or a comparative naming which people ("higher risk participants")."""
    return (_PURPOSE.search(masked[max(0, m.start() - 30) : m.start()]) is not None
            or _UNTIL.search(masked[max(0, m.start() - 70) : m.start()]) is not None
            or (m.group().casefold() in ("higher", "lower") and _WHICH_PEOPLE.match(masked, m.end()) is not None))


def _noun_direction(bare: list[tuple[re.Match[str], Predicate]]) -> tuple[re.Match[str], Predicate] | None:
    """Return the cue of "a greater decrease in weight": the noun's direction, not the intensifier's."""
    first = bare[0][0]
    if not _INTENSIFIER.match(first.group()):
        return None
    noun = _NOUN_CUE.match(first.string, first.end())
    if noun is None:
        return None
    later = [c for c in bare[1:] if c[0].start() == noun.start("n")]
    return later[0] if later else None


# NOTE: "The increase in weight was smaller with metformin": the comparative says how the change compares, so a
# smaller increase is a decrease and a smaller reduction an increase.
_CHANGE_NOUN = re.compile(rf"{CHANGE_NOUNS}$", _I)
_CHANGE_COMPARED = re.compile(r"\s(?:was|were)\s+(?:\w+\s+)?$", _I)
_SMALLER = re.compile(r"smaller|less|lower", _I)
_FLIP_PREDICATE: dict[str, Predicate] = {"increases": "decreases", "decreases": "increases"}


def _change_compared(bare: list[tuple[re.Match[str], Predicate]]) -> tuple[re.Match[str], Predicate] | None:
    """Return the cue of "the increase in X was smaller ...": the change noun, turned round by a smaller comparative."""
    noun, predicate = bare[0]
    if not _CHANGE_NOUN.match(noun.group()):
        return None
    for m, _ in bare[1:]:
        if _INTENSIFIER.match(m.group()) or _SMALLER.fullmatch(m.group()):
            if _CHANGE_COMPARED.search(m.string[noun.end() : m.start()]):
                return noun, _FLIP_PREDICATE[predicate] if _SMALLER.fullmatch(m.group()) else predicate
    return None


def find_cue(s: Parsed, lo: int, hi: int, effect: EffectMeasure | None) -> tuple[re.Match[str], Predicate] | None:
    """Return the first direction cue of a clause (outside brackets), else the direction of a significant ratio."""
    # NOTE: the first phrase in the clause wins ("lower odds of X ... higher odds of Y" is about the lower odds);
    # at one position the earlier pattern wins, so negations beat the verbs they contain.
    found = [(m, predicate) for pattern, predicate, _ in CUES[:-2] if (m := pattern.search(s.masked, lo, hi))]
    if found:
        return min(found, key=lambda f: f[0].start())
    # NOTE: bare verbs compete by position: "reduced pain more than placebo" is a decrease.
    bare = sorted(((m, pred) for rx, pred, _ in CUES[-2:] for m in rx.finditer(s.masked, lo, hi)
                   if not _not_a_cue(s.masked, m)), key=lambda c: c[0].start())
    if bare:
        if _DIRECTED.search(s.masked, lo, hi):
            return None  # NOTE: "increased with work duration": a gradient, not an effect of what the study gave
        if (changed := _change_compared(bare)) is not None:
            # NOTE: "whereas the reduction in the DMARD group was smaller": smaller than the other clause's arm, which
            # a claim of its own could not name; only a clause with its comparator says it.
            return changed if COMPARATOR.search(s.masked, lo, hi) else None
        return _noun_direction(bare) or bare[0]
    implied = from_effect(effect)
    first = re.compile(r"\S+").search(s.masked, lo, hi)
    return (first, implied[0]) if implied and first else None
