"""Wording cues of a sentence's role: citations of other work, aims, methods, statistics, captions, future work.

The sentence-role model (ingest/nlp/roles.py) reads these as features beside the MiniLM vector; a few of them
(`not_a_finding`) also veto a finding outright, because a sentence that is a caption, a baseline comparison, a call
for future work or a report of other studies is never the study's own result, whatever else it says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np

from ingest.extract.stats import find_confidence_interval, find_effects, find_p_values

HEDGES = re.compile(r"\b(?:may|might|could|suggests?|suggested|suggesting|possibl[ey]|hypothes\w*|appears?\s+to|"
                    r"seems?\s+to|potentially)\b", re.IGNORECASE)

_I = re.IGNORECASE
_REF = r"\d{1,3}(?:\s*[,–-]\s*\d{1,3})*"
# NOTE: "[18]", "(Smith et al., 2010)", and references flattened from superscripts: "diabetes.1, 2 Older", "(DPP)7 and".
CITATION = re.compile(
    rf"\[\s*{_REF}\s*\]|\(\s*\d{{1,3}}(?:\s*,\s*\d{{1,3}})+\s*\)|\bet\s+al\b"
    rf"|\([A-Z][A-Za-z'-]+(?:\s+(?:and|&)\s+[A-Z][A-Za-z'-]+)?(?:\s+et\s+al\.?)?,?\s+"
    rf"(?:19|20)\d\d[a-z]?(?:[;,][^)]*)?\)|(?<=[a-z])\.{_REF}(?=\s+[A-Z]|\s*$)|(?<=[a-z)]),{_REF}(?=\s+[a-z])"
    rf"|(?<=[A-Za-z]\))\d{{1,2}}(?:[,–-]\d{{1,2}})*(?=[\s,.;])"
    # NOTE: "... was significantly greater with rizatriptan (16).": a lone number in brackets closing the sentence.
    rf"|(?<=[a-z])\s\(\d{{1,3}}\)(?=\.?\s*$)")
WORD = re.compile(r"[A-Za-z]{2,}")
MIN_WORDS = 4
ROW_WORDS = 10  # NOTE: shorter than this and without a closing stop, a line is a table row or heading
# NOTE: "[19] reported that ..." keeps its reference: followed by a lowercase word, the reference is the subject.
_LEADING_REF = re.compile(rf"^\s*\[\s*{_REF}\s*\](?!\s*[a-z])\s*")
OTHER_WORK = re.compile(
    r"\b(?:previous(?:ly)?|prior|earlier|other|recent|several|many|numerous|some)\s+(?:\w+\s+)?(?:studies|reports|"
    r"trials|investigators|authors|researchers|literature|meta-analys[ie]s|reviews)\b"
    r"|\b(?:has|have|had)\s+(?:also\s+|previously\s+|recently\s+|consistently\s+|not\s+)?been\s+(?:reported|shown|"
    r"demonstrated|described|documented|suggested|proposed)\b|\bin\s+the\s+literature\b|\b(?:as\s+)?reported\s+by\b"
    r"|\b(?:a|an|one|another)\s+(?:recent|previous|earlier|large|prior)\s+(?:\w+\s+){0,2}?(?:study|trial|"
    r"meta-analysis|review|cohort)\b"
    # NOTE: "reproduced ... the results of double-blind, randomised clinical trials, in which rizatriptan has greater
    # efficacy"; "Different results were also acquired compared to the same study".
    r"|\b(?:results|findings)\s+of\s+(?:[\w-]+,?\s+){0,4}?(?:trials|studies)\b|\bthe\s+same\s+study\b", _I)
# NOTE: table footnotes flattened into text start with their marker glued on: "aIncludes one patient ...".
TABLE_NOTE = re.compile(r"^\s*(?:[a-z](?=[A-Z][a-z])|[*†‡§¶#]+\s*(?=\w))")
CAPTION = re.compile(r"^\W*(?:supplementary\s+|additional\s+)?(?:tables?|fig(?:ure)?s?\.?)\s*[A-Z]?\d+(?!\d)", _I)
_SAME = (r"(?:similar|comparable|homogeneous|balanced|well[- ]matched|did\s+not\s+differ|no\s+(?:\w+\s+)?differences?|"
         r"not\s+(?:significantly\s+)?different)")
_TRAITS = (r"(?:age|sex|gender|education\w*|demographic\w*|socio-?economic|characteristics|weight|body\s+mass|BMI|"
           r"height|ethnicity|race|parity|marital)")
# NOTE: "groups were similar at baseline", "homogeneous in terms of mother's education level (P = 0.59)".
BASELINE_SIMILAR = re.compile(
    rf"\b(?:baseline|pre-?(?:induction|operative|treatment|intervention|randomi[sz]ation))\b[^.;]{{0,120}}\b{_SAME}\b"
    rf"|\b{_SAME}\b[^.;]{{0,80}}\b(?:at|in)\s+baseline\b"
    rf"|\b(?:groups?|arms?)\s+(?:\w+\s+){{0,3}}?(?:were|was)\s+(?:\w+\s+)?{_SAME}\b[^.;]{{0,60}}\b{_TRAITS}\b"
    rf"|\b{_SAME}\s+(?:between|among|across)\s+(?:the\s+)?(?:\w+\s+)?(?:groups?|arms?)\s+(?:in|regarding|with\s+"
    rf"respect\s+to|for|in\s+terms\s+of)\s+(?:\w+\s+){{0,2}}?{_TRAITS}\b"
    # NOTE: "proportion of previous cardiovascular disease ... were similar between ARB and non-ARB groups".
    rf"|\b(?:proportions?|rates?|percentages?)\s+of\s+(?:previous|prior)\s+[^.;]{{0,160}}\b{_SAME}\s+(?:between|among|"
    rf"across)\b"
    # NOTE: "There were no significant differences in gender, age, body mass index, or side of cannulation ...".
    rf"|\b{_SAME}\s+in\s+(?:\w+,?\s+){{0,2}}?{_TRAITS}\b"
    # NOTE: "Women in both groups enrolled during the intervention period ... were similar, with the exception of".
    rf"|\benrolled\b[^.;]{{0,80}}\b(?:were|was)\s+{_SAME}\b", _I)
# NOTE: statistical-methods statements carry p-values and percentages but report nothing.
ANALYSIS_PLAN = re.compile(
    r"\b(?:was|were|is|are)\s+(?:considered|regarded|accepted|set|taken|defined)\s+(?:as\s+|to\s+be\s+|at\s+)?"
    r"(?:statistically\s+)?significan|\bsignifican\w*\s+(?:level\s+)?(?:was\s+|is\s+)?(?:set|accepted|defined)\b"
    r"|\bsample\s+size\b[^.;]{0,80}\b(?:calculat|estimat|required|needed|determin|comput)|\b\d{2}\s*%\s+power\b"
    r"|\bpower\s+(?:of|at)\s+\d{2}\s*%", _I)
# NOTE: who was enrolled is a baseline-table row, not a result: "The mean age ... was 27.4 ± 5.3", "52% were women".
DEMOGRAPHICS = re.compile(
    r"^\W*(?:the\s+)?(?:mean|median|average)\s+(?:\(\w+\)\s+)?(?:age|height)\b"
    r"|\b(?:mean|median)\s+age\s+(?:of|was|were)\b"
    r"|\d\s*%?\)?\s+(?:were|was)\s+(?:women|men|females?|males?|boys|girls|white|black|caucasian)\b", _I)
FUTURE_WORK = re.compile(
    r"\b(?:further|future|larger|additional|more|longer|bigger|well[- ]designed|multicent(?:er|re))\b[^.;]{0,60}?"
    r"\b(?:stud(?:y|ies)|research|trials?|investigations?|work|evaluation)\b[^.;]{0,60}?\b(?:needed|required|"
    r"warranted|necessary|should|would|will)\b|\bremains?\s+to\s+be\s+(?:determined|established|seen|elucidated|"
    r"clarified|proven)\b|\b(?:should|need(?:s)?\s+to)\s+be\s+(?:confirmed|investigated|explored|evaluated|studied|"
    r"tested|replicated|validated)\b|\bfuture\s+(?:studies|research|trials|work)\b|\b(?:stud(?:y|ies)|research|trials?|"
    r"investigations?|data|work)\s+(?:is|are|would\s+be|will\s+be)\s+(?:still\s+|also\s+|thus\s+)?(?:needed|required|"
    r"warranted|necessary)\b", _I)
LIMITATION = re.compile(
    r"\blimitations?\s+(?:of|to|in)\s+(?:this|our|the\s+present)\b|\b(?:this|our|the\s+present)\s+(?:study|trial|"
    r"analysis)\s+(?:has|had)\s+(?:several\s+|some\s+|a\s+few\s+)?(?:limitations|strengths)\b", _I)
# NOTE: MEDLINE abstracts end with disclosure, funding and registration paragraphs; none of them is a finding.
DISCLOSURE = re.compile(
    r"\b(?:financial|proprietary|competing|commercial)\s+(?:or\s+\w+\s+)?(?:interests?|disclosures?)\b"
    r"|\bconflicts?\s+of\s+interest|\bemployees?\s+of\b|\b(?:funded|sponsored)\s+(?:in\s+part\s+)?by\b"
    r"|\bsupported\s+(?:in\s+part\s+)?by\s+(?:a\s+)?grants?\b|\bNCT\d{8}\b|\bISRCTN\d+|\bregistered\s+(?:at|with|in)\b"
    r"|\btrial\s+registration\b|\badvisory\s+boards?\b|\bconsultan(?:t|cy)\b|\bhonorari"
    r"|\bspeakers?(?:'s)?\s+(?:bureau|fees)"
    r"|\breceived\s+(?:research\s+)?(?:grants?|fees|funding)\b", _I)
AIM = re.compile(
    r"\b(?:the|our|this)\s+(?:primary\s+|main\s+|overall\s+)?(?:aims?|objectives?|purposes?|goals?|hypothes[ie]s|"
    r"research\s+questions?)\s+"
    r"(?:of|was|were|is|are)\b|\bwe\s+(?:aimed|aim|sought|hypothesi[sz]ed|set\s+out)\b"
    r"|\b(?:this|the\s+present|the\s+current)\s+"
    r"(?:study|trial|paper|article)\s+(?:aims|aimed|was\s+designed|sought|examines|examined|investigates|investigated|"
    r"evaluates|evaluated|compares|compared|reports|presents|describes)\b|\b(?:study|trial)\s+(?:was|is)\s+"
    r"(?:conducted|carried\s+out|performed|undertaken|designed)\s+(?:in\s+order\s+)?to\b|^\W*to\s+(?:determine|assess|"
    r"evaluate|investigate|compare|examine|explore|describe|identify|test)\b", _I)
_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple((n, re.compile(p, _I)) for n, p in (
    ("own_result", r"\bwe\s+(?:found|observed|showed|demonstrated|report|noted|detected|identified)\b"),
    ("own_study", r"\b(?:in|from)\s+(?:this|the\s+present|the\s+current|our)\s+(?:study|trial|cohort|analysis|"
                  r"population|sample|series)\b|\bour\s+(?:study|results|findings|data|trial|analysis)\b"),
    ("conclusion", r"\bin\s+conclusion\b|\bwe\s+conclude|\b(?:these|our|the)\s+(?:results|findings|data|observations)"
                   r"\s+(?:suggest|indicate|show|demonstrate|support|confirm|imply)\b|\bconclud"),
    ("significant", r"\bsignificant(?:ly)?\b|\bstatistically\b"),
    ("null", r"\bno\s+(?:\w+\s+)?(?:significant\s+)?differences?\b|\bdid\s+not\s+(?:differ|improve|reduce|change)\b"
             r"|\bnot\s+(?:statistically\s+)?significant"),
    ("change", r"\b(?:increas|decreas|reduc|improv|higher|lower|greater|fewer|less|more|rose|fell|declin)\w*"),
    ("compare", r"\b(?:versus|vs\.?|compared\s+(?:with|to)|than|relative\s+to)\b"),
    ("percent", r"\d\s*%"),
    ("randomise", r"\brandomi[sz]|\brandomly\b|\ballocat|\bassigned\b|\bdouble[- ]blind|\bplacebo[- ]controlled"),
    ("eligibility", r"\beligib|\binclusion\b|\bexclusion\b|\bcriteria\b|\bwere\s+(?:included|excluded|enrolled|"
                    r"recruited|screened)\b"),
    ("measured", r"\b(?:was|were)\s+(?:measured|assessed|recorded|calculated|performed|used|collected|obtained|"
                 r"administered|evaluated|determined|analy[sz]ed)\b|\bquestionnaire|\bscale\b"),
    ("statistics", r"\bstatistical|\bregression\b|\bt-test|\bchi-?squared?\b|\banalysis\s+of\s+(?:co)?variance\b"
                   r"|\bintention[- ]to[- ]treat\b|\bsample\s+size\b|\bpower\b"),
    ("definition", r"\bdefined\s+as\b|\bdefinition\b"),
    ("outcome_named", r"\b(?:primary|secondary|main)\s+(?:outcomes?|end\s?points?|efficacy)\b"),
    ("baseline", r"\bbaseline\b"),
    ("table_ref", r"\b(?:table|fig(?:ure)?\.?)\s*\d"),
    ("flow", r"\ba\s+total\s+of\b|\bwere\s+(?:randomi[sz]ed|enrolled|screened|lost)\b|\bcompleted\b|\bwithdr[ae]w"),
    ("gap", r"\bremains?\s+(?:unclear|unknown|controversial|uncertain|poorly)|\blittle\s+is\s+known|\bunknown\b"
            r"|\bhowever\b"),
    ("general", r"\b(?:is|are)\s+(?:a|an|the)?\s*(?:common|major|leading|important|serious|frequent|rare|"
                r"well[- ]known)\b|\bworldwide\b|\bprevalen"),
    ("present_tense", r"\b(?:is|are|has|have|remains?)\b"),
    ("past_tense", r"\b(?:was|were|had|did)\b"),
    ("we", r"\bwe\b|\bour\b"),
    ("recommend", r"\bshould\b|\brecommend|\bclinicians?\b|\bpractice\b"),
    ("question", r"\?"),
    ("safety", r"\badverse|\bside[- ]effects?|\btolera|\bsafety\b"),
))
NAMES: tuple[str, ...] = (
    "p_value", "p_significant", "ci", "effect", "numbers", "words", "long", "short", "citation", "other_work",
    "caption", "baseline_similar", "demographics", "analysis_plan", "future_work", "limitation", "disclosure", "aim",
    "hedge", *(n for n, _ in _CUES))
# NOTE: a veto only (not a model feature): recommendations, expectations and what the study set out to test.
ADVICE = re.compile(
    r"\b(?:we|authors?)\s+(?:would\s+)?(?:recommend|suggest|propose|advocate)\b|\bis\s+recommended\b|\b(?:is|are)\s+"
    r"expected\s+to\b|\bwe\s+(?:investigated|examined|evaluated|assessed|studied|explored|tested)\s+"
    r"(?:whether|if|the\s+(?:potential|possibility|hypothesis|feasibility))\b"
    r"|\bmight\s+be\s+(?:useful|beneficial|an\s+option)\b|\bshould\s+be\s+"
    r"(?:considered|used|offered|recommended|given)\b"
    # NOTE: what other reports found, and what the study could not exclude, read as the study's own otherwise.
    r"|\b(?:one|some|several|many|most|two|three|all|none)\s+of\s+(?:them|these|those)\s+(?:\w+\s+){0,2}(?:reported|"
    r"found|showed|demonstrated)\b|\bcould\s+not\s+(?:rule\s+out|exclude)\b|\bcannot\s+(?:rule\s+out|exclude)\b"
    r"|^\W*(?:positive|negative)\s+(?:differences?|values?|numbers?|ratios?)\s+indicate", _I)
# NOTE: a table's abbreviation legend: "GWG = Gestational weight gain, IOM = Institute of Medicine, pp = postpartum".
LEGEND = re.compile(r"(?:^|[,;.]\s*)[A-Za-z][\w-]{0,12}\s*=\s*[A-Za-z][^,;=\d]{1,80}[,;]\s*[A-Za-z][\w-]{0,12}\s*=\s*"
                    r"[A-Za-z]")
_VETOES = (("aim", AIM), ("abbreviation legend", LEGEND), ("advice", ADVICE), ("table note", TABLE_NOTE),
           ("caption", CAPTION),
           ("baseline comparison", BASELINE_SIMILAR),
           ("baseline", DEMOGRAPHICS), ("analysis plan", ANALYSIS_PLAN), ("future work", FUTURE_WORK),
           ("limitation", LIMITATION), ("disclosure", DISCLOSURE))


def attach_references(texts: Sequence[str]) -> list[str]:
    """Return the sentences with a reference that opens one ("[29] The reason ...") moved back to the one before.

    Bracketed references sit after the full stop in many PMC texts, so the segmenter starts the next sentence with
    them; they belong to the sentence they follow.
    """
    out = list(texts)
    for i in range(1, len(out)):
        if m := _LEADING_REF.match(out[i]):
            out[i - 1], out[i] = f"{out[i - 1]} {m.group().strip()}", out[i][m.end() :]
    return out


def cites_other_work(text: str) -> bool:
    """Return whether a sentence cites or reports other studies ("[18]", "Smith et al.", "has been reported")."""
    return bool(CITATION.search(text) or OTHER_WORK.search(text))


def is_hedged(text: str) -> bool:
    """Return whether a sentence is worded speculatively (may, might, could, suggest, appears to, ...)."""
    return bool(HEDGES.search(text))


def not_a_finding(text: str) -> str | None:
    """Return why a sentence cannot be the study's own finding (caption, baseline, future work, ...), or None."""
    for reason, pattern in _VETOES:
        if pattern.search(text):
            return reason
    words = len(WORD.findall(text))
    if words < MIN_WORDS or (words < ROW_WORDS and not text.rstrip().endswith((".", "!", "?", ")", ":", ";"))):
        return "fragment"  # NOTE: a table cell or row label ("6 (4.4)", "At least one adverse event") states nothing
    return "other work" if cites_other_work(text) else None


def cue_vector(text: str) -> np.ndarray:
    """Return the sentence's cue features in NAMES order (0/1 flags; counts and lengths scaled to about 0..1)."""
    ps = find_p_values(text)
    words = len(text.split())
    flags = [
        bool(ps), any(p.significant() for p in ps),
        find_confidence_interval(text) is not None or bool(re.search(r"\bCI\b|confidence\s+interval", text)),
        bool(find_effects(text)), min(len(re.findall(r"\d+(?:\.\d+)?", text)), 20) / 20, min(words, 80) / 80,
        words > 60, words < 6, *(bool(p.search(text)) for p in (
            CITATION, OTHER_WORK, CAPTION, BASELINE_SIMILAR, DEMOGRAPHICS, ANALYSIS_PLAN, FUTURE_WORK, LIMITATION,
            DISCLOSURE, AIM)),
        is_hedged(text), *(bool(p.search(text)) for _, p in _CUES)]
    return np.asarray(flags, dtype=float)
