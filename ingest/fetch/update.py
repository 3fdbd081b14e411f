"""Living updates: find the saved fetches of a sources folder and fetch, for each, what was entered or changed since
its last run (a retraction notice changes an old record, so PubMed is searched by modification date)."""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from ingest.fetch.http import Client
from ingest.fetch.pubmed import EUTILS_MAX, Progress, PubMed
from ingest.fetch.state import (STATE_NAME, FetchState, Fetched, Update, load_state, query_lock, save_state,
                                write_atomic)
from ingest.fetch.trials import read_page, save_page
from kb.errors import ParseError


@dataclass(frozen=True)
class SavedFetch:
    """A query fetched before: its kind (pubmed or trials), its state file, and the state read from it."""

    kind: str
    path: Path
    state: FetchState

    @property
    def label(self) -> str:
        """Return how the fetch is named to a user."""
        return f"{'PubMed' if self.kind == 'pubmed' else 'ClinicalTrials.gov'} {self.state.query!r}"


def saved_fetches(sources: Path) -> tuple[list[SavedFetch], list[ParseError]]:
    """Return every saved fetch under a sources folder (PubMed queries, then trial queries), and the state files
    that cannot be read."""
    found: list[SavedFetch] = []
    damaged: list[ParseError] = []
    paths = [*sorted(sources.glob(f"pubmed/*/{STATE_NAME}")), *sorted(sources.glob("trials/.fetch-*.json"))]
    for path in paths:
        try:
            state = load_state(path, FetchState(source="", query=""))
        except ParseError as e:
            damaged.append(e)
            continue
        found.append(SavedFetch(kind="pubmed" if path.name == STATE_NAME else "trials", path=path, state=state))
    return found, damaged


def since_last(kind: str, state: FetchState) -> str:
    """Return where an update starts: the window an unfinished update had, else where the last update ended, else
    where the first fetch's search ended (PubMed) or the day it last ran (trials); in the source's date format."""
    # NOTE: both ends are inclusive, so the boundary day is fetched twice; an unchanged record is not re-ingested.
    if state.update is not None:
        return state.update.since
    last = (state.last_run or "")[:10].replace("-", "/")
    start = state.updated_to or (state.until if kind == "pubmed" else None) or last or date.today().strftime("%Y/%m/%d")
    return start if kind == "pubmed" else start.replace("/", "-")


def _finish(path: Path, state: FetchState, count: int, new: int) -> Fetched:
    """Record the update as done (its end is where the next one starts); return what it saved."""
    update = state.update
    assert update is not None
    state.files = [*dict.fromkeys([*state.files, *update.files])]
    state.updated_to, state.update = update.until, None
    save_state(path, state)
    return Fetched(files=[path.parent / f for f in update.files], count=count, new=new, saved=update.offset,
                   complete=True)


def update_pubmed(api: PubMed, path: Path, *, batch: int = 200, progress: Progress | None = None) -> Fetched:
    """Fetch the records of a saved PubMed query entered or changed since its last run, beside its first ones."""
    with query_lock(path.parent.parent / f".{path.parent.name}.lock"):
        state = load_state(path, FetchState(source="pubmed", query=""))
        yesterday = (date.today() - timedelta(days=1)).strftime("%Y/%m/%d")
        state.update = state.update or Update(since=since_last("pubmed", state), until=yesterday)
        update = state.update
        search = api.esearch(state.query, update.since, update.until, datetype="mdat")
        target, new = min(search.count, EUTILS_MAX), 0
        while update.offset < target:
            size = min(batch, target - update.offset)
            data, records = api.efetch(search, update.offset, size)
            # NOTE: named after the window, so a folder read in name order ingests the newest version last.
            name = f"update-{update.since.replace('/', '')}-{update.offset:06d}.xml.gz"
            write_atomic(path.parent / name, gzip.compress(data, mtime=0))
            update.files = [*dict.fromkeys([*update.files, name])]
            update.offset, new = update.offset + size, new + records
            save_state(path, state)
            if progress:
                progress(update.offset, target)
        return _finish(path, state, search.count, new)


def update_trials(client: Client, base_url: str, path: Path, *, page_size: int = 100,
                  progress: Progress | None = None) -> Fetched:
    """Fetch the studies of a saved trial query whose record was updated since its last run."""
    url = base_url.rstrip("/") + "/studies"
    with query_lock(path.with_name(path.name + ".lock")):
        state = load_state(path, FetchState(source="trials", query=""))
        state.update = state.update or Update(since=since_last("trials", state),
                                              until=date.today().isoformat())
        update, count = state.update, 0
        while True:
            params: dict[str, str | int] = {"query.term": state.query, "pageSize": page_size, "format": "json",
                                            "countTotal": "true",
                                            "filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{update.since},MAX]"}
            if update.page_token:
                params["pageToken"] = update.page_token
            page = read_page(client.get(url, params).content, url)
            count = int(page.get("totalCount") or count)
            names = save_page(path.parent, page, url, state)
            update.files = [*dict.fromkeys([*update.files, *names])]
            update.offset += len(names)
            update.page_token = page.get("nextPageToken") or None
            save_state(path, state)
            if progress:
                progress(update.offset, max(count, update.offset))
            if update.page_token is None:
                return _finish(path, state, count, update.offset)
