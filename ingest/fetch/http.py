"""One HTTP client for the online sources: a request rate limit, and bounded retries with exponential backoff that
honour Retry-After (tenacity)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from types import TracebackType

import httpx
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt, wait_exponential

from kb.errors import FetchError

Params = Mapping[str, str | int]
RETRIED_STATUS = (408, 429, 500, 502, 503, 504)
USER_AGENT = "MedKB/0.1 (offline medical-literature knowledge base)"


@dataclass(frozen=True)
class Policy:
    """How a source is asked: requests per second, timeout, retries and their waits."""

    rate_per_s: float
    timeout_s: float = 60.0
    retries: int = 5
    backoff_s: float = 1.0
    backoff_max_s: float = 60.0


class Retryable(Exception):
    """A reply worth asking again for (429, 5xx), with the wait the server asked for, if any."""

    def __init__(self, url: str, status: int, retry_after: float | None) -> None:
        super().__init__(f"HTTP {status}")
        self.url, self.status, self.retry_after = url, status, retry_after


class RateLimit:
    """Space requests at least 1/rate seconds apart, across threads."""

    def __init__(self, per_second: float, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.interval, self.sleep, self.clock = 1.0 / per_second, sleep, clock
        self.next_at = float("-inf")
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Block until the next request may go out."""
        with self.lock:
            now = self.clock()
            if now < self.next_at:
                self.sleep(self.next_at - now)
                now = self.next_at
            self.next_at = now + self.interval


def shown(url: str | httpx.URL) -> str:
    """Return a URL fit for a message: the API key taken out."""
    return str(httpx.URL(str(url)).copy_remove_param("api_key"))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Return the seconds a Retry-After header asks for (delta-seconds or an HTTP date), None when absent or bad."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


class Client:
    """GET with a rate limit and bounded retries; every failure becomes a FetchError naming the URL."""

    def __init__(self, policy: Policy, *, sleep: Callable[[float], None] = time.sleep) -> None:
        self.policy, self.sleep = policy, sleep
        self.limit = RateLimit(policy.rate_per_s, sleep)
        self.http = httpx.Client(timeout=policy.timeout_s, headers={"User-Agent": USER_AGENT}, follow_redirects=True)
        self.retries_made = 0

    def __enter__(self) -> Client:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.http.close()

    def _wait(self, state: RetryCallState) -> float:
        """Return the wait before the next try: the server's Retry-After, else exponential backoff; both capped."""
        backoff = wait_exponential(multiplier=self.policy.backoff_s, max=self.policy.backoff_max_s)(state)
        error = state.outcome.exception() if state.outcome else None
        asked = error.retry_after if isinstance(error, Retryable) else None
        return min(asked, self.policy.backoff_max_s) if asked is not None else backoff

    def _once(self, url: str, params: Params) -> httpx.Response:
        """Send one request; raise Retryable for a reply worth asking again for."""
        self.limit.wait()
        reply = self.http.get(url, params=params)
        if reply.status_code in RETRIED_STATUS:
            raise Retryable(shown(reply.url), reply.status_code, retry_after(reply.headers.get("Retry-After")))
        return reply

    def _counted(self, state: RetryCallState) -> None:
        """Count a retry (for the run's summary)."""
        self.retries_made += 1

    def get(self, url: str, params: Params) -> httpx.Response:
        """Return the reply to a GET, retried on 429, 5xx, timeouts and lost connections; FetchError otherwise."""
        retrying = Retrying(stop=stop_after_attempt(self.policy.retries + 1), wait=self._wait, sleep=self.sleep,
                            retry=retry_if_exception_type((Retryable, httpx.TransportError)), reraise=True,
                            before_sleep=self._counted)
        tries = self.policy.retries + 1
        try:
            reply = retrying(self._once, url, params)
        except Retryable as e:
            raise FetchError(f"{e.url}: HTTP {e.status} after {tries} tries; the service is busy or down: wait and "
                             "run the same command again (it continues where it stopped)") from None
        except httpx.TransportError as e:
            raise FetchError(f"{shown(url)}: {type(e).__name__} ({e or 'no detail'}) after {tries} tries; check the "
                             "network connection and the base URL setting, then run the same command again") from None
        if reply.status_code >= 400:
            snippet = " ".join(reply.text[:200].split())
            raise FetchError(f"{shown(reply.url)}: HTTP {reply.status_code} ({snippet or reply.reason_phrase}); "
                             "check the query and the API key / base URL settings")
        return reply
