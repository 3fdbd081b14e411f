"""How a format-neutral trial record becomes a Document's text and its registry claims.

Claims come only from posted statistical analyses and serious adverse events, never from a language model. An
outcome posted without an analysis stays in the text (retrievable, quotable) but yields no claim: no comparison
was tested. Claims carry chunk_id "" until the pipeline sets the chunk holding their quote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from ingest.readers.trials_model import (CONTROL_ARM, MAX_QUOTED_LINE, MAX_SERIOUS_EVENTS, PUBLICATION_TYPES, Analysis, Anchor,
                                 Arms, Group, Measurement, OutcomeResult, Record, Results, TextBuilder, clip)
from kb.claims import Claim, PValue, Scope
from kb.models import Document, Entity, content_hash, document_id, entity_id
from kb.trials import (effect_predicate, estimate_effect, is_ratio, parse_number, registry_claim,
                       time_to_event_predicate)

# NOTE: the record's outcome type is the scope; another pre-specified outcome is not primary, so it counts as secondary.
_SCOPES: dict[str, Scope] = {"primary": "primary", "secondary": "secondary", "other pre specified": "secondary",
                             "post hoc": "post_hoc"}

# --- rendering -----------------------------------------------------------------------------------------


def render_results(b: TextBuilder, results: Results) -> list[Anchor]:
    """Write the results sections and return the lines claims will quote."""
    anchors = [a for o in results.outcomes for a in _render_outcome(b, o)]
    return anchors + _render_events(b, results)


def _render_outcome(b: TextBuilder, o: OutcomeResult) -> list[Anchor]:
    start = b.size
    b.line(f"Outcome: {o.title}" + (f" ({o.time_frame})" if o.time_frame else ""))
    if o.type:
        b.line(f"Outcome type: {o.type}")
    titles = {g.id: g.title for g in o.groups}
    for m in o.measurements:
        b.line(_measurement_line(m, o, titles.get(m.group_id, m.group_id)))
    anchors = []
    for a in o.analyses:
        start_a, end_a = b.line(_analysis_line(a, _ordered_groups(a, o.groups)))
        anchors.append(Anchor(start_a, end_a, a.field, o.groups, outcome=o, analysis=a))
    b.close(o.title or "Outcome", "results", start)
    return anchors


def _measurement_line(m: Measurement, o: OutcomeResult, title: str) -> str:
    spread = m.spread or (f"{m.lower}–{m.upper}" if m.lower or m.upper else "")
    line = f"Group {title}" + (f" [{m.label}]" if m.label else "") + f": {m.value}" + (f" {o.units}" if o.units else "")
    line += f" ({o.dispersion} {spread})" if spread else ""
    return line + (f", n={m.n}" if m.n else "")


def _analysis_line(a: Analysis, groups: list[Group]) -> str:
    line = "Analysis: " + clip(" vs ".join(clip(g.title, 80) for g in groups), 170)
    stats = f"{clip(a.param_type, 60)} {a.param_value}".strip()
    if a.ci_lower or a.ci_upper:
        stats += f" ({a.ci_pct or '?'}% CI {a.ci_lower or '?'} to {a.ci_upper or '?'})"
    if a.p_value:
        p_value = f"p{a.p_value}" if a.p_value[0] in "<>=≤≥" else f"p={a.p_value}"
        stats = f"{stats}, {p_value}" if stats else p_value
    line += f" — {stats}" if stats else ""
    line += f" ({clip(a.method, 60)})" if a.method else ""
    return clip(line, MAX_QUOTED_LINE)


def _render_events(b: TextBuilder, results: Results) -> list[Anchor]:
    ranked = sorted((e for e in results.serious_events if e.affected), key=lambda e: -e.affected)
    if not ranked:
        return []
    start = b.size
    b.line("Serious adverse events (most frequent terms)")
    titles = {g.id: g.title for g in results.event_groups}
    anchors = []
    for ev in ranked[:MAX_SERIOUS_EVENTS]:
        for c in ev.counts:
            line = f"Serious adverse event {clip(ev.term, 150)}: {clip(titles.get(c.group_id, c.group_id), 150)}"
            s, e = b.line(f"{line} {c.affected}/{c.at_risk}")
            anchors.append(Anchor(s, e, c.field, results.event_groups, count=c, event=ev))
    if len(ranked) > MAX_SERIOUS_EVENTS:
        b.line(f"({len(ranked) - MAX_SERIOUS_EVENTS} more serious adverse event terms are in the registry record)")
    b.close("Serious adverse events", "results", start)
    return anchors


# --- claims --------------------------------------------------------------------------------------------


NOT_AN_OUTCOME = re.compile(r"^\s*table\s*\d|\bcharacteristics?\b|\bbaseline (?:demographic|value)|\bdemographics?\b",
                            re.IGNORECASE)


def registry_claims(doc: Document, anchors: Iterable[Anchor], arms: Arms) -> list[Claim]:
    """Return the claims the rendered analyses and serious events state, each quoting its line of doc.text."""
    made = (_efficacy(doc, a, arms) if a.analysis else _safety(doc, a, arms) for a in anchors)
    return [c for c in made if c is not None]


def _efficacy(doc: Document, anchor: Anchor, arms: Arms) -> Claim | None:
    a, o = anchor.analysis, anchor.outcome
    assert a is not None and o is not None
    if NOT_AN_OUTCOME.search(o.title):
        return None  # NOTE: some records post their baseline table as "outcomes"; a baseline row is not a result.
    groups = _ordered_groups(a, anchor.groups)
    p_value = PValue.parse(a.p_value)
    predicate = effect_predicate(
        parse_number(a.param_value), parse_number(a.ci_lower), parse_number(a.ci_upper),
        # NOTE: a non-inferiority p tests the margin, not "no difference", so only its CI may decide.
        None if "INFERIOR" in a.non_inferiority.upper() else p_value, ratio=is_ratio(a.param_type))
    if not groups or predicate is None:
        return None
    predicate = time_to_event_predicate(predicate, a.param_type, o.title)
    denoms = dict(o.denoms)
    counts = [parse_number(denoms.get(g.id, "")) for g in groups]
    analysed = sum(int(n) for n in counts if n is not None) if None not in counts else None
    return registry_claim(
        doc, (anchor.start, anchor.end), anchor.field, kind="efficacy",
        subject=_intervention(groups[0], arms, anchor.groups),
        predicate=predicate, obj=Entity(id=entity_id(o.title, "outcome"), name=o.title, type="outcome"),
        comparator=" / ".join(g.title for g in groups[1:]) or None, sample_size=analysed, p_value=p_value,
        effect=estimate_effect(a.param_type, a.param_value, a.ci_pct, a.ci_lower, a.ci_upper),
        scope=scope_of_type(o.type))


def scope_of_type(outcome_type: str) -> Scope:
    """Return the scope a registry outcome type states ("PRIMARY", "Secondary", "Post-Hoc", "OTHER_PRE_SPECIFIED")."""
    return _SCOPES.get(" ".join(re.split(r"[-_\s]+", outcome_type.casefold())), "unspecified")


def _safety(doc: Document, anchor: Anchor, arms: Arms) -> Claim | None:
    c, ev = anchor.count, anchor.event
    assert c is not None and ev is not None
    group = next((g for g in anchor.groups if g.id == c.group_id), Group(c.group_id, c.group_id))
    subject = _intervention(group, arms, anchor.groups)
    if not c.affected or CONTROL_ARM.search(subject.name):
        return None  # NOTE: a placebo arm's events are the comparison, not an effect of a treatment.
    titles = {g.id: g.title for g in anchor.groups}
    others = "; ".join(f"{titles.get(o.group_id, o.group_id)} {o.affected}/{o.at_risk}"
                       for o in ev.counts if o is not c)
    term = Entity(id=entity_id(ev.term, "condition"), name=ev.term, type="condition")
    return registry_claim(doc, (anchor.start, anchor.end), anchor.field, kind="safety", subject=subject,
                          predicate="adverse_event_of", obj=term, comparator=others or None, sample_size=c.at_risk)


def _ordered_groups(a: Analysis, groups: tuple[Group, ...]) -> list[Group]:
    """Return an analysis' groups, its subject first: the one the estimate puts first ("Hazard ratio is stop vs
    continue", "HR is Arm B vs A"), else the first named in it, else the first non-control."""
    chosen = [g for gid in a.group_ids for g in groups if g.id == gid]
    named = [(m.start(), k) for k, g in enumerate(chosen) if g.title
             for m in [re.search(rf"(?<!\w){re.escape(g.title)}(?!\w)", a.estimate, re.I)] if m]
    first = (_first_in_estimate(a.estimate, chosen) if not named else None)
    if first is None:
        first = min(named)[1] if named else next((k for k, g in enumerate(chosen) if not CONTROL_ARM.search(g.title)),
                                                 0)
    return chosen[first:first + 1] + chosen[:first] + chosen[first + 1:]


# NOTE: "Hazard ratio is stop vs continue": the estimate's own order, which may differ from the groups' order.
_ESTIMATE_ORDER = re.compile(r"(?:\bis\b|:|^)\s*(?P<a>[^,;:]+?)\s+(?:vs\.?|versus|minus|compared\s+(?:with|to)|"
                             r"relative\s+to|over)\s+\w", re.I)
_NOT_KEYS = frozenset("the a an in of for with ratio hazard hr or rr difference risk mean is".split())


def _first_in_estimate(estimate: str, chosen: list[Group]) -> int | None:
    """Return the index of the one group whose title carries the words the estimate puts before "vs", or None."""
    m = _ESTIMATE_ORDER.search(estimate)
    keys = [w for w in re.findall(r"\w+", m["a"].casefold()) if w not in _NOT_KEYS][-2:] if m else []
    if not keys:
        return None
    hits = [k for k, g in enumerate(chosen) if all(_has_word(g.title, key) for key in keys)]
    return hits[0] if len(hits) == 1 else None


def _has_word(title: str, key: str) -> bool:
    """Return whether a title has the word (or, for four letters or more, a word of the same stem: stop ~ Stopped)."""
    words = re.findall(r"\w+", title.casefold())
    return any(w == key or (len(key) >= 4 and w.startswith(key[:4]) and key.startswith(w[:4])) for w in words)


def _names(group: Group, arms: Arms) -> tuple[str, ...]:
    """Return the interventions a group received: its arm's, else those its title or description names."""
    return (arms.by_label.get(group.title.casefold()) or _named_in(group.title, arms)
            or _named_in(group.description, arms))


def _intervention(group: Group, arms: Arms, groups: tuple[Group, ...] = ()) -> Entity:
    """Return the intervention entity a group received; named by the group's title when another group received the
    same interventions (arms that differ by dose or schedule: "Semaglutide 1.0 mg", "74 Gy/37 fx + Chemotherapy")."""
    names = _names(group, arms)
    alike = names and any(g.id != group.id and _names(g, arms) == names for g in groups)
    name = group.title if alike or not names else " + ".join(names)
    synonyms = (" + ".join(names),) if alike else arms.aliases.get(names[0], ()) if len(names) == 1 else ()
    return Entity(id=entity_id(name, "intervention"), name=name, type="intervention", synonyms=tuple(synonyms))


def _named_in(text: str, arms: Arms) -> tuple[str, ...]:
    return tuple(name for name, aliases in arms.aliases.items()
                 if any(re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text, re.I) for n in (name, *aliases) if n))


# --- document ------------------------------------------------------------------------------------------


def trial_document(path: Path, record: Record, builder: TextBuilder) -> tuple[Document, list[Claim]]:
    """Append the record's results to its protocol text; return the trial Document and its registry claims."""
    info = record.info
    anchors = render_results(builder, record.results) if record.results else []
    year = re.match(r"\d{4}", info.start_date or "")
    doc = Document(
        id=document_id("trial", nct=info.nct_id), kind="trial", source=str(path),
        content_hash=content_hash(record.canonical), title=record.title, text=builder.text, nct_ids=(info.nct_id,),
        journal=None, year=int(year.group()) if year else None, publication_types=PUBLICATION_TYPES,
        mesh_terms=tuple(dict.fromkeys((*info.condition_mesh, *info.intervention_mesh))),
        sections=tuple(builder.sections), study_design=record.design,
        sample_size=info.enrollment.count if info.enrollment.type == "ACTUAL" else None, trial=info)
    return doc, registry_claims(doc, anchors, record.arms)
