"""The entities a sentence names: lexicon terms and PICO spans joined into one set of typed mentions.

A PICO span (the trained tagger's intervention, outcome or participants phrase) names the thing as the study writes
it ("severe exacerbations", "budesonide-formoterol as needed"); a lexicon term gives it a MeSH id. A span takes the
id of the one lexicon term of its own kind that makes up most of it. Ambiguous common words ("lead") count only
where the tagger or the context supports them, and combination products stay whole.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from ingest.nlp.entities import FUNCTION_WORDS, is_entity_name, supported, whole_product
from ingest.nlp.pico import PicoSpan
from kb.lexicon import Lexicon, Mention
from kb.terms import THINGS
from kb.models import EntityType

ROLE_OF: dict[str, EntityType] = {"I": "intervention", "O": "outcome", "P": "population"}
# NOTE: a tagged span listing the compared arms ("A or B", "A versus B") is cut into its arms.
_ARMS_JOINED = re.compile(r"\s+(?:or|versus|vs\.?|v\.|compared\s+(?:with|to)|than)\s+|\s*[;,]\s+(?:or\s+)?"
                          # NOTE: "an autogenous tricortical bone graft and group II": the next arm's label.
                          r"|\s+and\s+(?=(?:group|arm)\s+(?:[A-H]|I{1,3}|IV|[1-4])\b)", re.I)
_LABEL_ONLY = re.compile(r"(?:group|arm)\s+(?:[A-H]|I{1,3}|IV|[1-4])", re.I)
_PLACEBO = re.compile(r"(?:placebo|sham|vehicle|saline|control)s?$", re.I)
HEAD_SHARE = 0.6  # NOTE: how much of a span one lexicon term must cover to lend it its MeSH id
# NOTE: words a tagged span picks up from the finding around it ("lower HbA1c", "significantly improved pain").
_LEADING = re.compile(r"(?:(?:significantly|statistically|markedly|slightly|greater|higher|lower|less|more|fewer|"
                      r"reduced|increased|decreased|improved|better|worse|elevated|similar|mean|median|the|a|an|"
                      r"total|overall)\s+)+", re.I)
# NOTE: words that name a change; an outcome is what changed ("reduction of migraine days" measured migraine days).
CHANGE_NOUNS = r"(?:decrease|reduction|decline|drop|fall|increase|rise|improvement|gain)s?"
_CHANGE_LEAD = re.compile(rf"(?:{CHANGE_NOUNS}|changes?)\s+(?:of|in)\s+(?:the\s+)?", re.I)
# NOTE: an arm label or a preposition the tagger took in front of an intervention ("Group B with oral metoprolol").
_ARM_LEAD = re.compile(r"(?:(?:group|arm)\s+)?(?:[A-H]|[1-4])\s+(?:with|received|receiving)\s+|(?:with|of|to|for|by|on)\s+"
                       r"|(?:placebo|sham|vehicle)\s+(?:plus|\+|and|with)\s+", re.I)
# NOTE: a tagged span never runs over a verb ("adverse reactions included nausea"): it ends before it.
_VERB = re.compile(r"\s(?:was|were|is|are|had|has|have|included|includes|including|showed|shows|remained|occurred|"
                   r"consisted|did|does|do|could|would|should|may|might|compared|versus|vs|than|fell|rose|declined|"
                   r"increased|decreased|reduced|improved|worsened|differed|changed|tend|tends|tended|seemed|"
                   r"appeared)\b", re.I)
# NOTE: "the insulin group" names an arm, whatever label the tagger gave it; the arm is the words before "group".
_ARM_NOUN = re.compile(r"\s+(?:group|arm|cohort)s?$", re.I)
# NOTE: the code that finishes a substance's name, which the tagger leaves off: "coenzyme Q10", "vitamin B12", "D3".
_CODE_AFTER = re.compile(r"[ \t]+[A-Z]{1,2}\d{1,3}(?![\w-])|(?<=vitamin)[ \t]+[A-K]\d?(?![\w-])", re.I)
# NOTE: the lower-case noun after a one-word outcome ("replacement therapy"), not an adverb or a participle.
_NOUN_AFTER = re.compile(r"[ \t]+(?!(?:groups?|arms?|cohorts?|analys[ie]s|suggests?|indicates?|shows?|remains?|"
                         r"seems?|appears?|occurs?|differs?|supports?|means?)\b)"
                         r"([a-z]{3,}(?<!ly)(?<!ed)(?<!ing)(?<!able)(?<!ible))(?![\w-])(?![ \t]*/)")
# NOTE: "rate" in "rate ratio" names a statistic, not an outcome.
_STATISTIC_AFTER = re.compile(r"\s*(?:ratios?|differences?)\b", re.I)


def mask_brackets(sentence: str) -> str:
    """Return the sentence with text inside brackets blanked (same length), so cues in statistics are ignored."""
    out, depth = [], 0
    for ch in sentence:
        depth = max(depth - (ch in ")]"), 0)
        out.append(" " if depth and ch not in "([" else ch)
        depth += ch in "(["
    return "".join(out)


def merge_compounds(text: str, mentions: list[Mention]) -> list[Mention]:
    """Return mentions with interventions joined by "-", "/", "+" or "plus" merged into one (budesonide-formoterol)."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        glue = text[prev.end : m.start] if prev else ""
        # NOTE: "placebo plus X" is the control arm's name, not a combination product.
        joinable = prev is not None and prev.type == m.type == "intervention" and not any(
            _PLACEBO.match(x.surface) for x in (prev, m))
        if prev and joinable and re.fullmatch(r"\s*(?:[-/+]|plus)\s*", glue):
            out[-1] = Mention(prev.start, m.end, text[prev.start : m.end], text[prev.start : m.end], "intervention")
        else:
            out.append(m)
    return out


def _pieces(text: str, span: PicoSpan, offset: int) -> list[tuple[int, int]]:
    """Return the sentence-relative pieces of a tagged span, cut at the words that join compared arms."""
    lo, hi = span.start - offset, span.end - offset
    if span.label != "I":
        return [(lo, hi)]
    out, at = [], lo
    for m in _ARMS_JOINED.finditer(text, lo, hi):
        out.append((at, m.start()))
        at = m.end()
    return [p for p in (*out, (at, hi)) if p[1] > p[0]]


def _cleaned(text: str, lo: int, hi: int, role: EntityType) -> tuple[int, int, EntityType]:
    """Return a tagged piece trimmed of punctuation and finding words; an arm ("X group") becomes intervention X."""
    piece = text[lo:hi]
    stripped = piece.strip(" ,;:.")
    lo, hi = lo + piece.find(stripped), lo + piece.find(stripped) + len(stripped)
    if lead := _LEADING.match(text, lo, hi):
        lo = lead.end()
    if role == "outcome" and (change := _CHANGE_LEAD.match(text, lo, hi)):
        lo = change.end()
    if role == "intervention" and (arm := _ARM_LEAD.match(text, lo, hi)):
        lo = arm.end()
    if verb := _VERB.search(text, lo, hi):
        hi = verb.start()
    if role == "outcome" and ", " in text[lo:hi]:
        hi = lo + text[lo:hi].index(", ")  # NOTE: a list of outcomes is not one outcome; its first item is
    if (arm := _ARM_NOUN.search(text, lo, hi)) and arm.start() > lo:
        return lo, arm.start(), "intervention"
    if role == "intervention" and (code := _CODE_AFTER.match(text, hi)):
        hi = code.end()  # NOTE: "coenzyme" alone is not the supplement; "coenzyme Q10" is
    return lo, hi, role


def _finished(text: str, lo: int, hi: int, others: Sequence[tuple[int, int]]) -> int:
    """Return the end of a one-word outcome the tagger stopped one word short ("daily" of "daily steps"), unless the
    next word belongs to another span or intervention ("irradiated allografts")."""
    noun = _NOUN_AFTER.match(text, hi) if " " not in text[lo:hi] else None
    if noun is None or noun.group(1).casefold() in FUNCTION_WORDS or _VERB.match(text, hi):
        return hi
    return hi if any(a < noun.end() and hi < b for a, b in others) else noun.end()


def _compatible(kind: EntityType, role: EntityType) -> bool:
    """Return whether a lexicon term of one kind can name a span of a role (a condition can be an outcome)."""
    return kind == role or (role == "outcome" and kind == "condition")


def _tagged(text: str, masked: str, spans: Sequence[PicoSpan], offset: int,
            lexical: Sequence[Mention]) -> list[Mention]:
    """Return the tagged spans inside the sentence as mentions, each with the MeSH id of its head term if any."""
    out: list[Mention] = []
    for span in spans:
        for lo, hi in _pieces(text, span, offset):
            lo, hi, role = _cleaned(text, lo, hi, ROLE_OF[span.label])
            others = [(m.start, m.end) for m in lexical if m.type == "intervention"]
            others += [(o.start - offset, o.end - offset) for o in spans if o is not span]
            hi = _finished(text, lo, hi, others) if role == "outcome" else hi
            if role == "intervention" and (measured := MEASURED_AFTER.match(text, hi)):
                hi, role = measured.end(), "outcome"
            surface = text[lo:hi]
            if not surface or masked[lo] == " " or not is_entity_name(surface) or _STATISTIC_AFTER.match(text, hi):
                continue
            if _LABEL_ONLY.fullmatch(surface):
                continue  # NOTE: "group II" alone is a label; what the group received is named elsewhere
            inside = [m for m in lexical if lo <= m.start and m.end <= hi]
            if any(not _compatible(m.type, role) and m.type in ("intervention", "outcome") for m in inside):
                continue  # NOTE: a span holding a term of the other kind is a run-on; the terms speak instead
            heads = [m for m in inside if _compatible(m.type, role)]
            head = heads[0] if len(heads) == 1 and heads[0].end - heads[0].start >= HEAD_SHARE * (hi - lo) else None
            out.append(Mention(lo, hi, surface, head.name if head else surface, role,
                               head.normalized_id if head else None))
    return out


# NOTE: nouns that make a condition or a measure into an outcome phrase ("disease control rate", "pain scores").
_HEAD_NOUNS = ("rate", "rates", "response", "responses", "score", "scores", "level", "levels", "control", "activity",
               "severity", "symptoms", "symptom", "index", "count", "counts", "concentration", "concentrations",
               "duration", "incidence", "frequency", "time", "times", "survival",
               "status", "scale", "function", "values",
               "value", "volume", "pressure", "intensity", "events", "episodes", "recurrence", "remission",
               "exacerbations", "exacerbation", "attacks", "attack", "admissions", "hospitalizations",
               "hospitalisations", "relapses", "relapse", "flares", "complications", "mortality", "deaths")
# NOTE: words that say which events of an outcome count ("severe exacerbations", "all-cause mortality").
_QUALIFIER = re.compile(r"(?:(?:severe|serious|major|minor|moderate|mild|acute|chronic|first|recurrent|new|incident|"
                        r"fatal|non-?fatal|all-cause|total|nocturnal|daytime)[ \t]+)+$", re.I)
# NOTE: devices and tissues whose survival, failure or patency an outcome can be ("filter survival times").
_THING_BEFORE = re.compile(rf"\b{THINGS}[ \t]+$", re.I)
_NEXT = re.compile(r"[ \t]+([A-Za-z][\w-]*)")
_OF_PHRASE = re.compile(r"[ \t]+(?:of|to)[ \t]+((?:[A-Za-z][\w/-]*[ \t]*){1,5}?)(?=[ \t]*(?:[,;:.()\[\]]|(?:was|were|is|are|"
                        r"in|with|between|among|compared|than|versus|vs|at|after|during|for|and|or|by|from|over|"
                        r"within|reduced|increased|decreased|lower|higher)\b)|[ \t]*$)", re.I)
_MEASURES = ("rate", "rates", "percentage", "proportion", "number", "incidence", "risk", "duration", "time",
             "level", "levels", "score", "scores", "change", "frequency", "severity", "odds", "prevalence")


def _extended(text: str, m: Mention) -> Mention:
    """Return an outcome or condition mention widened over the nouns that finish its phrase, as an outcome."""
    end = m.end
    while (nxt := _NEXT.match(text, end)) and nxt.group(1).casefold() in _HEAD_NOUNS:
        end = nxt.end()
    last = text[m.start : end].split()[-1].casefold()
    if last in _MEASURES and (of := _OF_PHRASE.match(text, end)):
        end = of.end(1) - (len(of.group(1)) - len(of.group(1).rstrip()))
    start = m.start - len(q.group()) if (q := _QUALIFIER.search(text, 0, m.start)) else m.start
    if thing := _THING_BEFORE.search(text, 0, start):
        start = thing.start()  # NOTE: "filter survival" is the device's survival, not the patients
    if (start, end) == (m.start, m.end):
        return m
    return Mention(start, end, text[start:end], text[start:end], "outcome", None)


def sentence_mentions(text: str, offset: int, lexicon: Lexicon, spans: Sequence[PicoSpan]) -> list[Mention]:
    """Return the mentions of a sentence starting at `offset` in its document: tagged spans first, then lexicon
    terms they do not cover; none inside brackets, none that is only an ambiguous word, in text order."""
    masked = mask_brackets(text)
    inside = [s for s in spans if offset <= s.start and s.end <= offset + len(text)]
    local = [PicoSpan(s.start - offset, s.end - offset, s.label, s.score) for s in inside]
    lexical = [m for m in lexicon.find(text) if masked[m.start : m.end] == m.surface
               and supported(text, m.start, m.end, local)]
    lexical = [_measured(text, m) or _whole(text, m) if m.type == "intervention" else m for m in lexical]
    tagged = _tagged(text, masked, inside, offset, lexical)
    rest = [m for m in lexical if not any(t.start < m.end and m.start < t.end for t in tagged)]
    found = [_extended(text, m) if m.type in ("outcome", "condition") else m
             for m in [*tagged, *merge_compounds(text, rest)]]
    kept: list[Mention] = []
    for m in sorted(found, key=lambda m: (m.start, -m.end)):
        if not kept or m.start >= kept[-1].end:  # NOTE: a widened phrase swallows the mentions it now covers
            kept.append(m)
    return kept


# NOTE: a substance followed by what is measured of it is an outcome ("mixed venous oxygen saturation").
MEASURED_AFTER = re.compile(r"[ \t]+(?:saturation|levels?|concentrations?|consumption|uptake|tension|content|"
                            r"requirements?|extraction|excretion|secretion|clearance|delivery|balance|"
                            r"presentation)\b", re.I)


def _measured(text: str, m: Mention) -> Mention | None:
    """Return an intervention term with the measure after it as an outcome mention ("oxygen saturation"), else None."""
    after = MEASURED_AFTER.match(text, m.end)
    return None if after is None else Mention(m.start, after.end(), text[m.start : after.end()],
                                              text[m.start : after.end()], "outcome", None)


def _whole(text: str, m: Mention) -> Mention:
    """Return an intervention mention widened to the whole combination product it belongs to."""
    lo, hi = whole_product(text, m.start, m.end)
    if (lo, hi) == (m.start, m.end):
        return m
    return Mention(lo, hi, text[lo:hi], text[lo:hi], "intervention", None)


def short_forms(text: str, found: Sequence[Mention], defined: Mapping[str, str], lexicon: Lexicon) -> list[Mention]:
    """Return mentions of the abbreviations a document defines ("FPG") where no mention covers them yet, typed
    and named by their long form ("fasting plasma glucose") when the lexicon knows it."""
    out: list[Mention] = []
    for short, long in defined.items():
        known = [m for m in lexicon.find(long) if m.end - m.start >= HEAD_SHARE * len(long)]
        if len(known) != 1 or known[0].type not in ROLE_OF.values() and known[0].type != "condition":
            continue
        for m in re.finditer(rf"(?<![\w-]){re.escape(short)}(?![\w-])", text):
            if not any(f.start < m.end() and m.start() < f.end for f in (*found, *out)):
                out.append(Mention(m.start(), m.end(), short, long, known[0].type, known[0].normalized_id))
    return out
