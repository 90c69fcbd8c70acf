"""The client in front of `gone proxy`, whose upstream is a `gone serve`:
paths without a rule pass through, paths with one get gone's answers."""

from __future__ import annotations

import uuid

import pytest
from goneserver import READER, Gone

from goneclient import Client, Gone as GoneError, Moved, NotFound


def rule(proxy: Gone, **r: str) -> str:
    proxy.admin("POST", "/rules", r)
    return r["path"]


def test_an_upstream_resource_passes_through_and_revalidates(proxy: Gone, server: Gone) -> None:
    c = Client(proxy.url, token=READER)
    assert c.get("users", "42")["name"] == "Ada Lovelace"
    assert c.get("users", "42")["name"] == "Ada Lovelace"
    server.sync()
    got = [s for _, s in server.requests_for("/api/users/42", "GET")][-2:]
    assert got == [200, 304], f"upstream statuses = {got}, want [200, 304] (the ETag went through the proxy)"
    with pytest.raises(NotFound):
        c.get("users", "999")


def test_a_gone_rule_is_gone_and_remembered(proxy: Gone, server: Gone) -> None:
    id = "legacy-" + uuid.uuid4().hex[:8]
    path = rule(proxy, path=f"/api/users/{id}", action="gone", reason="Merged into user 42", alternative="/api/users/42")
    c = Client(proxy.url)
    for want_local in (False, True, True):
        with pytest.raises(GoneError) as e:
            c.get("users", id)
        g = e.value
        assert g.local == want_local, f"local = {g.local}, want {want_local}"
        assert (g.reason, g.alternative) == ("Merged into user 42", "/api/users/42"), f"reason, alternative = {g.reason!r}, {g.alternative!r}"
        assert g.deleted_at is not None
    proxy.sync()
    server.sync()
    assert len(proxy.requests_for(path)) == 1, f"proxy requests = {proxy.requests_for(path)}, want 1"
    assert server.requests_for(path) == [], "a path with a rule never reaches the upstream"


def test_a_page_behind_the_proxy(proxy: Gone) -> None:
    path = rule(proxy, path=f"/blog/{uuid.uuid4().hex[:8]}", action="gone", alternative="/blog/")
    with pytest.raises(GoneError) as e:
        Client(proxy.url, lang="es").get_path(path)
    assert e.value.alternative == "/blog/" and e.value.message, f"gone = {e.value.problem}"


def test_a_moved_rule_is_followed_or_reported(proxy: Gone) -> None:
    id = "old-" + uuid.uuid4().hex[:8]
    path = rule(proxy, path=f"/api/users/{id}", action="moved", to="/api/users/42")
    c = Client(proxy.url, token=READER)
    assert c.get("users", id)["id"] == "42"
    c.get("users", id)
    proxy.sync()
    assert [s for _, s in proxy.requests_for(path)] == [308], f"old path statuses = {proxy.requests_for(path)}, want one 308"
    with pytest.raises(Moved) as e:
        Client(proxy.url, follow_redirects=False).get("users", id)
    assert e.value.location == "/api/users/42", f"location = {e.value.location!r}"
