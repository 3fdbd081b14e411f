"""Automatic checks of one stored claim against its quote and its document's facts: each names the rule that fired.

Every check returns None for a sound claim, else a short rule name (what the claim_defects benchmark counts and
breaks down). They read only the claim's fields and quote and the document's reader-found facts (publication
types, registry fields), never the answer logic, so they measure whatever extractor built the knowledge base.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from kb.claims import Claim
from kb.models import Document, StudyDesign

Check = Callable[[Claim, Document | None], str | None]

# --- quotes citing other work -------------------------------------------------------------------------------------
_CITING: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("bracketed reference", re.compile(r"\[\s*\d{1,3}(?:\s*[,;–—-]\s*\d{1,3})*\s*\]")),
    ("et al.", re.compile(r"\bet al\b", re.I)),
    ("author-year", re.compile(r"\([A-Z][A-Za-z'-]+(?: et al\.?| and [A-Z][A-Za-z'-]+)?,? (?:19|20)\d\d[a-z]?\)")),
    ("previous studies", re.compile(
        r"\b(?:previous|prior|earlier|other|recent|several|many|numerous|published)\s+(?:studies|trials|reports|"
        r"research|investigations|meta-analyses|reviews|observational studies)\b|\bprevious(?:ly)?\s+(?:reported|"
        r"published|shown|described|demonstrated|study)\b|\b(?:studies|trials|reports)\s+(?:have|has)\s+(?:shown|"
        r"reported|demonstrated|found|suggested)\b", re.I)),
)


def cites_other_work(claim: Claim, doc: Document | None) -> str | None:
    """Return which citation pattern the quote carries (a finding of another study, not of this one)."""
    return next((name for name, pattern in _CITING if pattern.search(claim.quote.text)), None)


# --- sample sizes -------------------------------------------------------------------------------------------------
HUGE = 100_000


def huge_free_text_size(claim: Claim, doc: Document | None) -> str | None:
    """Return a rule when a sample size above 100,000 did not come from the registry's enrollment."""
    if claim.sample_size is None or claim.sample_size <= HUGE:
        return None
    if doc is not None and doc.trial is not None and doc.trial.enrollment.count == claim.sample_size:
        return None
    return "in the quote" if f"{claim.sample_size}" in claim.quote.text.replace(",", "") else "not in the quote"


def registry_size_retyped(claim: Claim, doc: Document | None) -> str | None:
    """Return a rule when a trial record's enrollment count is stored under another type than the registry's."""
    if doc is None or doc.trial is None or doc.trial.enrollment.count is None:
        return None
    enrollment = doc.trial.enrollment
    if claim.sample_size != enrollment.count or enrollment.type in ("UNKNOWN", claim.sample_size_type):
        return None
    return f"{enrollment.type} stored as {claim.sample_size_type}"


# --- subjects and objects that are function words or fragments ---------------------------------------------------
_WORD = re.compile(r"[A-Za-z0-9][\w'’-]*")
_FUNCTION = frozenset("""
a an the this these those that there here it its they them their we our us he she his her you your one ones
and or but nor of in on at by for from with without into onto to than as versus vs via per within between among
is are was were be been being has have had do does did can could may might will would shall should must
which who whom whose what when where whether while whereas although though because since if unless until after
before during following despite regarding according compared including using based given due
however moreover furthermore therefore thus hence also only even both all each every either neither other another
such same more less most least further overall finally first second third respectively significantly
not no none yes upper lower achieving
""".split())
GENERIC = frozenset("""
patients participants subjects people persons individuals group groups arm arms difference differences effect
effects result results finding findings study studies trial trials analysis analyses increase decrease reduction
change changes level levels rate rates outcome outcomes value values score scores number proportion percentage
""".split())
# NOTE: words a name cannot start or end with: a name that does is a piece cut out of a clause.
_BAD_START = frozenset("""
and or but nor of to than with by was were is are be been has have had which that who whereas while although
because since if when as at from for in on into versus vs did does do not no this these those it its their our
they we such there however
""".split())
_BAD_END = frozenset("""
of the and or to with in on at by for from a an than was were is are be been had has have that which versus vs
this these its their our
""".split())
FUNCTION_WORDS = _FUNCTION | _BAD_START | _BAD_END
_LEAD_VERB = re.compile(r"\b(?:lead|leads|leading|led)\s+to\b", re.I)
LONGEST = 12


def name_defect(name: str, quote: str, registry: bool = False) -> str | None:
    """Return why an entity name is not a name (function word, fragment, generic word, clause, verb), or None.

    Registry outcome measures are long titles by nature ("Mean Change From Baseline in ... at Week 12 and 24"),
    so a registry claim's names are not held to the length rule.
    """
    words = [w.casefold() for w in _WORD.findall(name)]
    if not any(ch.isalpha() for ch in name) or sum(ch.isalpha() for ch in name) < 2:
        return "no word"
    if " ".join(words) in FUNCTION_WORDS:
        return "function word"
    if " ".join(words) in GENERIC or (len(words) == 2 and words[0] in ("the", "both", "all") and words[1] in GENERIC):
        return "generic word"
    if words[0] in _BAD_START:
        return "starts like a clause"
    if words[-1] in _BAD_END:
        return "ends mid-phrase"
    if len(words) > LONGEST and not registry:
        return "a clause, not a name"
    if words == ["lead"] and _LEAD_VERB.search(quote):
        return "the verb 'lead' read as the metal"
    return None


def fragment_entity(claim: Claim, doc: Document | None) -> str | None:
    """Return the rule when the subject or the object is a function word or a fragment."""
    for role, entity in (("subject", claim.subject), ("object", claim.object)):
        why = name_defect(entity.name, claim.quote.text, registry=claim.quote.field is not None)
        if why:
            return f"{role}: {why}"
    return None


# --- no difference without null wording or statistics -------------------------------------------------------------
_NULL = re.compile(
    r"\bno\s+(?:[\w-]+\s+){0,3}?(?:differences?|effects?|changes?|associations?|associated|impact|influence|benefit|"
    r"improvement|increase|reduction|decrease|advantage|evidence|correlation|relationship|significan\w*)\b"
    r"|\bnot\s+(?:[\w-]+\s+){0,2}?(?:differ\w*|significan\w*|associated|affect\w*|alter\w*|chang\w*|improv\w*|"
    r"increas\w*|reduc\w*|decreas\w*|influenc\w*|related|correlated|superior|inferior|better|worse|effective|"
    r"statistically|modif\w*|impact\w*)"
    r"|\b(?:similar(?:ly)?|comparable|equivalent|unchanged|unaffected|unaltered|identical|indistinguishable|"
    r"insignificant|nonsignificant|non-significant|negligible|non-?inferior|neither|same)\b"
    r"|\bfail(?:ed|s)?\s+to\b|\b(?:NS|n\.s\.)(?=\W|$)|\bn[o']t\s+(?:statistically\s+)?significant", re.I)
_STATS = re.compile(r"\bp\s*[=<>≤≥]\s*0?[.·]\d|\bp\s*(?:value)?\s*(?:=|<|>)\s*\.\d|\b(?:CI|confidence interval)\b"
                    r"|\b(?:HR|OR|RR|IRR)\s*[=:,]?\s*\d", re.I)


def has_null_wording(text: str) -> bool:
    """Return whether a text words a null result (no difference, not significant, similar, failed to, NS)."""
    return bool(_NULL.search(text))


def has_statistics(text: str) -> bool:
    """Return whether a text states a p-value, a confidence interval or a ratio estimate."""
    return bool(_STATS.search(text))


def unsupported_no_effect(claim: Claim, doc: Document | None) -> str | None:
    """Return a rule when a 'no difference' claim's quote has neither null wording nor statistics."""
    if claim.direction != "no_difference":
        return None
    if claim.p_value or claim.effect or has_null_wording(claim.quote.text) or has_statistics(claim.quote.text):
        return None
    return claim.predicate


def direction_against_statistics(claim: Claim, doc: Document | None) -> str | None:
    """Return a rule when the claim's own p-value or CI says the opposite of its direction."""
    p, effect = claim.p_value, claim.effect
    significant = p is not None and p.value < 0.05 and p.operator in ("=", "<", "<=")
    not_significant = p is not None and p.value >= 0.05 and p.operator in ("=", ">", ">=")
    crosses = effect.crosses_null() if effect else None
    if claim.direction == "no_difference":
        return "no difference, p < 0.05" if significant else ("no difference, CI excludes the null"
                                                               if crosses is False else None)
    if claim.direction in ("increase", "decrease"):
        return "effect, p >= 0.05" if not_significant else ("effect, CI includes the null" if crosses else None)
    return None


# --- designs that contradict what the readers found ----------------------------------------------------------------
_TRIALS: frozenset[StudyDesign] = frozenset({"rct", "non_randomized_trial"})
_REVIEWS: frozenset[StudyDesign] = frozenset({"meta_analysis", "systematic_review", "review"})
_PUBLICATION_TYPES: tuple[tuple[str, frozenset[StudyDesign]], ...] = (
    ("Meta-Analysis", frozenset({"meta_analysis", "systematic_review"})),
    ("Systematic Review", frozenset({"systematic_review", "meta_analysis"})),
    ("Randomized Controlled Trial", frozenset({"rct"})),
    ("Practice Guideline", frozenset({"guideline"})),
    ("Guideline", frozenset({"guideline"})),
    ("Case Reports", frozenset({"case_report", "case_series"})),
    ("Observational Study", frozenset({"cohort", "case_control", "cross_sectional", "case_series"})),
    ("Controlled Clinical Trial", _TRIALS),
    ("Clinical Trial", _TRIALS),
    ("Review", _REVIEWS),
)
_ALL_DESIGNS: frozenset[StudyDesign] = frozenset(StudyDesign.__args__)  # type: ignore[attr-defined]
EVIDENCE_INFERENCE = "/evidence_inference/"
# NOTE: Evidence Inference articles whose own text says they are not a randomised trial's report (read by the team;
# the corpus's inclusion criterion is wrong for them), so the corpus rule states no fact about their design.
NOT_RCT_REPORTS: dict[str, str] = {
    "PMC4218766": "The present is a meta-analysis of individual patient data",
    "PMC3707768": "selected from a multicenter cohort study population and made up the control group",
    "PMC3655222": "combined with retrospective, observational design",
    "PMC3751573": "the use of non-random assignment",
}


def expected_designs(doc: Document) -> tuple[str, frozenset[StudyDesign]] | None:
    """Return the fact a document's design must agree with (rule name, designs allowed), or None."""
    trial = doc.trial
    if trial is not None:
        if trial.study_type == "OBSERVATIONAL":
            return "registry OBSERVATIONAL", _ALL_DESIGNS - _TRIALS - _REVIEWS - {"guideline"}
        if trial.study_type == "INTERVENTIONAL":
            allocation = {"RANDOMIZED": frozenset({"rct"}), "NON_RANDOMIZED": frozenset({"non_randomized_trial"})}
            return f"registry INTERVENTIONAL {trial.allocation or 'no allocation'}", allocation.get(
                trial.allocation or "", _TRIALS)
        return None
    types = set(doc.publication_types)
    for name, allowed in _PUBLICATION_TYPES:
        if name in types or (name == "Clinical Trial" and any(t.startswith("Clinical Trial, Phase") for t in types)):
            return f"publication type {name}", allowed
    # NOTE: every Evidence Inference article is a randomised trial's report (the corpus's inclusion criterion).
    if EVIDENCE_INFERENCE in doc.source and Path(doc.source).stem not in NOT_RCT_REPORTS:
        return "Evidence Inference RCT report", frozenset({"rct"})
    return None


def design_contradiction(claim: Claim, doc: Document | None) -> str | None:
    """Return the fact a claim's study design contradicts (publication type, registry field), or None."""
    expected = expected_designs(doc) if doc is not None else None
    if expected is None or claim.study_design in expected[1]:
        return None
    return f"{expected[0]}: stored {claim.study_design}"


CHECKS: dict[str, Check] = {
    "cites_other_work": cites_other_work,
    "huge_free_text_size": huge_free_text_size,
    "fragment_entity": fragment_entity,
    "no_effect_unsupported": unsupported_no_effect,
    "design_contradiction": design_contradiction,
    "direction_against_statistics": direction_against_statistics,
    "registry_size_retyped": registry_size_retyped,
}
