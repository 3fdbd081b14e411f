"""`medkb questions`, `medkb rerun` and `medkb update`: the memory of questions, asking a saved one again, and
living updates (re-run every saved fetch, ingest what arrived, say what changed in every saved question's answer)."""

from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.opening import EXIT_INTERRUPTED, StoreOpt, err, opened, out
from app.resources import KnowledgeBase
from ingest.fetch.http import Client
from ingest.fetch.pubmed import PubMed
from ingest.fetch.state import Fetched
from ingest.fetch.update import SavedFetch, saved_fetches, since_last, update_pubmed, update_trials
from kb.answer import answer_question
from kb.answers import Answer
from kb.errors import MedKBError
from kb.config import Settings
from kb.memory import Memory, Rerun, remember, rerun as ask_again
from kb.memory.rerun import Ask
from kb.memory.wording import change_lines

JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
TopK = Annotated[int, typer.Option("--top-k", help="How many claims to retrieve.")]
STYLE = {"retracted": "bold red", "notice": "yellow", "new_study": "green", "removed_study": "yellow",
         "certainty": "cyan", "new_finding": "green", "vanished_finding": "yellow", "new_gap": "magenta",
         "closed_gap": "green"}


def now() -> datetime:
    """Return the time now, in UTC."""
    return datetime.now(timezone.utc)


def asker(kb: KnowledgeBase, top_k: int = 40) -> Ask:
    """Return a function that answers a question from this knowledge base, as `medkb ask` does."""
    def ask(question: str) -> Answer:
        return answer_question(question, store=kb.store, embedder=kb.embedder, lexicon=kb.lexicon, limit=top_k,
                               extractive=kb.settings.extractive_only)
    return ask


def keep(kb: KnowledgeBase, answer: Answer, history: bool, save: bool, note: str | None) -> None:
    """Keep an asked question in memory (unless history is off) and save it when asked to; say where it went. A
    memory that cannot be written is a warning: the answer is still shown."""
    try:
        if history or save:
            remember(kb.memory, answer, now())
        if save:
            saved = kb.memory.save(answer.question, note)
            err.print(f"saved as question {saved.id}; `medkb rerun {saved.id}` asks it again and says what changed")
    except MedKBError as e:
        err.print(f"[yellow]warning:[/yellow] the question was not kept: {e}")


def rerun_json(r: Rerun) -> dict[str, Any]:
    """Return a re-run as JSON: the question, the new snapshot's time, and what changed (null: never asked)."""
    lines = [line.model_dump() for line in change_lines(r.changes)] if r.changes else []
    return {"id": r.question.id, "question": r.question.question, "note": r.question.note,
            "asked_at": r.snapshot.taken_at.isoformat(), "first_answer": r.changes is None,
            "changes": r.changes.model_dump(mode="json") if r.changes else None, "lines": lines}


def show_rerun(console: Console, r: Rerun) -> None:
    """Print what changed in one saved question's answer."""
    note = f" [dim]({escape(r.question.note)})[/dim]" if r.question.note else ""
    console.print(f"[bold]{r.question.id}[/bold] {escape(r.question.question)}{note}")
    if r.changes is None:
        console.print("  first answer kept; the next re-run will say what changed")
        return
    lines = change_lines(r.changes)
    if not lines:
        console.print(f"  no change since {r.changes.before_at:%Y-%m-%d %H:%M} UTC")
    for line in lines:
        console.print(f"  [{STYLE.get(line.kind, '')}]{escape(line.text)}[/]")


def questions(
    saved: Annotated[bool, typer.Option("--saved", help="Only the saved questions.")] = False,
    as_json: JsonOpt = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many to list, newest first.")] = 50,
    store: StoreOpt = None,
) -> None:
    """List the questions asked of the knowledge base (newest first), with their ids, notes and saved marks."""
    with opened(store) as kb:
        found = kb.memory.questions(saved_only=saved, limit=limit)
    if as_json:
        sys.stdout.write(json.dumps([q.model_dump(mode="json") for q in found], indent=2, ensure_ascii=False) + "\n")
        return
    if not found:
        out.print("no saved questions yet; `medkb ask QUESTION --save` saves one" if saved else
                  "no questions asked yet")
    for q in found:
        when = f"{q.last_asked:%Y-%m-%d %H:%M}" if q.last_asked else "never asked"
        mark = "[green]saved[/green]" if q.saved else "     "
        note = f"  [dim]{escape(q.note)}[/dim]" if q.note else ""
        out.print(f"{q.id}  {mark}  {when}  {escape(q.question)}{note}", soft_wrap=True)  # NOTE: one line each


def rerun(
    ref: Annotated[str, typer.Argument(help="The question's id (or its first characters), from `medkb questions`.")],
    as_json: JsonOpt = False,
    top_k: TopK = 40,
    store: StoreOpt = None,
) -> None:
    """Ask a remembered question again and say what changed since its last answer."""
    with opened(store) as kb:
        result = ask_again(kb.memory, ref, asker(kb, top_k), now())
    if as_json:
        sys.stdout.write(json.dumps(rerun_json(result), indent=2, ensure_ascii=False) + "\n")
    else:
        show_rerun(out, result)


def _update_one(saved: SavedFetch, kb_settings: Settings) -> Fetched:
    """Fetch what a saved query gained since its last run, under a moving bar."""
    from app.fetch_cli import CTGOV_RATE, policy

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(f"updating {saved.label}"[:60], total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        if saved.kind == "pubmed":
            rate = 10.0 if kb_settings.ncbi_api_key else 3.0
            with Client(policy(kb_settings, rate)) as client:
                api = PubMed(client, kb_settings.pubmed_url, kb_settings.ncbi_api_key, kb_settings.ncbi_email)
                return update_pubmed(api, saved.path, batch=kb_settings.pubmed_batch, progress=step)
        with Client(policy(kb_settings, CTGOV_RATE)) as client:
            return update_trials(client, kb_settings.ctgov_url, saved.path, page_size=kb_settings.ctgov_page_size,
                                 progress=step)


def _fetch_all(sources: Path, settings: Settings) -> tuple[list[dict[str, Any]], list[Path]]:
    """Run every saved fetch's update; one that fails is reported and the others go on."""
    fetches, damaged = saved_fetches(sources)
    report = [{"fetch": str(e).split(":", 1)[0], "ok": False, "error": str(e)} for e in damaged]
    for e in damaged:
        err.print(f"[red]error:[/red] {e}")
    if not fetches and not damaged:
        err.print(f"no saved fetches under {sources}; `medkb fetch pubmed QUERY` or `medkb fetch trials QUERY` "
                  "saves one")
    files: list[Path] = []
    for saved in fetches:
        entry: dict[str, Any] = {"fetch": saved.label, "kind": saved.kind, "query": saved.state.query,
                                 "since": since_last(saved.kind, saved.state)}
        if not saved.state.complete:
            err.print(f"[yellow]note:[/yellow] the first fetch of {saved.label} stopped before its end (--max, or "
                      f"interrupted); `medkb fetch {saved.kind} QUERY` with the same query continues it")
        try:
            found = _update_one(saved, settings)
        except MedKBError as e:
            err.print(f"[red]error:[/red] {saved.label}: {e} (the other fetches go on)")
            report.append({**entry, "ok": False, "error": str(e)})
            continue
        err.print(f"{saved.label}: {found.new} records new or changed since {entry['since']}")
        files += found.files
        report.append({**entry, "ok": True, "new": found.new, "files": [str(f) for f in found.files]})
    return report, files


def _ingest(files: list[Path], store: Path | None) -> bool:
    """Ingest what the updates saved through `medkb ingest`; return whether it went well."""
    # NOTE: app.cli registers this module's commands, so its ingest command is imported here, not at the top.
    from app.cli import ingest

    if not files:
        return True
    try:
        ingest(paths=files, store=store)
    except typer.Exit as e:
        if e.exit_code == EXIT_INTERRUPTED:
            raise
        return e.exit_code == 0
    return True


def _reask_saved(memory: Memory, kb: KnowledgeBase, top_k: int) -> list[Rerun]:
    """Ask every saved question again under a moving bar; return what changed in each."""
    saved = memory.questions(saved_only=True, limit=-1)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    results = []
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("asking the saved questions again", total=len(saved))
        for q in saved:
            results.append(ask_again(memory, q.id, asker(kb, top_k), now()))
            bar.update(task, advance=1)
    return results


def update(as_json: JsonOpt = False, top_k: TopK = 40, store: StoreOpt = None) -> None:
    """Re-run every saved fetch since its last run, ingest what arrived (deleted records go), then ask every saved
    question again and say what changed."""
    with opened(store) as kb:  # NOTE: only an existing knowledge base is updated; a wrong --store is an error.
        settings = kb.settings
    try:
        fetched, files = _fetch_all(settings.store / "sources", settings)
        ingested = _ingest(files, store)
    except KeyboardInterrupt:
        err.print("[yellow]interrupted:[/yellow] every batch saved so far is kept; run `medkb update` again to "
                  "continue where it stopped")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    with opened(store, wait=True) as kb:
        reruns = _reask_saved(kb.memory, kb, top_k)
    failed = [f for f in fetched if not f["ok"]]
    if as_json:
        data = {"fetches": fetched, "ingested": {"files": len(files), "ok": ingested},
                "questions": [rerun_json(r) for r in reruns]}
        sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    else:
        out.print(f"[bold]What changed[/bold] in {len(reruns)} saved questions" if reruns else
                  "no saved questions to ask again; `medkb ask QUESTION --save` saves one")
        for r in reruns:
            show_rerun(out, r)
    if failed or not ingested:
        err.print(f"[red]{len(failed)} of {len(fetched)} fetches failed[/red]" if failed else
                  "[red]the ingest of the fetched records failed[/red]")
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the medkb command line."""
    for command in (questions, rerun, update):
        app.command()(command)
