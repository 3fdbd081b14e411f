"""Statistics written in a sentence: effect estimates with CIs, p-values and sample sizes."""

from __future__ import annotations

import re

from kb.claims import P_NOTATION, RATIO_TYPES, EffectMeasure, EffectType, PValue

# NOTE: publishers write minus and ranges with several dashes and Lancet uses a middle dot as decimal point.
_NUM = r"[-−–]?\s?\d+(?:[.·]\d+)?"
_SEP = r"\s*(?:to|–|—|-|−|,|;)\s*"
_UNIT = r"(?:\s*(?:percentage\s+points?|points?|mm\s?Hg|mm|kg|cm|days?|weeks?|months?|years?|mg/dl|mmol/l)\b)?"
_LEVEL = (r"(?P<level>\d{2}(?:[.·]\d+)?)\s*%\s*(?:CI|CrI|confidence\s+intervals?|credible\s+intervals?)"
          r"(?:\s*[\[(]CI[\])])?")

# NOTE: order matters: longer names first so "standardized mean difference" is not read as "mean difference".
_NAMES: tuple[tuple[str, EffectType], ...] = (
    (r"(?:adjusted\s+)?hazard\s+ratios?", "HR"),
    (r"(?:adjusted\s+)?odds\s+ratios?", "OR"),
    (r"(?:incidence\s+)?rate\s+ratios?", "IRR"),
    (r"(?:adjusted\s+)?(?:relative\s+risks?|risk\s+ratios?|relative\s+rates?|prevalence\s+ratios?)", "RR"),
    (r"standardi[sz]ed\s+mean\s+differences?", "SMD"),
    (r"(?:weighted\s+)?mean\s+differences?", "MD"),
    (r"absolute\s+risk\s+reductions?", "ARR"),
    (r"risk\s+differences?", "RD"),
    (r"a?HR", "HR"),
    (r"a?OR", "OR"),
    (r"a?RR", "RR"),
    (r"IRR", "IRR"),
    (r"WMD|MD", "MD"),
    (r"SMD", "SMD"),
    (r"ARR", "ARR"),
    (r"RD", "RD"),
)
_ABBREVIATED = {"HR", "OR", "RR", "IRR", "MD", "SMD", "ARR", "RD", "AHR", "AOR", "ARR", "WMD"}
_LABEL = "|".join(f"(?:{pattern})" for pattern, _ in _NAMES)
_EFFECT = re.compile(
    rf"(?<![A-Za-z])(?P<label>{_LABEL})(?![A-Za-z])"
    r"(?:\s*[\[(](?:[A-Za-z ]{1,12}|\d\d\s*%\s*CI)[\])])?"  # "hazard ratio [HR]", "(aOR)", "(95% CI)"
    r"(?:\s*(?:,|:|=|\bwas\b|\bwere\b|\bof\b|\bis\b|\bfor\b[^,;()=\d]{0,60}?))*\s*"
    rf"(?P<value>(?>{_NUM}))(?!\s*%){_UNIT}"
    rf"(?:(?:[\s,;]*[(\[]?\s*{_LEVEL}\s*[,:=]?\s*[(\[]?\s*|\s*[(\[]\s*)(?P<lo>{_NUM}){_SEP}(?P<hi>{_NUM}))?",
    re.IGNORECASE,
)
_CI_ONLY = re.compile(rf"{_LEVEL}\s*[,:=]?\s*[(\[]?\s*(?P<lo>{_NUM}){_SEP}(?P<hi>{_NUM})", re.IGNORECASE)

_N = re.compile(r"(?<![A-Za-z])n\s*=\s*(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?![.\d])", re.IGNORECASE)


def to_float(text: str) -> float:
    """Return a number written with any dash as minus and a dot or middle dot as decimal point."""
    # NOTE: any whitespace, not just spaces: "95% CI −\xa02.9 to 14.3" (a no-break space after the minus, PMC4588430).
    return float(re.sub(r"\s", "", re.sub(r"[−–]", "-", text)).replace("·", "."))


def _effect_type(label: str) -> EffectType:
    """Return the effect type named by a matched label."""
    for pattern, kind in _NAMES:
        if re.fullmatch(pattern, label, re.IGNORECASE):
            return kind
    return "other"


def find_effects(sentence: str) -> list[EffectMeasure]:
    """Return every effect estimate (HR, OR, RR, IRR, MD, SMD, RD, ARR) in the sentence, with its CI when given."""
    found = []
    for m in _EFFECT.finditer(sentence):
        label = m["label"]
        # NOTE: short labels must be written in capitals ("or" and "md" are words); aOR/aHR keep a small a.
        if len(label) <= 4 and label.upper() in _ABBREVIATED and label[-2:] != label[-2:].upper():
            continue
        kind = _effect_type(label)
        value = to_float(m["value"])
        low, high = (to_float(m["lo"]), to_float(m["hi"])) if m["lo"] else (None, None)
        if low is not None and high is not None and not low <= high:
            low = high = None
        if kind in RATIO_TYPES and value <= 0:
            continue
        level = to_float(m["level"]) / 100 if m["level"] else 0.95
        found.append(EffectMeasure(type=kind, value=value, ci_low=low, ci_high=high, ci_level=level))
    return found


def find_confidence_interval(sentence: str) -> tuple[float, float, float] | None:
    """Return the first written CI as (low, high, level), for estimates named without a ratio label."""
    m = _CI_ONLY.search(sentence)
    if m is None or to_float(m["lo"]) > to_float(m["hi"]):
        return None
    return to_float(m["lo"]), to_float(m["hi"]), to_float(m["level"]) / 100


def find_p_values(sentence: str) -> list[PValue]:
    """Return every p-value in the sentence with its comparison operator."""
    # NOTE: in running text a p-value needs its operator or a verb ("P was 0.03"); PValue reads the notation.
    found = (PValue.from_match(m) for m in P_NOTATION.finditer(sentence) if m["op"] or m["link"])
    return [p for p in found if p is not None]


def find_sample_size(sentence: str) -> int | None:
    """Return the largest "n = 1,024" count written in the sentence, if any."""
    counts = [int(m["n"].replace(",", "")) for m in _N.finditer(sentence)]
    return max(counts) if counts else None
