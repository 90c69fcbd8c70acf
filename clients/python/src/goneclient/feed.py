"""The change feed (GET /api/changes) as Server-Sent Events, followed by a
generator that reconnects and resumes with Last-Event-ID."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Iterator

import requests

from .errors import error_for, parse_stamp
from .retryafter import parse_retry_after

if TYPE_CHECKING:
    from .client import Client


@dataclass(frozen=True)
class Change:
    """One change of the feed; ``raw`` is the event's whole JSON object."""

    seq: int
    type: str
    collection: str
    id: str
    path: str
    at: datetime | None = None
    reason: str | None = None
    message: str | None = None
    moved_to: str | None = None
    location: str | None = None
    expires_at: datetime | None = None
    unavailable_until: datetime | None = None
    actor: str | None = None
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> "Change":
        return cls(
            seq=int(d.get("seq", 0)),
            type=str(d.get("type", "")),
            collection=str(d.get("collection", "")),
            id=str(d.get("id", "")),
            path=str(d.get("path", "")),
            at=parse_stamp(d.get("at")),
            reason=d.get("reason"),
            message=d.get("message"),
            moved_to=d.get("movedTo"),
            location=d.get("location"),
            expires_at=parse_stamp(d.get("expiresAt")),
            unavailable_until=parse_stamp(d.get("unavailableUntil")),
            actor=d.get("actor"),
            raw=d,
        )


def read_events(chunks: Iterator[bytes]) -> Iterator[tuple[str | None, str | None]]:
    """Parses a text/event-stream body into (id, data) pairs, one per
    dispatched block (WHATWG HTML §9.2.6); comments are skipped."""
    buf = b""
    ev_id: str | None = None
    data: list[str] = []
    for chunk in chunks:
        buf += chunk
        while True:
            nl = buf.find(b"\n")
            if nl < 0:
                break
            line = buf[:nl].rstrip(b"\r").decode("utf-8", "replace")
            buf = buf[nl + 1 :]
            if line == "":
                if ev_id is not None or data:
                    yield ev_id, "\n".join(data) if data else None
                ev_id, data = None, []
                continue
            if line.startswith(":"):
                continue
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "id":
                ev_id = value
            elif name == "data":
                data.append(value)


class Watch:
    """An iterator over the feed's changes that reconnects by itself.
    ``last_event_id`` is the last sequence seen (where a reconnection, or a
    later watch with ``since``, resumes). Use it in a for loop, and close()
    it (or leave the with block) to stop."""

    def __init__(self, client: "Client", *, since: int | None, from_start: bool, collection: str | None, read_timeout: float) -> None:
        self._c = client
        self.last_event_id: str | None = str(since) if since is not None else None
        self._start = "0" if from_start else "now"
        self._collection = collection
        self._read_timeout = read_timeout
        self._resp: requests.Response | None = None
        self._gen = self._run()

    def __iter__(self) -> "Watch":
        return self

    def __next__(self) -> Change:
        return next(self._gen)

    def __enter__(self) -> "Watch":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stops the watch and closes its connection."""
        self._gen.close()

    def _run(self) -> Iterator[Change]:
        c = self._c
        failures = 0
        while True:
            headers = c._headers({"Accept": "text/event-stream"})
            params = {"since": self.last_event_id or self._start}
            if self.last_event_id is not None:
                # What a reconnecting EventSource sends; the server lets it
                # win over since.
                headers["Last-Event-ID"] = self.last_event_id
            if self._collection:
                params["collection"] = self._collection
            wait = None
            try:
                with c.session.get(c._url("/api/changes"), params=params, headers=headers, stream=True, timeout=(c.timeout, self._read_timeout)) as resp:
                    if resp.status_code != 200:
                        err = error_for("GET", resp.url, resp.status_code, resp.headers, resp.content)
                        # 400, 401, 403, 404 will not mend by themselves.
                        if 400 <= resp.status_code < 500 and resp.status_code != 429:
                            raise err
                        failures += 1
                        wait = parse_retry_after(resp.headers.get("Retry-After"))
                    else:
                        failures = 0
                        # chunk_size=None yields each chunk as it arrives,
                        # where a fixed size would wait for it to fill.
                        for ev_id, data in read_events(resp.iter_content(chunk_size=None)):
                            if data:
                                change = Change.from_json(json.loads(data))
                                c.apply(change)
                            if ev_id is not None and ev_id.isdigit():
                                self.last_event_id = ev_id
                            if data:
                                yield change
            except requests.RequestException:
                # A dropped connection, a restart, a read timeout: come back.
                failures += 1
            # The stream ended (a restart, a proxy's timeout) or failed:
            # reconnect after a backoff, resuming where it stopped.
            backoff = c.retry.backoff(min(failures + 1, 8), c.jitter())
            if wait is not None:
                backoff = min(max(wait, backoff), c.retry.max_retry_after)
            c.sleep(backoff)
