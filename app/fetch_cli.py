"""`medkb fetch pubmed|trials`: fetch a query's records into the knowledge base's sources folder, then ingest them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ingest.fetch.http import Client, Policy
from ingest.fetch.pubmed import EUTILS_MAX, PubMed, fetch_pubmed, valid_date
from ingest.fetch.state import Fetched, slug
from ingest.fetch.trials import fetch_trials
from app.opening import EXIT_BUSY, EXIT_INTERRUPTED, StoreOpt, err, opened
from kb.config import Settings
from kb.errors import MedKBError, StoreBusy

fetch_app = typer.Typer(help="Fetch records from PubMed or ClinicalTrials.gov into the knowledge base.",
                        no_args_is_help=True)
MaxOpt = Annotated[Optional[int], typer.Option("--max", min=1, help="Fetch at most this many records.")]
CTGOV_RATE = 0.8  # NOTE: under the ~50 requests a minute reported as ClinicalTrials.gov's limit per address.
Step = Callable[[int, int], None]


def policy(settings: Settings, rate_per_s: float) -> Policy:
    """Return the request policy the settings give, at rate_per_s unless MEDKB_FETCH_RATE_PER_S overrides it."""
    return Policy(rate_per_s=settings.fetch_rate_per_s or rate_per_s, timeout_s=settings.fetch_timeout_s,
                  retries=settings.fetch_retries, backoff_s=settings.fetch_backoff_s,
                  backoff_max_s=settings.fetch_backoff_max_s)


def _sources(store: Path | None) -> tuple[Settings, Path]:
    """Read the settings and create (or check) the knowledge base before anything is saved in its folder."""
    with opened(store, create=True, wait=True) as kb:
        settings = kb.settings
    return settings, settings.store / "sources"


@contextmanager
def _fetching(label: str) -> Iterator[Step]:
    """Show a records-fetched bar; turn MedKB errors and Ctrl-C into messages and exit codes."""
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task(label, total=None)

        def step(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        try:
            yield step
        except KeyboardInterrupt:
            bar.stop()
            err.print("[yellow]interrupted:[/yellow] every batch saved so far is kept; run the same command again "
                      "to continue where it stopped")
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except MedKBError as exc:
            bar.stop()
            err.print(f"[red]error:[/red] {exc}")
            err.print("records saved so far are kept; run the same command again to continue where it stopped")
            raise typer.Exit(EXIT_BUSY if isinstance(exc, StoreBusy) else 1) from None


def _finish(found: Fetched, what: str, where: Path, store: Path | None) -> None:
    """Report the fetch and ingest what it saved (the same path as `medkb ingest`); exit 1 when nothing was found."""
    # NOTE: app.cli registers this sub-app, so its ingest command is imported here, not at the top.
    from app.cli import ingest

    if not found.files:
        err.print(f"{what}: nothing found, so nothing was saved or ingested; check the query (and --since)")
        raise typer.Exit(1)
    err.print(f"{what}: {found.count} found; {found.new} new records this run, {len(found.files)} files in {where}"
              + ("" if found.complete else "; stopped at --max: raise it to fetch more"))
    ingest(paths=found.files, store=store)


@fetch_app.command("pubmed")
def pubmed(
    query: Annotated[str, typer.Argument(help="A PubMed query, e.g. 'asthma AND budesonide'.")],
    since: Annotated[Optional[str], typer.Option("--since", help="Only records entered since YYYY/MM/DD.")] = None,
    limit: MaxOpt = None,
    store: StoreOpt = None,
) -> None:
    """Fetch PubMed records into the knowledge base's sources folder and ingest them (resumable)."""
    if since is not None and not valid_date(since):
        err.print(f"[red]error:[/red] --since {since!r} is not a date; use YYYY/MM/DD (or YYYY/MM, YYYY)")
        raise typer.Exit(2)
    settings, sources = _sources(store)
    folder = sources / "pubmed" / slug(query, since)
    rate = 10.0 if settings.ncbi_api_key else 3.0  # NOTE: NCBI's limits, per second, without and with a key
    with _fetching("fetching PubMed") as step, Client(policy(settings, rate)) as client:
        api = PubMed(client, settings.pubmed_url, settings.ncbi_api_key, settings.ncbi_email)
        found = fetch_pubmed(api, folder, query, since=since, limit=limit, batch=settings.pubmed_batch,
                             progress=step)
    if found.saved < found.count and (limit is None or limit > found.saved):
        err.print(f"[yellow]note:[/yellow] PubMed found {found.count} records and {found.saved} were served: "
                  f"E-utilities serves at most {EUTILS_MAX} records of one day's entries")
    _finish(found, f"PubMed {query!r}", folder, store)


@fetch_app.command("trials")
def trials(
    query: Annotated[str, typer.Argument(help="A ClinicalTrials.gov search, e.g. 'multiple sclerosis'.")],
    limit: MaxOpt = None,
    store: StoreOpt = None,
) -> None:
    """Fetch ClinicalTrials.gov studies into the knowledge base's sources folder and ingest them (resumable)."""
    settings, sources = _sources(store)
    folder = sources / "trials"
    with _fetching("fetching trials") as step, Client(policy(settings, CTGOV_RATE)) as client:
        found = fetch_trials(client, settings.ctgov_url, folder, query, limit=limit,
                             page_size=settings.ctgov_page_size, progress=step)
    _finish(found, f"ClinicalTrials.gov {query!r}", folder, store)
