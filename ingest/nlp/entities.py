"""Entity-name validity: fragments and function words are never entities, ambiguous common words need support,
and combination products stay whole."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

FUNCTION_WORDS = frozenset("""
a an the this that these those such some any each every both either neither all no none other another
of in on at by for from to with without within into onto upon over under about above below between among
through during before after since until than versus vs via per plus as like unlike despite toward towards
and or but nor so yet if then whether while whereas because although though when where which who whom whose
what how why
i we you he she it they me us him her them my our your his its their mine ours yours theirs itself themselves
is are was were be been being am do does did done have has had having can could may might must shall should
will would not also only even just more most less least very much many few several same further
there here thus hence however therefore moreover furthermore
""".split())

# NOTE: words that open sentences and get picked as subjects, but name no intervention, outcome or population; a
# change word alone names the change, not what changed ("CVD risk decreased" has no outcome "decreased"); and what
# qualifies a name ("consumption" of "Yogurt consumption", "exposure" of "person-years of exposure") names nothing.
_NOT_NAMES = frozenset("""
following achieving using including compared comparing regarding according considering concerning given
based results result conclusions conclusion background methods method objective objectives aim aims
purpose design setting settings participants interventions intervention outcome outcomes measurements
findings importance introduction discussion summary abstract trial study studies analysis data
upper lower north south east west left right high low early late total mean median overall
first second third last final initial baseline overall higher lower greater fewer
patients subjects group groups arm arms control controls treatment treatments therapy
table figure fig mild moderate severe poor fair good excellent
increased decreased reduced improved elevated lowered raised declined increase decrease reduction improvement
increases decreases reductions improvements decline benefit human humans eye eyes
consumption intake supplementation administration usage use exposure correction adjustment gain gains
care management model programme program services
rct rcts envelope envelopes codes iv oral intravenous venous arterial topical systemic local
post-treatment pre-treatment posttreatment pretreatment post-intervention pre-intervention follow-up
""".split())

# NOTE: phrase openings that make a clause, not a name ("it seems possible that …", "there was …").
_CLAUSE_START = re.compile(
    r"(?:it|there|this|these|those|we|they|our|one|here)\b|"
    r"(?:in|on|at|by|for|with|from|to|of|as|after|before|during|among|compared|versus|vs)\b",
    re.IGNORECASE,
)
# NOTE: statistics and units are not names ("95% CI", "P < 0.05", "mg/kg").
_STAT_WORDS = frozenset("ci p n or rr hr sd se sem iqr mg kg g ml l mmol mmhg vs".split())
MAX_NAME_WORDS = 10
_EFFECT_WORDS = frozenset("interaction treatment main effect effects difference differences hazard odds ratio ratios "
                          "relative".split())
# NOTE: "mg/m2", "µg/kg/min": a dose's unit, never a name.
_UNIT = re.compile(r"(?:mg|µg|μg|mcg|ng|g|kg|ml|l|iu|u|mmol|m2|h|hr|d|day|min)(?:/(?:mg|g|kg|ml|l|m2|h|hr|d|day|min|"
                   r"dose))+")

# NOTE: lexicon terms that are also common English words; each counts only with support (a PICO span or a
# context that names the thing). "lead" the metal vs "did not lead to".
AMBIGUOUS = {
    "lead": re.compile(r"\b(?:blood|serum|plasma|bone|dentine)\s+lead\b|\blead\s+(?:level|concentration|"
                       r"exposure|poisoning|toxicity|intoxication|chelation|burden|content|paint|acetate|"
                       r"nitrate)s?\b|\blead\s*\(pb\)|\bpb\b", re.IGNORECASE),
    "iron": None, "zinc": None, "copper": None, "gold": None, "silver": None,
    "mercury": None, "tin": None, "arsenic": None,
    "cold": None, "light": None, "rest": None, "play": None, "work": None, "support": None, "exercise": None,
    "counseling": None, "sleep": None, "smoking": None, "walking": None, "running": None, "music": None,
    "touch": None, "pressure": None, "heat": None, "ice": None, "water": None, "fat": None, "sugar": None,
    "control": None, "training": None, "feeding": None, "diet": None, "mask": None, "needle": None,
}
# NOTE: "did not lead to", "may lead", "lead to": the verb, read off the mention's own neighbours only.
_VERB_BEFORE = re.compile(r"\b(?:not|may|might|can|could|will|would|did|does|do|to|which|that|also)\s+$", re.IGNORECASE)
_VERB_AFTER = re.compile(r"\s+(?:to|into)\b", re.IGNORECASE)

_JOINED = re.compile(r"\s*(?:[-/–+]|\bplus\b|\bcombined with\b|\bin combination with\b)\s*", re.IGNORECASE)
_NEXT_WORD = re.compile(r"[\w][\w'’]*(?:[-/][\w]+)*")
# NOTE: "aspirin-treated", "placebo-controlled": a joined word that describes, not a second product.
_NOT_PRODUCT = frozenset("""treated controlled based induced related associated free containing naive resistant only
alone like type dependent sensitive exposed matched adjusted day days week weeks month months year years dose doses
group groups arm arms placebo placebos sham vehicle saline""".split())


class Span(Protocol):
    """Anything with a document span and a PICO label (ingest.nlp.pico.PicoSpan fits)."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def label(self) -> str: ...


# NOTE: "changes in the HIIT group were much higher" holds a whole finding, not the name of an outcome.
_FINDING_INSIDE = re.compile(r"\b(?:was|were)\s+(?:much\s+|significantly\s+|slightly\s+|not\s+)?(?:higher|lower|"
                             r"greater|smaller|more|less|increased|decreased|reduced|improved|similar|different)\b",
                             re.I)
# NOTE: "decreased more rapidly than ...": an adverb alone names nothing ("family" or "anomaly" are not adverbs).
_ADVERB = re.compile(r"^[a-z]+(?:ed|ive|ful|ous|ant|ent|ic|al|id|ear|ick|ow|igh|ight|ong|ate|less|ble)ly$|^[a-z]+ibly$")


def is_entity_name(text: str) -> bool:
    """Return whether text can name an intervention, outcome, condition or population (not a fragment,
    function word, pronoun, clause, section heading or bare number)."""
    name = " ".join(text.split()).strip(" ,.;:")
    words = re.findall(r"[\w'’]+(?:[-/][\w'’]+)*", name)
    if not words or not any(c.isalpha() for c in name) or len(words) > MAX_NAME_WORDS:
        return False
    folded = [w.casefold() for w in words]
    # NOTE: a closing capital letter is a label ("Drug A", "group B"), not the article "a".
    last_is_label = len(words) > 1 and len(words[-1]) == 1 and words[-1].isupper()
    if _CLAUSE_START.match(name) or _FINDING_INSIDE.search(name) or all(w in FUNCTION_WORDS for w in folded) or (
            folded[-1] in FUNCTION_WORDS and not last_is_label):
        return False
    if len(words) == 1 and (folded[0] in _NOT_NAMES or folded[0] in FUNCTION_WORDS or _ADVERB.match(folded[0])):
        return False
    if all(w in _STAT_WORDS or not any(c.isalpha() for c in w) or _UNIT.fullmatch(w) for w in folded):
        return False
    if all(w in _EFFECT_WORDS for w in folded):
        return False  # NOTE: "interaction effect", "hazard ratio": what a statistic measures, not an outcome
    letters = sum(c.isalpha() for c in name)
    return letters >= 2 and not (len(words) == 1 and len(name) < 2)


def is_ambiguous(term: str) -> bool:
    """Return whether a lexicon term is also a common English word that needs support to count."""
    return term.casefold() in AMBIGUOUS


def supported(text: str, start: int, end: int, spans: Sequence[Span] = ()) -> bool:
    """Return whether the mention text[start:end] counts as an entity: unambiguous terms always do; an ambiguous
    common word only inside a PICO span or in a context that names the thing, and never in its verb use."""
    term = text[start:end].casefold()
    if term not in AMBIGUOUS:
        return True
    window = text[max(start - 40, 0) : end + 40]
    if term == "lead" and (_VERB_BEFORE.search(text[max(start - 20, 0) : start]) or _VERB_AFTER.match(text, end)):
        return False
    context = AMBIGUOUS[term]
    if context is not None and context.search(window):
        return True
    return any(s.start <= start and end <= s.end for s in spans)


def whole_product(text: str, start: int, end: int) -> tuple[int, int]:
    """Return the span of text[start:end] widened to the whole combination product it belongs to
    ("budesonide-formoterol", "budesonide/formoterol", "budesonide plus formoterol")."""
    while True:
        joint = _JOINED.match(text, end)
        nxt = _NEXT_WORD.match(text, joint.end()) if joint and joint.end() > end else None
        word = nxt.group().casefold() if nxt else ""
        if nxt is None or word in FUNCTION_WORDS or word in _NOT_PRODUCT or not word[:1].isalpha():
            break
        end = nxt.end()
    while True:
        before = text[:start]
        m = re.search(r"([\w][\w'’]*)(\s*(?:[-/–+]|\bplus\b|\bcombined with\b|\bin combination with\b)\s*)$",
                      before, re.IGNORECASE)
        word = m.group(1).casefold() if m else ""
        if m is None or word in FUNCTION_WORDS or word in _NOT_PRODUCT or not word[:1].isalpha():
            break
        start = m.start(1)
    return start, end
