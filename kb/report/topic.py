"""The topic map as a report: Markdown, one self-contained HTML file, or JSON; every string escaped."""

from __future__ import annotations

from datetime import datetime
from functools import cache

import jinja2

from kb.answers import Citation, Hypothesis
from kb.errors import ConfigError
from kb.report.build import links_for
from kb.report.markdown import escape, quote
from kb.report.wording import design_label, direction_label
from kb.topic import Cell, TopicMap

TOPIC_FORMATS: dict[str, str] = {
    "md": "text/markdown; charset=utf-8",
    "html": "text/html; charset=utf-8",
    "json": "application/json",
}
TITLE = "MedKB topic map"


def finding_label(h: Hypothesis, certainty: bool = True) -> str:
    """Return a finding in a few words: its direction (of a risk where its claims say so), certainty and studies."""
    direction = direction_label(h.direction, [c.predicate for c in h.supporting])
    studies = f"{h.n_studies} {'study' if h.n_studies == 1 else 'studies'}"
    # NOTE: a majority direction is never shown alone when a study points the other way.
    against = f", {len(h.contradicting)} against" if h.contradicting else ""
    level = f"{h.confidence} certainty; " if certainty else ""
    return f"{direction}; {level}{studies}{against}"


def cell_label(cell: Cell) -> str:
    """Return what a grid square shows: its lead finding, and how many other comparisons it holds."""
    more = len(cell.findings) - 1
    return finding_label(cell.lead) + (f" (+{more} other comparison{'s' if more > 1 else ''})" if more else "")


def source_line(c: Citation) -> str:
    """Return a cited study in one line: title, year, design and its ids."""
    ids = "; ".join(i for i in (c.pmid and f"PMID {c.pmid}", c.nct_id, c.doi and f"DOI {c.doi}") if i)
    return f"{c.title or c.source} ({c.year or 'n.d.'}), {design_label(c.study_design)}" + (f"; {ids}" if ids else "")


def _md_links(c: Citation) -> str:
    """Return links built from a citation's validated ids (never a URL from a source)."""
    links = links_for(c.pmid, c.doi, c.nct_id)
    return (" " + " · ".join(f"[{link.label}]({link.url})" for link in links)) if links else ""


def _md_finding(h: Hypothesis) -> list[str]:
    """Return one finding with its reasons and its sources."""
    lines = [f"- Certainty: **{h.confidence}** ({escape('; '.join(h.confidence_reasons) or 'no reasons recorded')})",
             f"- Direction: {escape(direction_label(h.direction, [c.predicate for c in h.supporting]))}; studies: "
             f"{h.n_studies}; designs: {escape(', '.join(design_label(d) for d in h.designs))}"]
    for tag, cites in (("Supporting", h.supporting), ("Contradicting", h.contradicting)):
        lines += [f"- {tag}: {escape(source_line(c))}{_md_links(c)}: {quote(c.quote)}" for c in cites]
    return [f"### {escape(h.heading)}", "\n".join(lines)]


def _bullets(items: tuple[str, ...], empty: str) -> str:
    return "\n".join(f"- {escape(i)}" for i in items) if items else empty


def to_markdown(t: TopicMap, generated_at: datetime) -> str:
    """Return the topic map as a CommonMark document."""
    rows = ["| Intervention | Outcome | Finding |", "| --- | --- | --- |"]
    rows += [f"| {escape(c.intervention)} | {escape(c.outcome)} | {escape(cell_label(c))} |" for c in t.cells]
    parts = [f"# {TITLE}: {escape(t.condition)}", f"Generated at: {generated_at.isoformat()}",
             f"Matched as: {escape('; '.join(t.forms))}. Documents on it: {t.documents}.",
             "## What we know", _bullets(t.known, "Nothing reaches moderate or high certainty without conflict."),
             "## What is uncertain", _bullets(t.uncertain, "Nothing."),
             "## Intervention × outcome grid", "\n".join(rows) if t.cells else "No graded finding.",
             "## What we know we don't know", _bullets(t.gaps, "No gaps were recorded."),
             "## What we might know — not established",
             "Speculative findings rest on hedged, animal or in-vitro evidence; running trials have no results yet. "
             "Do not act on them.", _bullets(t.might, "No trial on it is still running.")]
    for h in t.speculative:
        parts += _md_finding(h)
    parts.append("## Findings and their sources")
    for c in t.cells:
        for h in c.findings:
            parts += _md_finding(h)
    parts += ["## Not counted", _bullets(tuple(f"{source_line(c)}: {c.note}" for c in t.not_counted), "None."),
              "## Notice", f"**{escape(t.disclaimer)}**"]
    return "\n\n".join(parts) + "\n"


@cache
def _template() -> jinja2.Template:
    """Return the topic template, loaded once from the package."""
    env = jinja2.Environment(loader=jinja2.PackageLoader("kb.report", "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.globals.update(cell_label=cell_label, finding_label=finding_label, source_line=source_line,
                       links_for=links_for)
    env.filters["design_label"] = design_label
    return env.get_template("topic.html.j2")


def to_html(t: TopicMap, generated_at: datetime) -> str:
    """Return the topic map as one HTML document: the grid as a matrix, no scripts, a strict CSP."""
    return _template().render(t=t, title=TITLE, generated_at=generated_at.isoformat())


def to_json(t: TopicMap, generated_at: datetime) -> str:
    """Return the topic map as indented JSON, with when it was made."""
    return '{\n  "generated_at": "' + generated_at.isoformat() + '",\n  "topic": ' + \
        t.model_dump_json(indent=2).replace("\n", "\n  ") + "\n}\n"


def render_topic(t: TopicMap, fmt: str, generated_at: datetime) -> bytes:
    """Return the topic map in one format (md, html or json)."""
    makers = {"md": to_markdown, "html": to_html, "json": to_json}
    if fmt not in makers:
        raise ConfigError(f"topic report format {fmt!r} is not supported; use one of: {', '.join(makers)}")
    return makers[fmt](t, generated_at).encode("utf-8")
