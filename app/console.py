"""Readable terminal output for the CLI: answers, ingest summaries, statistics."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ingest.run import IngestReport
from kb.answers import Answer, Citation, Hypothesis
from kb.integrity import Integrity
from kb.report.build import entity_name
from kb.report.wording import direction_label, format_effect, format_p
from kb.store import COLLECTIONS, Filter, Match, Store

BADGE = {"high": "green", "moderate": "cyan", "low": "yellow", "very low": "red"}


def design_label(c: Citation) -> str:
    """Return 'RCT, n=240 (actual)'-style study facts of a citation."""
    design = c.study_design.replace("_", " ")
    if c.sample_size is None:
        return f"{design}, n not reported"
    kind = {"ACTUAL": " (actual)", "ESTIMATED": " (estimated)"}.get(c.sample_size_type, "")
    return f"{design}, n={c.sample_size:,}{kind}"


def where(c: Citation) -> str:
    """Return where in the source a citation points: page, field or span."""
    if c.field:
        return f"field {c.field}"
    return f"p. {c.page}" if c.page else f"chars {c.start}-{c.end}"


def badges(c: Citation) -> str:
    """Return the computed facts shown beside a quote: design and size, effect, p-value, analysis."""
    parts = [design_label(c)]
    if c.effect is not None:
        effect, ci = format_effect(c.effect)
        parts.append(f"{effect} ({ci})" if ci else effect)
    if c.p_value is not None:
        parts.append(format_p(c.p_value))
    if c.scope != "unspecified":
        parts.append(f"{c.scope.replace('_', ' ')} analysis")
    return "; ".join(parts)


def _citation(out: Console, c: Citation, mark: str) -> None:
    """Print one citation with its study facts, location and verbatim quote."""
    ids = " ".join(x for x in (c.pmid and f"PMID {c.pmid}", c.nct_id, c.doi and f"doi:{c.doi}") if x)
    out.print(f"    {mark} [bold]{escape(c.title or c.source)}[/bold] ({c.year or 'n.d.'}) {escape(ids)}")
    out.print(f"      {escape(badges(c))}; {escape(where(c))}; {escape(c.source)}")
    if c.note:
        out.print(f"      [dim]not counted: {escape(c.note)}[/dim]")
    elif c.extractor:
        out.print(f"      extraction confidence {c.extraction_confidence:.2f} ({escape(c.extractor)})")
    if c.notices:
        notices = ", ".join(n.replace("_", " ") for n in c.notices)
        out.print(f"      [bold yellow]editorial notice: {escape(notices)}[/]")
    # NOTE: the quote as it reads; a PDF's line breaks inside it are layout, not words.
    out.print(f"      [italic]\u201c{escape(' '.join(c.quote.split()))}\u201d[/italic]")


def hypothesis(out: Console, h: Hypothesis) -> None:
    """Print a hypothesis with its certainty, reasons and citations."""
    color = BADGE.get(h.confidence, "white")
    label = "SPECULATIVE" if h.speculative else f"certainty: {h.confidence}"
    out.print(f"\n[bold]{escape(h.heading)}[/bold]  [{color}]{escape('[' + label + ']')}[/{color}]")
    if h.statement is None:
        out.print("  [dim]not restated: the findings are their verbatim quotes below[/dim]")
    out.print(f"  {h.n_studies} stud{'y' if h.n_studies == 1 else 'ies'}"
              + (f", {h.n_participants:,} participants" if h.n_participants else "")
              + f"; direction: {direction_label(h.direction, [c.predicate for c in h.supporting])}")
    for reason in h.confidence_reasons:
        out.print(f"  - {escape(reason)}")
    for c in h.supporting:
        _citation(out, c, "[green]+[/green]")
    for c in h.contradicting:
        _citation(out, c, "[red]-[/red]")


def answer(out: Console, a: Answer) -> None:
    """Print an answer: hypotheses, then what is known, uncertain and missing."""
    out.print(f"[bold underline]{escape(a.question)}[/bold underline]")
    if a.extractive:
        out.print("[dim]Extractive-only mode: no generated sentences; findings are verbatim quotes.[/dim]")
    for e in a.query.entities:
        out.print(f"[dim]{e.role}: {escape(entity_name(e))}[/dim]")
    if not a.hypotheses and not a.speculative:
        out.print("No claims in the knowledge base address this question.")
    for h in a.hypotheses:
        hypothesis(out, h)
    for title, lines in (("What we know", a.known), ("What is uncertain or conflicting", a.uncertain),
                         ("What is missing", a.gaps)):
        if lines:
            out.print(f"\n[bold]{title}[/bold]")
            for line in lines:
                out.print(f"  - {escape(line)}")
    if a.speculative:
        out.print("\n[bold magenta]Speculative hypotheses (not established)[/bold magenta]")
        for h in a.speculative:
            hypothesis(out, h)
    if a.related:
        out.print("\n[bold]Related passages (retrieved, not counted as evidence for the question)[/bold]")
        for c in a.related:
            _citation(out, c, "[dim]~[/dim]")
    out.print(f"\n[dim]{escape(a.disclaimer)}[/dim]")


def ingest_report(out: Console, r: IngestReport) -> None:
    """Print the summary of an ingest run, listing every skipped or failed file."""
    out.print(f"{r.files} files: {r.documents} documents ingested ({r.trials} trials), {r.unchanged} unchanged; "
              f"{r.chunks} chunks, {r.claims} claims" + (f", {r.dropped_claims} claims dropped" if r.dropped_claims else ""))
    for label, items in (("[yellow]skipped[/yellow]", r.skipped), ("[red]failed[/red]", r.failed)):
        for path, reason in items:
            # NOTE: reasons name their file already; say the path once.
            out.print(f"{label} {escape(reason if reason.startswith(path) else f'{path}: {reason}')}")
    if r.deleted:
        out.print(f"deleted {len(r.deleted)} records withdrawn by MEDLINE DeleteCitation: PMID {', '.join(r.deleted)}")
    if r.stopped:
        out.print(f"[red]stopped[/red] {escape(r.stopped)}")


def kb_counts(store: Store) -> dict[str, int]:
    """Return point counts per collection, and trials among documents."""
    counts: dict[str, int] = {name: store.count(name) for name in COLLECTIONS}
    counts["trials"] = store.count("documents", Filter(must=(Match("kind", "trial"),)))
    return counts


def llm_summary(path: Path) -> dict[str, Any] | None:
    """Return the LLM call-log summary, if the LLM extractor ever ran."""
    try:
        from kb.llm import summarize_calls
    except ImportError:
        return None
    return summarize_calls(path)


def stats(out: Console, counts: dict[str, int], llm: dict[str, Any] | None) -> None:
    """Print knowledge-base statistics."""
    table = Table("what", "count")
    for name, n in counts.items():
        table.add_row(name, f"{n:,}")
    out.print(table)
    if llm:
        out.print("LLM calls: " + ", ".join(f"{k} {v}" for k, v in llm.items()))


def integrity(out: Console, found: Integrity, repaired: int, unfinished_terms: int) -> None:
    """Print what `medkb check` found."""
    out.print(", ".join(f"{name}: {n:,}" for name, n in found.counts.items()))
    for name, ids in found.orphans.items():
        if ids:
            out.print(f"[yellow]{len(ids)} {name}[/yellow] belong to no stored document or chunk "
                      f"(e.g. {ids[0]}); " + ("deleted" if repaired else "run `medkb check --repair` to delete them"))
    if unfinished_terms:
        out.print(f"an ingest did not finish ({unfinished_terms} lexicon terms journalled); run it again to resume")
    if found.ok and not unfinished_terms:
        out.print("[green]ok[/green]: every chunk and claim belongs to a stored document")
