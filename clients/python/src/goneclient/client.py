"""The client: one gone server, read and written the way the seeds say a
caller must.

    410 Gone       permanent: never retried, purged from the cache, and
                   remembered, so a later read of the path raises Gone at
                   once, without a request.
    404 Not Found  might change: raised as NotFound; retried only when the
                   caller's RetryPolicy says so.
    503, 429, network errors
                   temporary: retried with backoff when the request is safe
                   to send again, waiting Retry-After up to a cap; longer
                   than the cap, Unavailable comes back at once.
    301, 308       followed (and remembered) for reads, or raised as Moved.
    200            cached with its validators and revalidated (304).
"""

from __future__ import annotations

import itertools
import json
import random
import time
# List, not list, in annotations below Client.list: type checkers read
# "list" there as the method.
from typing import Any, Callable, Iterable, Iterator, List, Mapping
from urllib.parse import quote, urljoin, urlsplit

import requests

from .cache import LRU, Cache, CacheEntry, MemoryCache
from .errors import Gone, GoneClientError, Moved, error_for
from .feed import Change, Watch
from .notice import Notice, notice_from
from .policy import RetryPolicy, safe_to_repeat
from .retryafter import parse_retry_after
from .types import BatchResult

# How far a chain of redirects (or remembered moves) is followed, so a loop
# (a moved to b, b back to a) cannot hang a read.
MAX_MOVES = 10

_REDIRECTS = (301, 302, 303, 307, 308)


def resource_path(collection: str, id: str) -> str:
    """The path of one resource: /api/{collection}/{id}, each escaped."""
    return f"/api/{quote(collection, safe='')}/{quote(id, safe='')}"


class Client:
    """A client of one gone server (or of a ``gone proxy``).

    ``session`` is the caller's ``requests.Session`` when given (its adapters,
    proxies and certificates are used; its redirect handling is not: the
    client follows redirects itself). A Client is not safe to share between
    threads that use one Session at once, as requests' Session is not.
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        lang: str | None = None,
        session: requests.Session | None = None,
        cache: Cache | None = None,
        gone_memory: int = 10000,
        retry: RetryPolicy | None = None,
        follow_redirects: bool = True,
        on_gone: Callable[[str, Gone], None] | None = None,
        on_notice: Callable[[Notice], None] | None = None,
        timeout: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        if not base_url:
            raise ValueError("Client: base_url is required")
        self.base_url = base_url.rstrip("/")
        self._base = urlsplit(self.base_url)
        self.token = token
        self.lang = lang
        self.session = session if session is not None else requests.Session()
        self.cache: Cache = cache if cache is not None else MemoryCache()
        self.retry = retry if retry is not None else RetryPolicy()
        self.follow_redirects = follow_redirects
        self.on_gone = on_gone
        self.on_notice = on_notice
        self.timeout = timeout
        self.sleep = sleep
        self.jitter = jitter
        # Paths that answered 410, with their problem: answered locally for
        # good (an id that answered 410 answers 410 forever).
        self._gone: LRU[dict[str, Any]] = LRU(gone_memory)
        # Paths that answered 301 or 308, and where they went.
        self._moves: LRU[str] = LRU(gone_memory)

    # --- reads -------------------------------------------------------------

    def get(self, collection: str, id: str) -> Any:
        """Reads one resource and returns its representation (decoded JSON).

        Raises Gone (410; remembered, so later calls raise it without a
        request), NotFound (404), Unavailable (503 after the retries the
        policy allows, or at once when Retry-After is past its cap), Moved
        (a redirect, when follow_redirects is off) or GoneClientError.
        An id in the trash is NotFound for every caller, an admin too.
        """
        return self.get_path(resource_path(collection, id))

    def get_path(self, path: str) -> Any:
        """Reads any path on the server with the rules of get: a page behind
        ``gone proxy`` as well as an API resource. Returns decoded JSON, or
        the text of an answer that is not JSON."""
        path = self._resolve(path)
        for _ in range(MAX_MOVES + 1):
            known = self._gone.get(path)
            if known is not None:
                raise Gone(410, known, self._url(path), "GET", local=True)
            entry = self.cache.get(path)
            headers: dict[str, str] = {}
            if entry is not None:
                if entry.etag:
                    headers["If-None-Match"] = entry.etag
                if entry.last_modified:
                    headers["If-Modified-Since"] = entry.last_modified
            resp = self._send("GET", path, headers=headers)
            self._notice(resp)
            status = resp.status_code
            if status == 200:
                body = _decode(resp)
                self._keep(path, resp, body)
                return body
            if status == 304 and entry is not None:
                return entry.body
            if status in _REDIRECTS and self.follow_redirects and resp.headers.get("Location"):
                to = self._relative(resp.headers["Location"], resp.url)
                if status in (301, 308):
                    self.cache.delete(path)
                    self._moves.set(path, to)
                path = to
                continue
            err = error_for("GET", resp.url, status, resp.headers, resp.content)
            if isinstance(err, Gone):
                self._mark_gone(path, err.problem)
                if self.on_gone is not None:
                    self.on_gone(path, err)
            raise err
        raise GoneClientError(0, {"message": f"more than {MAX_MOVES} redirects"}, self._url(path), "GET")

    def lifecycle(self, collection: str, id: str) -> dict[str, Any]:
        """A resource's lifecycle (state, dates, reason, history, the data of
        trash), in whatever state it is. Needs an admin token."""
        return self._get_json(resource_path(collection, id) + "/lifecycle")

    def list(self, collection: str, *, state: str | None = None, page_size: int | None = None) -> Iterator[dict[str, Any]]:
        """Iterates over a collection, following the server's cursor page
        after page as the loop goes. ``state`` is "live" (the default),
        "deleted" (the trash) or "gone" (retired ids); the last two need an
        admin token and yield lifecycle facts rather than {id, data}."""
        cursor = None
        while True:
            params: dict[str, str] = {}
            if state:
                params["state"] = state
            if page_size:
                params["limit"] = str(page_size)
            if cursor:
                params["cursor"] = cursor
            page = self._get_json(f"/api/{quote(collection, safe='')}", params)
            yield from page.get("items") or []
            nxt = page.get("next")
            if not nxt or nxt == cursor:
                return
            cursor = nxt

    # --- writes ------------------------------------------------------------

    def put(self, collection: str, id: str, data: Any, *, if_match: str | None = None, if_none_match: str | None = None) -> Any:
        """Creates or replaces a resource; returns the stored representation.
        Conflict for an id in the trash, retired or moved; PreconditionFailed
        when if_match or if_none_match ("*": create only) does not hold.
        Retried after a 503 or a network error only with a precondition."""
        headers = _conditions(if_match, if_none_match)
        return self._write("PUT", resource_path(collection, id), json.dumps(data), "application/json", headers)

    def patch(self, collection: str, id: str, patch: Any, *, if_match: str | None = None) -> Any:
        """Applies a JSON merge patch (RFC 7396) to a live resource. Never
        retried after a 503: it may have landed."""
        return self._write("PATCH", resource_path(collection, id), json.dumps(patch), "application/merge-patch+json", _conditions(if_match, None))

    def delete(
        self,
        collection: str,
        id: str,
        *,
        permanent: bool = False,
        reason: str | None = None,
        alternative: str | None = None,
        if_match: str | None = None,
    ) -> dict[str, Any]:
        """Deletes a resource: to the trash where its collection has a restore
        window, for good otherwise or with permanent. ``reason`` is a code of
        the server's catalog or free text. Returns the lifecycle after it.
        Retried on 503: deleting twice leaves the same tombstone (so a retry
        whose first attempt landed may end in Gone or NotFound)."""
        params = {}
        if permanent:
            params["permanent"] = "true"
        if reason:
            params["reason"] = reason
        if alternative:
            params["alternative"] = alternative
        target = resource_path(collection, id)
        return self._write("DELETE", target, None, None, _conditions(if_match, None), params=params)

    def restore(self, collection: str, id: str) -> dict[str, Any]:
        """Brings a soft-deleted resource back from the trash."""
        target = resource_path(collection, id)
        return self._write("POST", target + "/restore", None, None, {}, target=target)

    def move(self, collection: str, id: str, to: str) -> dict[str, Any]:
        """Renames a live resource; the old id answers 308 to the new one from
        then on, and this client goes straight there."""
        src, dst = resource_path(collection, id), resource_path(collection, to)
        out = self._write("POST", src + "/move", json.dumps({"to": to}), "application/json", {}, target=src)
        self._forget(dst)
        self._moves.set(src, dst)
        return out

    def set_lifecycle(self, collection: str, id: str, change: Mapping[str, Any], *, if_match: str | None = None) -> dict[str, Any]:
        """Changes a resource's expiresAt, unavailableUntil, deprecatedAt or
        alternative (the keys of ``change``; null clears one). Needs a write
        token."""
        target = resource_path(collection, id)
        return self._write("PATCH", target + "/lifecycle", json.dumps(dict(change)), "application/json", _conditions(if_match, None), target=target)

    def batch(self, collection: str, rows: Iterable[Mapping[str, Any]]) -> List[BatchResult]:
        """Creates or replaces rows ({"id": …, "data": {…}}) of one collection
        in one request. Each row is checked and audited like a PUT and fails
        alone (BatchResult.error); a row that holds the same data is left
        alone, so sending a batch again is safe, and the client does not:
        the server may have applied part of it, and the caller decides."""
        rows = [*rows]  # iterated twice: for the body, then to forget them
        body = "".join(json.dumps({"id": r["id"], "data": r["data"]}) + "\n" for r in rows)
        path = f"/api/{quote(collection, safe='')}/_batch"
        try:
            resp = self._request("POST", path, {"Content-Type": "application/x-ndjson"}, body, None)
        finally:
            # The rows may have been written whatever the answer.
            for r in rows:
                self._forget(resource_path(collection, str(r["id"])))
        if resp.status_code != 200:
            raise error_for("POST", resp.url, resp.status_code, resp.headers, resp.content)
        results = []
        for line in resp.text.splitlines():
            if line.strip():
                results.append(BatchResult.from_json(json.loads(line), self._url(path)))
        if len(results) != len(rows):
            raise GoneClientError(resp.status_code, {"message": f"the batch answer has {len(results)} results for {len(rows)} rows"}, resp.url, "POST")
        return results

    # --- tokens ------------------------------------------------------------

    def create_token(
        self,
        name: str,
        scopes: Iterable[str],
        *,
        collections: Iterable[str] | None = None,
        expires_at: str | None = None,
        expires_in: str | None = None,
    ) -> dict[str, Any]:
        """Creates a named token (scopes: read, write, admin); the answer holds
        its ``secret``, once. Needs an admin token. A POST: not retried
        after it may have reached the server."""
        req: dict[str, Any] = {"name": name, "scopes": list(scopes)}
        if collections:
            req["collections"] = list(collections)
        if expires_at:
            req["expiresAt"] = expires_at
        if expires_in:
            req["expiresIn"] = expires_in
        return self._write("POST", "/api/tokens", json.dumps(req), "application/json", {})

    def tokens(self) -> List[dict[str, Any]]:
        """Every token, revoked and expired ones included (never a secret)."""
        return self._get_json("/api/tokens").get("tokens") or []

    def revoke_token(self, name: str) -> dict[str, Any]:
        """Revokes a token. NotFound for an unknown name, Gone for one already
        revoked (also when a retried DELETE finds its first attempt landed)."""
        return self._write("DELETE", "/api/tokens/" + quote(name, safe=""), None, None, {})

    # --- the change feed ---------------------------------------------------

    def watch(self, *, since: int | None = None, from_start: bool = False, collection: str | None = None, read_timeout: float = 60.0) -> Watch:
        """Follows the change feed (GET /api/changes as Server-Sent Events),
        yielding each Change after applying it to what the client holds:
        deleted, gone, expired and moved drop the cached copy; gone and
        expired also remember the path as gone (and call on_gone); moved
        sends the next read to the new id. Starts after ``since``, else at
        the end of the log (or, with from_start, at its beginning).
        Reconnects after errors and ended streams, resuming with
        Last-Event-ID after the last event seen; raises the error of an
        answer waiting will not mend (400, 401, 403, 404). Needs a token."""
        return Watch(self, since=since, from_start=from_start, collection=collection, read_timeout=read_timeout)

    # --- memory ------------------------------------------------------------

    def forget(self, collection: str, id: str) -> None:
        """Forgets everything the client holds about one resource: a
        remembered 410, a move, the cached copy."""
        self._forget(resource_path(collection, id))

    def forget_path(self, path: str) -> None:
        """forget, for any path."""
        self._forget(path)

    def is_gone(self, collection: str, id: str) -> bool:
        """Whether the client remembers the resource as gone."""
        return resource_path(collection, id) in self._gone

    def _forget(self, path: str) -> None:
        self.cache.delete(path)
        self._gone.delete(path)
        self._moves.delete(path)

    def _mark_gone(self, path: str, problem: dict[str, Any]) -> None:
        self.cache.delete(path)
        self._moves.delete(path)
        self._gone.set(path, problem)

    def _resolve(self, path: str) -> str:
        for _ in range(MAX_MOVES):
            nxt = self._moves.get(path)
            if nxt is None:
                break
            path = nxt
        return path

    def _keep(self, path: str, resp: requests.Response, body: Any) -> None:
        """Keeps a 200 with its validators, unless the server forbids it."""
        etag, lm = resp.headers.get("ETag"), resp.headers.get("Last-Modified")
        if "no-store" in resp.headers.get("Cache-Control", "") or not (etag or lm):
            self.cache.delete(path)
            return
        self.cache.set(path, CacheEntry(body, etag, lm))

    def apply(self, change: Change) -> None:
        """Applies one change of the feed to what the client holds (watch
        calls it; a caller reading the feed some other way may too)."""
        path = change.path or resource_path(change.collection, change.id)
        if change.type in ("deleted", "gone", "expired", "moved"):
            self.cache.delete(path)
        if change.type in ("gone", "expired"):
            problem: dict[str, Any] = {"status": 410, "title": "Gone", "error": "Gone", "instance": path}
            if change.message:
                problem["message"] = change.message
            if change.reason:
                problem["reason"] = change.reason
            if change.raw.get("alternative"):
                problem["alternative"] = change.raw["alternative"]
            if change.type == "gone" and change.raw.get("at"):
                problem["deletedAt"] = change.raw["at"]
            if change.type == "expired" and change.raw.get("expiresAt"):
                problem["expiredAt"] = change.raw["expiresAt"]
            self._mark_gone(path, problem)
            if self.on_gone is not None:
                self.on_gone(path, Gone(410, problem, self._url(path), "GET", local=True))
        elif change.type == "moved":
            to = change.location or (resource_path(change.collection, change.moved_to) if change.moved_to else None)
            if to:
                self._moves.set(path, to)
        elif change.type in ("created", "restored"):
            # A reused id's 410, or a move, no longer holds.
            self._gone.delete(path)
            self._moves.delete(path)

    # --- the wire ----------------------------------------------------------

    def _url(self, path: str) -> str:
        return path if "://" in path else self.base_url + path

    def _relative(self, location: str, request_url: str) -> str:
        """A redirect's target: a path on this server is kept as a path (so it
        is remembered like any resource), anything else as an absolute URL."""
        to = urlsplit(urljoin(request_url, location))
        base_path = self._base.path.rstrip("/")
        if (to.scheme, to.netloc) == (self._base.scheme, self._base.netloc) and to.path.startswith(base_path + "/"):
            p = to.path[len(base_path) :]
            return p + ("?" + to.query if to.query else "")
        return to.geturl()

    def _headers(self, extra: Mapping[str, str]) -> dict[str, str]:
        h = {"Accept": "application/json, application/problem+json"}
        if self.token:
            h["Authorization"] = "Bearer " + self.token
        if self.lang:
            h["Accept-Language"] = self.lang
        h.update(extra)
        return h

    def _request(self, method: str, path: str, headers: Mapping[str, str], body: str | None, params: Mapping[str, str] | None) -> requests.Response:
        return self.session.request(
            method,
            self._url(path),
            headers=self._headers(headers),
            data=body.encode() if body is not None else None,
            params=params or None,
            allow_redirects=False,
            timeout=self.timeout,
        )

    def _send(self, method: str, path: str, *, headers: Mapping[str, str] | None = None, body: str | None = None, params: Mapping[str, str] | None = None) -> requests.Response:
        """Sends one request with the retry policy and returns the last answer
        (which may be an error status), or raises the last transport error."""
        headers = dict(headers or {})
        p = self.retry
        safe = safe_to_repeat(method, headers)
        not_found_left = p.not_found_retries if method in ("GET", "HEAD") else 0
        for attempt in itertools.count(1):
            try:
                resp = self._request(method, path, headers, body, params)
            except requests.RequestException as err:
                if not (safe or _never_connected(err)) or attempt >= p.attempts:
                    raise
                self.sleep(p.backoff(attempt, self.jitter()))
                continue
            status = resp.status_code
            if status in (429, 503) and (safe or status == 429) and attempt < p.attempts:
                wait = parse_retry_after(resp.headers.get("Retry-After"))
                if wait is not None and wait > p.max_retry_after:
                    return resp  # longer than we wait: the caller decides
                self.sleep(wait if wait is not None else p.backoff(attempt, self.jitter()))
                continue
            if status == 404 and not_found_left > 0:
                not_found_left -= 1
                self.sleep(p.not_found_delay)
                continue
            return resp
        raise AssertionError("unreachable")

    def _get_json(self, path: str, params: Mapping[str, str] | None = None) -> dict[str, Any]:
        """An uncached JSON answer, such as a listing page."""
        resp = self._send("GET", path, params=params)
        if resp.status_code != 200:
            raise error_for("GET", resp.url, resp.status_code, resp.headers, resp.content)
        return resp.json()

    def _write(
        self,
        method: str,
        path: str,
        body: str | None,
        content_type: str | None,
        headers: Mapping[str, str],
        *,
        target: str | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """Sends a write to path that changes the resource at target, and
        forgets what the client knew about target whatever the answer: a
        write that failed on the way back may still have happened."""
        target = target or path
        h = dict(headers)
        if content_type:
            h["Content-Type"] = content_type
        try:
            resp = self._send(method, path, headers=h, body=body, params=params)
        finally:
            self._forget(target)
        self._notice(resp)
        if not 200 <= resp.status_code < 300:
            err = error_for(method, resp.url, resp.status_code, resp.headers, resp.content)
            if isinstance(err, Gone):
                self._mark_gone(target, err.problem)
            raise err
        return _decode(resp) if resp.content else None

    def _notice(self, resp: requests.Response) -> None:
        if self.on_notice is None:
            return
        n = notice_from(resp.url, resp.headers)
        if n is not None:
            self.on_notice(n)


def _conditions(if_match: str | None, if_none_match: str | None) -> dict[str, str]:
    h = {}
    if if_match:
        h["If-Match"] = if_match
    if if_none_match:
        h["If-None-Match"] = if_none_match
    return h


def _decode(resp: requests.Response) -> Any:
    ctype = resp.headers.get("Content-Type", "")
    if "json" in ctype:
        return resp.json()
    return resp.text


def _never_connected(err: requests.RequestException) -> bool:
    """A dial failure: the request never left, so even a POST may be sent again."""
    if isinstance(err, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(err, requests.exceptions.ConnectionError) and err.args:
        reason = getattr(err.args[0], "reason", None)
        import urllib3.exceptions

        return isinstance(reason, urllib3.exceptions.NewConnectionError)
    return False
