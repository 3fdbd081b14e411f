"""The medkb command line: ingest, ask, stats, lexicon, report, export, migrate, topic."""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app import backup_cli, console as show, memory_cli, migrate_cli, topic_cli
from app.fetch_cli import fetch_app
from app.ingesting import ingest_into
from app.opening import EXIT_INTERRUPTED, StoreOpt, err, opened, out
from app.resources import LLM_CACHE_FILE, rebuilt_terms
from ingest.readers.folders import discover
from kb.answer import answer_question
from kb.lexicon import Lexicon
from kb.store import COLLECTIONS

app = typer.Typer(help="MedKB: organize medical literature into a claim graph you can question.", no_args_is_help=True)
lexicon_app = typer.Typer(help="Manage the entity lexicon (MeSH and ingested terms).", no_args_is_help=True)
app.add_typer(lexicon_app, name="lexicon")
app.add_typer(fetch_app, name="fetch")


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to ingest.")],
    store: StoreOpt = None,
) -> None:
    """Ingest PDFs, PubMed/MEDLINE, PMC JATS, trial records, text and Markdown files or folders."""
    missing = [p for p in paths if not p.exists()]
    for p in missing:
        err.print(f"[red]error:[/red] {p}: no such file or folder")
    with opened(store, create=True, wait=True) as kb:
        files = discover([p for p in paths if p.exists()]).files
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                   TextColumn("{task.fields[inside]}"))
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("ingesting", total=len(files), inside="")
            began = [time.monotonic()]

            def step(path: str) -> None:
                began[0] = time.monotonic()
                bar.update(task, advance=1, description=Path(path).name[:40], inside="")

            def record(n: int) -> None:
                rate = n / max(time.monotonic() - began[0], 1e-6)
                bar.update(task, inside=f"{n:,} records read, {rate:,.1f}/s")

            try:
                report = ingest_into(kb, files, step, record)
            except KeyboardInterrupt:
                bar.stop()
                err.print("[yellow]interrupted:[/yellow] every document stored so far is kept, with its lexicon "
                          "terms; run the same command again to continue where it stopped")
                raise typer.Exit(EXIT_INTERRUPTED) from None
    show.ingest_report(err, report)
    if not report.ok or (missing and not files):
        raise typer.Exit(1)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help="A question, e.g. 'Does drug X reduce outcome Y?'")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
    top_k: Annotated[int, typer.Option("--top-k", help="How many claims to retrieve.")] = 40,
    save: Annotated[bool, typer.Option("--save", help="Save it, to re-run and see what changed.")] = False,
    note: Annotated[Optional[str], typer.Option("--note", help="A note kept with a saved question.")] = None,
    history: Annotated[bool, typer.Option("--history/--no-history", help="Keep the question in history.")] = True,
    store: StoreOpt = None,
) -> None:
    """Answer a question with sourced, confidence-tagged hypotheses (kept in the knowledge base's history)."""
    with opened(store) as kb:
        answer = answer_question(question, store=kb.store, embedder=kb.embedder, lexicon=kb.lexicon, limit=top_k,
                                 extractive=kb.settings.extractive_only)
        memory_cli.keep(kb, answer, history, save or note is not None, note)
    if as_json:
        sys.stdout.write(json.dumps(answer.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    else:
        show.answer(out, answer)


@app.command()
def stats(store: StoreOpt = None) -> None:
    """Count documents, trials, chunks, claims and entities in the knowledge base."""
    with opened(store) as kb:
        counts = show.kb_counts(kb.store)
        counts["lexicon terms"] = len(kb.lexicon)
        calls = kb.settings.store / LLM_CACHE_FILE
        llm = show.llm_summary(calls) if calls.exists() else None
    show.stats(out, counts, llm)


@app.command()
def check(
    repair: Annotated[bool, typer.Option("--repair", help="Delete orphaned chunks and claims.")] = False,
    store: StoreOpt = None,
) -> None:
    """Check the knowledge base: counts, chunks and claims whose document or chunk is gone, an unfinished ingest."""
    from kb.integrity import check as integrity, repair as remove

    with opened(store) as kb:
        found = integrity(kb.store)
        gone = remove(kb.store, found) if repair else 0
        unfinished = len(kb.journal.read())
    show.integrity(out, found, gone, unfinished)
    if not found.ok and not repair:
        raise typer.Exit(1)


@app.command()
def report(
    question: Annotated[str, typer.Argument(help="The question the report answers.")],
    formats: Annotated[str, typer.Option("--format", "-f", help="Comma-separated: md,html,pdf,json,bib,ris,csv.")] = "md",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="File (one format) or base name.")] = None,
    top_k: Annotated[int, typer.Option("--top-k", help="How many claims to retrieve.")] = 40,
    store: StoreOpt = None,
) -> None:
    """Export an evidence report (Summary of Findings, evidence appendix, references)."""
    from kb.report import FORMATS, render
    from kb.report.corpus import cited_documents, corpus_of

    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        err.print(f"[red]error:[/red] unknown format {', '.join(unknown) or formats!r}; use {', '.join(FORMATS)}")
        raise typer.Exit(2)
    if output is None and (len(wanted) > 1 or "pdf" in wanted):
        err.print("[red]error:[/red] several formats or PDF need -o FILE (used as the base name)")
        raise typer.Exit(2)
    with opened(store) as kb:
        answer = answer_question(question, store=kb.store, embedder=kb.embedder, lexicon=kb.lexicon, limit=top_k,
                                 extractive=kb.settings.extractive_only)
        corpus = corpus_of(kb.store, kb.settings.qdrant_url or str(kb.settings.store), datetime.now(timezone.utc))
        docs = cited_documents(kb.store, answer)
    for fmt in wanted:
        data = render(answer, corpus, fmt, documents=docs)
        if output is None:
            sys.stdout.write(data.decode("utf-8"))
            continue
        target = output if len(wanted) == 1 else output.with_suffix(f".{fmt}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        err.print(f"wrote {target}")


@app.command()
def export(
    what: Annotated[str, typer.Argument(help="claims, documents, entities or training.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or csv.")] = "jsonl",
    output: Annotated[Optional[Path], typer.Option("-o", "--output", help="File to write (default stdout).")] = None,
    full_text: Annotated[bool, typer.Option("--full-text", help="Documents in JSON lines carry their text.")] = False,
    store: StoreOpt = None,
) -> None:
    """Export every claim, document or entity as JSON lines or CSV (the claim graph as data), or the LLM claims that
    passed the gates as training examples (`training`, JSON lines, for python -m ingest.train --examples)."""
    from app.export import FORMATS, KINDS, as_format, as_kind, records, write

    if what.strip().lower() == "training":
        _export_training(fmt, output, full_text, store)
        return
    kind, form = as_kind(what), as_format(fmt)
    if kind is None:
        err.print(f"[red]error:[/red] cannot export {what!r}; choose {', '.join(KINDS)}, training")
        raise typer.Exit(2)
    if form is None:
        err.print(f"[red]error:[/red] unknown format {fmt!r}; use {' or '.join(FORMATS)}")
        raise typer.Exit(2)
    if full_text and form == "csv":
        err.print("[red]error:[/red] --full-text needs --format jsonl (CSV rows carry no document text)")
        raise typer.Exit(2)
    with opened(store) as kb:
        rows = records(kb.store, kind, full_text)
        if output is None:
            n = write(rows, kind, form, sys.stdout)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            with open(output, "w", encoding="utf-8", newline="") as f:
                n = write(rows, kind, form, f)
    err.print(f"exported {n} {what}" + (f" to {output}" if output else ""))


def _export_training(fmt: str, output: Path | None, full_text: bool, store: Path | None) -> None:
    """Write every stored LLM claim as a training example (JSON lines) to output or stdout."""
    from app.export_training import training_examples, write_examples

    if fmt.strip().lower() != "jsonl" or full_text:
        err.print("[red]error:[/red] training examples are JSON lines only (no --format csv, no --full-text)")
        raise typer.Exit(2)
    with opened(store) as kb:
        if output is None:
            n, skipped = write_examples(training_examples(kb.store), sys.stdout)
        else:
            output.parent.mkdir(parents=True, exist_ok=True)
            with open(output, "w", encoding="utf-8", newline="") as f:
                n, skipped = write_examples(training_examples(kb.store), f)
    note = f"; {skipped} claims left out (their quote lies in no sentence)" if skipped else ""
    err.print(f"exported {n} training examples" + (f" to {output}" if output else "") + note)


@lexicon_app.command("load")
def lexicon_load(
    path: Annotated[Path, typer.Argument(help="MeSH folder or file (e.g. mesh2024_descriptor_terms.tsv.gz).")],
    store: StoreOpt = None,
) -> None:
    """Extend the entity lexicon with a full MeSH descriptor file."""
    from kb.mesh import load_mesh

    if not path.exists():
        err.print(f"[red]error:[/red] {path}: no such file or folder")
        raise typer.Exit(1)
    with opened(store, create=True) as kb:
        added = kb.saved.add(list(load_mesh(path)))
        kb.save_lexicon()
        total = len(kb.saved)
    out.print(f"lexicon: {added} terms added from {path}; {total} terms in all")


@lexicon_app.command("rebuild")
def lexicon_rebuild(
    mesh: Annotated[Optional[Path], typer.Option("--mesh", help="MeSH folder or file to load first.")] = None,
    store: StoreOpt = None,
) -> None:
    """Rebuild a damaged or lost lexicon from MeSH (if given) and the terms of every stored document."""
    from kb.mesh import load_mesh

    if mesh is not None and not mesh.exists():
        err.print(f"[red]error:[/red] {mesh}: no such file or folder")
        raise typer.Exit(1)
    # NOTE: the store is locked before the old lexicon moves aside (kept for inspection), never under an ingest.
    with opened(store, reader=lambda _path, _store: Lexicon.empty()) as kb:
        if kb.lexicon_path.exists():
            kb.lexicon_path.replace(kb.lexicon_path.with_name(kb.lexicon_path.name + ".damaged"))
            err.print(f"kept the old lexicon as {kb.lexicon_path.name}.damaged")
        if mesh is not None:
            kb.saved.add(list(load_mesh(mesh)))
        added = rebuilt_terms(kb.store, kb.saved)
        kb.saved.add(kb.journal.read())
        kb.save_lexicon()
        total = len(kb.saved)
    out.print(f"lexicon rebuilt: {added} terms from stored documents; {total} terms in all")


app.command()(migrate_cli.migrate)
app.command()(topic_cli.topic)
memory_cli.register(app)
backup_cli.register(app)


@app.command()
def optimize(store: StoreOpt = None) -> None:
    """Index the embedded knowledge base for fast search (HNSW; int8 quantization when it was created with
    MEDKB_QDRANT_INT8): worth it after a large ingest. A Qdrant server does this by itself."""
    from kb.store.edge import EdgeStore

    with opened(store) as kb:
        if not isinstance(kb.store, EdgeStore):
            out.print("the knowledge base is on a Qdrant server, which optimizes its collections itself")
            return
        with err.status("optimizing: building search indexes (minutes at a million points)"):
            kb.store.optimize()
        points = sum(kb.store.count(c) for c in COLLECTIONS)
    out.print(f"optimized: {points:,} points indexed in {kb.settings.store}")


def main() -> None:
    """Run the CLI."""
    app()
