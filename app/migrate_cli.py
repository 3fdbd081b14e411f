"""medkb migrate: move a knowledge base between the embedded store and a Qdrant server, its lexicon alongside."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path
from typing import Annotated, Optional
from urllib.parse import urlsplit

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from app.opening import EXIT_INTERRUPTED, err, opened, out, settings_for
from app.resources import JOURNAL_FILE, LEXICON_FILE, KnowledgeBase
from kb.config import Settings
from kb.errors import StoreError
from kb.memory import MEMORY_FILE
from kb.store import Collection, Store
from kb.store.factory import make_store
from kb.store.migrate import Copied, copy_store, source_counts

# NOTE: the lexicon and its journal make the lexicon whole, and the memory of questions keeps the saved questions;
# the LLM call cache (SQLite with a write-ahead log, a cache and no part of the answers) stays with the source.
LEXICON_FILES = (LEXICON_FILE, JOURNAL_FILE, MEMORY_FILE)
EXIT_USAGE = 2

ToOpt = Annotated[str, typer.Option("--to", help="A Qdrant server URL (http://host:6333) or a new knowledge-base "
                                    "folder.")]
FromOpt = Annotated[Optional[str], typer.Option("--from-url", help="Migrate from this Qdrant server (default: the "
                                                "--store folder, or MEDKB_QDRANT_URL when set).")]
StoreOpt = Annotated[Optional[Path], typer.Option("--store", help="Knowledge-base folder (or MEDKB_STORE); with a "
                                                  "server, the folder of its lexicon.")]


def is_server(target: str) -> bool:
    """Return whether --to names a Qdrant server (an http or https URL) rather than a folder."""
    return urlsplit(target).scheme in ("http", "https")


def destination(source: Settings, to: str) -> Settings:
    """Return the settings that open --to: the server at a URL, else the embedded store in that folder."""
    if is_server(to):
        return source.model_copy(update={"qdrant_url": to})
    return source.model_copy(update={"qdrant_url": None, "store": Path(to)})


def clash(source: Settings, target: Settings) -> str | None:
    """Return why target cannot receive the source's knowledge base, or None when it can."""
    if target.qdrant_url is None and re.fullmatch(r"[\w.-]+:\d+/?", str(target.store)):
        return f"--to {target.store} looks like a server address without its scheme; write http://{target.store}"
    if target.qdrant_url is None and target.store.resolve() == source.store.resolve():
        return (f"--to {target.store} is the folder of the knowledge base being migrated (its store, or its lexicon "
                "when it is on a server); choose a new folder")
    if target.qdrant_url is not None and target.qdrant_url.rstrip("/") == (source.qdrant_url or "").rstrip("/"):
        return f"--to {target.qdrant_url} is the server being migrated from; choose another server or a folder"
    return None


def carry_lexicon(source: Path, target: Path) -> list[str]:
    """Copy the lexicon files from the source folder into target (each whole, by rename), dropping any the source
    lacks; return the names copied."""
    carried = []
    for name in LEXICON_FILES:
        src, dst = source / name, target / name
        if not src.exists():
            dst.unlink(missing_ok=True)  # NOTE: a stale journal would add terms the source no longer has
            continue
        tmp = dst.with_name(name + ".tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dst)
        carried.append(name)
    return carried


def _copy(src: Store, dst: Store, console: Console) -> Copied:
    """Copy src into dst under a progress bar counting points."""
    total = sum(source_counts(src).values())
    if total == 0:
        raise StoreError("the knowledge base being migrated holds no points; check --store, --from-url and "
                         "MEDKB_QDRANT_URL")
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("migrating", total=total)

        def step(collection: Collection, n: int) -> None:
            """Advance the bar by a page written."""
            bar.update(task, advance=n, description=collection)

        return copy_store(src, dst, step)


def _migrate(kb: KnowledgeBase, target: Settings, console: Console) -> tuple[Copied, list[str]]:
    """Copy kb's points into the target store, and its lexicon files when the target is a folder."""
    dst = make_store(target, kb.embedder.dim, kb.embedder.name, create=True)
    try:
        copied = _copy(kb.store, dst, console)
        # NOTE: copied while the destination's lock is held, so no process opens it half-made
        return copied, (carry_lexicon(kb.settings.store, target.store) if target.qdrant_url is None else [])
    finally:
        dst.close()


def _report(console: Console, kb: KnowledgeBase, target: Settings, copied: Copied, carried: list[str]) -> None:
    """Say what was copied, and where the lexicon now is."""
    counts = ", ".join(f"{name} {n:,}" for name, n in copied.counts.items())
    to = target.qdrant_url or target.store
    console.print(f"migrated {copied.total:,} points to {to} ({counts}); every count equals the source's")
    lexicon = kb.settings.store / LEXICON_FILE
    if not lexicon.exists():
        console.print(f"no lexicon at {lexicon}: rebuild one from the stored documents with `medkb lexicon rebuild "
                      f"--store {target.store}`" + (f" and MEDKB_QDRANT_URL={to}" if target.qdrant_url else ""))
    elif carried:
        console.print(f"lexicon copied: {', '.join(carried)}")
    else:
        console.print(f"the lexicon stays in {kb.settings.store}: use the server with MEDKB_QDRANT_URL={to} and "
                      f"--store {kb.settings.store}")


def migrate(to: ToOpt, from_url: FromOpt = None, store: StoreOpt = None) -> None:
    """Copy the knowledge base to a Qdrant server or a new folder (ids, payloads, vectors, lexicon); counts checked."""
    source = settings_for(store, from_url)
    target = destination(source, to)
    problem = clash(source, target)
    if problem:
        err.print(f"[red]error:[/red] {problem}")
        raise typer.Exit(EXIT_USAGE)
    with opened(store, url=from_url) as kb:
        try:
            copied, carried = _migrate(kb, target, err)
        except KeyboardInterrupt:
            err.print("[yellow]interrupted:[/yellow] run the same command again; it rewrites the same points")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        _report(out, kb, target, copied, carried)
