"""Which analysis a result sentence reports: primary, secondary, subgroup, post hoc, or unspecified.

A subgroup or secondary result keeps its label so it never stands in for the primary result. Checked from the most
restrictive label down: a post hoc subgroup analysis of the primary outcome is post hoc.
"""

from __future__ import annotations

import re

from kb.claims import Scope

_I = re.IGNORECASE
_POST_HOC = re.compile(r"\bpost[- ]?hoc\b|\bexploratory\s+(?:\w+\s+)?analys[ie]s\b|\bnot\s+pre-?specified\b", _I)
_AGE = (r"(?:aged|older|younger|over|under|above|below)\s+(?:than\s+)?(?:[<>≤≥]\s*)?\d"
        r"|(?:[<>≤≥]|>=|<=)\s*\d+\s*(?:years?|y)\b")
_PEOPLE = r"(?:patients|participants|subjects|children|adults|individuals|people|those|women|men|infants)"
_SUBGROUP = re.compile(
    r"\bsub-?groups?\b|\bsubsets?\s+of\b|\bsub-?populations?\b|\binteraction\b|\bstratified\s+(?:by|according)"
    rf"|\b(?:among|in|for)\s+(?:the\s+)?{_PEOPLE}\s+(?:who\s+were\s+)?(?:{_AGE})"
    # NOTE: "among women" restricts a mixed population; "among women in the vaccine arm" names an arm's members.
    r"|\b(?:among|in)\s+(?:the\s+)?(?:women|men|females|males|girls|boys)\b(?!\s+(?:in|of|from|receiving|randomi[sz]ed|"
    r"assigned|allocated|treated|who\s+received)\b)", _I)
_SECONDARY = re.compile(r"\bsecondary\s+(?:efficacy\s+)?(?:outcomes?|end-?\s?points?|analys[ie]s|measures?|"
                        r"objectives?|variables?|parameters?)\b", _I)
_PRIMARY = re.compile(r"\bprimary\s+(?:efficacy\s+)?(?:outcomes?|end-?\s?points?|analys[ie]s|measures?|objectives?|"
                      r"variables?|parameters?)\b", _I)


def scope_of(sentence: str) -> Scope:
    """Return the analysis a sentence reports; "unspecified" when it names none, or both primary and secondary."""
    if _POST_HOC.search(sentence):
        return "post_hoc"
    if _SUBGROUP.search(sentence):
        return "subgroup"
    primary, secondary = bool(_PRIMARY.search(sentence)), bool(_SECONDARY.search(sentence))
    if primary != secondary:
        return "primary" if primary else "secondary"
    return "unspecified"


def clause_scope(clause: str, sentence: str) -> Scope:
    """Return the scope a clause names itself, else the scope of its whole sentence."""
    own = scope_of(clause)
    return own if own != "unspecified" else scope_of(sentence)
