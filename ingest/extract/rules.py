"""RuleExtractor: claims from the study's own findings, read with cues, mentions and statistics; no network.

Only sentences the Reading marks as findings of this study are read (a trained sentence-role model with vetoes for
other work, baseline, captions, methods, future work); a claim needs a validated intervention and outcome (a tagged
span, a lexicon term or one of the study's arms), and its direction comes from `decide` (statistics first). A claim
is `restatable` only when its direction is validated too; otherwise MedKB shows its quote, never a restatement.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from ingest.extract import Extraction
from ingest.extract.arm_names import PEOPLE_LEAD
from ingest.extract.build import confidence, verified
from ingest.extract.clauses import (NULL_WORDING, SAFETY, Named, Parsed, arm_values, clause_stats, clauses, parse,
                                    undirected)
from ingest.extract.direction import DirectionModel, decide, default_model
from ingest.extract.picking import Context, Parts, cue_parts, value_parts
from ingest.extract.rows import row_claims
from ingest.extract.scope import clause_scope
from ingest.extract.stats import find_p_values, find_sample_size
from ingest.nlp.reading import Reading, intervention_key
from kb.claims import Claim, EffectMeasure, PValue, Quote
from kb.models import Chunk

MAX_SENTENCE = 1200  # NOTE: characters; longer "sentences" are run-together tables or lists
# NOTE: a clause about the groups' balance before treatment, or measured against other reports, is not a finding.
NOT_A_RESULT = re.compile(r"\bbaseline\b|\bcharacteristics\b|\bdemographic|prognostic factors|\bat (?:entry|inclusion|"
                          r"randomi[sz]ation|enrol?ment)\b|\bbefore (?:treatment|randomi[sz]ation|the intervention|"
                          r"the procedure|surgery|the operation)\b"
                          # NOTE: "Three subjects showed no increase in viral load": a count of people, not a comparison.
                          r"|^\W*(?:(?:in|among|of)\s+(?:the\s+)?)?(?:one|two|three|four|five|six|seven|eight|nine|ten|"
                          r"\d)\s+(?:of\s+the\s+)?(?:\w+\s+)?(?:subjects|patients|participants|children|women|men|"
                          r"volunteers)\b(?:\s+(?:showed|had|experienced|developed|reported)\b|[^,;]{0,60},)"
                          # NOTE: "The only participant who did a complete intervention ... decreased the GSI".
                          r"|\b(?:the\s+only|a\s+single|one)\s+(?:\w+\s+)?(?:participant|patient|subject|child|"
                          r"woman|man|volunteer)\s+(?:who\b|in\s+the\s+[\w\s+-]{1,40}?\s+(?:group|arm)\s+"
                          r"(?:had|developed|experienced|reported)\b)"
                          # NOTE: "but that effect reduced over time": how an effect lasted, not what it changed.
                          r"|\b(?:that|this|the|these|those)\s+(?:\w+\s+)?(?:effects?|benefits?|differences?)\s+"
                          r"(?:\w+\s+)?(?:reduced|decreased|diminished|declined|waned|disappeared|faded|increased)\b"
                          # NOTE: "we anticipated ... the telephone mode to yield a higher response rate".
                          r"|\bwe\s+(?:had\s+)?(?:anticipated|expected|hypothesi[sz]ed|predicted)\b"
                          # NOTE: "their response rates were lower than ours ..., they found that": another study's.
                          r"|\bthan\s+ours\b|\bthey\s+(?:found|reported|observed|showed)\b"
                          # NOTE: "after imputation for missing data, the adjusted estimate of treatment effect was
                          # similar": a sensitivity analysis agreeing with the main result, not a null result.
                          r"|\bestimate\s+of\s+(?:the\s+)?treatment\s+effect\s+was\s+similar\b", re.I)
BOTH_ARMS = re.compile(r"\b(?:two|both|all|three|2)\s+$", re.I)
RISK_OF = re.compile(r"(?:the\s+)?(?:risk|odds|likelihood|hazard)\s+of\s+", re.I)
OTHER_REPORTS = re.compile(r"\b(?:reported|previous(?:ly)?|literature|published|other (?:studies|trials)|"
                           r"historical|elsewhere)\b", re.I)

# NOTE: "Trough FVC was increased by 86-184 ml with AZD3199 compared with placebo, but the difference was not
# statistically significant": the numbers of the first clause are judged by the second.
JUDGED_LATER = re.compile(r"\b(?:but|however|although|though)\b[^.;]{0,20}?\b(?:(?:the|this|these|that)\s+"
                          r"(?:\w+\s+)?(?:differences?|changes?|increases?|decreases?|reductions?|effects?|"
                          r"improvements?)|this|it)\s+(?:was|were|did)\s+not\s+(?:statistically\s+)?"
                          r"(?:significant|reach)", re.I)
DIRECTED = ("increase", "decrease")
# NOTE: "slightly lower (40.7% vs 43.3%)" with no test: a difference the words play down is shown as its quote.
TENTATIVE = re.compile(r"\b(?:slightly|numerically|marginally|somewhat|nominally)\b", re.I)
# NOTE: "no differences ... except for SpO2, which was higher": which arm the exception favours is another clause.
EXCEPT = re.compile(r"\bexcept\b|\bapart\s+from\b|\bwith\s+the\s+exception\b", re.I)
# NOTE: "protection against ischemia": the outcome is what the effect works against, so its direction turns round.
AGAINST = re.compile(r"\bagainst\s+(?:the\s+)?$", re.I)
# NOTE: a truncated tagged span ("printed" of "printed interventions", "web-based") names no intervention.
UNNAMED = re.compile(r"^(?:[a-z]+-based|[a-z]+(?:ed|ary|al|ic|ive|ous)|post|pre|period|phase|\d+-\w+|combination|"
                     r"treatment|therapy|drug|intervention|regimen|medication)$")
# NOTE: "similar between the Japanese and overall population": subgroups of people compared, not treatments.
_SEXES = r"(?:men|males?|boys|women|females?|girls|sheep|goats|cattle)"
# NOTE: "comparable in men (0.61) and women (0.56)", "lower in sheep than in goats": kinds of people (or animals) are
# compared, not treatments.
PEOPLE_COMPARED = re.compile(r"\b(?:between|than\s+(?:in\s+)?)(?:the\s+)?[\w\s-]{0,30}\bpopulations?\b"
                             rf"|\b(?:in|among|between|for)\s+(?:the\s+)?{_SEXES}\b[^;]{{0,40}}?\b(?:and|than|vs\.?|"
                             rf"versus)\s+(?:in\s+|among\s+|for\s+)?(?:the\s+)?{_SEXES}\b"
                             r"|\bbetween\s+(?:the\s+)?sexes\b"
                             # NOTE: "prolonged in Fabry patients compared to controls": patients against healthy people.
                             r"|\b(?:patients|subjects|cases)\s+(?:compared|relative)\s+(?:to|with)\s+(?:the\s+)?"
                             r"(?:healthy\s+)?(?:controls|volunteers|control\s+subjects)\b"
                             # NOTE: "more pronounced in participants with onset ≤10 years compared to those with onset".
                             r"|\b(?:participants|patients|subjects|those|children)\s+with\s+[^,;]{1,40}?\b"
                             r"(?:compared\s+(?:to|with)|than|versus|vs\.?)\s+(?:in\s+)?(?:those|participants|patients|"
                             r"subjects)\s+with\b"
                             # NOTE: "Participants who assumed they had received MPH ... recalled more words": what
                             # people believed they got, not what they got.
                             r"|\b(?:participants|subjects|patients|those)\s+who\s+(?:assumed|believed|guessed|thought|"
                             r"perceived|reported\s+[“\"'‘]?(?:\w+)[”\"'’]?\s+or)\b"
                             # NOTE: "with older people more likely to give technical reasons": people compared.
                             r"|\b(?:older|younger)\s+(?:people|patients|participants|adults|women|men|respondents)\s+"
                             r"(?:were\s+)?(?:more|less)\s+likely\b"
                             # NOTE: "between the healthy individuals and the T2DM patients": people, not arms.
                             r"|\b(?:between|than|versus|vs\.?|compared\s+(?:to|with))\s+(?:the\s+)?healthy\s+"
                             r"(?:individuals|subjects|controls|volunteers|people|participants|adults|children)\b"
                             r"|\bhealthy\s+(?:individuals|subjects|controls|volunteers|people|participants|adults|"
                             r"children)\s+(?:and|than|versus|vs\.?)\s", re.I)
# NOTE: "greater improvement in the MADRS score": on a scale where lower is better, "improve" is no sign of the number;
# only outcomes whose number rises as they improve keep it.
IMPROVE = re.compile(r"\bimprov", re.I)
HIGHER_IS_BETTER = re.compile(r"quality\s+of\s+life|\bQ[Oo]L\b|function|survival|response|remission|strength|capacity|"
                              r"performance|adherence|satisfaction|well-?being|\bFEV|flow|clearance|recovery|healing|"
                              r"control|power|endurance|mobility|cognition|memory", re.I)


def refused(reading: Reading, s: Parsed, lo: int, hi: int, parts: Parts) -> bool:
    """Return whether a clause's parts may not become a claim: names the study does not validate, or a clause that
    compares no treatments (baseline, other reports, subgroups of people, p-values that disagree)."""
    return _names_refused(reading, s, lo, parts) or _clause_refused(s, lo, hi, parts)


def _names_refused(reading: Reading, s: Parsed, lo: int, parts: Parts) -> bool:
    """Return whether the subject is not something the study gives, or the outcome is not something it measured."""
    subject, obj, _, _ = parts
    given = reading.studied_keys()
    if not (subject.validated and obj.validated) or UNNAMED.search(subject.surface.casefold()):
        return True
    if intervention_key(subject.normalized_id, subject.surface) not in given:
        return True
    # NOTE: "with the 'no website' group having a lower IBS SSS score than the website groups": which arm is which is
    # too easily turned round.
    if re.search(rf"\bno[\s-]+{re.escape(subject.surface)}\b", s.text[lo:], re.I):
        return True
    # NOTE: an intervention the study gives is not its outcome ("glucose was elevated by IE" read backwards), nor are
    # the people who got it ("IIEF increased by 59% in subjects receiving VXP").
    at = obj_at(s, obj)
    against = AGAINST.search(s.text[max(lo, at - 12) : at]) is not None
    people = PEOPLE_LEAD.match(obj.surface) is not None
    return intervention_key(obj.normalized_id, obj.surface) in given or against or people


def _clause_refused(s: Parsed, lo: int, hi: int, parts: Parts) -> bool:
    """Return whether a clause compares no treatments, or says too much at once to read safely."""
    subject, obj, compared, _ = parts
    if NOT_A_RESULT.search(s.text, lo, hi) or EXCEPT.search(s.masked, lo, hi):
        return True
    if PEOPLE_COMPARED.search(s.masked, lo, hi):
        return True
    if IMPROVE.search(s.masked, lo, hi) and not HIGHER_IS_BETTER.search(obj.surface):
        return True
    if len({p.significant() for p in find_p_values(s.text[lo:hi])} - {None}) > 1:
        return True
    if compared and OTHER_REPORTS.search(compared):
        return True
    at = s.text.find(subject.surface, lo, hi)
    return at > lo and BOTH_ARMS.search(s.text, max(lo, at - 15), at) is not None


def obj_at(s: Parsed, obj: Named) -> int:
    """Return where an outcome's surface stands in the sentence (0 when it is inherited from another clause)."""
    return max(0, s.text.find(obj.surface))


def risk_free(obj: Named) -> Named:
    """Return an outcome without a leading "risk of" (the predicate says risk already)."""
    m = RISK_OF.match(obj.surface)
    return replace(obj, surface=obj.surface[m.end() :]) if m and m.end() < len(obj.surface) else obj


def against_values(s: Parsed, lo: int, hi: int, claim: Claim) -> bool:
    """Return whether the clause's own arm values run against the claim's direction ("37.6% in the cefixime group
    and 3.5% in the Gatifloxacin group (HR 0.084)": the ratio is the other arm's, whatever it says)."""
    found = arm_values(s.masked, lo, hi) if claim.direction in DIRECTED else None
    if found is None or found[2] == "no_effect_on":
        return False
    first, second, said, _ = found
    name = claim.subject.name.casefold()
    if name in s.text[first[0] : first[1]].casefold():
        higher = said == "increases"
    elif name in s.text[second[0] : second[1]].casefold():
        higher = said == "decreases"
    else:
        return False
    return higher != (claim.direction == "increase")


class RuleExtractor:
    """Extracts claims from the findings of a read document with cues and mentions: deterministic and offline."""

    name = "rules"
    version = "3"

    def __init__(self, model: DirectionModel | None = None) -> None:
        self.model = model or default_model()

    def extract(self, reading: Reading) -> Extraction:
        """Return the verified claims of every finding sentence and results-table row of the document, each once."""
        claims: dict[str, Claim] = {}
        for i, role in enumerate(reading.roles):
            chunk = reading.chunk_of(i)
            if not role.finding or role.other_work or chunk is None or len(reading.text(i)) > MAX_SENTENCE:
                continue
            for claim in self._sentence_claims(reading, i, chunk):
                claims.setdefault(claim.id, claim)
        for claim in row_claims(reading, self.name, self.version):
            claims.setdefault(claim.id, claim)
        return Extraction(tuple(claims.values()))

    def _sentence_claims(self, reading: Reading, i: int, chunk: Chunk) -> list[Claim]:
        """Return the claims of one sentence, one per clause with a cue; later clauses inherit subject and object."""
        s, doc = reading.sentences[i], reading.doc
        quote = Quote(text=reading.text(i), doc_id=doc.id, start=s.start, end=s.end, page=doc.page_at(s.start))
        parsed = parse(quote.text, reading.mentions[i])
        out: list[Claim] = []
        context: Context | None = None
        judged = JUDGED_LATER.search(parsed.masked)
        for lo, hi in clauses(parsed.masked):
            found = self._clause_claim(reading, i, chunk, quote, parsed, (lo, hi), context)
            if found is None:
                continue
            context = found[1]
            # NOTE: a change the sentence goes on to call not significant is no effect; the later clause says so, with
            # the subject and outcome this clause named.
            if not (judged and hi <= judged.start() and found[0].direction in DIRECTED
                    and not (found[0].p_value and found[0].p_value.significant())):
                out.append(found[0])
        return out

    def _clause_claim(self, reading: Reading, i: int, chunk: Chunk, quote: Quote, s: Parsed,
                      bounds: tuple[int, int], context: Context | None) -> tuple[Claim, Context] | None:
        """Return the claim a clause states and what the next clause inherits; None when nothing validated is said."""
        lo, hi = bounds
        effect, p = clause_stats(s.text[lo:hi], context[2] if context else None)
        parts = cue_parts(s, lo, hi, effect, context, reading.arms)
        # NOTE: "X was 0.20 with A and 0.07 with B; the ratio was ..." is judged by the sentence's first statistics.
        judged = (effect, p) if parts or effect or p else clause_stats(s.text, None)
        parts = parts or value_parts(s, lo, hi, context, reading.arms)
        if parts is None or refused(reading, s, lo, hi, parts):
            return None
        claim = self._claim(reading, i, chunk, quote, s, bounds, parts, (effect, p), judged)
        if claim is None or against_values(s, lo, hi, claim):
            return None
        return claim, (parts[0], parts[1], effect)

    def _claim(self, reading: Reading, i: int, chunk: Chunk, quote: Quote, s: Parsed, bounds: tuple[int, int],
               parts: Parts, stats: tuple[EffectMeasure | None, PValue | None],
               judged: tuple[EffectMeasure | None, PValue | None]) -> Claim | None:
        """Return the verified claim of a clause's parts, its direction decided by `decide`."""
        lo, hi = bounds
        subject, obj, compared, said = parts
        cue = None if undirected(s.masked, lo, hi) else said
        decision = decide(cue, bool(NULL_WORDING.search(s.masked, lo, hi)), *judged,
                          self.model.opinion(s.text) if self.model else None)
        role, doc = reading.roles[i], reading.doc
        if decision.predicate in ("increases_risk_of", "decreases_risk_of"):
            obj = risk_free(obj)
        # NOTE: a change within one group is shown as its quote: restated, it would read as the treatment's effect.
        scope = clause_scope(s.text[lo:hi], s.text, compared)
        compared = None if scope == "within_group" else compared
        population = next((m.surface for m in reading.mentions[i] if m.type == "population"), reading.population)
        data: dict[str, Any] = {
            "doc_id": doc.id, "chunk_id": chunk.id, "subject": subject.entity(), "predicate": decision.predicate,
            "object": obj.entity(), "direction": decision.direction, "scope": scope,
            "kind": "safety" if SAFETY.search(s.text) else (
                "association" if "associated" in said or "risk" in said else "efficacy"),
            "comparator": compared, "population": population, "effect": stats[0], "p_value": stats[1],
            "hedged": role.hedged, "restatable": decision.validated and scope != "within_group" and not (
                decision.reason.startswith("wording") and TENTATIVE.search(s.masked, lo, hi)),
            "sample_size": find_sample_size(s.text) or doc.sample_size, "study_design": doc.study_design,
            "quote": quote, "extractor": self.name, "extractor_version": self.version,
            "confidence": confidence(subject, obj, *stats, role.hedged, doc.study_design),
        }
        return verified(data, chunk)
