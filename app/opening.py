"""What every medkb command shares: the consoles, the --store option, exit codes, and opening the knowledge base
with MedKB errors turned into messages."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from app.resources import KnowledgeBase, LexiconReader, open_kb
from kb.config import Settings
from kb.errors import MedKBError, StoreBusy
from kb.lexicon_file import load_lexicon

err = Console(stderr=True, soft_wrap=True)  # NOTE: no wrapping, so file paths stay whole and greppable
out = Console()

StoreOpt = Annotated[Optional[Path], typer.Option("--store", help="Knowledge-base folder (or MEDKB_STORE).")]
EXIT_BUSY = 75  # EX_TEMPFAIL: try again once the other process lets go
EXIT_INTERRUPTED = 130  # NOTE: what a shell reports for Ctrl-C


def settings_for(store: Path | None, url: str | None = None) -> Settings:
    """Read settings once, at the edge, with the --store (and server URL) overrides."""
    settings = Settings(qdrant_url=url) if url else Settings()
    return settings.model_copy(update={"store": store}) if store else settings


def _open(settings: Settings, create: bool, wait: bool, reader: LexiconReader) -> KnowledgeBase:
    """Open the knowledge base; when asked to wait for another process, say so and wait up to the setting."""
    try:
        return open_kb(settings, create, read_lexicon=reader)
    except StoreBusy:
        if not wait or settings.store_wait_s <= 0:
            raise
    err.print(f"waiting up to {settings.store_wait_s:g} s for the knowledge base at {settings.store}: another process "
              "(the app answering a question, or another ingest) holds it")
    return open_kb(settings, create, wait_s=settings.store_wait_s, read_lexicon=reader)


@contextmanager
def opened(store: Path | None, create: bool = False, wait: bool = False,
            reader: LexiconReader = load_lexicon, url: str | None = None) -> Iterator[KnowledgeBase]:
    """Open the knowledge base (made only when create is set; waited for when wait is set), turning MedKB errors
    into messages and exit codes."""
    try:
        kb = _open(settings_for(store, url), create, wait, reader)
    except StoreBusy as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BUSY) from None
    except MedKBError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    try:
        yield kb
    except MedKBError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    finally:
        kb.close()
