"""Question understanding: entities with their roles (intervention, comparator, outcome, ...) and filters."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import Literal, Protocol

from kb.answers import Narrowing, Query, QueryEntity, Role
from kb.filters import Span, filters
from kb.lexicon import Mention
from kb.models import EntityType
from kb.synonyms import combinations, lay_mentions, merge_mentions


class MentionLike(Protocol):
    """A term found in a text: its span, surface form, canonical name, type and normalised id."""

    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def surface(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def type(self) -> EntityType: ...
    @property
    def normalized_id(self) -> str | None: ...


class TermFinder(Protocol):
    """What parse_query needs from a lexicon (kb.lexicon.Lexicon fits)."""

    def find(self, text: str) -> Sequence[MentionLike]:
        """Return non-overlapping mentions in text order."""
        ...


Slot = Literal["lead", "intervention", "comparator", "outcome", "condition", "population"]


_POP_HEAD = (r"(?:adults|children|kids|patients|people|persons|individuals|women|men|infants|neonates|newborns|"
             r"adolescents|teenagers|elderly|seniors|subjects|participants|smokers|athletes|veterans|girls|boys)")
_POP_MOD = (r"(?:older|elderly|young|younger|pregnant|postmenopausal|premenopausal|adult|paediatric|pediatric|"
            r"critically\s+ill|hospitali[sz]ed|healthy|obese|overweight|male|female|the)")


def _verbs(*bases: str) -> str:
    forms = []
    for b in bases:
        stem = b[:-1] if b.endswith("e") else b
        forms += [b, b + "s", stem + "ed", stem + "ing"]
    return "|".join(forms)


_OUTCOME_VERBS = _verbs("reduce", "decrease", "increase", "improve", "prevent", "affect", "worsen", "raise",
                        "shorten", "prolong", "alleviate", "relieve", "lower", "delay", "slow", "cause", "boost",
                        "enhance", "stop")
_OUTCOME_CUE = (
    rf"{_OUTCOME_VERBS}"
    r"|reductions?\s+(?:in|of)|prevention\s+of|(?:increase|decrease|improvement|change)s?\s+(?:from\s+baseline\s+)?in|"
    r"protect(?:s|ed|ing)?\s+against|lead(?:s|ing)?\s+to|result(?:s|ed|ing)?\s+in|"
    r"(?:effects?|impact)\s+on|risks?\s+(?:of|for)|rates?\s+of|incidence\s+of|odds\s+of|prevalence\s+of|"
    r"associated\s+with|associations?\s+with|linked\s+(?:to|with)|related\s+to|on"
)
# NOTE: alternation order is priority at one position: "in adults" beats bare "in", "risk of" beats "of".
_CUE_PARTS: tuple[tuple[str, Slot, str], ...] = (
    ("reset", "lead", r"[?;]|\.(?=\s|$)|,\s*(?=(?:do|does|did|is|are|was|were|can|could|should|would|will|"
                      r"what|which|how|has|have)\b)"),
    ("popcue", "population", rf"\b(?:in|among|for)\s+(?P<pop>(?:{_POP_MOD}\s+)*{_POP_HEAD})"
                          r"(?P<with>\s+(?:with|who\s+have|suffering\s+from|diagnosed\s+with))?\b"),
    ("cond", "condition", r"\b(?:(?:treatment|management|therapy)\s+of|to\s+treat|treating|diagnosed\s+with|"
                          rf"{_POP_HEAD}\s+with)\b"),
    ("interv", "intervention", r"\b(?:(?:effects?|impact|efficacy|effectiveness|safety|benefits?|harms?|role|"
                               r"use|value|influence)\s+of|(?:treatment|therapy|supplementation|treated|"
                               r"supplemented)\s+with)\b"),
    # NOTE: "after surgery", "during pregnancy": the setting a question is asked in, not an outcome.
    ("setting", "condition", r"\b(?:after|following|during|undergoing|before)\b"),
    ("comp", "comparator", r"\b(?:(?:better|worse|safer|more\s+\w+|less\s+\w+)\s+than|"
                           r"(?:superior|inferior|preferable)\s+to|than|versus|vs\.?|v\.|compared\s+(?:with|to)|"
                           r"in\s+comparison\s+(?:with|to)|relative\s+to|instead\s+of)(?!\w)"),
    ("outc", "outcome", rf"\b(?:{_OUTCOME_CUE})\b"),
    ("withcue", "intervention", r"\bwith\b"),
    ("bare", "condition", r"\b(?:for|in|among)\b"),
)
_CUES = re.compile("|".join(f"(?P<{g}>{p})" for g, _, p in _CUE_PARTS), re.I)
_CUE_SLOT: dict[str, Slot] = {g: s for g, s, _ in _CUE_PARTS}
INSTRUMENT_WORDS = 4  # NOTE: "pain scores" keeps the lexicon's "pain" and its synonyms; a named instrument is longer
_INSTRUMENT = re.compile(r"\b(?:scores?|scales?|measure|index|questionnaire|inventory)\b", re.I)
_SEPARATOR = re.compile(r"\s*(?:,|:|\x1f+|\band/or\b|\band\b|\bor\b)\s*", re.I)
_TOKEN = re.compile(r"\w[\w'’+/-]*", re.U)
_MASK = "\x1f"

# NOTE: trimmed only at phrase edges, so "the" inside a name survives.
TRIM = frozenset("""
a an the any some this that these those there it its they them their our my your his her
what which who whom how why when where whether is are was were be been being do does did can could should
would will may might must has have had shall show shows showed suggest suggests say says known about
evidence study studies trial trials data research literature published recent new current really actually
effect effects effective efficacious impact work works help helps benefit use using used taking take given
receiving also still of with to for on in by from as at more less most least than
increased reduced higher lower greater better worse significant significantly overall any good bad safe
useful helpful beneficial worthwhile role place
""".split())
# NOTE: a phrase made only of these names nobody in particular ("in patients with ...").
GENERIC = frozenset("patients people persons individuals subjects participants".split())
_FUNCTION_WORDS = TRIM | GENERIC | frozenset("""
among versus vs and or not no compared associated related linked after following during before undergoing
""".split())


def _slots(text: str) -> list[tuple[int, int, Slot]]:
    """Split masked question text into segments, each tagged with the slot its preceding cue opens."""
    segments: list[tuple[int, int, Slot]] = []
    slot: Slot = "lead"
    pos = 0
    for m in _CUES.finditer(text):
        group = m.lastgroup or "reset"
        segments.append((pos, m.start(), slot))
        slot = _CUE_SLOT[group]
        pos = m.end()
        if group == "popcue":
            segments.append((m.start("pop"), m.end("pop"), "population"))
            slot = "condition" if m.group("with") else "population"
    segments.append((pos, len(text), slot))
    return [s for s in segments if s[1] > s[0]]


def _phrases(text: str, start: int, end: int) -> list[Span]:
    """Return the trimmed phrase spans inside text[start:end], split at commas, 'and', 'or' and masks."""
    spans: list[Span] = []
    cuts = [(m.start() + start, m.end() + start) for m in _SEPARATOR.finditer(text[start:end])]
    bounds = [start, *[p for cut in cuts for p in cut], end]
    for lo, hi in zip(bounds[::2], bounds[1::2], strict=True):
        tokens = list(_TOKEN.finditer(text, lo, hi))
        while tokens and tokens[0].group().casefold() in TRIM:
            tokens.pop(0)
        # NOTE: a closing capital letter names ("vitamin A", "hepatitis B"); it is not the article "a".
        while tokens and tokens[-1].group().casefold() in TRIM and not (len(tokens) > 1 and tokens[-1].group() == "A"):
            tokens.pop()
        if all(t.group().isdigit() or t.group().casefold() in GENERIC for t in tokens):
            continue
        first, last = tokens[0].start(), tokens[-1].end()
        # NOTE: keep a closing bracket the phrase opened, so "IL-6 (ng/ml)" stays balanced.
        if text.count("(", first, last) > text.count(")", first, last) and text.startswith(")", last):
            last += 1
        spans.append((first, last))
    return spans


_SLOT_ROLE: dict[Slot, Role] = {"lead": "intervention", "intervention": "intervention", "comparator": "comparator",
                                "outcome": "outcome", "condition": "condition", "population": "population"}
_ROLE_TYPE: dict[Role, EntityType] = {"intervention": "intervention", "comparator": "intervention",
                                      "outcome": "outcome", "condition": "condition", "population": "population",
                                      "other": "other"}


def role_of(entity_type: EntityType, slot: Slot) -> Role:
    """Return the role of a typed term found in a slot of the question."""
    if entity_type == "intervention":
        return "comparator" if slot == "comparator" else "intervention"
    if entity_type == "condition":
        return "outcome" if slot == "outcome" else "condition"
    if entity_type in ("outcome", "population"):
        return entity_type
    # NOTE: an untyped term asked about first ("Does X reduce Y?") is what the question is about.
    return "intervention" if slot == "lead" else _SLOT_ROLE[slot]


def _slot_at(segments: list[tuple[int, int, Slot]], offset: int) -> Slot:
    return next((slot for s, e, slot in segments if s <= offset < e), "lead")


def _overlaps(span: Span, spans: Sequence[Span]) -> bool:
    return any(span[0] < e and s < span[1] for s, e in spans)


def _entities(question: str, masked: str, mentions: Sequence[MentionLike],
              masks: list[Span]) -> list[tuple[Span, QueryEntity]]:
    """Return entities (with their spans) from lexicon mentions, plus slot phrases no mention covers."""
    segments = _slots(masked)
    found: list[tuple[Span, QueryEntity]] = []
    spans: list[Span] = []
    # NOTE: "Patient Oriented Eczema Measure (POEM) Score" is a named instrument; the "eczema" inside it is not asked.
    for lo, hi in (p for start, end, slot in segments if slot == "outcome" for p in _phrases(masked, start, end)):
        if _INSTRUMENT.search(question, lo, hi) and len(question[lo:hi].split()) >= INSTRUMENT_WORDS:
            spans.append((lo, hi))
            found.append(((lo, hi), QueryEntity(text=question[lo:hi], role="outcome", name=question[lo:hi],
                                                type="outcome")))
    for m in mentions:
        if _overlaps((m.start, m.end), masks) or _overlaps((m.start, m.end), spans):
            continue
        spans.append((m.start, m.end))
        entity = QueryEntity(text=question[m.start : m.end], role=role_of(m.type, _slot_at(segments, m.start)),
                             name=m.name, type=m.type, normalized_id=m.normalized_id)
        found.append(((m.start, m.end), entity))
    for start, end, slot in segments:
        for lo, hi in _phrases(masked, start, end):
            if not _overlaps((lo, hi), spans):
                text, role = question[lo:hi], _SLOT_ROLE[slot]
                found.append(((lo, hi), QueryEntity(text=text, role=role, name=text, type=_ROLE_TYPE[role])))
    unique: dict[tuple[str, Role], tuple[Span, QueryEntity]] = {}
    for span, entity in sorted(found, key=lambda f: f[0]):
        unique.setdefault((entity.name.casefold(), entity.role), (span, entity))
    return _settings(_lead_acts(list(unique.values()), segments), segments)


Found = list[tuple[Span, QueryEntity]]


def _settings(found: Found, segments: list[tuple[int, int, Slot]]) -> Found:
    """Return the entities, a treatment named in a setting ("Costs for surgery", "pain after surgery") a condition
    when the question asks about another treatment: it says where the question is asked, not what is given."""
    def slot(span: Span) -> Slot:
        return _slot_at(segments, span[0])

    if not any(e.role == "intervention" and slot(span) in ("lead", "intervention") for span, e in found):
        return found
    return [(span, e.model_copy(update={"role": "condition"}) if e.role == "intervention" and slot(span) == "condition"
             else e) for span, e in found]


def _lead_acts(found: Found, segments: list[tuple[int, int, Slot]]) -> Found:
    """Return the entities, the first one asked about acting when nothing else does ("Can exercise stop X?")."""
    # NOTE: MeSH types Exercise as a phenomenon (an outcome); asked about first, with another outcome, it is acting.
    roles = [e.role for _, e in found]
    if "intervention" in roles or roles.count("outcome") < 2:
        return found
    at = next((i for i, (span, e) in enumerate(found)
               if e.role == "outcome" and _slot_at(segments, span[0]) == "lead"), None)
    if at is not None:
        span, e = found[at]
        found[at] = (span, e.model_copy(update={"role": "intervention"}))
    return found


def _terms(question: str, covered: Sequence[Span]) -> tuple[str, ...]:
    """Return the content words left outside entities and filters, casefolded, in order."""
    words: list[str] = []
    for t in _TOKEN.finditer(question):
        word = t.group().casefold()
        if _overlaps(t.span(), covered) or word in _FUNCTION_WORDS or word in words:
            continue
        if len(word) >= 3 or any(c.isdigit() for c in word):
            words.append(word)
    return tuple(words)


def parse_query(question: str, lexicon: TermFinder | None = None, *, today: date | None = None) -> Query:
    """Return the question parsed into role-tagged entities, year bounds, designs and leftover terms."""
    year_min, year_max, designs, masks = filters(question, today or date.today())
    masked = "".join(_MASK if _overlaps((i, i + 1), masks) else c for i, c in enumerate(question))
    known = [Mention(m.start, m.end, m.surface, m.name, m.type, m.normalized_id)
             for m in (lexicon.find(question) if lexicon is not None else ())]
    mentions = combinations(question, merge_mentions(lay_mentions(question), known))
    found = _entities(question, masked, mentions, masks)
    covered = [*masks, *(span for span, _ in found)]
    return Query(question=question, entities=tuple(e for _, e in found), terms=_terms(question, covered),
                 year_min=year_min, year_max=year_max, designs=designs)


def narrowed(query: Query, narrowing: Narrowing) -> Query:
    """Return the query under its own filters and the chosen ones: the later first year, the earlier last year;
    chosen designs replace those the question names (the user picked them on purpose)."""
    lows = [y for y in (query.year_min, narrowing.year_min) if y is not None]
    highs = [y for y in (query.year_max, narrowing.year_max) if y is not None]
    return query.model_copy(update={"year_min": max(lows, default=None), "year_max": min(highs, default=None),
                                    "designs": narrowing.designs or query.designs})
