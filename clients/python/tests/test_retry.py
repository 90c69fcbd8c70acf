"""503 and 429: Retry-After waited out up to the cap, and only what is safe
to send twice is sent twice."""

from __future__ import annotations

import socket
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import serve
from goneserver import ADMIN, Gone

from goneclient import Client, RetryPolicy, TooManyRequests, Unauthorized, Unavailable, parse_retry_after


def stamp(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_503_with_retry_after_is_waited_out_then_answered(server: Gone) -> None:
    id = "brief-" + uuid.uuid4().hex[:8]
    server.admin("PUT", f"/api/promotions/{id}", {"n": 1})
    server.admin("PATCH", f"/api/promotions/{id}/lifecycle", {"unavailableUntil": stamp(datetime.now(timezone.utc) + timedelta(seconds=2))})
    waits: list[float] = []

    def sleep(s: float) -> None:
        waits.append(s)
        time.sleep(s)

    got = Client(server.url, sleep=sleep).get("promotions", id)
    assert got["n"] == 1, f"body = {got}"
    server.sync()
    statuses = [s for _, s in server.requests_for(f"/api/promotions/{id}", "GET")]
    assert statuses[0] == 503 and statuses[-1] == 200, f"statuses = {statuses}, want 503 … 200"
    assert waits and all(0 < w <= 3 for w in waits), f"waits = {waits}, want the server's Retry-After (≤ 3 s)"


def test_a_retry_after_past_the_cap_comes_back_at_once(server: Gone) -> None:
    id = "frozen-" + uuid.uuid4().hex[:8]
    server.admin("PUT", f"/api/promotions/{id}", {"n": 1})
    server.admin("PATCH", f"/api/promotions/{id}/lifecycle", {"unavailableUntil": "2100-01-01T00:00:00Z"})
    waits: list[float] = []
    with pytest.raises(Unavailable) as e:
        Client(server.url, sleep=waits.append).get("promotions", id)
    u = e.value
    # The server caps its Retry-After (1 h by default); still past the
    # client's 30 s cap, so nothing is waited or retried.
    assert u.retry_after is not None and u.retry_after > 30, f"retry_after = {u.retry_after}"
    assert u.available_at == datetime(2100, 1, 1, tzinfo=timezone.utc), f"available_at = {u.available_at}"
    assert waits == [], f"waits = {waits}, want none"
    server.sync()
    got = len(server.requests_for(f"/api/promotions/{id}", "GET"))
    assert got == 1, f"requests = {got}, want 1"


@pytest.mark.parametrize(
    "value,want",
    [
        ("120", 120.0),
        ("0", 0.0),
        ("Thu, 01 Jan 2026 00:01:00 GMT", 60.0),
        ("Wed, 31 Dec 2025 23:00:00 GMT", 0.0),  # past: now
        ("99999999999999999999", 100 * 365 * 24 * 3600.0),  # capped, no overflow
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, want: float | None) -> None:
    now = datetime(2026, 1, 1, tzinfo=timezone.utc).timestamp()
    got = parse_retry_after(value, now)
    assert got == want, f"parse_retry_after({value!r}) = {got}, want {want}"


@pytest.mark.parametrize(
    "method,if_match,want_attempts",
    [
        ("GET", None, 3),
        ("DELETE", None, 3),
        ("PUT", '"1"', 3),  # a precondition makes a repeat harmless
        ("PUT", None, 1),  # may have landed: never sent twice after a 503
        ("PATCH", None, 1),
        ("POST", None, 1),
    ],
)
def test_only_what_is_safe_to_repeat_is_retried_on_503(proxy: Gone, method: str, if_match: str | None, want_attempts: int) -> None:
    # A rule of `gone proxy` answers every method with the same 503 (with a
    # Retry-After of a few seconds), so each method meets a real one.
    path = f"/api/users/maint-{method.lower()}-{uuid.uuid4().hex[:8]}"
    want_path = path + ("/restore" if method == "POST" else "")
    proxy.admin("POST", "/rules", {"path": want_path, "action": "unavailable", "at": stamp(datetime.now(timezone.utc) + timedelta(minutes=1))})
    waits: list[float] = []
    c = Client(proxy.url, token=ADMIN, sleep=waits.append, retry=RetryPolicy(attempts=3, max_retry_after=120))
    id = path.rsplit("/", 1)[1]
    call = {
        "GET": lambda: c.get("users", id),
        "DELETE": lambda: c.delete("users", id),
        "PUT": lambda: c.put("users", id, {"n": 1}, if_match=if_match),
        "PATCH": lambda: c.patch("users", id, {"n": 1}),
        "POST": lambda: c.restore("users", id),
    }[method]
    with pytest.raises(Unavailable) as e:
        call()
    assert e.value.status == 503
    proxy.sync()
    got = len(proxy.requests_for(want_path))
    assert got == want_attempts, f"{method} requests = {got}, want {want_attempts}"
    assert len(waits) == want_attempts - 1 and all(50 < w <= 60 for w in waits), f"waits = {waits}, want the rule's Retry-After"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_a_refused_connection_is_retried_with_backoff_then_raised() -> None:
    import requests

    waits: list[float] = []
    c = Client(f"http://127.0.0.1:{free_port()}", sleep=waits.append, jitter=lambda: 0.5, retry=RetryPolicy(attempts=3))
    with pytest.raises(requests.ConnectionError):
        c.get("users", "42")
    assert waits == pytest.approx([0.075, 0.15]), f"waits = {waits}, want two backoffs (half fixed, half jitter)"
    # A POST that never left may be sent again too.
    waits.clear()
    with pytest.raises(requests.ConnectionError):
        c.restore("users", "42")
    assert len(waits) == 2, f"POST waits = {waits}, want 2 (the connection was never made)"


def test_too_many_failed_authentications_is_429_waited_out_up_to_the_cap(gone_bin: Path, tmp_path: Path) -> None:
    g = serve(gone_bin, tmp_path, "--auth-failures", "1")
    try:
        bad = Client(g.url, token="wrong", retry=RetryPolicy(attempts=1))
        with pytest.raises(Unauthorized) as first:
            bad.get("users", "42")
        assert first.value.token_state == "unknown", f"token_state = {first.value.token_state!r}"
        # The server asks for a minute: past the default 30 s cap, so the
        # 429 comes back at once…
        waits: list[float] = []
        with pytest.raises(TooManyRequests) as e:
            Client(g.url, token="wrong", sleep=waits.append).get("users", "42")
        assert e.value.status == 429
        assert e.value.retry_after is not None and 30 < e.value.retry_after <= 60, f"retry_after = {e.value.retry_after}"
        assert isinstance(e.value, Unavailable), "a 429 is a kind of Unavailable: wait and try again"
        assert waits == [], f"waits = {waits}, want none past the cap"
        # …and within a caller's longer cap, each 429 is waited out (the
        # fake sleep returns at once, so every attempt meets the limit).
        with pytest.raises(TooManyRequests):
            Client(g.url, token="wrong", sleep=waits.append, retry=RetryPolicy(max_retry_after=60)).get("users", "42")
        assert len(waits) == 3 and all(30 < w <= 60 for w in waits), f"waits = {waits}, want 3 of the Retry-After"
    finally:
        g.stop()
