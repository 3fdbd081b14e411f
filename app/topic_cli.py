"""`medkb topic CONDITION`: the topic map of a condition (known, uncertain, gaps, might know) as a report."""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Optional

import typer

from app.opening import StoreOpt, err, opened
from kb.report.topic import TOPIC_FORMATS, render_topic
from kb.topic import topic_map


def topic(
    condition: Annotated[str, typer.Argument(help="The condition, e.g. \"multiple sclerosis\" or \"asthma\".")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html or json.")] = "md",
    output: Annotated[Optional[Path], typer.Option("--out", "-o", "--output", help="File to write (default stdout).")]
    = None,
    store: StoreOpt = None,
) -> None:
    """Map what the knowledge base holds on a condition: an intervention x outcome grid with certainty, what we
    know, what is uncertain, what we know we don't know, and speculative findings apart."""
    fmt = fmt.strip().lower()
    if fmt not in TOPIC_FORMATS:
        err.print(f"[red]error:[/red] unknown format {fmt!r}; use {', '.join(TOPIC_FORMATS)}")
        raise typer.Exit(2)
    if not condition.strip():
        err.print("[red]error:[/red] name a condition, e.g. medkb topic \"asthma\"")
        raise typer.Exit(2)
    with opened(store) as kb:
        found = topic_map(kb.store, kb.lexicon, condition)
    data = render_topic(found, fmt, datetime.now(timezone.utc))
    if output is None:
        sys.stdout.write(data.decode("utf-8"))
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    err.print(f"wrote {output} ({found.documents} documents on {found.condition}, {len(found.cells)} findings)")
