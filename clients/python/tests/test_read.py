"""Reads against a real `gone serve --demo`: 200 and 304, 404, 410 and its
memory, 308."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from goneserver import READER, Gone

from goneclient import CacheEntry, Client, Gone as GoneError, MemoryCache, Moved, NotFound, RetryPolicy


def fresh_id() -> str:
    return "t-" + uuid.uuid4().hex[:12]


def test_live_resource_then_revalidated_with_its_etag(server: Gone, reader: Client) -> None:
    first = reader.get("users", "42")
    again = reader.get("users", "42")
    assert first["name"] == "Ada Lovelace", f"name = {first.get('name')!r}"
    assert again == first, f"second read = {again!r}, want the cached {first!r}"
    server.sync()
    got = [s for _, s in server.requests_for("/api/users/42")][-2:]
    assert got == [200, 304], f"statuses of the two reads = {got}, want [200, 304] (the second revalidates)"


@pytest.mark.parametrize(
    "lang,want",
    [
        (None, "User with ID 999 does not exist"),
        ("es", "El usuario con ID 999 no existe"),
    ],
)
def test_404_is_not_found_in_the_servers_language(server: Gone, lang: str | None, want: str) -> None:
    c = Client(server.url, lang=lang)
    with pytest.raises(NotFound) as e:
        c.get("users", "999")
    assert e.value.status == 404
    assert e.value.message == want, f"message = {e.value.message!r}, want {want!r}"
    assert e.value.problem["type"].endswith("/problems/not-found"), f"problem = {e.value.problem}"
    assert not isinstance(e.value, GoneError), "a 404 must not be a Gone"


def test_404_is_not_retried_unless_the_policy_says_so(server: Gone) -> None:
    id = fresh_id()
    waits: list[float] = []
    with pytest.raises(NotFound):
        Client(server.url, sleep=waits.append).get("users", id)
    with pytest.raises(NotFound):
        Client(server.url, sleep=waits.append, retry=RetryPolicy(not_found_retries=2, not_found_delay=0.5)).get("users", id)
    server.sync()
    got = len(server.requests_for(f"/api/users/{id}"))
    assert got == 1 + 3, f"requests = {got}, want 1 (default) + 3 (two retries)"
    assert waits == [0.5, 0.5], f"waits = {waits}, want two of not_found_delay"


def test_a_mistyped_url_carries_the_suggestion(reader: Client) -> None:
    with pytest.raises(NotFound) as e:
        reader.get("usres", "123")
    assert e.value.suggestion == "/api/users/123", f"suggestion = {e.value.suggestion!r}"
    assert "Did you mean /api/users/123?" in e.value.message


def test_410_is_gone_purged_remembered_and_never_requested_again(server: Gone) -> None:
    cache = MemoryCache()
    cache.set("/api/users/123", CacheEntry({"id": "123", "name": "Alex Doe"}, '"1"'))
    told: list[tuple[str, GoneError]] = []
    c = Client(server.url, cache=cache, on_gone=lambda path, g: told.append((path, g)))
    server.sync()
    before = len(server.requests_for("/api/users/123"))
    metric_before = server.metric("gone_http_requests_total", route="GET /api/{collection}/{id}", status="410")

    with pytest.raises(GoneError) as first:
        c.get("users", "123")
    g = first.value
    assert (g.status, g.local) == (410, False), f"status, local = {g.status}, {g.local}"
    assert g.message == "This user account was permanently deleted on 2026-01-05", f"message = {g.message!r}"
    assert g.deleted_at == datetime(2026, 1, 5, 10, 30, tzinfo=timezone.utc), f"deleted_at = {g.deleted_at}"
    assert g.reason == "User requested account deletion", f"reason = {g.reason!r}"
    assert cache.get("/api/users/123") is None, "the cached copy must be purged"
    assert c.is_gone("users", "123")

    for _ in range(3):
        with pytest.raises(GoneError) as again:
            c.get("users", "123")
        assert again.value.local, "a remembered 410 is answered without a request"
        assert again.value.reason == g.reason, f"remembered reason = {again.value.reason!r}"

    server.sync()
    got = len(server.requests_for("/api/users/123")) - before
    assert got == 1, f"requests that reached the server = {got}, want 1"
    metric = server.metric("gone_http_requests_total", route="GET /api/{collection}/{id}", status="410") - metric_before
    assert metric == 1, f"410s counted by /metrics = {metric}, want 1"
    assert [p for p, _ in told] == ["/api/users/123"], f"on_gone calls = {told}, want one"

    # Until the caller forgets it.
    c.forget("users", "123")
    with pytest.raises(GoneError) as after:
        c.get("users", "123")
    assert not after.value.local
    server.sync()
    got = len(server.requests_for("/api/users/123")) - before
    assert got == 2, f"requests after forget = {got}, want 2"


def test_an_expired_promotion_is_gone_with_expired_at_and_alternative(server: Gone) -> None:
    with pytest.raises(GoneError) as e:
        Client(server.url, lang="es").get("promotions", "summer-sale-2025")
    g = e.value
    assert g.expired_at == datetime(2025, 9, 1, tzinfo=timezone.utc), f"expired_at = {g.expired_at}"
    assert g.alternative == "/api/promotions/current", f"alternative = {g.alternative!r}"
    assert g.message == "Esta promoción ha expirado y ya no está disponible", f"message = {g.message!r}"
    assert g.deleted_at is None


def test_308_is_followed_and_remembered_with_its_sunset(server: Gone) -> None:
    notices = []
    c = Client(server.url, on_notice=notices.append)
    server.sync()
    before = len(server.requests_for("/api/promotions/current"))
    p = c.get("promotions", "current")
    c.get("promotions", "current")
    assert p["name"] == "Winter Sale 2026", f"promotion = {p}"
    server.sync()
    got = len(server.requests_for("/api/promotions/current")) - before
    assert got == 1, f"requests to the old path = {got}, want 1 (the move is remembered)"
    assert notices and notices[0].sunset is not None, f"notices = {notices}, want a Sunset"
    assert 'rel="sunset"' in (notices[0].link or ""), f"link = {notices[0].link!r}"


def test_308_is_reported_as_moved_when_redirects_are_not_followed(server: Gone) -> None:
    with pytest.raises(Moved) as e:
        Client(server.url, follow_redirects=False).get("promotions", "current")
    assert (e.value.status, e.value.location) == (308, "/api/promotions/winter-sale-2026"), f"moved = {e.value.status} {e.value.location}"


def test_the_trash_is_not_found_even_for_an_admin(server: Gone) -> None:
    id = fresh_id()
    server.admin("PUT", f"/api/users/{id}", {"name": "T"})
    server.admin("DELETE", f"/api/users/{id}")
    with pytest.raises(NotFound):
        Client(server.url, token="py-admin-token").get("users", id)
    life = Client(server.url, token="py-admin-token").lifecycle("users", id)
    assert life["state"] == "deleted", f"lifecycle state = {life['state']!r}"


def test_reader_token_reads(server: Gone) -> None:
    assert Client(server.url, token=READER).get("users", "42")["id"] == "42"
