"""Writes, listings, batches and tokens against a real `gone serve --demo`,
and the exception each refusal becomes."""

from __future__ import annotations

import uuid

import pytest
from goneserver import ADMIN, READER, Gone

from goneclient import (
    BadRequest,
    Client,
    Conflict,
    Forbidden,
    Gone as GoneError,
    GoneClientError,
    NotFound,
    PreconditionFailed,
    Unauthorized,
)


def fresh_id() -> str:
    return "w-" + uuid.uuid4().hex[:12]


@pytest.fixture
def admin(server: Gone) -> Client:
    return Client(server.url, token=ADMIN)


def test_a_resources_whole_life(server: Gone, admin: Client, reader: Client) -> None:
    id, to = fresh_id(), fresh_id()
    assert admin.put("users", id, {"name": "W"})["name"] == "W"
    life = admin.lifecycle("users", id)
    etag = f'"{life["version"]}"'

    with pytest.raises(PreconditionFailed) as stale:
        admin.patch("users", id, {"name": "X"}, if_match='"99"')
    assert stale.value.etag == etag, f"412 etag = {stale.value.etag!r}, want {etag!r}"
    assert admin.patch("users", id, {"name": "X"}, if_match=etag)["name"] == "X"
    with pytest.raises(PreconditionFailed):
        admin.put("users", id, {"name": "Y"}, if_none_match="*")  # create only

    admin.delete("users", id)  # users has a restore window: to the trash
    with pytest.raises(NotFound):
        reader.get("users", id)
    admin.restore("users", id)
    assert reader.get("users", id)["name"] == "X"

    admin.move("users", id, to)
    assert reader.get("users", id)["name"] == "X", "the 308 is followed"
    life = admin.delete("users", to, permanent=True, reason="policy_violation", alternative="/api/users")
    assert life["state"] == "gone", f"state after a permanent delete = {life['state']!r}"
    with pytest.raises(GoneError) as g:
        Client(server.url).get("users", to)
    assert g.value.reason == "Removed for violating the terms of service", f"reason = {g.value.reason!r}"
    assert g.value.alternative == "/api/users", f"alternative = {g.value.alternative!r}"

    # Permanence: the retired id cannot be created again.
    with pytest.raises(Conflict) as c:
        admin.put("users", to, {"name": "again"})
    assert c.value.deleted_at is not None, f"409 problem = {c.value.problem}"


def test_refusals_are_typed(server: Gone, admin: Client) -> None:
    cases = [
        ("no token", lambda: Client(server.url).put("users", fresh_id(), {"n": 1}), Unauthorized, 401),
        ("unknown token", lambda: Client(server.url, token="nope").put("users", fresh_id(), {"n": 1}), Unauthorized, 401),
        ("read token writes", lambda: Client(server.url, token=READER).put("users", fresh_id(), {"n": 1}), Forbidden, 403),
        ("not an object", lambda: admin.put("users", fresh_id(), [1, 2]), BadRequest, 400),
    ]
    for name, call, want, status in cases:
        with pytest.raises(GoneClientError) as e:
            call()
        assert isinstance(e.value, want), f"{name}: raised {type(e.value).__name__}, want {want.__name__}"
        if status is not None:
            assert e.value.status == status, f"{name}: status = {e.value.status}, want {status}"
        assert e.value.problem.get("status") == e.value.status, f"{name}: problem = {e.value.problem}"
    assert Client(server.url).get("users", "42")["name"] == "Ada Lovelace", "refused writes changed nothing"


def test_list_follows_the_cursor(server: Gone, admin: Client) -> None:
    coll = "promotions"
    ids = {fresh_id() for _ in range(5)}
    for id in ids:
        admin.put(coll, id, {"n": id})
    server.sync()
    before = len(server.requests_for(f"/api/{coll}", "GET"))
    seen = [item["id"] for item in admin.list(coll, page_size=2)]
    assert ids <= set(seen), f"listed {seen}, missing {ids - set(seen)}"
    assert len(seen) == len(set(seen)), f"listed {seen}: an id twice"
    server.sync()
    pages = len(server.requests_for(f"/api/{coll}", "GET")) - before
    want = -(-len(seen) // 2)
    assert pages in (want, want + 1), f"pages requested = {pages}, want {want} (2 items a page)"


def test_batch_writes_rows_and_refuses_one_alone(admin: Client, reader: Client) -> None:
    a, b = fresh_id(), fresh_id()
    results = admin.batch("users", [{"id": a, "data": {"name": "A"}}, {"id": "123", "data": {"name": "retired"}}, {"id": b, "data": {"name": "B"}}])
    got = [(r.id, r.status, r.outcome) for r in results]
    assert got[0] == (a, 201, "created") and got[2] == (b, 201, "created"), f"results = {got}"
    assert isinstance(results[1].error, Conflict), f"row 2 error = {results[1].error!r}, want Conflict (123 is retired)"
    assert reader.get("users", b)["name"] == "B"
    again = admin.batch("users", [{"id": a, "data": {"name": "A"}}])
    assert again[0].outcome == "unchanged", f"outcome of the same row again = {again[0].outcome!r}"


def test_tokens_created_used_listed_and_revoked(server: Gone, admin: Client) -> None:
    name = "py-" + uuid.uuid4().hex[:8]
    t = admin.create_token(name, ["read"], expires_in="1h")
    assert t.get("secret"), f"created token = {t}, want a secret"
    assert Client(server.url, token=t["secret"]).get("users", "42")["id"] == "42"
    assert name in [x["name"] for x in admin.tokens()]
    admin.revoke_token(name)
    with pytest.raises(Unauthorized) as e:
        Client(server.url, token=t["secret"]).get("users", "42")
    assert e.value.token_state == "revoked", f"token_state = {e.value.token_state!r}"
    with pytest.raises(GoneError):
        admin.revoke_token(name)
    with pytest.raises(NotFound):
        admin.revoke_token("no-such-" + name)
