"""Trial evidence: registry statistics as claim terms, and signals linking trials to the papers about them."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable


from kb.claims import (PREDICATE_DIRECTION, RATIO_TYPES, Claim, ClaimKind, EffectMeasure, EffectType, Predicate,
                       PValue, Quote, Scope, claim_id, significance)
from kb.models import Document, Entity, TrialInfo
from kb.segment import sentence_spans

EXTRACTOR = "registry"
EXTRACTOR_VERSION = "1"
SWITCH_THRESHOLD = 0.34  # NOTE: below a third of the shorter phrase's words shared, the outcomes differ.
_EFFECT_TYPES: dict[str, EffectType] = {
    "hazard ratio": "HR", "cox proportional hazard": "HR", "odds ratio": "OR", "risk ratio": "RR",
    "relative risk": "RR", "mean difference": "MD", "ls mean difference": "MD", "risk difference": "RD",
}
_PRIMARY = re.compile(r"\bprimary\s+(?:efficacy\s+)?(?:outcome|end\s?-?point)s?(?:\s+measures?)?\b", re.I)
_LEAD_IN = re.compile(r"^(?:\W|of (?:the|this) (?:study|trial)\b|(?:was|were|is|are|being|included|comprised)\b)+",
                      re.I)
_BEFORE = re.compile(r"([^,;:()]+?)\s+(?:was|were|is|are|as|served as)\s+(?:the|our|its|a)?\s*$", re.I)
_NEGATED = re.compile(r"\b(?:no|not|non|without)\s*$", re.I)
_STOPWORDS = frozenset(
    "a an and as at by for from in into of on or over per the to with within was were is are be been this that "
    "their its than after before during between all who which primary secondary outcome outcomes endpoint "
    "end point measure measures study trial participants patients subjects number percentage proportion rate "
    "time change baseline week weeks month months year years day days met reached defined assessed".split())
_STATUS_PHRASES = {"RECRUITING": "still recruiting", "ACTIVE_NOT_RECRUITING": "active, not recruiting",
                   "UNKNOWN": "status unknown"}


# --- registry statistics -------------------------------------------------------------------------------


def effect_type(param_type: str) -> EffectType:
    """Map a registry paramType ("Hazard Ratio (HR)", "LS Mean Difference") to an EffectType."""
    key = " ".join(re.sub(r"\(.*?\)", " ", param_type).split()).casefold()
    return _EFFECT_TYPES.get(key, "other")


def is_ratio(param_type: str) -> bool:
    """Return whether an estimate's null value is 1 (a ratio) rather than 0 (a difference)."""
    return effect_type(param_type) in RATIO_TYPES or "ratio" in param_type.casefold()


def parse_number(text: str | None) -> float | None:
    """Return the finite number a registry string holds ("-2.13"), else None ("NA", "")."""
    try:
        value = float((text or "").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def effect_predicate(value: float | None, ci_low: float | None, ci_high: float | None, p: PValue | None,
                     *, ratio: bool) -> Predicate | None:
    """Return what an estimate states: a CI excluding the null or p<0.05 is an effect, signed against the null."""
    null = 1.0 if ratio else 0.0
    significant = significance(p, (ci_low, ci_high) if ci_low is not None and ci_high is not None else None, null)
    if significant is None:
        return None  # NOTE: untested, undecidable ("p > 0.01") or a CI and p that disagree: it states nothing.
    if not significant:
        return "no_effect_on"
    if value is None or value == null:
        return "associated_with"
    # NOTE: a ratio is of the risk (hazard, odds) of the outcome's event: HR 0.6 for "overall survival"
    # means fewer deaths, so "decreases overall survival" would invert it.
    if ratio:
        return "increases_risk_of" if value > null else "decreases_risk_of"
    return "increases" if value > null else "decreases"


# NOTE: a hazard ratio on "overall survival" or "time to progression" is of the event that ends the time (death,
# progression): fewer events is more survival, so the claim is about the survival itself, turned round.
TIME_TO_EVENT = re.compile(r"\b(?:survival|progression[- ]free|event[- ]free|disease[- ]free|relapse[- ]free|"
                           r"time\s+to)\b|\b(?:PFS|OS|EFS|DFS|RFS|TTP)\b", re.I)


def time_to_event_predicate(predicate: Predicate, param_type: str, outcome: str) -> Predicate:
    """Return the predicate of a hazard ratio on a time-to-event outcome: HR < 1 on survival increases it."""
    if "hazard" not in param_type.casefold() or not TIME_TO_EVENT.search(outcome):
        return predicate
    turned: dict[str, Predicate] = {"decreases_risk_of": "increases", "increases_risk_of": "decreases"}
    return turned.get(predicate, predicate)


def estimate_effect(param_type: str, value: str, ci_pct: str, ci_low: str, ci_high: str) -> EffectMeasure | None:
    """Return a registry estimate as an EffectMeasure whose numbers equal the record's strings."""
    number, pct = parse_number(value), parse_number(ci_pct)
    if number is None:
        return None
    return EffectMeasure(type=effect_type(param_type), value=number, ci_low=parse_number(ci_low),
                         ci_high=parse_number(ci_high), ci_level=pct / 100 if pct and 0 < pct < 100 else 0.95)


def registry_claim(doc: Document, span: tuple[int, int], field: str, *, kind: ClaimKind, subject: Entity,
                   predicate: Predicate, obj: Entity, comparator: str | None = None,
                   effect: EffectMeasure | None = None, p_value: PValue | None = None,
                   sample_size: int | None = None, scope: Scope = "unspecified") -> Claim:
    """Return a claim copied from one registry line of doc.text; its numbers are the record's, so confidence is 1."""
    start, end = span
    quote = Quote(text=doc.text[start:end], doc_id=doc.id, start=start, end=end, field=field)
    return Claim.model_validate({
        "id": claim_id(doc.id, quote, subject, predicate, obj), "doc_id": doc.id,
        "chunk_id": "",  # NOTE: unknown until the pipeline chunks the text; it sets the chunk holding the quote.
        "kind": kind, "subject": subject, "predicate": predicate, "object": obj,
        "direction": PREDICATE_DIRECTION.get(predicate, "unclear"), "comparator": comparator, "effect": effect,
        "p_value": p_value, "sample_size": sample_size, "sample_size_type": "ACTUAL", "scope": scope,
        "study_design": doc.study_design, "quote": quote, "extractor": EXTRACTOR,
        "extractor_version": EXTRACTOR_VERSION, "confidence": 1.0,
    })


# --- trial ↔ paper signals -----------------------------------------------------------------------------


def link_key_pmids(doc: Document) -> set[str]:
    """Return the PMIDs a document links by: a trial's registry references, a paper's own PMID."""
    if doc.trial is not None:
        return set(doc.trial.reference_pmids)
    return {doc.pmid} if doc.pmid else set()


def trial_paper_links(docs: Iterable[Document]) -> dict[str, set[str]]:
    """Map doc id to linked doc ids, both ways: papers naming a trial's NCT id, trials citing a paper's PMID."""
    docs = list(docs)
    trials = [d for d in docs if d.trial is not None]
    papers = [d for d in docs if d.trial is None]
    links: dict[str, set[str]] = {}
    for trial in trials:
        assert trial.trial is not None
        cited = link_key_pmids(trial)
        for paper in papers:
            if trial.trial.nct_id in paper.nct_ids or (paper.pmid is not None and paper.pmid in cited):
                links.setdefault(trial.id, set()).add(paper.id)
                links.setdefault(paper.id, set()).add(trial.id)
    return links


def unpublished_gap(trial_doc: Document, linked_papers: Iterable[Document]) -> str | None:
    """Return a gap sentence when a completed trial has neither posted results nor a linked paper."""
    info = trial_doc.trial
    if info is None or info.overall_status != "COMPLETED" or info.has_results or any(True for _ in linked_papers):
        return None
    when = f"on {info.completion_date}" if info.completion_date else "(completion date not given)"
    count = info.enrollment.count
    enrolled = f"{info.enrollment.type} enrollment {count}" if count is not None else "enrollment not stated"
    return (f"{info.nct_id} ({trial_doc.title}) was completed {when} with {enrolled} but has no posted results "
            "and no linked publication: registered, finished, unpublished.")


def primary_outcome_phrases(text: str) -> list[str]:
    """Return what a paper names as its primary outcome, one phrase per sentence that states it."""
    phrases = []
    for sentence in (text[a:b] for a, b in sentence_spans(text)):
        match = _PRIMARY.search(sentence)
        if not match or _NEGATED.search(sentence[:match.start()]):
            continue
        rest = sentence[match.end():]
        # NOTE: a comma right after the keyword ends its clause ("With X as the primary endpoint, we ...").
        after = "" if rest.lstrip().startswith(",") else re.split(r";|,\s*(?:and|while|whereas|but)\b", rest)[0]
        phrase = _LEAD_IN.sub("", after).strip(" .;:")
        if not phrase:  # NOTE: "X was the primary outcome": the phrase comes before the keyword.
            before = _BEFORE.search(sentence[:match.start()])
            phrase = re.split(r"\bwith\b", before.group(1), flags=re.I)[-1].strip() if before else ""
        if _tokens(phrase):
            phrases.append(phrase)
    return phrases


def outcome_switch(trial_doc: Document, paper_doc: Document) -> str | None:
    """Return a warning when a paper's primary outcome matches none of the trial's registered primary outcomes."""
    info = trial_doc.trial
    phrases = primary_outcome_phrases(paper_doc.text)
    if info is None or not info.primary_outcomes or not phrases:
        return None
    registered = [o.measure for o in info.primary_outcomes]
    if any(_similarity(p, r) >= SWITCH_THRESHOLD for p in phrases for r in registered):
        return None
    paper = f"PMID {paper_doc.pmid}" if paper_doc.pmid else (paper_doc.title or paper_doc.id)
    return (f"Possible outcome switching: {paper} reports its primary outcome as \"{phrases[0]}\", but "
            f"{info.nct_id} registered {'; '.join(repr(r) for r in registered)} as primary.")


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", text.casefold())
    return {w.removesuffix("s") if len(w) > 3 else w for w in words if w not in _STOPWORDS and len(w) > 1}


def _similarity(a: str, b: str) -> float:
    """Return the share of the smaller token set found in the other (overlap coefficient)."""
    ta, tb = _tokens(a), _tokens(b)
    return len(ta & tb) / min(len(ta), len(tb)) if ta and tb else 0.0


def enrollment_label(trial: TrialInfo) -> str:
    """Return a reader's label for enrollment: "n=240 (actual)", "target n=1,000 (estimated, still recruiting)"."""
    status, count, kind = trial.overall_status, trial.enrollment.count, trial.enrollment.type
    if status == "WITHDRAWN":
        return "withdrawn, 0 enrolled"
    if count is None:
        return "enrollment not stated"
    if kind == "ACTUAL":
        return f"n={count:,} (actual)"
    if kind == "ESTIMATED":
        phrase = _STATUS_PHRASES.get(status or "", (status or "").replace("_", " ").lower())
        return f"target n={count:,} (estimated" + (f", {phrase})" if phrase else ")")
    return f"n={count:,} (not stated whether actual or estimated)"
