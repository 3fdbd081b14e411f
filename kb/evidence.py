"""Which cited claims answer the question: intervention and outcome matched, each study counted once.

A claim counts only when its intervention and its outcome match the question's (under synonyms and
abbreviations); everything else retrieved is a related passage with the reason it is not counted: another
intervention or outcome, the condition asked about standing in for an outcome, a review, or a result restated
from another study of the knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from kb.answers import CitedClaim, Query, QueryEntity
from kb.claims import Claim, Scope
from kb.grade import MECHANISTIC
from kb.models import Entity, StudyDesign
from kb.abbrev import expand
from kb.terms import STOP, THINGS, content_words, core, covers_any, normalize, occurs, occurs_any

# NOTE: a narrative review or guideline restates studies; what it says is shown, never counted as a study.
NOT_PRIMARY: frozenset[StudyDesign] = frozenset({"review", "guideline"})
SUBGROUP: frozenset[Scope] = frozenset({"subgroup", "post_hoc", "within_group"})
CONTROLS = ("placebo", "usual care", "standard care", "standard of care", "no treatment", "no intervention", "sham",
            "vehicle", "waiting list", "waitlist", "standard therapy", "conventional therapy", "control")
# NOTE: how an outcome is measured, not what it is: "annualised rate of severe exacerbations" is severe exacerbations.
_MEASURE = frozenset(words for words in """
rate annualized risk incidence number frequency proportion percentage percent level mean change baseline score
total occurrence week month year day hour minute visit point end endpoint outcome measure
""".split())


_THING = re.compile(rf"\b{THINGS}\b", re.I)


@dataclass(frozen=True)
class Fit:
    """A cited claim that answers the question, and what of the question it matched."""

    cited: CitedClaim
    asked_intervention: str | None
    asked_outcome: str | None
    intervention: str
    comparator: str | None
    outcome: str
    relevance: int
    mismatches: tuple[str, ...] = ()
    outcome_name: str = ""

    @property
    def claim(self) -> Claim:
        """Return the matched claim."""
        return self.cited.claim

    @property
    def key(self) -> tuple[str, str | None, str, bool, bool]:
        """Return what a hypothesis groups by: intervention, comparator, outcome, subgroup, mechanistic."""
        mechanistic = self.claim.kind == "mechanism" or self.claim.study_design in MECHANISTIC
        return (self.asked_intervention or normalize(self.intervention), self.comparator, self.outcome,
                self.claim.scope in SUBGROUP, mechanistic)


def names(entity: Entity, cited: CitedClaim) -> list[str]:
    """Return an entity's name, synonyms and the name with its document's abbreviations spelt out."""
    spelt = expand(entity.name, dict(cited.source.abbreviations))
    return [entity.name, *entity.synonyms, *([spelt] if spelt != entity.name else [])]


How = Literal["same", "related", "loose", "quote"]
Matched = tuple[QueryEntity, str, How]


def _match(wanted: Sequence[QueryEntity], found: list[str], quote: str = "") -> Matched | None:
    """Return the asked entity a claim's entity is, the form that says so, and how sure the match is.

    same: a name of it covers the entity; related: a close term does; loose: it does once how or when it is given
    is left out ("intermittent diazepam" and "diazepam"); quote: only the claim's quote names it.
    """
    for how, forms_of in (("same", QueryEntity.forms), ("related", lambda e: e.related),
                          ("loose", lambda e: [c for f in e.forms() if (c := core(f)) and c != normalize(f)])):
        for e in wanted:
            if form := covers_any(forms_of(e), found):
                return e, form, how  # type: ignore[return-value]
    for e in wanted:
        if quote and (form := occurs_any([*e.forms(), *(core(f) for f in e.forms())], quote)):
            return e, form, "quote"
    return None


def outcome_key(name: str, query: Query) -> str:
    """Return an outcome folded for grouping: measure words, time points and the asked condition left out."""
    condition = {w for e in query.by_role("condition") for f in e.forms() for w in content_words(f)}
    kept = [w for w in content_words(name) if w not in _MEASURE and w not in condition and not w.isdigit()]
    return " ".join(kept) or normalize(name)


def comparator_key(cited: CitedClaim, query: Query) -> str | None:
    """Return what a claim's intervention was compared with, named as the question names it where it can."""
    said = cited.claim.comparator
    asked = query.by_role("comparator")
    texts = [said] if said else [cited.claim.quote.text]
    for e in asked:
        if any(occurs_any(e.forms(), t) for t in texts):
            return e.name
    if control := next((c for c in CONTROLS if any(occurs(c, t) for t in texts)), None):
        return control
    words = [w for w in content_words(said or "") if not any(ch.isdigit() for ch in w) and w not in STOP]
    return " ".join(words[:4]) or None


def _outcome(claim: Claim, cited: CitedClaim, query: Query) -> Matched | tuple[None, str, How] | str:
    """Return the asked outcome a claim matched (None when none was asked), or why it does not count."""
    found = names(claim.object, cited)
    asked = query.by_role("outcome")
    if asked:
        # NOTE: never matched on the quote alone: a sentence naming several outcomes says which one its claim is
        # about only through the claim's outcome.
        hit = _match(asked, found)
        if hit and _THING.search(claim.object.name) and not _THING.search(hit[1]):
            return f"its outcome ('{claim.object.name}') is a device's or a tissue's, not the patients'"
        return hit if hit else f"its outcome ('{claim.object.name}') is not the one asked about"
    # NOTE: with no outcome asked, any outcome counts except what the question is about: an object no more specific
    # than the asked condition ("asthma" in a "mild asthma" question) is not an outcome; "asthma exacerbations" is.
    setting = [f for e in (*query.by_role("condition"), *query.by_role("population")) for f in e.forms()]
    if covers_any(found, setting) or _match([*query.by_role("condition"), *query.by_role("population")], found):
        return f"'{claim.object.name}' is the condition or population asked about, not an outcome"
    if _match(query.by_role("intervention"), found):
        return f"'{claim.object.name}' is the intervention asked about, not an outcome"
    return None, claim.object.name, "same"


def asked_population(query: Query) -> list[QueryEntity]:
    """Return the populations and conditions the question is asked in (a setting like 'hospital' is neither)."""
    return [e for e in (*query.by_role("population"), *query.by_role("condition"))
            if e.type in ("population", "condition")]


def _elsewhere(cited: CitedClaim, query: Query) -> list[str]:
    """Return why a study without a read population may be in another one: the title and quote never name it."""
    if cited.claim.population:
        return []  # NOTE: a population that was read is compared in kb.grade.
    places = (cited.source.title, cited.claim.quote.text)
    missing = [e.text for e in asked_population(query)
               if not any(occurs_any((*e.forms(), *e.related), p) for p in places)]
    return [f"neither the study's title nor its quote names {' or '.join(missing)}"] if missing else []


def judge(cited: CitedClaim, query: Query) -> Fit | str:
    """Return how a cited claim answers the question, or why it does not count."""
    claim = cited.claim
    if cited.source.study_design in NOT_PRIMARY or claim.study_design in NOT_PRIMARY:
        return "a review restates studies; it is not a primary study"
    if not query.entities:
        # NOTE: nothing was recognised in the question to match against; each claim stands for itself.
        return Fit(cited, None, None, claim.subject.name, comparator_key(cited, query),
                   outcome_key(claim.object.name, query), 0, outcome_name=claim.object.name)
    interventions = query.by_role("intervention")
    i = _match(interventions, names(claim.subject, cited), claim.quote.text) if interventions else None
    if interventions and i is None:
        return f"its intervention ('{claim.subject.name}') is not the one asked about"
    if not interventions and not (claim.restatable or claim.subject.normalized_id):
        return "no intervention was asked about, and its subject was not recognised as one"
    o = _outcome(claim, cited, query)
    if isinstance(o, str):
        return o
    # NOTE: a direction of effect needs its arms read as the asked ones; a "no difference" on the asked outcome
    # holds whichever arm the quote names first.
    if i is not None and i[2] == "quote" and not claim.restatable and claim.direction in ("increase", "decrease"):
        return "only its quote names the asked intervention, so its direction of effect cannot be placed"
    return _fit(cited, query, i, o)


def _fit(cited: CitedClaim, query: Query, i: Matched | None, o: Matched | tuple[None, str, How]) -> Fit:
    """Return the fit of a claim whose intervention and outcome were matched, with any indirectness found."""
    claim = cited.claim
    notes = {"related": "asked about {asked}, the study tested {form}",
             "loose": "asked about {asked}, the claim names {named}"}
    mismatches = [notes[how].format(asked=e.text, form=form, named=named.name)
                  for m, named in ((i, claim.subject), (o, claim.object)) if m is not None and m[0] is not None
                  for e, form, how in [m] if how in notes]
    mismatches += _elsewhere(cited, query)
    comparator = comparator_key(cited, query)
    asked = [e.name for e in query.by_role("comparator")]
    if asked and comparator and comparator not in asked:
        mismatches.append(f"compared with {comparator}, not with {' / '.join(asked)} as asked")
    outcome = claim.object.name
    # NOTE: matched through its quote only, a claim keeps its own intervention: "budesonide-formoterol vs
    # terbutaline" answers a terbutaline question, and is never labelled "terbutaline vs terbutaline".
    named = i[1] if i and i[2] != "quote" else claim.subject.name
    return Fit(cited, i[0].name if i else None, o[0].name if o[0] else None, named,
               comparator, outcome_key(outcome, query), 2 * bool(i) + 2 * bool(o[0]) + (comparator in asked),
               tuple(mismatches), outcome)


def _same_result(a: Claim, b: Claim) -> bool:
    """Return whether two claims report the very same estimate and interval."""
    ea, eb = a.effect, b.effect
    return (ea is not None and eb is not None and ea.ci_low is not None and ea.ci_high is not None
            and (ea.value, ea.ci_low, ea.ci_high) == (eb.value, eb.ci_low, eb.ci_high))


def _named(c: CitedClaim) -> str:
    return f"PMID {c.source.pmid}" if c.source.pmid else (c.source.nct_id or c.source.title or c.source.source)


def restatements(cited: Sequence[CitedClaim], cites: Mapping[str, set[str]]) -> dict[str, str]:
    """Return claim id → reason for results restated from another study the restating document names."""
    found: dict[str, str] = {}
    restated: dict[str, set[str]] = {}
    for a in cited:
        for b in cited:
            cited_there = b.claim.doc_id in cites.get(a.claim.doc_id, ())
            if a.study != b.study and cited_there and _same_result(a.claim, b.claim):
                found[a.claim.id] = f"restates the result of {_named(b)}, counted there"
                restated.setdefault(a.claim.doc_id, set()).add(b.study)
    # NOTE: a document restating two or more other studies of the knowledge base is a review of them.
    for a in cited:
        if len(restated.get(a.claim.doc_id, ())) >= 2:
            found.setdefault(a.claim.id, "its document restates other studies of this knowledge base; "
                             "it is not a primary study")
    return found


def select(cited: Sequence[CitedClaim], query: Query,
           cites: Mapping[str, set[str]]) -> tuple[list[Fit], list[tuple[CitedClaim, str]]]:
    """Return the claims that answer the question, and the others with the reason each is not counted."""
    restated = restatements(cited, cites)
    fits: list[Fit] = []
    others: list[tuple[CitedClaim, str]] = []
    for c in cited:
        verdict = restated.get(c.claim.id) or judge(c, query)
        if isinstance(verdict, Fit):
            fits.append(verdict)
        else:
            others.append((c, verdict))
    return fits, others
