"""The change feed: what a watch does to the client's memory, and how it
resumes after the server goes away mid-stream."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path

import pytest
from conftest import serve
from goneserver import ADMIN, READER, Gone

from goneclient import Change, Client, Gone as GoneError, MemoryCache, Unauthorized


def head(g: Gone) -> int:
    """The last sequence of the feed, from its JSON page."""
    return int(g.admin("GET", "/api/changes?since=now").json()["last"])


def test_a_gone_change_purges_the_cache_and_is_answered_without_a_request(server: Gone) -> None:
    id = "watched-" + uuid.uuid4().hex[:8]
    server.admin("PUT", f"/api/users/{id}", {"name": "Watched"})
    cache = MemoryCache()
    told = []
    c = Client(server.url, token=READER, cache=cache, on_gone=lambda p, g: told.append(p))
    c.get("users", id)
    assert cache.get(f"/api/users/{id}") is not None, "the read was cached"

    w = c.watch(since=head(server))
    # Delete once the stream is open: the first change proves it is.
    threading.Timer(0.3, lambda: server.admin("DELETE", f"/api/users/{id}?permanent=true&reason=user_request&alternative=/api/users")).start()
    seen: list[Change] = []
    for ch in w:
        seen.append(ch)
        if ch.id == id and ch.type == "gone":
            break
    w.close()

    assert cache.get(f"/api/users/{id}") is None, "the feed's gone purged the copy"
    assert told == [f"/api/users/{id}"], f"on_gone calls = {told}"
    server.sync()
    before = len(server.requests_for(f"/api/users/{id}", "GET"))
    with pytest.raises(GoneError) as e:
        c.get("users", id)
    assert e.value.local and e.value.reason == "User requested account deletion", f"gone = {e.value!r} {e.value.reason!r}"
    assert "permanently deleted on" in e.value.message, f"message = {e.value.message!r}"
    assert e.value.alternative == "/api/users", f"alternative = {e.value.alternative!r}"
    server.sync()
    assert len(server.requests_for(f"/api/users/{id}", "GET")) == before, "no request after the feed said gone"
    assert w.last_event_id is not None and int(w.last_event_id) == seen[-1].seq, f"last_event_id = {w.last_event_id}"


def test_a_watch_resumes_after_the_server_dies_mid_stream(gone_bin: Path, tmp_path: Path) -> None:
    g = serve(gone_bin, tmp_path)
    try:
        first, missed = "before-" + uuid.uuid4().hex[:6], "during-" + uuid.uuid4().hex[:6]
        restarts = []

        def sleep(_: float) -> None:
            # The reconnection's backoff: bring the server back, and make a
            # change the stream has not seen. Only a resume after the last
            # event (Last-Event-ID) rather than "from now on" delivers it.
            if not restarts:
                g.start()
                g.admin("PUT", f"/api/users/{missed}", {"name": "M"})
            restarts.append(_)

        c = Client(g.url, token=ADMIN, sleep=sleep)
        w = c.watch(since=head(g))
        threading.Timer(0.3, lambda: g.admin("PUT", f"/api/users/{first}", {"name": "F"})).start()
        # Should the missed change never come, a later one ends the loop.
        late = "late-" + uuid.uuid4().hex[:6]
        watchdog = threading.Timer(10, lambda: g.admin("PUT", f"/api/users/{late}", {"name": "L"}))
        watchdog.start()
        got = []
        for ch in w:
            got.append((ch.type, ch.id))
            if ch.id == first:
                g.kill()  # the stream drops mid-answer
            if ch.id in (missed, late):
                break
        watchdog.cancel()
        w.close()
        assert got == [("created", first), ("created", missed)], f"changes = {got}"
        assert len(restarts) >= 1, "the watch reconnected"
    finally:
        g.stop()


def test_a_watch_without_a_token_stops_with_unauthorized(server: Gone) -> None:
    w = Client(server.url).watch()
    with pytest.raises(Unauthorized):
        next(w)
