"""CommonMark rendering of an evidence report (pipe tables for the Summary of Findings)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.report.model import CitationRef, EvidenceEntry, HypothesisView, Link, Reference, RelatedPassage, Report

# NOTE: backslash escapes neutralise inline Markdown (emphasis, links, code, tables, strikethrough);
# < > & become entities so raw HTML in a source can never reach a browser.
_ESCAPES = str.maketrans(
    {**{c: "\\" + c for c in "\\`*_[]|~!@"}, "<": "&lt;", ">": "&gt;", "&": "&amp;"}
)
# NOTE: GFM turns bare http(s)://, ftp://, mailto:, xmpp: and www. into links; an escape breaks each.
_AUTOLINK = re.compile(r"(?i)\b(https?|ftp|mailto|xmpp)(?=:)|\b(www)(?=\.)")


def escape(text: object) -> str:
    """Return text safe to place inline in CommonMark: one line, metacharacters escaped."""
    flat = " ".join(str(text).split())
    return _AUTOLINK.sub(lambda m: m.group(0) + "\\", flat.translate(_ESCAPES))


def quote(text: str) -> str:
    """Return a verbatim quote as emphasis, the one thing the Markdown report sets in italics."""
    return f"*{escape(text)}*"


def to_markdown(report: Report) -> str:
    """Return the report as a CommonMark document."""
    parts = [
        f"# {escape(report.title)}",
        f"Generated at: {escape(report.corpus.generated_at.isoformat())}",
        *_question(report),
        *_corpus(report),
        *_hypotheses(report),
        *_summary_of_findings(report),
        *_contradictions(report),
        "## Gaps in the evidence",
        *(_bullets(report.gaps) or ["No gaps were recorded."]),
        *_speculative(report),
        *_related(report.related),
        *_appendix(report.evidence),
        *_references(report.references),
        "## Notice",
        f"**{escape(report.disclaimer)}**",
    ]
    return "\n\n".join(parts) + "\n"


def _bullets(items: Iterable[str]) -> list[str]:
    """Return escaped items as one bullet list block (or nothing)."""
    lines = [f"- {escape(i)}" for i in items]
    return ["\n".join(lines)] if lines else []


def _links(links: Iterable[Link]) -> str:
    """Return links built from validated ids; nothing else is ever linked."""
    return " · ".join(f"[{link.label}]({link.url})" for link in links)


def _question(r: Report) -> list[str]:
    """Return the question and how it was understood."""
    q = r.question
    roles = [f"- {role.role.capitalize()}: {escape('; '.join(role.names))}" for role in q.roles]
    designs = escape(", ".join(q.designs)) if q.designs else "any"
    return [
        "## Question",
        f"**Asked:** {escape(q.text)}",
        *(["**Extractive-only mode:** no generated sentences; findings are verbatim quotes."] if r.extractive else []),
        "**Understood as:**",
        "\n".join(roles) if roles else "No entities were recognised in the question.",
        f"**Filters:** publication years {escape(q.years)}; study designs {designs}",
    ]


def _corpus(r: Report) -> list[str]:
    """Return what the knowledge base held."""
    c = r.corpus
    return [
        "## Corpus",
        "\n".join([
            f"- Documents: {c.documents}",
            f"- Trials: {c.trials}",
            f"- Publication years: {escape(r.corpus_years)}",
            f"- Knowledge base: {escape(c.store)} (fingerprint {escape(c.fingerprint)})",
        ]),
    ]


def _ref(p: CitationRef) -> str:
    """Return a citation pointer with design and sample size beside it."""
    effect = f"; {p.effect}" if p.effect else ""
    return escape(f"[{p.label}, ref. {p.ref}] {p.design_label}, {p.sample_size_label}{effect}")


def _hypothesis(n: int, h: HypothesisView, tag: str) -> list[str]:
    """Return one hypothesis block."""
    participants = h.n_participants if h.n_participants is not None else "not reported"
    lines = [
        f"- {tag}: **{h.certainty}**",
        f"- Why this rating: {escape('; '.join(h.certainty_reasons) or 'no reasons recorded')}",
        f"- Studies: {h.n_studies}; participants: {participants}; "
        f"designs: {escape(', '.join(h.designs) or 'not reported')}; direction: {escape(h.direction)}",
        *(["- Not restated: the finding is the verbatim quotes of its evidence (appendix)"]
          if h.statement is None else []),
        f"- Extraction confidence (mean over its citations): {h.extraction_confidence:.2f}",
        *(f"- Supporting: {_ref(p)}" for p in h.supporting),
        *(f"- Contradicting: {_ref(p)}" for p in h.contradicting),
    ]
    return [f"### {n}\\. {escape(h.heading)}", "\n".join(lines)]


def _hypotheses(r: Report) -> list[str]:
    """Return the key hypotheses, then what is known and what is uncertain."""
    out = ["## Key hypotheses"]
    for n, h in enumerate(r.hypotheses, 1):
        out += _hypothesis(n, h, "Certainty of evidence")
    if not r.hypotheses:
        out.append("No hypothesis is supported by the knowledge base.")
    if r.known:
        out += ["**Known:**", *_bullets(r.known)]
    if r.uncertain:
        out += ["**Uncertain:**", *_bullets(r.uncertain)]
    return out


def _row(cells: Iterable[object]) -> str:
    """Return one pipe-table row of escaped cells."""
    return "| " + " | ".join(escape(c) for c in cells) + " |"


def _summary_of_findings(r: Report) -> list[str]:
    """Return one Summary of Findings table per outcome."""
    out = ["## Summary of findings"]
    head = ("Comparison", "Studies", "Participants", "Designs", "Direction", "Effect estimates",
            "Certainty of evidence")
    for t in r.summary_of_findings:
        rows = [_row(head), "|" + " --- |" * len(head)]
        for s in t.rows:
            reasons = f" ({'; '.join(s.certainty_reasons)})" if s.certainty_reasons else ""
            rows.append(_row((s.comparison, s.n_studies, s.n_participants, s.designs, s.direction,
                              "; ".join(s.effects) or "none reported", f"{s.certainty}{reasons}")))
        out += [f"### Outcome: {escape(t.outcome)}", "\n".join(rows)]
    if not r.summary_of_findings:
        out.append("No findings to summarise.")
    return out


def _contradictions(r: Report) -> list[str]:
    """Return contradicting evidence, supporting and contradicting quotes side by side."""
    out = ["## Contradictions"]
    for c in r.contradictions:
        tag = " (speculative)" if c.speculative else ""
        rows = ["| Supporting | Contradicting |", "| --- | --- |"]
        for p in c.pairs:
            left = f"{_ref(p.supporting)}: {quote(p.supporting_quote or '')}" if p.supporting else ""
            right = f"{_ref(p.contradicting)}: {quote(p.contradicting_quote or '')}" if p.contradicting else ""
            rows.append(f"| {left} | {right} |")
        out += [f"### {escape(c.statement)}{tag}", "\n".join(rows)]
    if not r.contradictions:
        out.append("No hypothesis has evidence pointing both ways.")
    return out


def _speculative(r: Report) -> list[str]:
    """Return speculative hypotheses in their own, clearly marked section."""
    out = ["## Speculative — not established",
           "These hypotheses rest on weak, indirect or hedged evidence. Do not act on them."]
    for n, h in enumerate(r.speculative, 1):
        out += _hypothesis(n, h, "Speculative — not established; certainty of evidence")
    if not r.speculative:
        out.append("None.")
    return out


def _related(passages: Iterable[RelatedPassage]) -> list[str]:
    """Return the passages retrieved but not counted, each with why."""
    out = ["## Related passages", "Retrieved for the question but not counted as evidence for any hypothesis."]
    for p in passages:
        lines = [f"- Study: {escape(p.design_label)}, {escape(p.sample_size_label)}; location: {escape(p.location)}",
                 f"- Not counted: {escape(p.reason)}", *([f"- Links: {_links(p.links)}"] if p.links else [])]
        out += [f"### {escape(p.title or p.source)}", "\n".join(lines), f"> {quote(p.quote)}"]
    return out if len(out) > 2 else [*out, "None."]


def _appendix(evidence: Iterable[EvidenceEntry]) -> list[str]:
    """Return every cited claim once, with its verbatim quote and where to check it."""
    out = ["## Evidence appendix",
           "Extraction confidence says how sure the extractor was that the quote states the claim; "
           "it is not the certainty of the evidence."]
    for e in evidence:
        lines = [
            f"- Study: {escape(e.design_label)}, {escape(e.sample_size_label)}",
            f"- Location: {escape(e.location)}",
            f"- Result: {escape(e.result)}",
            f"- Extraction confidence: {e.extraction_confidence:.2f}" + ("; hedged wording" if e.hedged else ""),
            *([f"- Editorial notice: {escape(', '.join(e.notices))}"] if e.notices else []),
            *([f"- Links: {_links(e.links)}"] if e.links else []),
        ]
        out += [f"### {e.label} · ref. {e.ref}: {escape(e.title)}", "\n".join(lines), f"> {quote(e.quote)}"]
    return out


def _reference(r: Reference) -> str:
    """Return one numbered reference."""
    bits = [", ".join(r.authors), r.title, r.journal or "", str(r.year) if r.year else "",
            "; ".join(i for i in (r.pmid and f"PMID {r.pmid}", r.doi and f"DOI {r.doi}", r.nct_id) if i)]
    text = escape(" ".join(f"{b.rstrip('.')}." for b in bits if b))
    links = f" {_links(r.links)}" if r.links else ""
    return f"{r.number}. {text}{links}"


def _references(refs: Iterable[Reference]) -> list[str]:
    """Return the numbered reference list."""
    lines = [_reference(r) for r in refs]
    return ["## References", "\n".join(lines) if lines else "No documents were cited."]
