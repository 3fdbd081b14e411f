"""The arms of the study a document reports, so that "the intervention group" and "the control group" have names.

The main intervention is the one the document names most often (the title counts twice), if it clearly leads;
the control is what the document calls its comparison (placebo, usual care, ...). When the document does not make
its arms clear, generic arm words stay unresolved and no claim is read from them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from kb.lexicon import Mention

_I = re.IGNORECASE
ACTIVE = re.compile(r"^(?:the\s+|both\s+)?(?:intervention|treatment|treated|experimental|active|study|verum|test)"
                    r"(?:\s+(?:group|arm|condition|cohort)s?)$", _I)
# NOTE: only words that do not say what the control got; "placebo" or "sham" already name it.
CONTROL = re.compile(r"^(?:the\s+)?(?:controls?|comparison|comparator|reference)(?:\s+(?:group|arm|condition|cohort)s?)?$",
                     _I)
# NOTE: names of comparisons, never a study's main intervention.
NOT_ACTIVE = re.compile(r"^(?:placebo|control|controls|usual care|standard care|routine care|sham|saline|vehicle|"
                        r"no treatment|standard treatment|conventional treatment|wait-?lists?|waiting lists?|"
                        r"no intervention|attention control|tau|treatment as usual)s?$"
                        # NOTE: a design ("RCT of optimised anaesthesia") or a stage ("Stage IV") names no arm.
                        r"|^(?:rcts?|trials?|stud(?:y|ies)|iv|iii|ii)$", _I)
# NOTE: words that name a kind of treatment, not one of a study's arms.
GENERIC = re.compile(r"^(?:chemotherapy|treatments?|care|therap(?:y|ies)|programmes?|programs?|prescriptions?|"
                     r"interventions?|drugs?|medications?|regimens?|surgery|an(?:a)?esthesia)$", _I)
# NOTE: "A versus B" sets two arms against each other; "A with B" or "A or B" only after "comparing" or "either"
# ("counselling on GWG with ..." does not make weight gain an arm).
COMPARING = re.compile(r"\b(?:versus|vs\b\.?|compared\s+(?:with|to)|than)\b", _I)
LEADING = re.compile(r"\b(?:comparing|compared?|comparison\s+of|between|either)\b[^.;]*$", _I)
JOINING = re.compile(r"\b(?:with|and|or|to)\b", _I)
LEAD = 1.5  # NOTE: how far the most named intervention must lead the next to be the study's


# NOTE: "Group A received clonidine", "group B (n = 20) was given metoprolol", "the clonidine group (group A)".
LABEL = r"(?:group|arm)\s+(?P<label>[A-H]|[1-4]|I{1,3}|IV)\b"
GIVEN = re.compile(LABEL + r"(?:[^.;]{0,60}?\b(?:received|receiving|was given|were given|treated with|took|got|"
                   r"consisted of|assigned to|allocated to|randomi[sz]ed to|premedicated with|pretreated with)|"
                   r"\s+with)\s", _I)
NAMED_AFTER = re.compile(r"\s*\(\s*" + LABEL + r"\s*\)", _I)


def intervention_key(normalized_id: str | None, surface: str) -> str:
    """Return what identifies an intervention across a document: its MeSH id, else its folded surface."""
    return normalized_id or re.sub(r"[‐‑–—]", "-", " ".join(surface.casefold().split()))


@dataclass(frozen=True)
class Arms:
    """The study's main intervention (a mention naming it), how the document names its control, the interventions
    its labelled arms ("group A", "arm 2") stand for, and the two arms of a head-to-head study (`pair`)."""

    active: Mention | None = None
    control: str | None = None
    labels: tuple[tuple[str, Mention], ...] = ()
    # NOTE: only ever read for results that are the same either way round ("no difference between the groups").
    pair: tuple[Mention, Mention] | None = None

    def labelled(self, label: str) -> Mention | None:
        """Return the intervention of an arm label ("A", "2"), if the document says which it is."""
        return next((m for key, m in self.labels if key == label.upper()), None)


def arm_labels(texts: Sequence[str], mentions: Sequence[Sequence[Mention]]) -> tuple[tuple[str, Mention], ...]:
    """Return what each labelled arm received, from the first sentence that says so."""
    found: dict[str, Mention] = {}
    for text, ms in zip(texts, mentions, strict=True):
        drugs = [m for m in ms if m.type == "intervention"]
        for m in GIVEN.finditer(text):
            after = next((d for d in drugs if d.start >= m.end()), None)
            if after is not None:
                found.setdefault(m["label"].upper(), after)
        for d in drugs:
            if (m := NAMED_AFTER.match(text, d.end)) or (m := NAMED_AFTER.match(text, d.end + len(" group"))):
                found.setdefault(m["label"].upper(), d)
    return tuple(sorted(found.items()))


def study_arms(mentions: Sequence[Sequence[Mention]], title: Sequence[Mention] = (),
               texts: Sequence[str] = (), given: frozenset[str] | None = None,
               defined: Mapping[str, str] | None = None) -> Arms:
    """Return the arms from every sentence's mentions (and the title's, counted twice); `given` holds the keys of
    the interventions the study gives (None: not known), which its main intervention and the two arms of a
    head-to-head study must be; `defined` maps the document's abbreviations to their long forms, one intervention."""
    counts: Counter[str] = Counter()
    first: dict[str, Mention] = {}
    for m in [*title, *title, *(m for ms in mentions for m in ms)]:
        if m.type != "intervention":
            continue
        key = m.surface.casefold()
        # NOTE: a study's intervention is something it gives: "MRI" named twice in a trial of lisinopril is not.
        if NOT_ACTIVE.match(key) or (given is not None and intervention_key(m.normalized_id, m.surface) not in given):
            continue
        counts[key] += 1
        first.setdefault(key, m)
    merged = _merged(Counter({k: n for k, n in counts.items() if not GENERIC.match(k)}), defined or {})
    ranked = merged.most_common(2)
    clear = ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[0][1] >= LEAD * ranked[1][1])
    clear = clear and _titled(ranked[0][0], title, defined or {})
    labels = arm_labels(texts, mentions) if texts else ()
    control = _control(mentions, texts)
    # NOTE: a study with a control, or with more than two labelled arms, is not a comparison of two treatments.
    pair = None if control or len(labels) > 2 else _head_to_head(counts, first, given or frozenset(), texts,
                                                                        defined or {})
    return Arms(first[ranked[0][0]] if clear else None, control, labels, pair)


def _titled(name: str, title: Sequence[Mention], defined: Mapping[str, str]) -> bool:
    """Return whether a title that names interventions names this one (or its abbreviation's long form): a drug the
    body names most but the title leaves out ("dexamethasone" as premedication) is not what the study tests."""
    named = {m.surface.casefold() for m in title if m.type == "intervention" and not GENERIC.match(m.surface)}
    forms = {name, *(v.casefold() for k, v in defined.items() if k.casefold() == name),
             *(k.casefold() for k, v in defined.items() if v.casefold() == name)}
    return not named or any(f in t or t in f for f in forms for t in named)


def _merged(counts: Counter[str], defined: Mapping[str, str]) -> Counter[str]:
    """Return the counts with the names of one intervention added up under its most named one: a name inside
    another ("exercise" in "aerobic exercise") and an abbreviation with its long form ("CoQ10", "coenzyme Q10")."""
    long_of = {short.casefold(): " ".join(long.casefold().split()) for short, long in defined.items()}
    out: Counter[str] = Counter()
    for name, n in counts.most_common():
        forms = {name, long_of.get(name, name)}
        same = next((k for k in out for f in forms for g in {k, long_of.get(k, k)}
                     if re.search(rf"(?<!\w){re.escape(g)}(?!\w)", f) or re.search(rf"(?<!\w){re.escape(f)}(?!\w)", g)),
                    name)
        out[same] += n
    return out


def _head_to_head(counts: Counter[str], first: dict[str, Mention], given: frozenset[str],
                  texts: Sequence[str], defined: Mapping[str, str]) -> tuple[Mention, Mention] | None:
    """Return the two arms of a study that compares two treatments: the two interventions it gives that it names
    most (a name inside another counts for it: "ibandronate" for "ibandronate/PSP"), when both are named at least
    twice, a third clearly trails the second, and a sentence sets the two against each other."""
    merged = _merged(Counter({name: n for name, n in counts.items() if not GENERIC.match(name)
                              and intervention_key(first[name].normalized_id, first[name].surface) in given}), defined)
    ranked = merged.most_common(3)
    if len(ranked) < 2 or ranked[1][1] < 2 or (len(ranked) == 3 and ranked[1][1] < LEAD * ranked[2][1]):
        return None
    a, b = first[ranked[0][0]], first[ranked[1][0]]
    return (a, b) if any(_compares(t, a.surface, b.surface) for t in texts) else None


def _compares(text: str, a: str, b: str) -> bool:
    """Return whether a sentence sets two treatments against each other: "A versus B", "B compared with A", or
    "comparing A with B", "either A or B"."""
    at = [m.start() for name in (a, b) for m in [re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text, _I)] if m]
    if len(at) < 2 or abs(at[0] - at[1]) > 150:
        return False
    lo, hi = sorted(at)
    if COMPARING.search(text, lo, hi):
        return True
    return LEADING.search(text[max(0, lo - 80) : lo]) is not None and JOINING.search(text, lo, hi) is not None


ABSTRACT_SENTENCES = 20  # NOTE: up to this many sentences a document is an abstract, which may name its control once


# NOTE: saline or a vehicle is also what devices are cooled with and drugs dissolved in ("perfusing chilled 0.9%
# isotonic saline in the electrodes"); it is the control only where the document gives it as an arm.
_CARRIER = re.compile(r"^(?:normal\s+|isotonic\s+)?(?:saline|vehicle)$", _I)
_CARRIER_ARM = re.compile(r"\b(?:saline|vehicle)\s+(?:\w+\s+)?(?:group|arm|control|placebo)s?\b"
                          r"|\b(?:placebo|control)\s*[(:,]?\s*(?:\w+\s+)?(?:saline|vehicle)\b"
                          r"|\b(?:receiv\w*|given|randomi[sz]ed\s+to|allocated\s+to|assigned\s+to)\s+"
                          r"(?:[\w.%-]+\s+){0,3}?(?:saline|vehicle)\b", _I)


def _control(mentions: Sequence[Sequence[Mention]], texts: Sequence[str] = ()) -> str | None:
    """Return how the document names its comparison arm, when it names one (a full text names its own control more
    than once: "placebo" said once in a sorafenib-versus-capecitabine trial was another trial's arm)."""
    said = Counter(m.surface.casefold() for ms in mentions for m in ms if NOT_ACTIVE.match(m.surface.casefold()))
    if texts and any(_CARRIER.match(name) for name in said) and not any(_CARRIER_ARM.search(t) for t in texts):
        said = Counter({name: n for name, n in said.items() if not _CARRIER.match(name)})
    if not said:
        return None
    name, n = said.most_common(1)[0]
    return name if n >= 2 or len(mentions) <= ABSTRACT_SENTENCES else None


LABELLED = re.compile(LABEL, _I)


def is_control(name: str) -> bool:
    """Return whether a name is a comparison arm (placebo, sham, usual care, the control group), never a subject."""
    name = " ".join(name.split())
    return bool(NOT_ACTIVE.match(name) or CONTROL.match(name))


def generic_arm(phrase: str) -> str | None:
    """Return 'active' or 'control' when a phrase is a generic arm name ("the intervention group"), else None."""
    phrase = " ".join(phrase.split())
    if ACTIVE.match(phrase):
        return "active"
    return "control" if CONTROL.match(phrase) else None
