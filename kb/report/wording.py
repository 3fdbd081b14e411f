"""How the report words numbers, designs, sample sizes and ranges: one place, every format."""

from __future__ import annotations

from collections.abc import Iterable

from kb.claims import EffectMeasure, PValue

DESIGN_LABELS = {
    "rct": "RCT",
    "meta_analysis": "meta-analysis",
    "non_randomized_trial": "non-randomised trial",
    "case_control": "case-control",
    "cross_sectional": "cross-sectional",
    "in_vitro": "in vitro",
    "unknown": "design not reported",
}


def year_range(low: int | None, high: int | None, missing: str) -> str:
    """Return a year range in words."""
    if low is not None and high is not None:
        return f"{low}–{high}"
    if low is not None:
        return f"{low} or later"
    if high is not None:
        return f"{high} or earlier"
    return missing


def design_label(design: str) -> str:
    """Return a study design in words."""
    return DESIGN_LABELS.get(design, design.replace("_", " "))


def sample_size_label(n: int | None, kind: str) -> str:
    """Return a sample size, saying whether a registry count is actual or estimated."""
    if n is None:
        return "n not reported"
    suffix = {"ACTUAL": " (actual)", "ESTIMATED": " (estimated)"}.get(kind, "")
    return f"n = {n}{suffix}"


def location(page: int | None, field: str | None) -> str:
    """Return where in its document a quote sits."""
    parts = ([f"page {page}"] if page is not None else []) + ([f"registry field {field}"] if field else [])
    return ", ".join(parts) or "location not recorded"


def _num(value: float) -> str:
    """Return a number with at least two and at most four decimals."""
    whole, _, frac = f"{value:.4f}".rstrip("0").partition(".")
    return f"{whole}.{frac.ljust(2, '0')}"


def format_effect(e: EffectMeasure) -> tuple[str, str | None]:
    """Return an effect estimate and its confidence interval, e.g. ('HR 0.82', '0.71–0.95')."""
    label = "effect" if e.type == "other" else e.type
    value = f"{_num(e.value)}%" if e.type == "percent" else f"{label} {_num(e.value)}"
    if e.ci_low is None or e.ci_high is None:
        return value, None
    level = "" if e.ci_level == 0.95 else f"{e.ci_level * 100:g}% CI "
    return value, f"{level}{_num(e.ci_low)}–{_num(e.ci_high)}"


def format_p(p: PValue) -> str:
    """Return a p-value as reported, e.g. 'p < 0.001'."""
    return f"p {p.operator} {p.value:g}"


RISKS = frozenset({"increases_risk_of", "decreases_risk_of"})


def direction_label(direction: str, predicates: Iterable[str | None] = ()) -> str:
    """Return a direction of effect in words; of a risk or hazard when its claims state one (an HR on survival)."""
    if direction in ("increase", "decrease") and RISKS.intersection(predicates):
        return "higher risk" if direction == "increase" else "lower risk"
    return direction.replace("_", " ")
