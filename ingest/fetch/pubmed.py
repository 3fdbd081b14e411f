"""PubMed through NCBI E-utilities: esearch on the history server, then efetch in batches, each batch saved as a
gzipped PubmedArticleSet; an interrupted fetch continues from its last saved batch."""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from lxml import etree

from ingest.fetch.http import Client, Params
from ingest.fetch.state import STATE_NAME, FetchState, Fetched, load_state, query_lock, save_state, write_atomic
from ingest.readers.pubmed import HARDENED
from kb.errors import BadReply, FetchError

# NOTE: E-utilities serves only the first 10,000 records of a PubMed search, history server or not.
EUTILS_MAX = 10_000
EARLIEST = "1700/01/01"  # NOTE: mindate and maxdate only work as a pair; PubMed's oldest records are from 1781.
DATE = re.compile(r"^\d{4}(/\d{2}(/\d{2})?)?$")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Search:
    """An esearch result kept on NCBI's history server."""

    count: int
    web_env: str
    query_key: str


def valid_date(text: str) -> bool:
    """Return whether text is an E-utilities date: YYYY, YYYY/MM or YYYY/MM/DD."""
    return bool(DATE.match(text))


def _xml(data: bytes, url: str, what: str) -> etree._Element:
    """Return the root of a reply parsed with the hardened settings; BadReply when it is not XML."""
    try:
        return etree.fromstring(data, etree.XMLParser(**HARDENED))
    except etree.XMLSyntaxError as e:
        raise BadReply(f"{url}: the {what} reply is not well-formed XML ({e.msg}); check that MEDKB_PUBMED_URL "
                       "points at NCBI E-utilities, then run the same command again") from None


def _ncbi_error(root: etree._Element, url: str) -> None:
    """Raise FetchError when E-utilities answered with an ERROR element (bad query, expired history)."""
    error = root.findtext("ERROR")
    if error:
        raise FetchError(f"{url}: NCBI answered '{error.strip()}'; check the query, then run the same command again")


class PubMed:
    """esearch and efetch against one E-utilities base URL."""

    def __init__(self, client: Client, base_url: str, api_key: str | None = None, email: str | None = None) -> None:
        self.client, self.base = client, base_url.rstrip("/") + "/"
        self.identity: dict[str, str] = {"tool": "medkb"}
        if email:
            self.identity["email"] = email
        if api_key:
            self.identity["api_key"] = api_key

    def _get(self, name: str, params: Params) -> tuple[bytes, str]:
        """Return one E-utility's reply body and the URL to name in messages."""
        url = self.base + name
        reply = self.client.get(url, {"db": "pubmed", **params, **self.identity})
        return reply.content, url

    def esearch(self, query: str, since: str | None, until: str, datetype: str = "edat") -> Search:
        """Run the search on the history server (dates are of entry, or of modification for mdat); return its
        count, WebEnv and query_key."""
        data, url = self._get("esearch.fcgi", {"term": query, "usehistory": "y", "retmax": 0, "datetype": datetype,
                                               "mindate": since or EARLIEST, "maxdate": until})
        root = _xml(data, url, "esearch")
        _ncbi_error(root, url)
        count, web_env, key = root.findtext("Count"), root.findtext("WebEnv"), root.findtext("QueryKey")
        if root.tag != "eSearchResult" or not (count or "").strip().isdigit():
            raise BadReply(f"{url}: expected an eSearchResult with a Count, got <{root.tag}>; check that "
                           "MEDKB_PUBMED_URL points at NCBI E-utilities")
        if int(count or 0) and not (web_env and key):
            raise BadReply(f"{url}: the esearch reply has no WebEnv/QueryKey (history server); run the same "
                           "command again")
        return Search(int(count or 0), (web_env or "").strip(), (key or "").strip())

    def efetch(self, search: Search, start: int, size: int) -> tuple[bytes, int]:
        """Return one batch of records as PubmedArticleSet XML, and how many records it holds."""
        data, url = self._get("efetch.fcgi", {"query_key": search.query_key, "WebEnv": search.web_env,
                                              "retstart": start, "retmax": size, "retmode": "xml"})
        root = _xml(data, url, "efetch")
        _ncbi_error(root, url)
        if root.tag != "PubmedArticleSet":
            raise BadReply(f"{url}: expected a PubmedArticleSet, got <{root.tag}> for records {start}-"
                           f"{start + size}; run the same command again")
        return data, sum(1 for child in root if child.tag in ("PubmedArticle", "PubmedBookArticle"))


def _fresh(query: str, since: str | None) -> FetchState:
    """Return the state of a query never fetched before, its search pinned to records entered up to yesterday."""
    # NOTE: results are newest first; a fixed maxdate keeps a resumed fetch's batch offsets on the same records.
    until = (date.today() - timedelta(days=1)).strftime("%Y/%m/%d")
    return FetchState(source="pubmed", query=query, since=since, until=until)


def fetch_pubmed(api: PubMed, folder: Path, query: str, *, since: str | None = None, limit: int | None = None,
                 batch: int = 200, progress: Progress | None = None, most: int = EUTILS_MAX) -> Fetched:
    """Fetch a query's records into folder in batches, continuing a fetch that stopped; return what is saved. A
    query with more records than E-utilities serves from one search (`most`) is fetched in windows of entry dates."""
    # NOTE: the lock sits beside the query's folder, so a search that finds nothing leaves no folder behind.
    with query_lock(folder.parent / f".{folder.name}.lock"):
        path = folder / STATE_NAME
        state = load_state(path, _fresh(query, since))
        search = api.esearch(query, state.since, state.until or "")
        if search.count == 0 and not path.exists():
            return Fetched(files=[], count=0, new=0, saved=0, complete=True)
        if state.windows or (search.count > most and (limit is None or limit > most)):
            return _windowed(api, folder, state, search.count, limit, batch, progress, most)
        return _batches(api, folder, state, search, limit, batch, progress, most)


def _batches(api: PubMed, folder: Path, state: FetchState, search: Search, limit: int | None, batch: int,
             progress: Progress | None, most: int) -> Fetched:
    """Fetch the batches a search still lacks into folder, saving each with the state after it."""
    path = folder / STATE_NAME
    state.count = search.count
    target = min(search.count, limit or most, most)
    new = 0
    if progress:
        progress(min(state.offset, target), max(target, state.offset))
    while state.offset < target:
        size = min(batch, target - state.offset)
        data, records = api.efetch(search, state.offset, size)
        name = f"batch-{state.offset:06d}.xml.gz"
        write_atomic(folder / name, gzip.compress(data, mtime=0))
        state.files = [*dict.fromkeys([*state.files, name])]
        state.offset, new = state.offset + size, new + records
        save_state(path, state)
        if progress:
            progress(state.offset, target)
    state.complete = state.offset >= min(search.count, most)
    save_state(path, state)
    return Fetched(files=[folder / f for f in state.files], count=search.count, new=new, saved=state.offset,
                   complete=state.complete)


def date_windows(api: PubMed, query: str, since: str | None, until: str, most: int) -> list[tuple[str, str]]:
    """Return consecutive windows of entry dates, oldest first, each holding at most `most` records of the query,
    found by halving date ranges; a single day past `most` stays one window (its first `most` records are served)."""
    out: list[tuple[str, str]] = []
    todo = [(_day(since or EARLIEST), _day(until))]
    while todo:
        lo, hi = todo.pop()
        count = api.esearch(query, _text(lo), _text(hi)).count
        if count and (count <= most or lo == hi):
            out.append((_text(lo), _text(hi)))
        elif count:
            mid = lo + (hi - lo) // 2
            todo += [(mid + timedelta(days=1), hi), (lo, mid)]
    return out


def _windowed(api: PubMed, folder: Path, state: FetchState, count: int, limit: int | None, batch: int,
              progress: Progress | None, most: int) -> Fetched:
    """Fetch a query window by window (planned once, kept in its state), each in a sub-folder with its own state."""
    path = folder / STATE_NAME
    if not state.windows:
        state.windows = date_windows(api, state.query, state.since, state.until or "", most)
        save_state(path, state)
    state.count, target = count, min(count, limit or count)
    done, new, whole, files = 0, 0, True, []
    for lo, hi in state.windows:
        sub = folder / f"window-{lo.replace('/', '')}-{hi.replace('/', '')}"
        part_state = load_state(sub / STATE_NAME, FetchState(source="pubmed", query=state.query, since=lo, until=hi))
        if done >= target:
            whole = False
            break
        if part_state.complete:
            part = Fetched([sub / f for f in part_state.files], part_state.count, 0, part_state.offset, True)
        else:
            part = _batches(api, sub, part_state, api.esearch(state.query, lo, hi), target - done, batch,
                            _shifted(progress, done, target), most)
        done, new, whole, files = done + part.saved, new + part.new, whole and part.complete, [*files, *part.files]
    state.files, state.offset, state.complete = [str(f.relative_to(folder)) for f in files], done, whole
    save_state(path, state)
    return Fetched(files=files, count=count, new=new, saved=done, complete=whole)


def _shifted(progress: Progress | None, base: int, target: int) -> Progress | None:
    """Return a window's progress as progress through the whole query."""
    if progress is None:
        return None
    return lambda at, _: progress(base + at, target)


def _day(text: str) -> date:
    """Return the first day a PubMed date names (YYYY, YYYY/MM or YYYY/MM/DD)."""
    year, month, day = [*(int(p) for p in text.split("/")), 1, 1][:3]
    return date(year, month, day)


def _text(day: date) -> str:
    """Return a day as E-utilities writes dates."""
    return f"{day.year:04d}/{day.month:02d}/{day.day:02d}"
