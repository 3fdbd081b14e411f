"""The fetch HTTP client against a loopback server: retries on 429/5xx and lost connections, Retry-After,
the rate limit, and a failure's message."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone

import pytest

from ingest.fetch.http import Client, Policy, RateLimit, retry_after, shown
from kb.errors import FetchError
from tests.fetch_servers import Replay, Reply

Serve = Callable[[Callable[[str, dict[str, str]], Reply]], Replay]
FAST = Policy(rate_per_s=1000, timeout_s=5, retries=3, backoff_s=0.001, backoff_max_s=5)


def ok(_endpoint: str, _params: dict[str, str]) -> Reply:
    return Reply(body=b"fine")


def test_429_with_retry_after_is_waited_for_then_succeeds(serve: Serve) -> None:
    fake = serve(ok)
    fake.script("thing", Reply(429, b"slow down", {"Retry-After": "2"}), Reply(503, b"busy"))
    waits: list[float] = []
    with Client(FAST, sleep=waits.append) as client:
        reply = client.get(f"{fake.url}/thing", {"a": 1})
    assert reply.content == b"fine" and len(fake.calls("thing")) == 3 and client.retries_made == 2
    assert 2.0 in waits, "the server's Retry-After must be honoured"
    assert max(w for w in waits if w != 2.0) < 0.01, "without Retry-After the backoff setting is used"


def test_retry_after_is_capped_by_the_longest_wait(serve: Serve) -> None:
    fake = serve(ok)
    fake.script("thing", Reply(429, headers={"Retry-After": "3600"}))
    waits: list[float] = []
    with Client(FAST, sleep=waits.append) as client:
        client.get(f"{fake.url}/thing", {})
    assert 5.0 in waits and 3600.0 not in waits


def test_a_dropped_connection_is_retried(serve: Serve) -> None:
    fake = serve(ok)
    fake.script("thing", Reply(body=b"x" * 1000, drop=True))
    with Client(FAST, sleep=lambda _s: None) as client:
        assert client.get(f"{fake.url}/thing", {}).content == b"fine"
    assert len(fake.calls("thing")) == 2


def test_retries_are_bounded_and_the_error_names_the_url_without_the_key(serve: Serve) -> None:
    fake = serve(ok)
    fake.script("thing", *[Reply(500, b"oops")] * 4)
    with Client(FAST, sleep=lambda _s: None) as client, pytest.raises(FetchError) as caught:
        client.get(f"{fake.url}/thing", {"api_key": "SECRET", "term": "asthma"})
    message = str(caught.value)
    assert len(fake.calls("thing")) == 4 and "HTTP 500 after 4 tries" in message
    assert f"{fake.url}/thing?term=asthma" in message and "SECRET" not in message and "run the same command" in message


def test_a_client_error_is_not_retried(serve: Serve) -> None:
    fake = serve(ok)
    fake.script("thing", Reply(400, b"bad term"))
    with Client(FAST, sleep=lambda _s: None) as client, pytest.raises(FetchError, match="HTTP 400 .bad term"):
        client.get(f"{fake.url}/thing", {})
    assert len(fake.calls("thing")) == 1


def test_nothing_listening_is_a_fetch_error() -> None:
    with Client(Policy(rate_per_s=1000, retries=1, backoff_s=0), sleep=lambda _s: None) as client:
        with pytest.raises(FetchError, match=r"127\.0\.0\.1:9/x: ConnectError .* after 2 tries; check the network"):
            client.get("http://127.0.0.1:9/x", {})


def test_rate_limit_spaces_requests() -> None:
    now, waits = [0.0], []

    def sleep(s: float) -> None:
        waits.append(s)
        now[0] += s

    limit = RateLimit(3, sleep=sleep, clock=lambda: now[0])
    for _ in range(4):
        limit.wait()
    assert waits == pytest.approx([1 / 3] * 3)
    now[0] += 10
    limit.wait()
    assert len(waits) == 3, "an idle client may send at once"


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after("7") == 7.0 and retry_after(None) is None and retry_after("soon") is None
    assert retry_after("Thu, 01 Jan 2026 12:00:30 GMT", now) == 30.0
    assert shown("http://h/e?api_key=K&db=pubmed") == "http://h/e?db=pubmed"
