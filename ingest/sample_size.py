"""A study's sample size from its own text: randomised > analysed > enrolled; never screened, never another study's.

Counts are read from the abstract and the body's methods and results, the largest of the best-ranked kind. A count
inside an identifier (NCT01005095), a reference, a year, a power calculation, a target ("3000 patients were
targeted"), a part ("Three of 12 patients", "30 patients in each group", "78 dropped out") or a sentence citing other
work is never a sample size. A registry record's size is its reader's: ACTUAL enrollment or nothing.
"""

from __future__ import annotations

import re

from ingest.study_text import regions
from kb.models import Document

_I = re.IGNORECASE
_PEOPLE = (r"(?:patients|participants|subjects|adults|children|infants|women|men|individuals|persons|people|"
           r"volunteers|cases|respondents|pregnancies|neonates|newborns|smokers|students|residents|veterans|eyes|"
           r"mothers|girls|boys|adolescents|elderly|outpatients|inpatients|nurses|physicians|pairs|couples|families|"
           r"athletes|workers|employees|users|members|survivors|donors|recipients)")
_UNITS = ("one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
          "seventeen eighteen nineteen").split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORDS = {**{w: i for i, w in enumerate(_UNITS, 1)}, **{w: 10 * i for i, w in enumerate(_TENS, 2)}}
_BELOW_100 = rf"(?:{'|'.join(_TENS)})(?:-(?:{'|'.join(_UNITS[:9])}))?|{'|'.join(_UNITS[::-1])}"
# NOTE: "Two hundred eighty-one patients were randomized" is 281, never 2.
_SPELLED = rf"(?:{'|'.join(_UNITS[:9])})[ -]hundred(?:[ -](?:and[ -])?(?:{_BELOW_100}))?|{_BELOW_100}"
# NOTE: a count stands alone: not inside an identifier (NCT01005095), a decimal, a range, a reference [12], a list
# of arms ("23, 16 and 21 patients") or a number grouped by spaces ("256 985").
_ALONE = r"(?<![\w.,/\[–-])(?<!\d[^\S\n])(?<!\d,\s)(?<!\d\sand\s)(?<!hundred\s)(?<!hundred\sand\s)(?!0\d)"
_COUNT = rf"{_ALONE}(?P<n>\d{{1,3}}(?:,\d{{3}})+|\d+|{_SPELLED})(?![\w%/\]–-]|[.,·]\d|[^\S\n]\d{{3}}\b)"
_GAP = r"(?:[\w-]+\s+){0,6}?"
_ADJECTIVES = (r"(?:(?!(?:of|for|in|with|and|to|at|per|weeks?|days?|months?|years?|hours?|times|doses?)\b)"
               r"[\w-]+\s+){0,3}?")
_RAND = r"(?:randomi[sz]ed|randomly\s+(?:assigned|allocated|divided|distributed|placed))"
_CLASSES: tuple[tuple[re.Pattern[str], ...], ...] = tuple(tuple(re.compile(p, _I) for p in ps) for ps in (
    (rf"{_COUNT}\s+(?:{_GAP}{_PEOPLE}\s+{_GAP}|(?:who\s+)?(?:met|fulfilled|satisfied)\s+[^,;.]{{0,60}}?\s+and\s+)?"
     rf"(?:were|was|had\s+been)\s+(?:(?!not\b)\w+\s+){{0,3}}?{_RAND}",
     rf"\b{_RAND}\s+(?:a\s+total\s+of\s+)?{_COUNT}\s+{_GAP}{_PEOPLE}",
     rf"{_COUNT}\s+(?:[\w-]+\s+){{0,2}}?randomi[sz]ed\s+{_GAP}{_PEOPLE}",
     rf"\brandomi[sz]ed\s*[(:,]?\s*n\s*=\s*{_COUNT}",
     # NOTE: "parents (n=120) with children aged 11–16 years ... were randomised", brackets read as " n=120 ".
     rf"\bn={_COUNT}\s[^;.]{{0,160}}?\b(?:were|was)\s+(?:(?!not\b)\w+\s+){{0,3}}?{_RAND}"),
    (rf"{_COUNT}\s+{_GAP}(?:were|was)\s+(?:included\s+in\s+(?:the\s+)?(?:final\s+)?|available\s+for\s+(?:the\s+)?)"
     r"(?:analy[sz]ed|analys[ie]s)",
     rf"\banaly[sz](?:ed|is\s+(?:of|included))\s+(?:data\s+(?:from|of|for)\s+)?{_COUNT}\s+{_GAP}{_PEOPLE}",
     rf"{_COUNT}\s+{_GAP}{_PEOPLE}\s+completed\b"),
    (rf"\b(?:enrolled|recruited|included|studied|assigned|allocated)\s+(?:a\s+total\s+of\s+)?{_COUNT}\s+{_GAP}"
     rf"{_PEOPLE}",
     rf"{_COUNT}\s+{_GAP}{_PEOPLE}\s+(?:\w+\s+){{0,3}}?(?:were|was)\s+(?:enrolled|recruited|included|studied|"
     r"assigned|allocated)"),
))
# NOTE: results sections count events too ("a total of 15 subjects had ..."): these are read in abstract and methods.
_TOTALS = tuple(re.compile(p, _I) for p in (rf"\b(?:a\s+total\s+of|in\s+total,?)\s+{_COUNT}\s+{_GAP}{_PEOPLE}",
                                             rf"{_COUNT}\s+{_GAP}{_PEOPLE}\s+(?:participated|took\s+part|entered)"))
# NOTE: the weakest reading ("400 patients", "n = 120"), trusted only in the abstract.
_ANY = (re.compile(rf"{_COUNT}\s+{_ADJECTIVES}{_PEOPLE}\b", _I),
        re.compile(rf"(?<!%\s\()(?<!%\()\bn\s*=\s*{_COUNT}", _I))  # NOTE: "30% (n = 96)" is a part.
# NOTE: words around a count that make it someone else's or a part: screened, invited, planned, dropped out, one
# arm's, a cluster's; a bare count must not be of the eligible, the identified or the attending either.
_NOT_STUDIED = re.compile(r"screen|assess\w*\s+for|approach|invit|offered|contact|exclu|declin|refus|target|planned|"
                          r"intended|expected|would\s+be|\beach\b|per\s+(?:group|arm)|percent|dropp|withdr|lost\s+to|"
                          r"discontinu|died|inappropriate|replaced|groups?\b|arms?\b", _I)
_NOT_STUDIED_ANY = re.compile(rf"{_NOT_STUDIED.pattern}|eligib|potential|attend|admitted|referred|regist|"
                              r"population|approximately|estimated|per\s+year", _I)
# NOTE: the rest of the clause after any count: a part of a whole, one arm, or people who never took part.
_A_PART = re.compile(
    r"^\s+of\s+(?:the\s+|these\s+|those\s+)?(?:\d|[a-z]+\s+\d)"  # "Three of 12 patients"
    r"|^\s+(?:[\w-]+\s+){0,2}?(?:schools?|practices|clusters?|villages?|hospitals|cent(?:er|re)s|wards|communities|"
    r"sites|households)\b"  # "eight selected schools"
    r"|^[^,;:()]*?\b(?:(?:in\s+each|per|in\s+both|each)\s+(?:group|arm)"
    r"|responded\s+to\s+(?:the\s+|an?\s+)?(?:advert|invit|letter|call|mail|survey)"
    r"|(?:were|was)\s+(?:screened|invited|approached|contacted|excluded|assessed\s+for)"
    r"|declined|refused|dropped|withdrew|were\s+lost|experienc|developed|suffered|reported|showed|achieved|required)",
    _I)
_NOT_OWN = re.compile(r"\[\d|\bet\s+al\b|\(\s*[A-Z][\w-]+(?:\s+et\s+al\.?)?,?\s+(?:19|20)\d\d|\bpower\b|sample\s+size|"
                      r"would\s+(?:require|need)|(?:needed|required|necessary)\s+to\s+detect|\bper\s+100", _I)
_MORE_ARMS = re.compile(rf"\s+(?:to|into)\b[^.;]*?\band\s+{_COUNT}\s+(?:{_PEOPLE}\s+)?(?:to|into|in)\b", _I)
_NOT_PEOPLE = re.compile(r"\b(?:trials|studies|articles|papers)\b", _I)
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(])|\n+")
_N_IN_BRACKETS = re.compile(r"\(\s*n\s*=\s*(\d[\d,]*)\s*\)", _I)
_BRACKETS = re.compile(r"\s*\([^()]*\)")
_MAX_CREDIBLE = 10_000_000


def _value(written: str) -> int:
    """Return a count written in digits ("1,024") or words ("Forty-two")."""
    if written[0].isdigit():
        return int(written.replace(",", ""))
    parts = [w for w in re.split(r"[\s-]+", written.casefold()) if w != "and"]
    if "hundred" in parts:
        at = parts.index("hundred")
        return 100 * _WORDS[parts[0]] + sum(_WORDS[w] for w in parts[at + 1 :])
    return sum(_WORDS[part] for part in parts)


def _other_arms(rest: str) -> int:
    """Return the counts of the further arms of "261 were randomised to A and 274 to B" (0 when none)."""
    m = _MORE_ARMS.match(rest)
    return _value(m["n"]) if m else 0


def _credible(m: re.Match[str], sentence: str, exclude: re.Pattern[str]) -> bool:
    """Return whether a matched count is of studied people: not a year, not screened, planned or a part."""
    n = _value(m["n"])
    year = 1900 <= n <= 2100 and "," not in m["n"]
    if not 2 <= n <= _MAX_CREDIBLE or year or _A_PART.search(sentence[m.end("n") :]):
        return False
    # NOTE: a cue's own words say what the count is; a bare count is also judged by the rest of its clause.
    clause = re.split(r"[,;:()]", sentence[: m.start()])[-1]
    context = " ".join(clause.split()[-2:]) + " " + sentence[m.start() : m.end()]
    if exclude is _NOT_STUDIED_ANY:
        context += re.split(r"[,;:()]", sentence[m.end() :], maxsplit=1)[0][:80]
    # NOTE: "Four randomised trials with 3104 participants": trials counted are not people.
    return not exclude.search(context) and not _NOT_PEOPLE.search(sentence[m.end("n") : m.end()])


def _counts(texts: tuple[str, ...], cues: tuple[re.Pattern[str], ...], exclude: re.Pattern[str] = _NOT_STUDIED
            ) -> list[int]:
    """Return the credible counts the cues find in the texts' own sentences."""
    found = []
    for sentence in (s for text in texts for s in _SENTENCE.split(text)):
        if _NOT_OWN.search(sentence):
            continue
        # NOTE: cues read through brackets ("53 women (≥60 years) were randomised", "criteria (n = 591) were
        # randomised" keeps its count); a bare "n = 120" is read as written.
        plain = sentence if cues is _ANY else _BRACKETS.sub("", _N_IN_BRACKETS.sub(r" n=\1 ", sentence))
        for cue in cues:
            matches = list(cue.finditer(plain))
            if cue is _ANY[1] and len(matches) > 1:
                continue  # NOTE: several "n =" in one sentence are its arms, not the study.
            found += [_value(m["n"]) + _other_arms(plain[m.end() :]) for m in matches if _credible(m, plain, exclude)]
    return found


def sample_size_of(doc: Document) -> int | None:
    """Return the study's size: the most randomised, else analysed, else enrolled, else people the abstract counts."""
    if doc.trial is not None:
        # NOTE: the registry's ACTUAL enrollment or nothing; an ESTIMATED count is a plan, kept in trial.enrollment.
        return doc.trial.enrollment.count if doc.trial.enrollment.type == "ACTUAL" else None
    _, front, methods, results = regions(doc)
    randomised, analysed, enrolled = (_counts((front, methods, results), cues) for cues in _CLASSES)
    if counts := randomised or analysed or enrolled + _counts((front, methods), _TOTALS):
        return max(counts)
    counts = _counts((front,), _ANY, _NOT_STUDIED_ANY)
    return max(counts) if counts else None
