"""Which analysis a result sentence reports: primary, secondary, subgroup, post hoc, a change within one group over
time, or unspecified.

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
    r"assigned|allocated|treated|who\s+received)\b)"
    # NOTE: "Of the patients with progressive disease or death (BTH1677 n = 17; Control n = 6), the PFS was ...".
    rf"|^\W*(?:of|among)\s+(?:the\s+)?{_PEOPLE}\s+(?:with|who)\b", _I)
_SECONDARY = re.compile(r"\bsecondary\s+(?:efficacy\s+)?(?:outcomes?|end-?\s?points?|analys[ie]s|measures?|"
                        r"objectives?|variables?|parameters?)\b", _I)
_PRIMARY = re.compile(r"\bprimary\s+(?:efficacy\s+)?(?:outcomes?|end-?\s?points?|analys[ie]s|measures?|objectives?|"
                      r"variables?|parameters?)\b", _I)

# NOTE: the starting point a change within one group is measured from ("compared with week 0").
_START = r"(?:(?:baseline|pre-?\s*(?:treatment|intervention|test|operative)|before)\b|(?:week|day|month|visit)\s+0\b)"
# NOTE: a change inside one arm over time ("increased after low dose vitamin D treatment", "no change in the HRV of
# the FLEX groups") is not the treatment's effect against a comparator; read only where no arm is compared.
_WITHIN = re.compile(
    r"\bwithin[- ](?:each\s+|the\s+|both\s+)?(?:\w+\s+)?groups?\b|\bfrom\s+baseline\b|\bbefore\s+and\s+after\b"
    rf"|\b(?:compared|relative)\s+(?:with|to)\s+(?:the\s+)?{_START}|\bintra-?group\b"
    r"|\bpre-?\s*(?:and|to|vs\.?|versus)\s*post\b|\bno\s+(?:significant\s+)?changes?\s+in\b"
    # NOTE: McNemar's test compares paired counts: the same people before and after.
    r"|\bmcnemar"
    r"|\bafter\s+(?:[\w-]+\s+){0,4}?(?:treatment|therapy|supplementation|intervention|administration|training)\b"
    # NOTE: "Average population CVD risk decreased from 32.9% to 29.4% (p <0.001) in the NHS Health Check only group
    # and from 31.9% to 29.2% ...": a value before and after, in one group.
    r"|\b(?:increas|decreas|reduc|improv|declin|chang|ris|fell|dropp)\w*\s+(?:\w+\s+){0,2}?from\s+(?:[-\d.]+|one|two|"
    r"three|four|five|six|seven|eight|nine|ten)\b[^;]{0,30}?\bto\s+(?:[-\d.]|[a-z]+\b(?<!baseline))"
    # NOTE: "higher in the exercise group from about 6,800 to over 8,500 steps": a value before and after.
    r"|\bfrom\s+(?:about|approximately|around|over)\s+[\d.,]+\s+(?:\w+\s+)?to\s+"
    r"(?:about|approximately|around|over)?\s*\d",
    _I)
# NOTE: "Significant reduction in carbohydrate ... was observed in the NGLCD group", "The Logbook group also increased
# physical activity": one arm named with a change and no comparative word is that arm's change over time.
_ARM_NAMED = re.compile(r"\b(?:in|among|within)\s+(?:the\s+)?(?:[\w/+.-]+\s+){1,4}?groups?\b"
                        r"|\bgroups?\s+(?:also\s+)?(?:significantly\s+)?(?:showed|had|experienced|increased|decreased|"
                        r"reduced|improved)\b", _I)
_CHANGED = re.compile(r"\b(?:increas|decreas|reduc|improv|declin)(?:e|es|ed|ing|tions?|ements?)\b"
                      r"|\b(?:rose|fell|dropped)\b", _I)
_COMPARATIVE = re.compile(r"\b(?:more|less|greater|larger|smaller|higher|lower|fewer|better|worse|superior|inferior|"
                          r"faster|slower|only)\b", _I)
# NOTE: "no significant changes in FAMS score ... were noted in either group" says so outright, arms or not.
_EACH_GROUP = re.compile(r"\bchang\w*\b[^.;]{0,100}\b(?:in|within)\s+(?:either|each|both|all)\s+(?:of\s+the\s+)?"
                         r"(?:\w+\s+)?(?:groups?|arms?)\b|\bdid\s+not\s+(?:significantly\s+)?change\b"
                         # NOTE: "the increase in SIBDQ was significant (p = 0.017) but not in the 2,000 IU group".
                         r"|\b(?:increase|decrease|change|improvement|reduction|rise|fall)s?\s+in\b[^.;]{0,80}\b"
                         r"(?:was|were)\s+(?:statistically\s+)?significant\b[^;]{0,60}?\bbut\s+not\s+(?:in|with|for)\b"
                         # NOTE: "increases ... in the bench-press group (triceps, from 26.3 mm to 27.8 mm ...) and in
                         # the push-up group (...)": the same change, before and after, named in each group.
                         r"|\bin\s+(?:the\s+)?[\w\s-]{1,40}?\s+group\b.{0,200}?\bfrom\s+[-\d.]+.{0,300}?\band\s+in\s+"
                         r"the\s+[\w\s-]{1,40}?\s+group\b"
                         r"|\b(?:increas|decreas|improv|reduc)\w*\b[^.;]{0,60}\bin\s+both\s+(?:\w+\s+)?"
                         r"(?:groups|arms)\b"
                         # NOTE: "only minor increases in SHS scores for the budesonide group, but very pronounced
                         # increase ... in the placebo arm": each arm's own change, set side by side.
                         r"|\b(?:increas|decreas|chang|improv|reduc)\w*\b[^.;]{0,80}\b(?:for|in)\s+the\s+[\w\s-]{1,30}?"
                         r"\s+(?:group|arm)\b[^.;]{0,20}\b(?:but|whereas|while)\b[^.;]{0,80}\b(?:increas|decreas|"
                         r"chang|improv|reduc)\w*\b[^.;]{0,60}\b(?:in|for)\s+the\s+(?:placebo|control)\s+"
                         r"(?:group|arm)\b", _I)
# NOTE: a comparator cut at its number ("week" of "compared with week 0") is still a time point.
_TIME_POINT = re.compile(rf"^\W*(?:the\s+)?(?:{_START}|(?:week|day|month|visit)\W*$)", _I)
_BETWEEN = re.compile(r"\bbetween\s+(?:the\s+)?(?:\w+\s+){0,2}(?:groups|arms)\b|\bthan\b|\bversus\b|\bvs\b"
                      rf"|\bcompared\s+(?:with|to)\s+(?!(?:the\s+)?(?:{_START}|pre))"
                      r"|\bdiffer"
                      r"|\bin\s+contrast\s+(?:to|with)\b"
                      # NOTE: "a 24% (95% CI 10-35) proportional reduction in vascular mortality": against the control.
                      r"|\b(?:proportional|relative)\s+(?:risk\s+)?reduction\b"
                      # NOTE: "reduced from 52.3% to 25.1% in the ETN + MTX group whereas the reduction in the DMARD +
                      # MTX group was smaller": the groups' changes are compared.
                      r"|\b(?:whereas|while)\b[^.;]*\b(?:smaller|larger|greater|less|more|lower|higher)\b"
                      # NOTE: "higher in the experimental group": against the other arm, whatever else the sentence
                      # says.
                      r"|\b(?:in|of)\s+the\s+(?:experimental|intervention|treatment|study|control|placebo)\s+group\b",
                      _I)


def within_group(sentence: str, compared: str | None = None) -> bool:
    """Return whether a sentence reports a change within a group over time (in each group, or where it compares
    no arms, or only a time point: "compared with week 0") rather than a difference between arms."""
    if _EACH_GROUP.search(sentence) and not _BETWEEN.search(sentence):
        return True
    no_arm = compared is None or _TIME_POINT.match(compared) is not None
    if not no_arm or _BETWEEN.search(sentence):
        return False
    return bool(_WITHIN.search(sentence) or _one_arm_changed(sentence))


def _one_arm_changed(sentence: str) -> bool:
    """Return whether a sentence names one arm's change with no comparative word ("increased in the A group")."""
    return (_ARM_NAMED.search(sentence) is not None and _CHANGED.search(sentence) is not None
            and _COMPARATIVE.search(sentence) is None)


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


def clause_scope(clause: str, sentence: str, compared: str | None = None) -> Scope:
    """Return the scope a clause names itself, else the scope of its whole sentence; a clause that compares no arm
    and reports a change over time is a within-group change."""
    own = scope_of(clause)
    # NOTE: "no significant results at the interaction level, but intragroup analysis showed ...": the clause says
    # what it is, whatever the rest of the sentence names.
    if own == "unspecified" and within_group(clause, compared):
        return "within_group"
    scope = own if own != "unspecified" else scope_of(sentence)
    return "within_group" if scope == "unspecified" and within_group(sentence, compared) else scope
