"""`medkb backup FILE` and `medkb restore FILE`: one archive of an embedded knowledge base, and back."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from app.opening import EXIT_BUSY, StoreOpt, err, out, settings_for
from kb.config import Settings
from kb.errors import MedKBError, StoreBusy
from kb.store.backup import backup as write_backup, restore as read_backup

ArchiveArg = Annotated[Path, typer.Argument(help="The backup file (.tar.gz).")]


def _embedded(store: Path | None) -> Settings:
    """Return the settings of an embedded knowledge base; a Qdrant server is backed up with its own snapshots or
    `medkb migrate`."""
    settings = settings_for(store)
    if settings.qdrant_url:
        err.print("[red]error:[/red] MEDKB_QDRANT_URL is set: back up a Qdrant server with its snapshots, or copy it "
                  "to a folder with `medkb migrate --to FOLDER` and back up that folder")
        raise typer.Exit(2)
    return settings


def backup(archive: ArchiveArg, store: StoreOpt = None) -> None:
    """Write the knowledge base (points, lexicon, saved questions, fetched sources) to one archive."""
    settings = _embedded(store)
    folder = settings.store.resolve()
    try:
        manifest = write_backup(folder, archive.resolve(), settings.store_wait_s)
    except StoreBusy as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(EXIT_BUSY) from None
    except (MedKBError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(f"backed up {folder}: {len(manifest.files)} files, {manifest.size / 2**20:,.1f} MB, to {archive}")


def restore(archive: ArchiveArg, store: StoreOpt = None) -> None:
    """Restore a backup into a new knowledge-base folder (every file checked before it is put in place)."""
    folder = _embedded(store).store.resolve()
    try:
        manifest = read_backup(archive.resolve(), folder)
    except (MedKBError, OSError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    out.print(f"restored {len(manifest.files)} files (backup of {manifest.source}, taken {manifest.created}) "
              f"into {folder}")


def register(app: typer.Typer) -> None:
    """Add the backup and restore commands to the CLI."""
    app.command()(backup)
    app.command()(restore)
