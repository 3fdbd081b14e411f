"""ClinicalTrials.gov API v2: page through /studies for a query, each study saved as <NCT id>.json; an interrupted
fetch continues from the page token after its last saved page."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ingest.fetch.http import Client
from ingest.fetch.pubmed import Progress
from ingest.fetch.state import FetchState, Fetched, load_state, query_lock, save_state, slug, write_atomic
from kb.errors import BadReply

NCT = re.compile(r"^NCT\d{8}$")


def state_path(folder: Path, query: str) -> Path:
    """Return where a trial query's state lives: a dot-file beside the studies, which every query shares."""
    return folder / f".fetch-{slug(query)}.json"


def read_page(data: bytes, url: str) -> dict[str, Any]:
    """Return a /studies page; BadReply when it is not JSON with a studies list."""
    try:
        page = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise BadReply(f"{url}: the reply is not JSON ({e}); check that MEDKB_CTGOV_URL points at the "
                       "ClinicalTrials.gov API v2 (https://clinicaltrials.gov/api/v2), then run the command again"
                       ) from None
    if not isinstance(page, dict) or not isinstance(page.get("studies"), list):
        raise BadReply(f"{url}: the reply has no 'studies' list; check that MEDKB_CTGOV_URL points at the "
                       "ClinicalTrials.gov API v2")
    return page


def _nct_id(study: Any, url: str) -> str:
    """Return a study's NCT id, checked, since it becomes a file name."""
    try:
        nct = str(study["protocolSection"]["identificationModule"]["nctId"])
    except (KeyError, TypeError):
        nct = ""
    if not NCT.match(nct):
        raise BadReply(f"{url}: a study without a valid protocolSection.identificationModule.nctId "
                       f"({nct[:20] or 'none'}); run the same command again")
    return nct


def save_page(folder: Path, page: dict[str, Any], url: str, state: FetchState) -> list[str]:
    """Save each study of a page as its own file; return their names."""
    studies = page["studies"]
    names = [f"{_nct_id(study, url)}.json" for study in studies]
    for study, name in zip(studies, names, strict=True):
        write_atomic(folder / name, json.dumps(study, ensure_ascii=False, indent=1).encode())
    state.files = [*dict.fromkeys([*state.files, *names])]
    return names


def fetch_trials(client: Client, base_url: str, folder: Path, query: str, *, limit: int | None = None,
                 page_size: int = 100, progress: Progress | None = None) -> Fetched:
    """Fetch a query's studies into folder page by page, continuing a fetch that stopped; return what is saved."""
    path = state_path(folder, query)
    with query_lock(path.with_name(path.name + ".lock")):
        return _pages(client, base_url.rstrip("/") + "/studies", path, query, limit, page_size, progress)


def _pages(client: Client, url: str, path: Path, query: str, limit: int | None, page_size: int,
           progress: Progress | None) -> Fetched:
    """Fetch the pages a query still lacks, saving each page's studies with the state after them."""
    folder = path.parent
    state = load_state(path, FetchState(source="trials", query=query))
    new = 0
    while not state.complete and (limit is None or state.offset < limit):
        size = page_size if limit is None else min(page_size, limit - state.offset)
        params: dict[str, str | int] = {"query.term": query, "pageSize": size, "format": "json", "countTotal": "true"}
        if state.page_token:
            params["pageToken"] = state.page_token
        page = read_page(client.get(url, params).content, url)
        if not page["studies"] and not path.exists():
            return Fetched(files=[], count=0, new=0, saved=0, complete=True)
        state.count = int(page.get("totalCount") or state.count)
        saved = len(save_page(folder, page, url, state))
        state.offset, new = state.offset + saved, new + saved
        state.page_token = page.get("nextPageToken") or None
        state.complete = state.page_token is None
        save_state(path, state)
        if progress:
            progress(state.offset, min(state.count, limit or state.count) or state.offset)
    return Fetched(files=[folder / f for f in state.files], count=state.count, new=new, saved=state.offset,
                   complete=state.complete)
